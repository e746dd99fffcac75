/*
 * Baseline: the same model run directly with ONNX Runtime in-process, closed loop, N threads, one
 * shared session, tensors created and closed per call (as the server does).
 *
 *   java -cp <onnxruntime jar> bench/DirectOrt.java model.onnx input-name rows cols... -- threads seconds
 *
 * -DgapMicros=N parks each thread N µs between calls, as a client's round trip would.
 *
 * Prints: CSV,<requests>,<p50 us>,<p99 us>,<mean us>,0,<duration us>,<process CPU us per request>
 */
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

public class DirectOrt {
    static final long GAP_MICROS = Long.getLong("gapMicros", 0);

    public static void main(String[] args) throws Exception {
        String model = args[0];
        String input = args[1];
        int sep = Arrays.asList(args).indexOf("--");
        long[] shape = Arrays.stream(Arrays.copyOfRange(args, 2, sep)).mapToLong(Long::parseLong).toArray();
        int threads = Integer.parseInt(args[sep + 1]);
        int seconds = Integer.parseInt(args[sep + 2]);
        int n = (int) Arrays.stream(shape).reduce(1, (a, b) -> a * b);
        float[] data = new float[n];
        for (int i = 0; i < n; i++) {
            data[i] = (i % 17) / 17f;
        }
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        OrtSession.SessionOptions options = new OrtSession.SessionOptions();
        String spinning = System.getProperty("allowSpinning"); // -DallowSpinning=0: as the server runs by default
        if (spinning != null) {
            options.addConfigEntry("session.intra_op.allow_spinning", spinning);
        }
        String intraOp = System.getProperty("intraOpThreads"); // as plugboard.onnx.intra-op-threads
        if (intraOp != null && Integer.parseInt(intraOp) > 0) {
            options.setIntraOpNumThreads(Integer.parseInt(intraOp));
        }
        try (OrtSession session = env.createSession(model, options)) {
            run(env, session, input, shape, data, threads, 2); // warm-up
            long cpuBefore = cpuNanos();
            long[] result = run(env, session, input, shape, data, threads, seconds);
            long cpu = cpuNanos() - cpuBefore;
            System.out.println(String.join(",", "CSV", "" + result[0], "" + result[1] / 1000.0, "" + result[2] / 1000.0,
                    "" + result[3] / 1000.0, "0", "" + seconds * 1_000_000L,
                    String.format("%.1f", cpu / 1000.0 / Math.max(1, result[0]))));
        }
    }

    /** CPU time of this whole process (every thread, ONNX Runtime's own included). */
    static long cpuNanos() {
        return ProcessHandle.current().info().totalCpuDuration().map(java.time.Duration::toNanos).orElse(0L);
    }

    static long[] run(OrtEnvironment env, OrtSession session, String input, long[] shape, float[] data, int threads,
            int seconds) throws Exception {
        AtomicBoolean stop = new AtomicBoolean();
        List<long[]> samples = new ArrayList<>();
        List<Thread> workers = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            long[] lat = new long[2_000_000];
            int[] count = new int[1];
            samples.add(lat);
            Thread w = new Thread(() -> {
                int k = 0;
                while (!stop.get() && k < lat.length - 1) {
                    long s = System.nanoTime();
                    try (OnnxTensor tensor = OnnxTensor.createTensor(env, FloatBuffer.wrap(data), shape);
                            OrtSession.Result r = session.run(Map.of(input, tensor))) {
                        r.get(0).getValue();
                    } catch (Exception e) {
                        throw new RuntimeException(e);
                    }
                    lat[++k] = System.nanoTime() - s;
                    if (GAP_MICROS > 0) {
                        java.util.concurrent.locks.LockSupport.parkNanos(GAP_MICROS * 1000);
                    }
                }
                lat[0] = k;
            });
            workers.add(w);
            w.start();
        }
        Thread.sleep(seconds * 1000L);
        stop.set(true);
        for (Thread w : workers) {
            w.join();
        }
        long total = 0;
        List<Long> all = new ArrayList<>();
        for (long[] lat : samples) {
            for (int i = 1; i <= lat[0]; i++) {
                all.add(lat[i]);
                total += lat[i];
            }
        }
        all.sort(null);
        return new long[] {all.size(), all.get(all.size() / 2), all.get((int) (all.size() * 0.99)), total / all.size()};
    }
}
