package io.plugboard.support;

import io.plugboard.PlugboardApplication;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.core.env.Environment;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * Base of tests against the real server on a random port, with real engines and a store in a
 * temporary folder. Every subclass shares one application context; each test ends by deleting every
 * model, so a failed test leaves nothing for the next.
 */
@SpringBootTest(classes = PlugboardApplication.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
public abstract class ServerTest {

    public static final Path MODELS = Path.of("src/test/resources/models");
    protected static final Path STORE = temp();

    @Autowired
    private Environment environment;

    protected Http http;

    @DynamicPropertySource
    static void store(DynamicPropertyRegistry registry) {
        registry.add("plugboard.store.path", STORE::toString);
        // deletes and unloads wait this long for running calls before stopping them
        registry.add("plugboard.serving.drain-timeout", () -> "5s");
    }

    /** The port the server listens on. */
    protected int port;

    @BeforeEach
    void client() {
        port = Integer.parseInt(environment.getProperty("local.server.port"));
        http = new Http(port);
    }

    /** Every test starts from an empty server, whatever the last one left behind when it failed. */
    @AfterEach
    void deleteEveryModel() {
        for (tools.jackson.databind.JsonNode model : http.get("/v1/models").json().get("models")) {
            http.delete("/v1/models/" + model.get("id").asString());
        }
    }

    protected static Path onnx(String name) {
        return MODELS.resolve("onnx").resolve(name + ".onnx");
    }

    private static Path temp() {
        try {
            return Files.createTempDirectory("plugboard-store");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
