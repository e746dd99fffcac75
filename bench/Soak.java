import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * Hostile and well-behaved traffic against a running server (bench/soak.sh starts it):
 *
 * <ol>
 *   <li>per class: each hostile request class alone for a while, beside a well-behaved client and a
 *       liveness prober; reports the server CPU each hostile request cost, the good client's p50/p99,
 *       the liveness probe's worst time, and the answers the hostile requests got;
 *   <li>soak: every class in turn, with the good client and the prober, for the soak's length;
 *       samples resident memory, threads and open files every 10 s.
 * </ol>
 *
 * java bench/Soak.java PORT PID PER_CLASS_SECONDS SOAK_MINUTES OUT_PREFIX
 */
public class Soak {

    static final String ADD = "{\"inputs\":[{\"name\":\"a\",\"shape\":[1,3],\"datatype\":\"FP32\",\"data\":[1,2,3]},"
            + "{\"name\":\"b\",\"shape\":[1,3],\"datatype\":\"FP32\",\"data\":[1,1,1]}]}";

    static int port;
    static long pid;
    static final HttpClient CLIENT = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    record Answer(int status, long nanos) {
    }

    /** Latencies of one client, in microseconds. */
    static final class Latencies {
        final List<Long> micros = Collections.synchronizedList(new ArrayList<>());
        final AtomicLong errors = new AtomicLong();

        long percentile(double p) {
            List<Long> copy;
            synchronized (micros) {
                copy = new ArrayList<>(micros);
            }
            if (copy.isEmpty()) {
                return -1;
            }
            Collections.sort(copy);
            return copy.get(Math.min(copy.size() - 1, (int) Math.ceil(p * copy.size()) - 1));
        }

        void clear() {
            micros.clear();
            errors.set(0);
        }
    }

    static Answer send(HttpRequest request) {
        long start = System.nanoTime();
        try {
            HttpResponse<byte[]> response = CLIENT.send(request, HttpResponse.BodyHandlers.ofByteArray());
            return new Answer(response.statusCode(), System.nanoTime() - start);
        } catch (IOException e) {
            return new Answer(-1, System.nanoTime() - start);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Answer(-2, System.nanoTime() - start);
        }
    }

    static HttpRequest.Builder at(String path) {
        return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).timeout(Duration.ofSeconds(60));
    }

    static HttpRequest json(String path, String body) {
        return at(path).header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build();
    }

    static HttpRequest multipart(Map<String, String> fields, String filename, byte[] file) {
        String boundary = "soak" + System.nanoTime();
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        try {
            for (var field : fields.entrySet()) {
                body.write(("--" + boundary + "\r\nContent-Disposition: form-data; name=\"" + field.getKey()
                        + "\"\r\n\r\n" + field.getValue() + "\r\n").getBytes(StandardCharsets.UTF_8));
            }
            body.write(("--" + boundary + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"" + filename
                    + "\"\r\nContent-Type: application/octet-stream\r\n\r\n").getBytes(StandardCharsets.UTF_8));
            body.write(file);
            body.write(("\r\n--" + boundary + "--\r\n").getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return at("/v1/models").header("Content-Type", "multipart/form-data; boundary=" + boundary)
                .POST(HttpRequest.BodyPublishers.ofByteArray(body.toByteArray())).build();
    }

    /** Sends raw bytes on a socket and returns the status line's code (-1 when the server closed it). */
    static int raw(byte[] request, int dribbleBytesPerSecond, int seconds) {
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.setSoTimeout(30_000);
            OutputStream out = socket.getOutputStream();
            if (dribbleBytesPerSecond <= 0) {
                out.write(request);
            } else {
                out.write(request);
                byte[] chunk = new byte[dribbleBytesPerSecond / 10];
                java.util.Arrays.fill(chunk, (byte) ' ');
                for (int i = 0; i < seconds * 10; i++) {
                    out.write(chunk);
                    out.flush();
                    Thread.sleep(100);
                }
                return 0; // walks away
            }
            out.flush();
            InputStream in = socket.getInputStream();
            byte[] head = in.readNBytes(12);
            String line = new String(head, StandardCharsets.US_ASCII);
            return line.startsWith("HTTP/1.1 ") ? Integer.parseInt(line.substring(9, 12)) : -1;
        } catch (IOException | NumberFormatException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -2;
        }
    }

    static byte[] zipBomb() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ZipOutputStream zip = new ZipOutputStream(bytes)) {
            zip.putNextEntry(new ZipEntry("saved_model.pb"));
            zip.write(new byte[] {8, 1});
            zip.putNextEntry(new ZipEntry("variables/variables.data-00000-of-00001"));
            byte[] zeros = new byte[1 << 20];
            for (int i = 0; i < 256; i++) {
                zip.write(zeros);
            }
            zip.closeEntry();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return bytes.toByteArray();
    }

    /** The hostile classes: each sends one request and returns the status it got. */
    static Map<String, Supplier<Integer>> hostile(byte[] onnx) {
        Random random = new Random(7);
        byte[] bomb = zipBomb();
        StringBuilder names = new StringBuilder("{\"inputs\":[");
        for (int i = 0; i < 40_000; i++) {
            names.append(i == 0 ? "" : ",").append("{\"name\":\"x").append(i)
                    .append("\",\"shape\":[1],\"datatype\":\"FP32\",\"data\":[1]}");
        }
        String manyNames = names.append("]}").toString();
        Map<String, Supplier<Integer>> classes = new TreeMap<>();
        classes.put("exponent-number", () -> send(json("/v1/models/add/infer",
                "{\"inputs\":[{\"name\":\"a\",\"shape\":[1],\"datatype\":\"INT32\",\"data\":[1e-99999999]}]}")).status());
        classes.put("declared-huge-shape", () -> send(json("/v1/models/add/infer",
                "{\"inputs\":[{\"name\":\"a\",\"shape\":[100000,100000],\"datatype\":\"FP32\",\"data\":[1,2,3]},"
                        + "{\"name\":\"b\",\"shape\":[1,3],\"datatype\":\"FP32\",\"data\":[1,1,1]}]}")).status());
        classes.put("many-input-names", () -> send(json("/v1/models/add/infer", manyNames)).status());
        classes.put("slow-body", () -> raw(("POST /v1/models/add/infer HTTP/1.1\r\nHost: x\r\nContent-Type: "
                + "application/json\r\nContent-Length: 67108864\r\n\r\n{\"inputs\":[{\"name\":\"a\",\"shape\":[1,3],"
                + "\"datatype\":\"FP32\",\"data\":[").getBytes(StandardCharsets.US_ASCII), 20_000, 3));
        classes.put("oversized-header", () -> raw(("GET /v1/models HTTP/1.1\r\nHost: x\r\nX-Big: " + "a".repeat(64 << 10)
                + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII), 0, 0));
        classes.put("garbage-upload", () -> {
            byte[] garbage = new byte[64 << 10];
            random.nextBytes(garbage);
            return send(multipart(Map.of("name", "garbage"), "model.onnx", garbage)).status();
        });
        classes.put("truncated-onnx", () -> send(multipart(Map.of("name", "truncated"), "model.onnx",
                java.util.Arrays.copyOf(onnx, onnx.length / 2))).status());
        classes.put("zip-bomb", () -> send(multipart(Map.of("name", "bomb"), "model.zip", bomb)).status());
        classes.put("upload-and-delete", () -> {
            int status = send(multipart(Map.of("name", "churn"), "add.onnx", onnx)).status();
            send(at("/v1/models/churn").DELETE().build());
            return status;
        });
        return classes;
    }

    static long cpuTicks() {
        try {
            String[] stat = Files.readString(Path.of("/proc/" + pid + "/stat")).split("\\) ")[1].split(" ");
            return Long.parseLong(stat[11]) + Long.parseLong(stat[12]); // utime + stime
        } catch (IOException e) {
            return -1;
        }
    }

    static long status(String key) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
                if (line.startsWith(key + ":")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", ""));
                }
            }
        } catch (IOException e) {
            return -1;
        }
        return -1;
    }

    static long openFiles() {
        try (var fds = Files.list(Path.of("/proc/" + pid + "/fd"))) {
            return fds.count();
        } catch (IOException e) {
            return -1;
        }
    }

    public static void main(String[] args) throws Exception {
        port = Integer.parseInt(args[0]);
        pid = Long.parseLong(args[1]);
        int perClassSeconds = Integer.parseInt(args[2]);
        int soakMinutes = Integer.parseInt(args[3]);
        String out = args[4];
        byte[] onnx = Files.readAllBytes(Path.of("src/test/resources/models/onnx/add_mul.onnx"));
        if (send(multipart(Map.of("name", "add"), "add.onnx", onnx)).status() != 201) {
            throw new IllegalStateException("could not upload the model");
        }
        AtomicBoolean running = new AtomicBoolean(true);
        Latencies good = new Latencies();
        Latencies live = new Latencies();
        Thread goodClient = Thread.ofPlatform().start(() -> {
            while (running.get()) {
                Answer a = send(json("/v1/models/add/infer", ADD));
                if (a.status() == 200) {
                    good.micros.add(a.nanos() / 1000);
                } else {
                    good.errors.incrementAndGet();
                }
                sleep(20); // about 50 requests a second
            }
        });
        Thread prober = Thread.ofPlatform().start(() -> {
            while (running.get()) {
                Answer a = send(at("/actuator/health/liveness").GET().build());
                if (a.status() == 200) {
                    live.micros.add(a.nanos() / 1000);
                } else {
                    live.errors.incrementAndGet();
                }
                sleep(200);
            }
        });
        Map<String, Supplier<Integer>> classes = hostile(onnx);
        long tick = 100; // clock ticks per second on Linux
        // a minute of the good client alone compiles the server's hot paths first; then what the good
        // client and the prober cost alone is taken off each class's server CPU
        sleep(60_000);
        long base0 = cpuTicks();
        long baseStart = System.nanoTime();
        sleep(perClassSeconds * 1000L);
        double baseMsPerSecond = (cpuTicks() - base0) * 1000.0 / tick / ((System.nanoTime() - baseStart) / 1e9);
        System.out.printf("baseline: %.1f ms of server CPU per second for the good client and the prober%n",
                baseMsPerSecond);
        try (PrintWriter perClass = new PrintWriter(Files.newBufferedWriter(Path.of(out + "-per-class.csv")))) {
            perClass.println("class,requests,server_cpu_ms_per_request,answers,good_p50_ms,good_p99_ms,good_errors,"
                    + "liveness_max_ms,liveness_errors,rss_mb_after,threads_after");
            for (var hostileClass : classes.entrySet()) {
                good.clear();
                live.clear();
                Map<Integer, Integer> answers = new TreeMap<>();
                long cpu0 = cpuTicks();
                long began = System.nanoTime();
                long end = began + perClassSeconds * 1_000_000_000L;
                int requests = 0;
                while (System.nanoTime() < end) {
                    answers.merge(hostileClass.getValue().get(), 1, Integer::sum);
                    requests++;
                }
                double seconds = (System.nanoTime() - began) / 1e9;
                double cpuMs = Math.max(0, (cpuTicks() - cpu0) * 1000.0 / tick - baseMsPerSecond * seconds);
                String line = String.format("%s,%d,%.1f,%s,%.2f,%.2f,%d,%.1f,%d,%d,%d", hostileClass.getKey(), requests,
                        cpuMs / requests, answers.toString().replace(',', ';'), good.percentile(0.5) / 1000.0,
                        good.percentile(0.99) / 1000.0, good.errors.get(), live.percentile(1.0) / 1000.0,
                        live.errors.get(), status("VmRSS") / 1024, status("Threads"));
                perClass.println(line);
                perClass.flush();
                System.out.println(line);
            }
        }
        try (PrintWriter samples = new PrintWriter(Files.newBufferedWriter(Path.of(out + "-soak.csv")))) {
            samples.println("minute,rss_mb,threads,open_files,hostile_requests,hostile_5xx,good_p50_ms,good_p99_ms,"
                    + "good_errors,liveness_max_ms,liveness_errors");
            ConcurrentHashMap<Integer, AtomicLong> statuses = new ConcurrentHashMap<>();
            AtomicLong hostileCount = new AtomicLong();
            Thread attacker = Thread.ofPlatform().start(() -> {
                List<Supplier<Integer>> all = new ArrayList<>(classes.values());
                int i = 0;
                while (running.get()) {
                    int status = all.get(i++ % all.size()).get();
                    statuses.computeIfAbsent(status, s -> new AtomicLong()).incrementAndGet();
                    hostileCount.incrementAndGet();
                }
            });
            long start = System.nanoTime();
            long next = start;
            while (System.nanoTime() - start < soakMinutes * 60_000_000_000L) {
                next += 10_000_000_000L;
                sleep(Math.max(0, (next - System.nanoTime()) / 1_000_000));
                long fivexx = statuses.entrySet().stream().filter(e -> e.getKey() >= 500)
                        .mapToLong(e -> e.getValue().get()).sum();
                String line = String.format("%.2f,%d,%d,%d,%d,%d,%.2f,%.2f,%d,%.1f,%d",
                        (System.nanoTime() - start) / 60e9, status("VmRSS") / 1024, status("Threads"), openFiles(),
                        hostileCount.get(), fivexx, good.percentile(0.5) / 1000.0, good.percentile(0.99) / 1000.0,
                        good.errors.get(), live.percentile(1.0) / 1000.0, live.errors.get());
                samples.println(line);
                samples.flush();
                System.out.println(line);
                good.clear();
                live.clear();
            }
            running.set(false);
            attacker.join();
            System.out.println("hostile answers: " + new TreeMap<>(statuses));
        }
        running.set(false);
        goodClient.join();
        prober.join();
    }

    static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
