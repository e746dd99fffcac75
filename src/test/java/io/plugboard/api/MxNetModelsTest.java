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

    private Http.Reply upload(String name, String signature) {
        return http.upload(Map.of("name", name, "signature", signature), List.of(
                Http.Part.of(MODELS.resolve("mxnet/tiny-symbol.json")), Http.Part.of(MODELS.resolve("mxnet/tiny-0000.params"))));
    }

    @Test
    void aSignatureNamesAndChecksInputsAndOutputs() {
        Http.Reply created = upload("mx-typed", "{\"inputs\":[{\"name\":\"data\",\"datatype\":\"FP32\",\"shape\":[-1,3]}],"
                + "\"outputs\":[{\"name\":\"scores\",\"datatype\":\"FP32\",\"shape\":[-1,2]}]}");
        assertThat(created.status()).as(created.toString()).isEqualTo(201);
        assertThat(created.json().at("/outputs/0/name").asString()).isEqualTo("scores");
        Http.Reply wrongShape = http.postJson("/v1/models/mx-typed/infer",
                "{\"inputs\":[{\"name\":\"data\",\"shape\":[1,4],\"datatype\":\"FP32\",\"data\":[1,2,3,4]}]}");
        assertThat(wrongShape.status()).as(wrongShape.toString()).isEqualTo(400);
        Http.Reply misnamed = upload("mx-misnamed", "{\"inputs\":[{\"name\":\"x\",\"datatype\":\"FP32\"}],\"outputs\":[]}");
        assertThat(misnamed.status()).as(misnamed.toString()).isEqualTo(400);
        assertThat(misnamed.problemType()).endsWith("/invalid-parameter");
    }
}
