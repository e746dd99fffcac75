package io.plugboard.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.plugboard.support.Cases;
import io.plugboard.support.Http;
import io.plugboard.support.ServerTest;
import org.junit.jupiter.api.Test;

/** An H2O MOJO through the HTTP API: one tensor per column, reference predictions. */
class MojoModelsTest extends ServerTest {

    @Test
    void mojoUploadDescribeInfer() {
        Http.Reply created = http.upload("glm", MODELS.resolve("mojo/glm_regression.zip"));
        assertThat(created.status()).as(created.toString()).isEqualTo(201);
        assertThat(created.json().get("format").asString()).isEqualTo("h2o-mojo");
        assertThat(created.json().get("backend").asString()).isEqualTo("h2o-genmodel");
        assertThat(created.json().get("inputs").toString())
                .isEqualTo("[{\"name\":\"color\",\"datatype\":\"BYTES\",\"shape\":[-1]},{\"name\":\"x\",\"datatype\":\"FP64\",\"shape\":[-1]}]");
        for (Cases.Case c : Cases.of(MODELS.resolve("mojo/glm_regression.cases.json"))) {
            Http.Reply answer = http.postJson("/v1/models/glm/infer", c.request());
            assertThat(answer.status()).as(answer.toString()).isEqualTo(200);
            Cases.assertOutputs(answer.json(), c.outputs(), 1e-12, 1e-12);
        }
        Http.Reply unknownLevel = http.postJson("/v1/models/glm/infer", "{\"inputs\":["
                + "{\"name\":\"color\",\"shape\":[1],\"datatype\":\"BYTES\",\"data\":[\"green\"]},"
                + "{\"name\":\"x\",\"shape\":[1],\"datatype\":\"FP64\",\"data\":[1]}]}");
        assertThat(unknownLevel.status()).as(unknownLevel.toString()).isEqualTo(422);
        assertThat(unknownLevel.problemType()).endsWith("/inference-failed");
        assertThat(unknownLevel.json().get("detail").asString()).contains("green");
        Http.Reply ragged = http.postJson("/v1/models/glm/infer", "{\"inputs\":["
                + "{\"name\":\"color\",\"shape\":[2],\"datatype\":\"BYTES\",\"data\":[\"red\",\"blue\"]},"
                + "{\"name\":\"x\",\"shape\":[1],\"datatype\":\"FP64\",\"data\":[1]}]}");
        assertThat(ragged.status()).isEqualTo(400);
        assertThat(ragged.problemType()).endsWith("/shape-mismatch");
        assertThat(http.get("/v2/models/glm").json().get("platform").asString()).isEqualTo("h2o_mojo");
        http.delete("/v1/models/glm");
    }

    @Test
    void aMojoWhoseZipHoldsOnlyModelIniIsRecognisedByItsContent() {
        Http.Reply created = http.upload("glm-numeric", MODELS.resolve("mojo/glm_numeric.zip"));
        assertThat(created.status()).as(created.toString()).isEqualTo(201);
        assertThat(created.json().get("format").asString()).isEqualTo("h2o-mojo");
        for (Cases.Case c : Cases.of(MODELS.resolve("mojo/glm_numeric.cases.json"))) {
            Http.Reply answer = http.postJson("/v1/models/glm-numeric/infer", c.request());
            assertThat(answer.status()).as(answer.toString()).isEqualTo(200);
            Cases.assertOutputs(answer.json(), c.outputs(), 1e-12, 1e-12);
        }
    }
}
