package io.plugboard.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.plugboard.support.Cases;
import io.plugboard.support.Http;
import io.plugboard.support.ServerTest;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Darknet and Caffe networks uploaded as two parts, answers checked against reference values. */
class OpenCvModelsTest extends ServerTest {

    private static final Path DIR = MODELS.resolve("opencv");

    private void roundTrip(String id, List<Http.Part> parts, String format, String cases) {
        Http.Reply created = http.upload(Map.of("name", id), parts);
        assertThat(created.status()).as(created.toString()).isEqualTo(201);
        assertThat(created.json().get("format").asString()).isEqualTo(format);
        assertThat(created.json().get("backend").asString()).isEqualTo("opencv-dnn");
        for (Cases.Case c : Cases.of(DIR.resolve(cases))) {
            Http.Reply answer = http.postJson("/v1/models/" + id + "/infer", c.request());
            assertThat(answer.status()).as(answer.toString()).isEqualTo(200);
            Cases.assertOutputs(answer.json(), c.outputs(), 1e-5, 1e-5);
        }
        http.delete("/v1/models/" + id);
    }

    @Test
    void darknetCfgAndWeights() {
        roundTrip("darknet", List.of(Http.Part.of(DIR.resolve("tiny.cfg")), Http.Part.of(DIR.resolve("tiny.weights"))),
                "darknet", "darknet.cases.json");
    }

    @Test
    void caffePrototxtAndCaffemodel() {
        roundTrip("caffe", List.of(Http.Part.of(DIR.resolve("tiny.prototxt")), Http.Part.of(DIR.resolve("tiny.caffemodel"))),
                "caffe", "caffe.cases.json");
    }

    @Test
    void aDarknetModelDescribesItsShapesAndRefusesAnotherShapeBeforeOpenCvSeesIt() {
        Http.Reply created = http.upload(Map.of("name", "darknet-shapes"),
                List.of(Http.Part.of(DIR.resolve("tiny.cfg")), Http.Part.of(DIR.resolve("tiny.weights"))));
        assertThat(created.status()).as(created.toString()).isEqualTo(201);
        assertThat(created.json().get("inputs").toString())
                .isEqualTo("[{\"name\":\"data\",\"datatype\":\"FP32\",\"shape\":[-1,3,1,1]}]");
        assertThat(created.json().get("outputs").get(0).get("name").asString()).isEqualTo("conv_0");
        Http.Reply flat = http.postJson("/v1/models/darknet-shapes/infer",
                "{\"inputs\":[{\"name\":\"data\",\"datatype\":\"FP32\",\"shape\":[1,3],\"data\":[1,2,3]}]}");
        assertThat(flat.status()).isEqualTo(400);
        assertThat(flat.problemType()).endsWith("/shape-mismatch");
        assertThat(flat.json().get("detail").asString()).contains("[-1, 3, 1, 1]").doesNotContain("OpenCV");
        http.delete("/v1/models/darknet-shapes");
    }

    @Test
    void oneFileOfATwoFileFormatIs422SayingWhatIsMissing() {
        Http.Reply cfgOnly = http.upload("cfg-only", DIR.resolve("tiny.cfg"));
        assertThat(cfgOnly.status()).isEqualTo(422);
        assertThat(cfgOnly.json().get("detail").asString()).contains(".weights");
    }
}
