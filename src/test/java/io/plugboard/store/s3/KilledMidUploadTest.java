package io.plugboard.store.s3;

import static org.assertj.core.api.Assertions.assertThat;

import io.plugboard.support.Http;
import io.plugboard.support.LargeOnnx;
import io.plugboard.support.Replica;
import io.plugboard.support.S3Server;
import io.plugboard.support.ServerProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * A replica killed (SIGKILL) while it writes an upload's files to the shared store: no replica ever
 * sees the model, and the leftovers are swept once older than the leftover age.
 */
class KilledMidUploadTest {

    private static final String BUCKET = "killed";

    @TempDir
    Path temp;

    @Test
    void aReplicaKilledWhileWritingLeavesNothingVisibleAndItsLeftoversAreSwept() throws Exception {
        try (S3Server s3 = S3Server.start(BUCKET)) {
            Path big = LargeOnnx.write(temp.resolve("big.onnx"), 160L << 20, 3f);
            ServerProcess replica = ServerProcess.start(temp.resolve("replica.log"),
                    List.of("-Xmx1g", "-Daws.accessKeyId=" + S3Server.ACCESS_KEY,
                            "-Daws.secretAccessKey=" + S3Server.SECRET_KEY),
                    "--plugboard.store.type=s3", "--plugboard.store.path=" + Files.createDirectory(temp.resolve("a")),
                    "--plugboard.store.s3.bucket=" + BUCKET, "--plugboard.store.s3.endpoint=" + s3.endpoint(),
                    "--plugboard.store.s3.path-style=true");
            boolean caught = false;
            try (S3Client client = s3.client()) {
                replica.awaitReady();
                CompletableFuture<Http.Reply> upload = CompletableFuture.supplyAsync(
                        () -> replica.http().upload("interrupted", big));
                long deadline = System.nanoTime() + 120_000_000_000L;
                while (!upload.isDone() && System.nanoTime() < deadline) {
                    if (!client.listMultipartUploads(b -> b.bucket(BUCKET)).uploads().isEmpty()) {
                        replica.kill();
                        caught = true;
                        break;
                    }
                    Thread.sleep(2);
                }
                String ended = caught ? "" : upload.handle((r, e) -> e == null ? r.toString() : e.toString()).join();
                assertThat(caught).as("the replica was killed while writing parts (upload ended: %s)", ended).isTrue();
                assertThat(client.listObjectsV2(b -> b.bucket(BUCKET).prefix("models/")).contents())
                        .as("no record: no replica can see the model").isEmpty();
                assertThat(client.listMultipartUploads(b -> b.bucket(BUCKET)).uploads()).isNotEmpty();
            } finally {
                replica.close();
            }

            // another replica: the model is unknown, and what the killed one left is swept
            try (Replica other = Replica.onS3(s3.endpoint(), BUCKET, "200ms", Files.createDirectory(temp.resolve("b")),
                    "--plugboard.store.leftover-age=100ms");
                    S3Client client = s3.client()) {
                assertThat(other.http().get("/v1/models/interrupted").status()).isEqualTo(404);
                long deadline = System.nanoTime() + 20_000_000_000L;
                while (System.nanoTime() < deadline
                        && !(client.listMultipartUploads(b -> b.bucket(BUCKET)).uploads().isEmpty()
                        && client.listObjectsV2(b -> b.bucket(BUCKET)).contents().isEmpty())) {
                    Thread.sleep(100);
                }
                assertThat(client.listMultipartUploads(b -> b.bucket(BUCKET)).uploads()).as("parts aborted").isEmpty();
                assertThat(client.listObjectsV2(b -> b.bucket(BUCKET)).contents()).as("files swept").isEmpty();
            }
        }
    }
}
