package io.plugboard.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import io.plugboard.support.Http;
import java.nio.file.Path;

/** Requests that make the server publish its meters: an upload, inferences and failed requests. */
final class Traffic {

    /** The same file as ServerTest.onnx("add_mul"), without loading ServerTest for container tests. */
    static final Path ADD_MUL = Path.of("src/test/resources/models/onnx/add_mul.onnx");

    private static final String A = "{\"name\":\"a\",\"shape\":[1,3],\"datatype\":\"FP32\",\"data\":[1,2,3]}";
    private static final String B = "{\"name\":\"b\",\"shape\":[1,3],\"datatype\":\"FP32\",\"data\":[1,2,3]}";

    /** A valid request for add_mul.onnx. */
    static final String INFER = "{\"inputs\":[" + A + "," + B + "]}";
    /** Input b is missing: 400 missing-input, counted by the model's meters. */
    static final String MISSING_INPUT = "{\"inputs\":[" + A + "]}";
    /** A 1 µs deadline: the request expires in the queue (504), counted as a rejection. */
    static final String EXPIRED = "{\"parameters\":{\"timeout\":1},\"inputs\":[" + A + "," + B + "]}";

    private Traffic() {
    }

    /** Uploads add_mul.onnx under this name unless the (shared) store already serves it. */
    static void ensureModel(Http http, String model) {
        if (http.get("/v1/models/" + model).status() == 200) {
            return;
        }
        Http.Reply created = http.upload(model, ADD_MUL);
        assertThat(created.status()).as(created.toString()).isEqualTo(201);
    }

    static void infer(Http http, String model) {
        Http.Reply answer = http.postJson("/v1/models/" + model + "/infer", INFER);
        assertThat(answer.status()).as(answer.toString()).isEqualTo(200);
    }

    static void badRequest(Http http, String model) {
        Http.Reply answer = http.postJson("/v1/models/" + model + "/infer", MISSING_INPUT);
        assertThat(answer.status()).as(answer.toString()).isEqualTo(400);
    }

    static void unknownModel(Http http) {
        Http.Reply answer = http.postJson("/v1/models/no-such-model/infer", INFER);
        assertThat(answer.status()).as(answer.toString()).isEqualTo(404);
    }

    static void expired(Http http, String model) {
        Http.Reply answer = http.postJson("/v1/models/" + model + "/infer", EXPIRED);
        assertThat(answer.status()).as(answer.toString()).isEqualTo(504);
    }

    /** GET /actuator/prometheus, checked for status and content type. */
    static String scrape(Http http) {
        Http.Reply reply = http.get("/actuator/prometheus");
        assertThat(reply.status()).as(reply.toString()).isEqualTo(200);
        assertThat(reply.contentType()).startsWith("text/plain");
        return reply.body();
    }
}
