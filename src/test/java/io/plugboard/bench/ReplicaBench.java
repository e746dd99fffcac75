package io.plugboard.bench;

import io.plugboard.support.Http;
import io.plugboard.support.LargeOnnx;
import io.plugboard.support.S3Server;
import io.plugboard.support.ServerProcess;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Measures the shared store (run by bench/replicas.sh, not by the test suite): replicas are
 * separate server processes on one bucket of an in-process S3-compatible server.
 * <ul>
 *   <li>from a 201 on one replica to the first correct answer on another, for a 1 MB and a 100 MB
 *   model: asked at once (the other replica loads it on demand) and unasked (it appears with the
 *   next poll, every 5 s by default);</li>
 *   <li>start-up to ready of a fresh replica (empty local folder) against a store holding 50 small
 *   models, beside one against an empty store, in alternating rounds.</li>
 * </ul>
 * Usage: {@code ReplicaBench <results.csv> [rounds]}
 */
public final class ReplicaBench {

    private static final Path MLP = Path.of("src/test/resources/models/onnx/mlp.onnx");

    private ReplicaBench() {
    }

    public static void main(String[] args) throws Exception {
        Path results = Path.of(args.length > 0 ? args[0] : "bench/results/replicas.csv");
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 5;
        Path work = Files.createTempDirectory("plugboard-replica-bench");
        List<String> rows = new ArrayList<>();
        rows.add("measure,round,millis");
        try (S3Server s3 = S3Server.start("bench")) {
            ServerProcess a = replica(s3, work, "a");
            ServerProcess asked = replica(s3, work, "asked");
            ServerProcess unasked = replica(s3, work, "unasked");
            try {
                for (ServerProcess p : List.of(a, asked, unasked)) {
                    p.awaitReady();
                }
                for (long mb : new long[] {1, 100}) {
                    for (int round = 1; round <= rounds; round++) {
                        float seed = round + mb;
                        Path model = LargeOnnx.write(work.resolve("m.onnx"), mb << 20, seed);
                        String id = "m" + mb + "-" + round;
                        long start = System.nanoTime();
                        Http.Reply created = a.http().upload(id, model);
                        long createdAt = System.nanoTime();
                        if (created.status() != 201) {
                            throw new IllegalStateException(created.toString());
                        }
                        rows.add("upload-" + mb + "MB," + round + "," + millis(createdAt - start));
                        // both replicas watched at once: one asked at once, one only listing
                        var listed = java.util.concurrent.CompletableFuture.supplyAsync(() -> firstListed(unasked.http(), id));
                        long onDemand = firstCorrectAnswer(asked.http(), id, seed) - createdAt;
                        rows.add("on-demand-" + mb + "MB," + round + "," + millis(onDemand));
                        long polled = listed.join() - createdAt;
                        rows.add("polled-" + mb + "MB," + round + "," + millis(polled));
                        System.out.printf("%d MB round %d: 201 after %d ms; asked replica answered %d ms later, "
                                + "unasked replica listed it %d ms later%n", mb, round, millis(createdAt - start),
                                millis(onDemand), millis(polled));
                    }
                }
                for (long mb : new long[] {1, 100}) {
                    for (int round = 1; round <= rounds; round++) {
                        a.http().delete("/v1/models/m" + mb + "-" + round);
                    }
                }
                for (int i = 0; i < 50; i++) {
                    Http.Reply created = a.http().upload("small-" + i, MLP);
                    if (created.status() != 201) {
                        throw new IllegalStateException(created.toString());
                    }
                }
            } finally {
                a.close();
                asked.close();
                unasked.close();
            }
            try (S3Server empty = S3Server.start("empty")) {
                for (int round = 1; round <= 3; round++) {
                    long withModels = startToReady(s3, "bench", work, "fresh-" + round);
                    long without = startToReady(empty, "empty", work, "empty-" + round);
                    rows.add("fresh-replica-50-models," + round + "," + withModels);
                    rows.add("fresh-replica-empty-store," + round + "," + without);
                    System.out.printf("fresh replica round %d: %d ms with 50 models, %d ms with none%n", round,
                            withModels, without);
                }
            }
        }
        Files.createDirectories(results.toAbsolutePath().getParent());
        try (PrintWriter out = new PrintWriter(Files.newBufferedWriter(results))) {
            rows.forEach(out::println);
        }
        summarise(rows);
    }

    private static ServerProcess replica(S3Server s3, Path work, String name) throws IOException {
        return replica(s3, "bench", work, name);
    }

    private static ServerProcess replica(S3Server s3, String bucket, Path work, String name) throws IOException {
        Path folder = Files.createDirectories(work.resolve(name));
        return ServerProcess.start(work.resolve(name + ".log"),
                List.of("-Xmx2g", "-Daws.accessKeyId=" + S3Server.ACCESS_KEY,
                        "-Daws.secretAccessKey=" + S3Server.SECRET_KEY),
                "--plugboard.store.type=s3", "--plugboard.store.path=" + folder,
                "--plugboard.store.s3.bucket=" + bucket, "--plugboard.store.s3.endpoint=" + s3.endpoint(),
                "--plugboard.store.s3.path-style=true", "--plugboard.upload.max-size=1GB",
                "--logging.level.io.plugboard.lifecycle.StoreSync=INFO");
    }

    private static long firstCorrectAnswer(Http http, String id, float seed) throws InterruptedException {
        String body = "{\"inputs\":[{\"name\":\"x\",\"datatype\":\"FP32\",\"shape\":[1],\"data\":[1.0]}]}";
        while (true) {
            Http.Reply reply = http.postJson("/v1/models/" + id + "/infer", body);
            if (reply.status() == 200
                    && reply.json().get("outputs").get(0).get("data").get(0).floatValue() == 1.0f + seed) {
                return System.nanoTime();
            }
            Thread.sleep(5);
        }
    }

    private static long firstListed(Http http, String id) {
        while (true) {
            // the list, not GET /v1/models/{id}: asking for the id would load it on demand
            for (var model : http.get("/v1/models").json().get("models")) {
                if (model.get("id").asString().equals(id) && "READY".equals(model.get("state").asString())) {
                    return System.nanoTime();
                }
            }
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        }
    }

    private static long startToReady(S3Server s3, String bucket, Path work, String name) throws Exception {
        long start = System.nanoTime();
        ServerProcess p = replica(s3, bucket, work, name);
        try {
            Http http = p.http();
            while (true) {
                try {
                    if (http.get("/actuator/health/readiness").status() == 200) {
                        return millis(System.nanoTime() - start);
                    }
                } catch (RuntimeException e) {
                    // not listening yet
                }
                if (!p.process().isAlive()) {
                    throw new IllegalStateException(p.log());
                }
                Thread.sleep(20);
            }
        } finally {
            p.close();
        }
    }

    private static long millis(long nanos) {
        return nanos / 1_000_000;
    }

    private static void summarise(List<String> rows) {
        java.util.Map<String, List<Long>> byMeasure = new java.util.TreeMap<>();
        for (String row : rows.subList(1, rows.size())) {
            String[] f = row.split(",");
            byMeasure.computeIfAbsent(f[0], k -> new ArrayList<>()).add(Long.parseLong(f[2]));
        }
        System.out.println("measure | median ms | min | max");
        byMeasure.forEach((k, v) -> {
            Collections.sort(v);
            System.out.printf("%s | %d | %d | %d%n", k, v.get(v.size() / 2), v.get(0), v.get(v.size() - 1));
        });
    }
}
