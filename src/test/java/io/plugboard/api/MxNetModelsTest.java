package io.plugboard.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.plugboard.support.Cases;
import io.plugboard.support.Http;
import io.plugboard.support.ServerTest;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** An MXNet model uploaded as its two files, in the same JVM as every other engine. */
class MxNetModelsTest extends ServerTest {

    @Test
    void symbolAndParams() {
        Http.Reply created = http.upload(Map.of("name", "mx"), List.of(Http.Part.of(MODELS.resolve("mxnet/tiny-symbol.json")),
                Http.Part.of(MODELS.resolve("mxnet/tiny-0000.params"))));
        assertThat(created.status()).as(created.toString()).isEqualTo(201);
        assertThat(created.json().get("format").asString()).isEqualTo("mxnet");
        assertThat(created.json().get("backend").asString()).isEqualTo("mxnet");
        for (Cases.Case c : Cases.of(MODELS.resolve("mxnet/tiny.cases.json"))) {
            Http.Reply answer = http.postJson("/v1/models/mx/infer", c.request());
            assertThat(answer.status()).as(answer.toString()).isEqualTo(200);
            Cases.assertOutputs(answer.json(), c.outputs(), 1e-5, 1e-5);
        }
        http.delete("/v1/models/mx");
    }
}
