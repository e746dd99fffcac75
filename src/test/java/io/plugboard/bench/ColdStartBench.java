package io.plugboard.bench;

import io.plugboard.support.Http;
import io.plugboard.support.LargeOnnx;
import io.plugboard.support.ServerProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Cold start and upload-to-first-answer, with real server processes on the filesystem store (run by
 * bench/coldstart.sh, not by the test suite):
 * <ul>
 *   <li>JVM start to ready with an empty store, and with 20 stored models (restored at start);</li>
 *   <li>a 100 MB ONNX model: from the start of its upload to its first correct answer.</li>
 * </ul>
 * Usage: {@code ColdStartBench <results.csv> [rounds]}
 */
public final class ColdStartBench {

    private static final Path MLP = Path.of("src/test/resources/models/onnx/mlp.onnx");

    private ColdStartBench() {
    }

    public static void main(String[] args) throws Exception {
        Path results = Path.of(args.length > 0 ? args[0] : "bench/results/coldstart.csv");
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 3;
        Path work = Files.createTempDirectory("plugboard-coldstart");
        Path full = Files.createDirectories(work.resolve("twenty"));
        try (ServerProcess filler = start(work, full, "filler")) {
            filler.awaitReady();
            for (int i = 0; i < 20; i++) {
                if (filler.http().upload("m" + i, MLP).status() != 201) {
                    throw new IllegalStateException("upload " + i + " failed");
                }
            }
        }
        List<String> rows = new ArrayList<>(List.of("measure,round,millis"));
        for (int round = 1; round <= rounds; round++) {
            long empty = startToReady(work, Files.createDirectories(work.resolve("empty-" + round)), "empty-" + round);
            long twenty = startToReady(work, full, "twenty-" + round);
            rows.add("start-empty-store," + round + "," + empty);
            rows.add("start-20-models," + round + "," + twenty);
            System.out.printf("round %d: ready after %d ms with an empty store, %d ms with 20 models%n", round, empty,
                    twenty);
        }
        Path big = LargeOnnx.write(work.resolve("big.onnx"), 100L << 20, 2f);
        try (ServerProcess server = start(work, Files.createDirectories(work.resolve("upload")), "upload")) {
            server.awaitReady();
            for (int round = 1; round <= rounds; round++) {
                String id = "big-" + round;
                long start = System.nanoTime();
                Http.Reply created = server.http().upload(id, big);
                if (created.status() != 201) {
                    throw new IllegalStateException(created.toString());
                }
                long createdAt = System.nanoTime();
                Http.Reply answer = server.http().postJson("/v1/models/" + id + "/infer",
                        "{\"inputs\":[{\"name\":\"x\",\"datatype\":\"FP32\",\"shape\":[1],\"data\":[1.0]}]}");
                long answered = System.nanoTime();
                if (answer.status() != 200 || answer.json().get("outputs").get(0).get("data").get(0).floatValue() != 3f) {
                    throw new IllegalStateException(answer.toString());
                }
                rows.add("upload-100MB-to-201," + round + "," + (createdAt - start) / 1_000_000);
                rows.add("upload-100MB-to-first-answer," + round + "," + (answered - start) / 1_000_000);
                System.out.printf("100 MB round %d: 201 after %d ms, first answer after %d ms%n", round,
                        (createdAt - start) / 1_000_000, (answered - start) / 1_000_000);
                server.http().delete("/v1/models/" + id);
            }
        }
        Files.createDirectories(results.toAbsolutePath().getParent());
        Files.write(results, rows);
        java.util.Map<String, List<Long>> byMeasure = new java.util.TreeMap<>();
        for (String row : rows.subList(1, rows.size())) {
            String[] f = row.split(",");
            byMeasure.computeIfAbsent(f[0], k -> new ArrayList<>()).add(Long.parseLong(f[2]));
        }
        byMeasure.forEach((k, v) -> {
            Collections.sort(v);
            System.out.printf("%s: median %d ms (%d–%d)%n", k, v.get(v.size() / 2), v.get(0), v.get(v.size() - 1));
        });
    }

    private static ServerProcess start(Path work, Path store, String name) throws Exception {
        return ServerProcess.start(work.resolve(name + ".log"), List.of("-Xmx2g"),
                "--plugboard.store.path=" + store, "--plugboard.upload.max-size=1GB");
    }

    private static long startToReady(Path work, Path store, String name) throws Exception {
        long start = System.nanoTime();
        try (ServerProcess p = start(work, store, name)) {
            Http http = p.http();
            while (true) {
                try {
                    if (http.get("/actuator/health/readiness").status() == 200) {
                        return (System.nanoTime() - start) / 1_000_000;
                    }
                } catch (RuntimeException e) {
                    // not listening yet
                }
                if (!p.process().isAlive()) {
                    throw new IllegalStateException(p.log());
                }
                Thread.sleep(20);
            }
        }
    }
}
