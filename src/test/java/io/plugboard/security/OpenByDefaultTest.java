package io.plugboard.security;

import static org.assertj.core.api.Assertions.assertThat;

import io.plugboard.support.ServerTest;
import org.junit.jupiter.api.Test;

/** With no token configured the server stays open, as it was (a warning at start names the risk). */
class OpenByDefaultTest extends ServerTest {

    @Test
    void everythingAnswersWithoutAToken() {
        assertThat(http.get("/v1/models").status()).isEqualTo(200);
        assertThat(http.upload("open", onnx("add_mul")).status()).isEqualTo(201);
        assertThat(http.delete("/v1/models/open").status()).isEqualTo(204);
    }
}
