package io.plugboard.backend.djl;

import static org.assertj.core.api.Assertions.assertThat;

import io.plugboard.support.Http;
import io.plugboard.support.ServerTest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tensorflow.proto.MetaGraphDef;
import org.tensorflow.proto.SavedModel;

/**
 * SavedModels whose graphs read or write host files, uploaded as an attacker would: each is refused
 * before anything of it runs, the marker files prove nothing was read or written, and the server
 * keeps serving.
 */
class HostileSavedModelTest extends ServerTest {

    private static final Path AFFINE = MODELS.resolve("savedmodel/affine");

    /** The affine SavedModel's files with its graph replaced by {@code graph}, as upload parts. */
    private static List<Http.Part> upload(MetaGraphDef graph) throws Exception {
        SavedModel saved = SavedModel.parseFrom(Files.readAllBytes(AFFINE.resolve("saved_model.pb")));
        byte[] edited = saved.toBuilder().setMetaGraphs(0, graph).build().toByteArray();
        List<Http.Part> parts = new ArrayList<>();
        parts.add(new Http.Part("saved_model.pb", edited));
        try (var files = Files.walk(AFFINE.resolve("variables"))) {
            for (Path f : files.filter(Files::isRegularFile).toList()) {
                parts.add(new Http.Part(AFFINE.relativize(f).toString(), Files.readAllBytes(f)));
            }
        }
        return parts;
    }

    private void assertRefused(Http.Reply reply, String op) {
        assertThat(reply.status()).as(reply.toString()).isEqualTo(422);
        assertThat(reply.problemType()).endsWith("/unsafe-model");
        assertThat(reply.json().get("operation").asString()).isEqualTo(op);
        assertThat(http.get("/actuator/health/liveness").status()).isEqualTo(200);
        assertThat(http.get("/v1/models/hostile").status()).isEqualTo(404);
    }

    @Test
    void aGraphReadingAHostFileIsRefusedUnread(@TempDir Path dir) throws Exception {
        Path secret = Files.writeString(dir.resolve("secret.txt"), "do not read");
        MetaGraphDef graph = SavedModelGraphCheckTest.withServed(SavedModelGraphCheckTest.serving(
                AFFINE.resolve("saved_model.pb")), "leak", SavedModelGraphCheckTest.path("where", secret.toString()),
                SavedModelGraphCheckTest.node("leak", "ReadFile", "where"));
        assertRefused(http.upload(Map.of("name", "hostile"), upload(graph)), "ReadFile");
    }

    @Test
    void aGraphWritingAFileIsRefusedAndWritesNothing(@TempDir Path dir) throws Exception {
        Path marker = dir.resolve("written.so");
        MetaGraphDef graph = SavedModelGraphCheckTest.withServed(SavedModelGraphCheckTest.serving(
                AFFINE.resolve("saved_model.pb")), "drop", SavedModelGraphCheckTest.path("target", marker.toString()),
                SavedModelGraphCheckTest.path("bytes", "\u007fELF"),
                SavedModelGraphCheckTest.node("drop", "WriteFile", "target", "bytes"));
        assertRefused(http.upload(Map.of("name", "hostile"), upload(graph)), "WriteFile");
        assertThat(marker).doesNotExist();
        // a clean model still uploads and serves
        assertThat(http.upload(Map.of("name", "clean"), upload(SavedModelGraphCheckTest.serving(
                AFFINE.resolve("saved_model.pb")))).status()).isEqualTo(201);
    }

    @Test
    void corruptVariablesAreA422AndTheServerServesOn() throws Exception {
        List<Http.Part> parts = upload(SavedModelGraphCheckTest.serving(AFFINE.resolve("saved_model.pb")));
        List<Http.Part> corrupt = new ArrayList<>();
        for (Http.Part part : parts) {
            byte[] bytes = part.bytes();
            if (part.filename().endsWith("variables.index")) {
                bytes = java.util.Arrays.copyOf(bytes, bytes.length);
                for (int i = 8; i < bytes.length; i += 3) {
                    bytes[i] ^= 0x5a;
                }
            }
            corrupt.add(new Http.Part(part.filename(), bytes));
        }
        Http.Reply reply = http.upload(Map.of("name", "corrupt"), corrupt);
        assertThat(reply.status()).as(reply.toString()).isEqualTo(422);
        assertThat(reply.problemType()).endsWith("/model-load-failed");
        assertThat(http.get("/actuator/health/liveness").status()).isEqualTo(200);
    }
}
