package io.plugboard.lifecycle;

import static org.assertj.core.api.Assertions.assertThat;

import io.plugboard.PlugboardApplication;
import io.plugboard.support.Http;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.core.env.Environment;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/** Server-wide caps on models, instances and uploads at once, each a clear 4xx past it. */
@SpringBootTest(classes = PlugboardApplication.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {"plugboard.limits.max-models=2", "plugboard.limits.max-instances=3",
            "plugboard.limits.max-concurrent-uploads=1"})
class ServerLimitsTest {

    private static final Path ADD_MUL = Path.of("src/test/resources/models/onnx/add_mul.onnx");

    @DynamicPropertySource
    static void store(DynamicPropertyRegistry registry) throws Exception {
        Path store = Files.createTempDirectory("plugboard-limits");
        registry.add("plugboard.store.path", store::toString);
    }

    @Autowired
    private Environment environment;
    private Http http;

    @BeforeEach
    void client() {
        http = new Http(Integer.parseInt(environment.getProperty("local.server.port")));
    }

    @AfterEach
    void deleteEveryModel() {
        for (var model : http.get("/v1/models").json().get("models")) {
            http.delete("/v1/models/" + model.get("id").asString());
        }
    }

    private Http.Reply upload(String name, int instances) {
        return http.upload(Map.of("name", name, "instances", Integer.toString(instances)), List.of(Http.Part.of(ADD_MUL)));
    }

    @Test
    void modelsAndInstancesAreCapped() {
        assertThat(upload("one", 1).status()).isEqualTo(201);
        assertThat(upload("two", 2).status()).isEqualTo(201);
        Http.Reply third = upload("three", 1);
        assertThat(third.status()).isEqualTo(409);
        assertThat(third.problemType()).endsWith("/capacity-reached");
        assertThat(third.json().get("detail").asString()).contains("plugboard.limits.max-models");
        assertThat(http.delete("/v1/models/two").status()).isEqualTo(204);
        Http.Reply tooMany = upload("three", 3); // 1 in use + 3 > 3
        assertThat(tooMany.status()).isEqualTo(409);
        assertThat(tooMany.json().get("detail").asString()).contains("plugboard.limits.max-instances");
        // the refused upload gave back what it took: two more instances still fit
        assertThat(upload("three", 2).status()).isEqualTo(201);
    }

    @Test
    void uploadsAtOnceAreCapped() throws Exception {
        int port = Integer.parseInt(environment.getProperty("local.server.port"));
        byte[] model = Files.readAllBytes(ADD_MUL);
        String boundary = "slowb0undary";
        byte[] head = ("--" + boundary + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"m.onnx\"\r\n"
                + "Content-Type: application/octet-stream\r\n\r\n").getBytes(StandardCharsets.UTF_8);
        byte[] tail = ("\r\n--" + boundary + "--\r\n").getBytes(StandardCharsets.UTF_8);
        try (Socket slow = new Socket("127.0.0.1", port)) {
            OutputStream out = slow.getOutputStream();
            out.write(("POST /v1/models HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: multipart/form-data; boundary="
                    + boundary + "\r\nContent-Length: " + (head.length + model.length + tail.length) + "\r\n\r\n")
                    .getBytes(StandardCharsets.UTF_8));
            out.write(head);
            out.write(model, 0, model.length / 2);
            out.flush();
            Thread.sleep(500); // the slow upload holds the only slot
            Http.Reply second = upload("second", 1);
            assertThat(second.status()).isEqualTo(429);
            assertThat(second.problemType()).endsWith("/too-many-uploads");
            assertThat(second.header("Retry-After")).isNotNull();
            out.write(model, model.length / 2, model.length - model.length / 2);
            out.write(tail);
            out.flush();
            String status = new String(slow.getInputStream().readNBytes(12), StandardCharsets.UTF_8);
            assertThat(status).isEqualTo("HTTP/1.1 201");
        }
        assertThat(upload("after", 1).status()).isEqualTo(201);
    }
}
