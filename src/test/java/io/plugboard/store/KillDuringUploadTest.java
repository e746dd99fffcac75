package io.plugboard.store;

import static org.assertj.core.api.Assertions.assertThat;

import io.plugboard.support.Http;
import io.plugboard.support.ServerProcess;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.json.JsonMapper;

/**
 * A real server process killed with SIGKILL while an upload streams in: after a restart the model
 * stored before is intact, and the interrupted upload left nothing behind.
 */
class KillDuringUploadTest {

    private static ServerProcess start(Path store) throws Exception {
        return ServerProcess.start(store.resolveSibling(store.getFileName() + ".log"), List.of(),
                "--plugboard.store.path=" + store).awaitReady();
    }

    @Test
    void sigkillMidUploadLeavesNothingHalfMade(@TempDir Path dir) throws Exception {
        Path store = dir.resolve("store");
        ServerProcess server = start(store);
        int port = server.port();
        try {
            Http http = server.http();
            assertThat(http.upload("kept", Path.of("src/test/resources/models/onnx/add_mul.onnx")).status()).isEqualTo(201);
            try (Socket socket = new Socket("localhost", port)) {
                OutputStream out = socket.getOutputStream();
                String boundary = "----kill";
                String head = "--" + boundary + "\r\nContent-Disposition: form-data; name=\"name\"\r\n\r\nhalf\r\n--" + boundary
                        + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"big.onnx\"\r\n"
                        + "Content-Type: application/octet-stream\r\n\r\n";
                long declared = head.length() + (64L << 20) + 64;
                out.write(("POST /v1/models HTTP/1.1\r\nHost: localhost\r\nContent-Type: multipart/form-data; boundary="
                        + boundary + "\r\nContent-Length: " + declared + "\r\n\r\n" + head).getBytes(StandardCharsets.US_ASCII));
                byte[] chunk = new byte[1 << 20];
                chunk[0] = 8;
                for (int i = 0; i < 8; i++) {
                    out.write(chunk);
                }
                out.flush();
                Thread.sleep(300);
                server.kill(); // SIGKILL, mid-upload
                assertThat(server.process().isAlive()).isFalse();
            }
        } finally {
            server.close();
        }
        ModelStore reopened = new ModelStore(store, JsonMapper.builder().build());
        List<StoredModel> stored = reopened.list();
        assertThat(stored).extracting(m -> m.record().id()).containsExactly("kept");
        try (var staging = Files.list(store.resolve("staging"))) {
            assertThat(staging.toList()).as("staging after restart").isEmpty();
        }
        try (ServerProcess again = start(store)) {
            Http http = again.http();
            assertThat(http.get("/v1/models").json().get("models")).hasSize(1);
            assertThat(http.postJson("/v1/models/kept/infer", "{\"inputs\":[{\"name\":\"a\",\"shape\":[1,3],\"datatype\":\"FP32\","
                    + "\"data\":[1,2,3]},{\"name\":\"b\",\"shape\":[1,3],\"datatype\":\"FP32\",\"data\":[1,1,1]}]}").status())
                    .isEqualTo(200);
            assertThat(http.get("/v1/models/half").status()).isEqualTo(404);
        }
    }
}
