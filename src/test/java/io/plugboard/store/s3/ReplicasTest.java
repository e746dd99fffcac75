package io.plugboard.store.s3;

import static org.assertj.core.api.Assertions.assertThat;

import io.plugboard.support.Http;
import io.plugboard.support.Replica;
import io.plugboard.support.S3Server;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Several replicas (application contexts, each with its own local folder) on one bucket of an
 * S3-compatible server: what one is told, every one serves.
 */
class ReplicasTest {

    private static final String BUCKET = "replicas";
    private static final Path MLP = Path.of("src/test/resources/models/onnx/mlp.onnx");
    private static final Path CNN = Path.of("src/test/resources/models/onnx/cnn.onnx");
    private static final String INFER = "{\"inputs\":[{\"name\":\"input\",\"datatype\":\"FP32\",\"shape\":[1,4],"
            + "\"data\":[0.5,-1.0,0.25,2.0]}]}";
    private static final Duration PROPAGATION = Duration.ofSeconds(20);

    private static S3Server s3;
    /** Two replicas polling every 300 ms, and one that would poll only hourly (on-demand loads only). */
    private static Replica a;
    private static Replica b;
    private static Replica lazy;
    private final List<Replica> extra = new ArrayList<>();

    static Replica replica(String pollInterval) throws Exception {
        return Replica.onS3(s3.endpoint(), BUCKET, pollInterval, Files.createTempDirectory("plugboard-replica"));
    }

    @BeforeAll
    static void start() throws Exception {
        s3 = S3Server.start(BUCKET);
        a = replica("300ms");
        b = replica("300ms");
        lazy = replica("1h");
    }

    @AfterAll
    static void stop() throws Exception {
        for (Replica r : new Replica[] {a, b, lazy}) {
            if (r != null) {
                r.close();
            }
        }
        s3.close();
    }

    @AfterEach
    void clean() throws Exception {
        s3.resume();
        for (Replica r : extra) {
            r.close();
        }
        for (String id : a.models()) {
            a.http().delete("/v1/models/" + id);
        }
        await("every replica empty", () -> a.models().isEmpty() && b.models().isEmpty());
    }

    @Test
    void aModelUploadedToOneReplicaIsServedByTheOthers() throws Exception {
        Http.Reply created = a.http().upload("shared-mlp", MLP);
        assertThat(created.status()).as(created.body()).isEqualTo(201);
        String expected = a.http().postJson("/v1/models/shared-mlp/infer", INFER).json().get("outputs").toString();

        // a replica that has not polled loads it on the first request
        Http.Reply onDemand = lazy.http().postJson("/v1/models/shared-mlp/infer", INFER);
        assertThat(onDemand.status()).as(onDemand.body()).isEqualTo(200);
        assertThat(onDemand.json().get("outputs").toString()).isEqualTo(expected);

        // a polling replica lists it without being asked
        await("b lists the model", () -> b.models().contains("shared-mlp"));
        assertThat(b.http().postJson("/v1/models/shared-mlp/infer", INFER).json().get("outputs").toString())
                .isEqualTo(expected);
    }

    @Test
    void requestsRacingForAModelNotPolledYetShareOneLoad() throws Exception {
        assertThat(a.http().upload("wanted", CNN).status()).isEqualTo(201);
        String input = "{\"inputs\":[{\"name\":\"image\",\"datatype\":\"FP32\",\"shape\":[1,3,64,64],\"data\":["
                + String.join(",", java.util.Collections.nCopies(3 * 64 * 64, "0.5")) + "]}]}";
        int callers = 8;
        ExecutorService pool = Executors.newFixedThreadPool(callers);
        try {
            CyclicBarrier together = new CyclicBarrier(callers);
            List<Future<Integer>> statuses = new ArrayList<>();
            for (int i = 0; i < callers; i++) {
                statuses.add(pool.submit(() -> {
                    together.await();
                    return lazy.http().postJson("/v1/models/wanted/infer", input).status();
                }));
            }
            for (Future<Integer> s : statuses) {
                assertThat(s.get()).isEqualTo(200);
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(lazy.loads("wanted")).as("loads of the model on the lazy replica").isEqualTo(1.0);
        assertThat(lazy.http().postJson("/v1/models/no-such-model/infer", INFER).status()).isEqualTo(404);
    }

    @Test
    void aDeleteOnAnyReplicaUnloadsItEverywhere() throws Exception {
        assertThat(a.http().upload("doomed", MLP).status()).isEqualTo(201);
        await("b serves it", () -> b.models().contains("doomed"));
        assertThat(lazy.http().postJson("/v1/models/doomed/infer", INFER).status()).isEqualTo(200);

        assertThat(b.http().delete("/v1/models/doomed").status()).isEqualTo(204);
        await("a drops it", () -> !a.models().contains("doomed"));
        assertThat(a.http().postJson("/v1/models/doomed/infer", INFER).status()).isEqualTo(404);
        // the lazy replica polls hourly: it keeps serving until then (documented), but a new
        // upload of the same id is free at once
        assertThat(a.http().upload("doomed", CNN).status()).isEqualTo(201);
    }

    @Test
    void theSameNewIdUploadedToTwoReplicasAtOnceGivesOneCreatedAndOneConflict() throws Exception {
        for (int round = 0; round < 3; round++) {
            String id = "contested-" + round;
            CyclicBarrier together = new CyclicBarrier(2);
            ExecutorService pool = Executors.newFixedThreadPool(2);
            try {
                Callable<Http.Reply> onA = () -> {
                    together.await();
                    return a.http().upload(id, MLP);
                };
                Callable<Http.Reply> onB = () -> {
                    together.await();
                    return b.http().upload(id, CNN);
                };
                Future<Http.Reply> fa = pool.submit(onA);
                Future<Http.Reply> fb = pool.submit(onB);
                List<Integer> statuses = new ArrayList<>(List.of(fa.get().status(), fb.get().status()));
                statuses.sort(null);
                assertThat(statuses).as("%s / %s", fa.get().body(), fb.get().body()).containsExactly(201, 409);
                Http.Reply loser = fa.get().status() == 409 ? fa.get() : fb.get();
                assertThat(loser.problemType()).endsWith("/model-exists");
                String winnerSha = (fa.get().status() == 201 ? fa.get() : fb.get()).json().get("sha256").asString();
                await("both replicas serve the winner", () -> shaOf(a, id).equals(winnerSha)
                        && shaOf(b, id).equals(winnerSha));
            } finally {
                pool.shutdownNow();
            }
        }
    }

    /** The version that answered an inference, or the status of a refusal (while versions switch). */
    private static String servedVersion(Replica r, String id) {
        Http.Reply reply = r.http().postJson("/v1/models/" + id + "/infer", INFER);
        return reply.status() == 200 ? reply.json().get("model_version").asString() : "status " + reply.status();
    }

    private static String shaOf(Replica r, String id) {
        Http.Reply reply = r.http().get("/v1/models/" + id);
        return reply.status() == 200 ? reply.json().get("sha256").asString() : "";
    }

    @Test
    void aNewVersionOnAnotherReplicaIsServedEverywhere() throws Exception {
        assertThat(a.http().upload("versioned", MLP).status()).isEqualTo(201);
        Http.Reply v2 = lazy.http().uploadTo("/v1/models/versioned/versions", Map.of(), List.of(Http.Part.of(MLP)));
        assertThat(v2.status()).as(v2.body()).isEqualTo(201);
        assertThat(v2.json().get("version").asInt()).isEqualTo(2);
        await("a serves version 2", () -> servedVersion(a, "versioned").equals("2"));
        await("b serves version 2", () -> servedVersion(b, "versioned").equals("2"));
    }

    @Test
    void whileTheStoreIsDownLoadedModelsServeAndChangesAnswer503() throws Exception {
        assertThat(a.http().upload("steady", MLP).status()).isEqualTo(201);
        s3.pause();
        try {
            await("a notices", () -> a.http().get("/actuator/health/readiness").body().contains("\"reachable\":false"));
            Http.Reply readiness = a.http().get("/actuator/health/readiness");
            assertThat(readiness.status()).as("still ready: loaded models serve").isEqualTo(200);
            assertThat(a.http().postJson("/v1/models/steady/infer", INFER).status()).isEqualTo(200);

            Http.Reply upload = a.http().upload("refused", MLP);
            assertThat(upload.status()).as(upload.body()).isEqualTo(503);
            assertThat(upload.problemType()).endsWith("/store-unavailable");
            assertThat(upload.header("Retry-After")).isNotBlank();
            assertThat(upload.contentType()).startsWith("application/problem+json");

            Http.Reply delete = a.http().delete("/v1/models/steady");
            assertThat(delete.status()).isEqualTo(503);
            assertThat(a.http().postJson("/v1/models/steady/infer", INFER).status()).isEqualTo(200);
            assertThat(a.models()).contains("steady").doesNotContain("refused");
        } finally {
            s3.resume();
        }
        await("a recovers", () -> a.http().get("/actuator/health/readiness").body().contains("\"reachable\":true"));
        assertThat(a.http().upload("refused", MLP).status()).isEqualTo(201);
        await("b serves what came after", () -> b.models().contains("refused"));
    }

    @Test
    void aFreshReplicaServesEveryStoredModelOnceReady() throws Exception {
        for (String id : List.of("one", "two", "three")) {
            assertThat(a.http().upload(id, MLP).status()).isEqualTo(201);
        }
        Replica fresh = replica("1h");
        extra.add(fresh);
        assertThat(fresh.http().get("/v2/health/ready").status()).isEqualTo(200);
        assertThat(fresh.models()).containsExactlyInAnyOrder("one", "two", "three");
        for (String id : List.of("one", "two", "three")) {
            assertThat(fresh.http().postJson("/v1/models/" + id + "/infer", INFER).status()).isEqualTo(200);
        }
    }

    @Test
    void aReplicaStartedWhileTheStoreIsDownIsNotReadyUntilItComesBack() throws Exception {
        assertThat(a.http().upload("waiting", MLP).status()).isEqualTo(201);
        s3.pause();
        Replica late;
        try {
            late = replica("300ms");
            extra.add(late);
            Http.Reply readiness = late.http().get("/actuator/health/readiness");
            assertThat(readiness.status()).isEqualTo(503);
            assertThat(readiness.body()).contains("first reconciliation");
            assertThat(late.http().get("/v2/health/ready").status()).isEqualTo(503);
        } finally {
            s3.resume();
        }
        await("ready once the store is back", () -> late.http().get("/v2/health/ready").status() == 200);
        assertThat(late.models()).contains("waiting");
    }

    @Test
    void modelsOfAFilesystemStoreArePublishedWhenItSwitchesToTheSharedStore() throws Exception {
        Path folder = Files.createTempDirectory("plugboard-switch");
        try (Replica local = Replica.onFilesystem(folder)) {
            assertThat(local.http().upload("from-disk", MLP).status()).isEqualTo(201);
        }
        Replica switched = Replica.onS3(s3.endpoint(), BUCKET, "1h", folder);
        extra.add(switched);
        assertThat(switched.models()).contains("from-disk");
        await("other replicas see it", () -> a.models().contains("from-disk"));
        // listed once its record arrives; it answers once loaded there (503 model-not-ready meanwhile)
        await("other replicas serve it", () -> a.http().postJson("/v1/models/from-disk/infer", INFER).status() == 200);
    }

    private static void await(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + PROPAGATION.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("Timed out waiting until " + what);
            }
            Thread.sleep(50);
        }
    }
}
