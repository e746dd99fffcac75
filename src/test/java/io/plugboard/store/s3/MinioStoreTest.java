package io.plugboard.store.s3;

import static org.assertj.core.api.Assertions.assertThat;

import io.plugboard.support.Http;
import io.plugboard.support.Replica;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CyclicBarrier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.wait.strategy.Wait;
import org.testcontainers.junit.jupiter.Container;
import org.testcontainers.junit.jupiter.Testcontainers;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * Two replicas on a real MinIO (the image docker-compose.s3.yml runs): propagation, the id race and
 * deletes. Needs a Docker engine; skipped without one.
 */
@Testcontainers(disabledWithoutDocker = true)
class MinioStoreTest {

    private static final String BUCKET = "plugboard";
    private static final String USER = "plugboard";
    private static final String PASSWORD = "plugboard-secret";
    private static final Path MLP = Path.of("src/test/resources/models/onnx/mlp.onnx");
    private static final String INFER = "{\"inputs\":[{\"name\":\"input\",\"datatype\":\"FP32\",\"shape\":[1,4],"
            + "\"data\":[0.5,-1.0,0.25,2.0]}]}";

    @Container
    static final GenericContainer<?> MINIO = new GenericContainer<>("minio/minio:RELEASE.2025-09-07T16-13-09Z")
            .withCommand("server", "/data")
            .withEnv("MINIO_ROOT_USER", USER)
            .withEnv("MINIO_ROOT_PASSWORD", PASSWORD)
            .withExposedPorts(9000)
            .waitingFor(Wait.forHttp("/minio/health/ready").forPort(9000).withStartupTimeout(Duration.ofMinutes(2)));

    private static Replica a;
    private static Replica b;

    @BeforeAll
    static void start() throws Exception {
        URI endpoint = URI.create("http://" + MINIO.getHost() + ":" + MINIO.getMappedPort(9000));
        System.setProperty("aws.accessKeyId", USER);
        System.setProperty("aws.secretAccessKey", PASSWORD);
        try (S3Client client = S3Client.builder().endpointOverride(endpoint).region(Region.US_EAST_1)
                .forcePathStyle(true)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(USER, PASSWORD)))
                .build()) {
            client.createBucket(r -> r.bucket(BUCKET));
        }
        a = Replica.onS3(endpoint, BUCKET, "300ms", Files.createTempDirectory("minio-a"));
        b = Replica.onS3(endpoint, BUCKET, "300ms", Files.createTempDirectory("minio-b"));
    }

    @AfterAll
    static void stop() {
        if (a != null) {
            a.close();
        }
        if (b != null) {
            b.close();
        }
    }

    @Test
    void uploadOnOneInferOnTheOtherDeleteEverywhere() throws Exception {
        assertThat(a.http().upload("minio-mlp", MLP).status()).isEqualTo(201);
        assertThat(b.http().postJson("/v1/models/minio-mlp/infer", INFER).status()).isEqualTo(200);
        assertThat(b.http().delete("/v1/models/minio-mlp").status()).isEqualTo(204);
        long deadline = System.nanoTime() + 20_000_000_000L;
        while (a.models().contains("minio-mlp") && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        assertThat(a.http().postJson("/v1/models/minio-mlp/infer", INFER).status()).isEqualTo(404);
    }

    @Test
    void theSameNewIdOnBothReplicasAtOnceGivesOneCreatedOneConflict() throws Exception {
        for (int round = 0; round < 3; round++) {
            String id = "minio-race-" + round;
            CyclicBarrier together = new CyclicBarrier(2);
            CompletableFuture<Http.Reply> onA = CompletableFuture.supplyAsync(() -> {
                await(together);
                return a.http().upload(id, MLP);
            });
            CompletableFuture<Http.Reply> onB = CompletableFuture.supplyAsync(() -> {
                await(together);
                return b.http().upload(id, MLP);
            });
            List<Integer> statuses = new ArrayList<>(List.of(onA.join().status(), onB.join().status()));
            statuses.sort(null);
            assertThat(statuses).containsExactly(201, 409);
        }
    }

    private static void await(CyclicBarrier barrier) {
        try {
            barrier.await();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
