package io.plugboard.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.plugboard.support.Http;
import io.plugboard.support.ServerTest;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.test.context.TestPropertySource;

/** Size limits answer 413 and leave stored models alone. */
@TestPropertySource(properties = {"plugboard.upload.max-size=64KB", "plugboard.inference.max-request-size=2KB"})
class LimitsTest extends ServerTest {

    @Test
    void uploadOverTheLimitIs413AndStoresNothing() {
        assertThat(http.upload("small", onnx("add_mul")).status()).isEqualTo(201);
        Http.Reply big = http.upload(Map.of("name", "big"), List.of(new Http.Part("big.onnx", new byte[200 * 1024])));
        assertThat(big.status()).as(big.toString()).isEqualTo(413);
        assertThat(big.contentType()).startsWith("application/problem+json");
        assertThat(big.problemType()).endsWith("/payload-too-large");
        assertThat(http.get("/v1/models/big").status()).isEqualTo(404);
        assertThat(http.get("/v1/models/small").json().get("state").asString()).isEqualTo("READY");
    }

    @Test
    void inferenceRequestOverTheLimitIs413() {
        if (http.get("/v1/models/small2").status() == 404) {
            http.upload("small2", onnx("add_mul"));
        }
        StringBuilder data = new StringBuilder("[");
        for (int i = 0; i < 1000; i++) {
            data.append(i == 0 ? "" : ",").append("1.0");
        }
        data.append("]");
        Http.Reply reply = http.postJson("/v1/models/small2/infer", "{\"inputs\":[{\"name\":\"a\",\"shape\":[1000],"
                + "\"datatype\":\"FP32\",\"data\":" + data + "}]}");
        assertThat(reply.status()).as(reply.toString()).isEqualTo(413);
        assertThat(reply.problemType()).endsWith("/payload-too-large");
        Http.Reply ok = http.postJson("/v1/models/small2/infer", "{\"inputs\":[{\"name\":\"a\",\"shape\":[1,3],"
                + "\"datatype\":\"FP32\",\"data\":[1,2,3]},{\"name\":\"b\",\"shape\":[1,3],\"datatype\":\"FP32\",\"data\":[1,2,3]}]}");
        assertThat(ok.status()).isEqualTo(200);
    }
}
