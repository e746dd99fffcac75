package io.plugboard.inference;

import io.plugboard.backend.Target;
import static org.assertj.core.api.Assertions.assertThat;

import io.plugboard.backend.LoadedModel;
import io.plugboard.backend.ModelSource;
import io.plugboard.backend.onnx.OnnxBackend;
import io.plugboard.backend.onnx.OnnxSettings;
import io.plugboard.format.ModelFormat;
import io.plugboard.tensor.DataType;
import io.plugboard.tensor.Tensor;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/** Where a request runs: on its own thread when the pool is idle, else through the queue; with ONNX Runtime. */
class InstancePoolTest {

    private static final OnnxBackend ONNX = new OnnxBackend(OnnxSettings.defaults());
    private static final Path MODELS = Path.of("src/test/resources/models/onnx");
    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    private final List<String> ranOn = new CopyOnWriteArrayList<>();
    private final PoolObserver observer = new PoolObserver() {
        @Override
        public void rejected(String modelId, String reason) {
        }

        @Override
        public void dequeued(String modelId, long queuedNanos) {
        }

        @Override
        public void executed(String modelId, int requests, long rows, long busyNanos) {
            ranOn.add(Thread.currentThread().getName());
        }
    };

    @AfterAll
    static void closeEngine() {
        ONNX.close();
    }

    private static LoadedModel load(String name) {
        return ONNX.load(new ModelSource(MODELS, name + ".onnx", ModelFormat.ONNX), Target.CPU);
    }

    private static Tensor floats(long[] shape, float value) {
        int n = 1;
        for (long d : shape) {
            n *= (int) d;
        }
        ByteBuffer b = ByteBuffer.allocate(n * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < n; i++) {
            b.putFloat(value);
        }
        return Tensor.of(DataType.FP32, shape, b.flip());
    }

    private static Map<String, Tensor> addMul(float a, float b) {
        return Map.of("a", floats(new long[] {1, 3}, a), "b", floats(new long[] {1, 3}, b));
    }

    private static PoolSettings settings(int maxBatchSize) {
        return new PoolSettings(1, 4, TIMEOUT, maxBatchSize, Duration.ZERO);
    }

    private static Map<String, Tensor> queued(InstancePool pool, Map<String, Tensor> inputs, Set<String> outputs)
            throws Exception {
        return pool.submit(inputs, outputs, TIMEOUT).result().get(30, TimeUnit.SECONDS);
    }

    /** Runs on the calling thread once the worker that ran the queued request has handed its instance back. */
    private static Map<String, Tensor> whenIdle(InstancePool pool, Map<String, Tensor> inputs, Set<String> outputs) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        Map<String, Tensor> out;
        while ((out = pool.runIfIdle(inputs, outputs, TIMEOUT)) == null && System.nanoTime() < deadline) {
            Thread.onSpinWait();
        }
        return out;
    }

    @Test
    void anIdlePoolRunsTheRequestOnTheCallingPlatformThread() throws Exception {
        try (LoadedModel model = load("add_mul")) {
            InstancePool pool = new InstancePool("m", model, settings(1), System::nanoTime, observer, new PinnedCalls(2));
            try {
                // nothing ran yet, so how long a run takes is unknown: the request queues
                assertThat(pool.runIfIdle(addMul(2, 3), Set.of("sum"), TIMEOUT)).isNull();
                assertThat(queued(pool, addMul(2, 3), Set.of("sum")).get("sum").data().getFloat(0)).isEqualTo(5f);
                Map<String, Tensor> here = whenIdle(pool, addMul(2, 3), Set.of("sum", "product"));
                assertThat(here).isNotNull();
                assertThat(here.get("sum").data().getFloat(8)).isEqualTo(5f);
                assertThat(here.get("product").data().getFloat(4)).isEqualTo(6f);
                assertThat(ranOn).hasSize(2);
                assertThat(ranOn.get(0)).startsWith("infer-m-");
                assertThat(ranOn.get(1)).isEqualTo(Thread.currentThread().getName());
                assertThat(pool.inFlight()).isZero();
            } finally {
                pool.close();
            }
        }
    }

    @Test
    void aShortOnlyCallerIsHandedAnythingFarLargerThanTheUsualRequest() throws Exception {
        try (LoadedModel model = load("add_mul")) {
            InstancePool pool = new InstancePool("m", model, settings(1), System::nanoTime, observer, new PinnedCalls(2));
            try {
                Map<String, Tensor> usual = addMul(1, 1);
                queued(pool, usual, Set.of("sum"));
                for (int i = 0; i < 20; i++) { // the pool learns a call of 24 input bytes takes microseconds
                    assertThat(whenIdle(pool, usual, Set.of("sum"))).isNotNull();
                }
                assertThat(pool.runIfIdle(usual, Set.of("sum"), TIMEOUT, true)).isNotNull();
                // 2^20 rows (24 MiB) would run far past InstancePool.MAX_PINNED: not on a thread that must
                // stay short, though a platform thread that may wait still takes it
                long[] rows = {1 << 20, 3};
                Map<String, Tensor> huge = Map.of("a", floats(rows, 1), "b", floats(rows, 2));
                assertThat(pool.runIfIdle(huge, Set.of("sum"), TIMEOUT, true)).isNull();
                assertThat(pool.runIfIdle(huge, Set.of("sum"), TIMEOUT, false)).isNotNull();
            } finally {
                pool.close();
            }
        }
    }

    @Test
    void batchingAndTightTimeoutsAlwaysQueue() throws Exception {
        try (LoadedModel model = load("add_mul")) {
            InstancePool pool = new InstancePool("m", model, settings(1), System::nanoTime, observer, new PinnedCalls(2));
            InstancePool batching = new InstancePool("b", model, settings(8), System::nanoTime, observer, new PinnedCalls(2));
            try {
                queued(pool, addMul(1, 1), Set.of("sum"));
                queued(batching, addMul(1, 1), Set.of("sum"));
                assertThat(whenIdle(pool, addMul(1, 1), Set.of("sum"))).isNotNull();
                assertThat(batching.runIfIdle(addMul(1, 1), Set.of("sum"), TIMEOUT)).isNull();
                // a run takes far more than a quarter of a nanosecond: the timeout could not hold
                assertThat(pool.runIfIdle(addMul(1, 1), Set.of("sum"), Duration.ofNanos(1))).isNull();
                assertThat(pool.runIfIdle(addMul(1, 1), Set.of("sum"), TIMEOUT)).isNotNull();
            } finally {
                pool.close();
                batching.close();
            }
        }
    }

    private static Object onVirtualThread(java.util.function.Supplier<Object> call) throws InterruptedException {
        AtomicReference<Object> result = new AtomicReference<>("unset");
        Thread.ofVirtual().start(() -> result.set(call.get())).join();
        return result.get();
    }

    @Test
    void aVirtualThreadRunsOnlyShortCallsItself() throws Exception {
        try (LoadedModel small = load("add_mul"); LoadedModel cnn = load("cnn")) {
            InstancePool quick = new InstancePool("q", small, settings(1), System::nanoTime, observer, new PinnedCalls(2));
            InstancePool slow = new InstancePool("s", cnn, settings(1), System::nanoTime, observer, new PinnedCalls(2));
            Set<String> logits = Set.of(cnn.signature().outputs().get(0).name());
            Map<String, Tensor> images = Map.of("image", floats(new long[] {64, 3, 64, 64}, 0.5f));
            try {
                queued(quick, addMul(1, 2), Set.of("sum"));
                for (int i = 0; i < 50; i++) { // a fresh session's first call is slow: let the average settle
                    whenIdle(quick, addMul(1, 2), Set.of("sum"));
                }
                Object here = onVirtualThread(() -> whenIdle(quick, addMul(1, 2), Set.of("sum")));
                assertThat(here).isInstanceOf(Map.class);
                assertThat(ranOn.get(ranOn.size() - 1)).doesNotStartWith("infer-");
                // 64 images take far longer than InstancePool.MAX_PINNED: a platform thread runs them,
                // a virtual thread hands them over
                queued(slow, images, logits);
                assertThat(whenIdle(slow, images, logits)).isNotNull();
                assertThat(onVirtualThread(() -> slow.runIfIdle(images, logits, TIMEOUT))).isNull();
                assertThat(slow.runIfIdle(images, logits, TIMEOUT)).isNotNull();
            } finally {
                quick.close();
                slow.close();
            }
            // on a single carrier no call may pin it: even a short one is handed over
            InstancePool single = new InstancePool("one", small, settings(1), System::nanoTime, observer, new PinnedCalls(1));
            try {
                queued(single, addMul(1, 2), Set.of("sum"));
                for (int i = 0; i < 50; i++) {
                    assertThat(whenIdle(single, addMul(1, 2), Set.of("sum"))).isNotNull();
                }
                assertThat(onVirtualThread(() -> single.runIfIdle(addMul(1, 2), Set.of("sum"), TIMEOUT))).isNull();
            } finally {
                single.close();
            }
        }
    }

    @Test
    void closeWaitsForACallRunningOnARequestThreadBeforeClosingTheInstance() throws Exception {
        try (LoadedModel model = load("cnn")) {
            InstancePool pool = new InstancePool("c", model, settings(1), System::nanoTime, observer, new PinnedCalls(2));
            Map<String, Tensor> images = Map.of("image", floats(new long[] {256, 3, 64, 64}, 0.5f));
            Set<String> outputs = Set.of(model.signature().outputs().get(0).name());
            queued(pool, Map.of("image", floats(new long[] {1, 3, 64, 64}, 0.5f)), outputs);
            whenIdle(pool, Map.of("image", floats(new long[] {1, 3, 64, 64}, 0.5f)), outputs);
            CompletableFuture<Map<String, Tensor>> inline = new CompletableFuture<>();
            Thread caller = Thread.ofPlatform().name("caller")
                    .start(() -> inline.complete(pool.runIfIdle(images, outputs, TIMEOUT)));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (pool.inFlight() == 0 && !inline.isDone() && System.nanoTime() < deadline) {
                Thread.onSpinWait();
            }
            assertThat(inline.isDone()).as("the 256-image call is still running").isFalse();
            pool.close();
            // close returned only after the call had finished (it reports before handing its
            // instance back), and the call succeeded on an instance nobody closed under it
            assertThat(ranOn).contains("caller");
            assertThat(inline.get(30, TimeUnit.SECONDS).values().iterator().next().dim(0)).isEqualTo(256);
            caller.join();
            assertThat(pool.inFlight()).isZero();
        }
    }

    @Test
    void idleInstancesParkInsteadOfPolling() throws Exception {
        try (LoadedModel model = load("add_mul")) {
            PoolSettings many = new PoolSettings(32, 64, TIMEOUT, 1, java.time.Duration.ZERO);
            InstancePool pool = new InstancePool("idle", model, many, System::nanoTime, observer, new PinnedCalls(2));
            try {
                Thread.sleep(200);
                java.lang.management.ThreadMXBean threads = java.lang.management.ManagementFactory.getThreadMXBean();
                java.util.function.LongSupplier workersCpu = () -> Thread.getAllStackTraces().keySet().stream()
                        .filter(t -> t.getName().startsWith("infer-idle-"))
                        .mapToLong(t -> Math.max(0, threads.getThreadCpuTime(t.threadId()))).sum();
                long before = workersCpu.getAsLong();
                Thread.sleep(1000);
                // 32 threads polling every 50 ms spent tens of milliseconds here; parked ones nothing
                assertThat(workersCpu.getAsLong() - before).as("CPU ns of 32 idle workers over 1 s")
                        .isLessThan(5_000_000L);
            } finally {
                long start = System.nanoTime();
                pool.close(java.time.Duration.ofSeconds(5));
                assertThat(System.nanoTime() - start).as("closing wakes parked workers at once")
                        .isLessThan(TimeUnit.SECONDS.toNanos(2));
            }
        }
    }
}
