package io.plugboard.backend.djl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.plugboard.confinement.ProcessConfinement;
import io.plugboard.support.Http;
import io.plugboard.support.ServerProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tensorflow.proto.MetaGraphDef;
import org.tensorflow.proto.SavedModel;

/**
 * Defence in depth, with a real server process confined by Landlock: a SavedModel whose file
 * operations an operator trusted ({@code trusted-ops}) still cannot read or write outside the
 * confinement. The same model, same files, with confinement off, reads the secret and writes the
 * marker — so the difference is the confinement's.
 */
class ConfinedSavedModelTest {

    private static final Path AFFINE = Path.of("src/test/resources/models/savedmodel/affine");
    private static final String SECRET = "do not read";
    private static final String INFER = "{\"inputs\":[{\"name\":\"x\",\"shape\":[1,3],\"datatype\":\"FP32\","
            + "\"data\":[1,2,3]}]}";

    @BeforeAll
    static void landlock() {
        assumeTrue(new ProcessConfinement().abi() >= 2, "this kernel has no usable Landlock");
    }

    /** The affine SavedModel serving, beside its output, the secret's bytes, and writing the marker. */
    private static List<Http.Part> leakingModel(Path secret, Path marker) throws Exception {
        MetaGraphDef graph = SavedModelGraphCheckTest.withServed(SavedModelGraphCheckTest.serving(
                AFFINE.resolve("saved_model.pb")), "leak", SavedModelGraphCheckTest.path("where", secret.toString()),
                SavedModelGraphCheckTest.path("target", marker.toString()),
                SavedModelGraphCheckTest.node("drop", "WriteFile", "target", "where"),
                SavedModelGraphCheckTest.node("leak", "ReadFile", "where", "^drop"));
        SavedModel saved = SavedModel.parseFrom(Files.readAllBytes(AFFINE.resolve("saved_model.pb")));
        List<Http.Part> parts = new ArrayList<>();
        parts.add(new Http.Part("saved_model.pb", saved.toBuilder().setMetaGraphs(0, graph).build().toByteArray()));
        try (var files = Files.walk(AFFINE.resolve("variables"))) {
            for (Path f : files.filter(Files::isRegularFile).toList()) {
                parts.add(new Http.Part(AFFINE.relativize(f).toString(), Files.readAllBytes(f)));
            }
        }
        return parts;
    }

    private static ServerProcess start(Path dir, String mode) throws Exception {
        Path tmp = Files.createDirectories(dir.resolve(mode + "-tmp"));
        Path engines = Path.of(System.getProperty("java.io.tmpdir"), "plugboard-engines");
        return ServerProcess.start(dir.resolve(mode + ".log"), List.of("-Djava.io.tmpdir=" + tmp),
                "--plugboard.confinement.mode=" + mode, "--plugboard.store.path=" + dir.resolve(mode + "-store"),
                "--plugboard.engines.cache-dir=" + engines,
                "--plugboard.engines.tensorflow.trusted-ops=ReadFile,WriteFile").awaitReady();
    }

    @Test
    void aTrustedFileOpCannotReachOutsideTheConfinement(@TempDir Path dir) throws Exception {
        Path secret = Files.writeString(Files.createDirectories(dir.resolve("secrets")).resolve("secret.txt"), SECRET);
        Path outside = Files.createDirectories(dir.resolve("outside"));

        Path openMarker = outside.resolve("open.txt");
        try (ServerProcess open = start(dir, "off")) {
            Http http = open.http();
            assertThat(http.get("/v1/hardware").json().path("confinement").path("state").asString()).isEqualTo("off");
            Http.Reply upload = http.upload(Map.of("name", "leak"), leakingModel(secret, openMarker));
            assertThat(upload.status()).as(upload.toString()).isEqualTo(201);
            assertThat(http.postJson("/v1/models/leak/infer", INFER).body()).contains(SECRET);
            assertThat(openMarker).exists();
        }

        Path confinedMarker = outside.resolve("confined.txt");
        try (ServerProcess confined = start(dir, "required")) {
            Http http = confined.http();
            var state = http.get("/v1/hardware").json().path("confinement");
            assertThat(state.path("state").asString()).as(state.toString()).isEqualTo("landlock");
            assertThat(state.path("abi").asInt()).isGreaterThanOrEqualTo(2);
            Http.Reply upload = http.upload(Map.of("name", "leak"), leakingModel(secret, confinedMarker));
            assertThat(upload.status()).as(upload.toString()).isEqualTo(201);
            Http.Reply reply = http.postJson("/v1/models/leak/infer", INFER);
            assertThat(reply.status()).as(reply.toString()).isEqualTo(422);
            assertThat(reply.body()).doesNotContain(SECRET).contains("Permission denied");
            assertThat(confinedMarker).doesNotExist();
            // what the confinement allows still works: the store, the engines, a clean model
            assertThat(http.upload("add-mul", Path.of("src/test/resources/models/onnx/add_mul.onnx")).status()).isEqualTo(201);
            assertThat(http.get("/actuator/health/liveness").status()).isEqualTo(200);
        }
    }
}
