package io.plugboard.store;

import static org.assertj.core.api.Assertions.assertThat;

import io.plugboard.support.HaltDuringLoad;
import io.plugboard.support.Http;
import io.plugboard.support.ServerProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real server process dies inside the engine while it restores a stored model (a test-only hook
 * halts it mid-load, as a native crash would). The next start, with the same crash still waiting in
 * the engine, quarantines that version instead of crash-looping, and serves the others.
 */
class KillDuringLoadTest {

    private static final Path ADD_MUL = Path.of("src/test/resources/models/onnx/add_mul.onnx");
    private static final String INFER = "{\"inputs\":[{\"name\":\"a\",\"shape\":[1,3],\"datatype\":\"FP32\","
            + "\"data\":[1,2,3]},{\"name\":\"b\",\"shape\":[1,3],\"datatype\":\"FP32\",\"data\":[1,1,1]}]}";

    private static ServerProcess start(Path dir, String log, boolean halting) throws Exception {
        List<String> args = new java.util.ArrayList<>(List.of("--plugboard.store.path=" + dir.resolve("store")));
        if (halting) {
            args.add("--spring.main.sources=" + HaltDuringLoad.class.getName());
        }
        return ServerProcess.start(dir.resolve(log), List.of(), args.toArray(String[]::new));
    }

    @Test
    void aVersionWhoseLoadKilledTheProcessIsQuarantinedAtTheNextStart(@TempDir Path dir) throws Exception {
        try (ServerProcess first = start(dir, "first.log", false).awaitReady()) {
            Http http = first.http();
            assertThat(http.upload("kept", ADD_MUL).status()).isEqualTo(201);
            Http.Reply victim = http.upload(Map.of("name", "victim"),
                    List.of(new Http.Part(HaltDuringLoad.FILE, Files.readAllBytes(ADD_MUL))));
            assertThat(victim.status()).as(victim.toString()).isEqualTo(201);
        }

        ServerProcess crashing = start(dir, "crashing.log", true);
        try {
            assertThat(crashing.awaitExit(120)).as("the restore killed the process").isTrue();
            assertThat(crashing.process().exitValue()).as(crashing.log()).isEqualTo(HaltDuringLoad.EXIT);
        } finally {
            crashing.close();
        }

        try (ServerProcess again = start(dir, "again.log", true).awaitReady()) {
            Http http = again.http();
            Http.Reply victim = http.get("/v1/models/victim");
            assertThat(victim.json().path("state").asString()).as(victim.toString()).isEqualTo("FAILED");
            assertThat(victim.json().path("error").asString()).contains("quarantined");
            assertThat(http.postJson("/v1/models/kept/infer", INFER).status()).isEqualTo(200);
            assertThat(http.postJson("/v1/models/victim/infer", INFER).status()).isBetween(400, 599).isNotEqualTo(500);
            assertThat(again.process().isAlive()).isTrue();
        }
    }
}
