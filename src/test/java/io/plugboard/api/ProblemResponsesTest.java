package io.plugboard.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.plugboard.support.Http;
import io.plugboard.support.ServerTest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Every failure class answers RFC 9457 problem+json with its status and stable type. */
class ProblemResponsesTest extends ServerTest {

    private static final String P = "https://plugboard.io/problems/";

    @BeforeEach
    void model() {
        if (http.get("/v1/models/problems").status() == 404) {
            assertThat(http.upload("problems", onnx("add_mul")).status()).isEqualTo(201);
        }
    }

    private static void assertProblem(Http.Reply reply, int status, String slug) {
        assertThat(reply.status()).as(reply.toString()).isEqualTo(status);
        assertThat(reply.contentType()).startsWith("application/problem+json");
        assertThat(reply.problemType()).isEqualTo(P + slug);
        assertThat(reply.json().get("status").asInt()).isEqualTo(status);
        assertThat(reply.json().get("title").asString()).isNotBlank();
        assertThat(reply.json().get("detail").asString()).isNotBlank();
    }

    private Http.Reply infer(String body) {
        return http.postJson("/v1/models/problems/infer", body);
    }

    private static String input(String name, String shape, String type, String data) {
        return "{\"name\":\"" + name + "\",\"shape\":" + shape + ",\"datatype\":\"" + type + "\",\"data\":" + data + "}";
    }

    private static final String B = input("b", "[1,3]", "FP32", "[1,2,3]");

    @Test
    void malformedRequests() {
        assertProblem(infer("{not json"), 400, "malformed-request");
        assertProblem(infer("[]"), 400, "malformed-request");
        assertProblem(infer("{}"), 400, "malformed-request");
        assertProblem(infer("{\"inputs\":{}}"), 400, "malformed-request");
        assertProblem(infer("{\"inputs\":[" + input("a", "[1,3]", "FP32", "[1,2,3]") + "," + input("a", "[1,3]", "FP32", "[1,2,3]") + "]}"),
                400, "malformed-request");
    }

    @Test
    void tensorErrors() {
        assertProblem(infer("{\"inputs\":[" + input("zzz", "[1,3]", "FP32", "[1,2,3]") + "," + B + "]}"), 400, "unknown-input");
        assertProblem(infer("{\"inputs\":[" + B + "]}"), 400, "missing-input");
        assertProblem(infer("{\"inputs\":[" + input("a", "[1,3]", "INT32", "[1,2,3]") + "," + B + "]}"), 400, "datatype-mismatch");
        assertProblem(infer("{\"inputs\":[" + input("a", "[3]", "FP32", "[1,2,3]") + "," + B + "]}"), 400, "shape-mismatch");
        assertProblem(infer("{\"inputs\":[" + input("a", "[1,4]", "FP32", "[1,2,3,4]") + "," + B + "]}"), 400, "shape-mismatch");
        assertProblem(infer("{\"inputs\":[" + input("a", "[1,3]", "FP32", "[1,2]") + "," + B + "]}"), 400, "invalid-tensor");
        assertProblem(infer("{\"inputs\":[" + input("a", "[1,3]", "FP32", "[1,2,3,4]") + "," + B + "]}"), 400, "invalid-tensor");
        assertProblem(infer("{\"inputs\":[" + input("a", "[-1,3]", "FP32", "[1,2,3]") + "," + B + "]}"), 400, "invalid-tensor");
        assertProblem(infer("{\"inputs\":[" + input("a", "[100000000000,100000000000]", "FP32", "[1]") + "," + B + "]}"),
                400, "invalid-tensor");
        assertProblem(infer("{\"inputs\":[" + input("a", "[1000000000]", "FP32", "[1]") + "," + B + "]}"), 400, "invalid-tensor");
        assertProblem(infer("{\"inputs\":[" + input("a", "[1,3]", "FLOAT", "[1,2,3]") + "," + B + "]}"), 400, "invalid-tensor");
        assertProblem(infer("{\"inputs\":[" + input("a", "[1,3]", "FP32", "[1,\"x\",3]") + "," + B + "]}"), 400, "invalid-tensor");
        assertProblem(infer("{\"inputs\":[" + input("a", "[1,3]", "FP32", "[1,null,3]") + "," + B + "]}"), 400, "invalid-tensor");
        assertProblem(infer("{\"inputs\":[{\"name\":\"a\",\"shape\":[1,3],\"data\":[1,2,3]}," + B + "]}"), 400, "invalid-tensor");
        assertProblem(infer("{\"inputs\":[" + input("a", "[1,3]", "FP32", "[1,2,3]") + "," + B + "],\"outputs\":[{\"name\":\"nope\"}]}"),
                400, "unknown-output");
    }

    @Test
    void integerRangesAreChecked() {
        assertThat(http.upload("types-range", onnx("identity_types")).status()).isEqualTo(201);
        String body = "{\"inputs\":[" + input("in_u8", "[2,2]", "UINT8", "[0,1,2,256]") + "]}";
        assertProblem(http.postJson("/v1/models/types-range/infer", body), 400, "invalid-tensor");
        body = "{\"inputs\":[" + input("in_i8", "[2,2]", "INT8", "[0,1,2,1.5]") + "]}";
        assertProblem(http.postJson("/v1/models/types-range/infer", body), 400, "invalid-tensor");
        http.delete("/v1/models/types-range");
    }

    @Test
    void rejectionsByTheContainerAreProblemsToo() throws Exception {
        Http.Reply slash = http.get("/v1/models/a%2Fb");
        assertThat(slash.status()).isEqualTo(400);
        assertThat(slash.contentType()).startsWith("application/problem+json");
        assertThat(slash.problemType()).isEqualTo(P + "malformed-request");
        Http.Reply huge = http.get("/v1/models", Map.of("X-Padding", "x".repeat(20_000)));
        assertThat(huge.status()).isEqualTo(400);
        assertThat(huge.contentType()).startsWith("application/problem+json");
    }

    @Test
    void refusalsBeforeAnyEndpointAreProblemsNotAuthenticationFailures() throws Exception {
        // paths the security firewall rejects, answered through the container's error page
        for (String path : List.of("/v1/models//problems/infer", "/v1/models/problems;x=1/infer",
                "/v1/models/problems/versions/%2e%2e/infer")) {
            Http.Reply rejected = http.postJson(path, "{}");
            assertProblem(rejected, 400, "malformed-request");
            assertThat(rejected.json().get("instance").asString()).as(path).isNotEqualTo("/error");
        }
        Http.Reply v2 = http.postJson("/v2/models/problems;jsessionid=1/infer", "{}");
        assertThat(v2.status()).isEqualTo(400);
        assertThat(v2.json().get("error").asString()).isNotBlank();
        // a chunked body whose framing is broken
        for (String chunk : List.of("ffffffffffffffffff\r\n", "zz\r\nabc", "-5\r\n")) {
            String reply = raw("POST /v1/models/problems/infer HTTP/1.1\r\nHost: localhost\r\nContent-Type: "
                    + "application/json\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n" + chunk);
            assertThat(reply).as(chunk).startsWith("HTTP/1.1 400").contains("application/problem+json")
                    .doesNotContain("unauthorized");
        }
    }

    private String raw(String request) throws Exception {
        try (java.net.Socket socket = new java.net.Socket("localhost", port)) {
            socket.setSoTimeout(30_000);
            socket.getOutputStream().write(request.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
            socket.shutdownOutput();
            return new String(socket.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.ISO_8859_1);
        }
    }

    @Test
    void whatTheClientSentIsQuotedOnlySoFar() {
        String name = "n".repeat(100_000);
        Http.Reply reply = infer("{\"inputs\":[" + input("a", "[1,3]", "FP32", "[1,2,3]") + "," + B + ","
                + input(name, "[1,3]", "FP32", "[1,2,3]") + "]}");
        assertProblem(reply, 400, "unknown-input");
        assertThat(reply.body().length()).isLessThan(5_000);
        assertThat(reply.json().get("input").asString()).hasSizeLessThanOrEqualTo(200).endsWith("…");
        assertProblem(http.postJson("/v1/models/problems/versions/abc/infer", "{}"), 404, "version-not-found");
        assertProblem(http.postJson("/v1/models/problems/versions/99999999999999999999/infer", "{}"), 404,
                "version-not-found");
        assertProblem(infer("{\"inputs\":[" + B + "],\"parameters\":{\"binary_data_output\":{\"a\":1}}}"), 400,
                "invalid-parameter");
        assertProblem(infer("{\"inputs\":[" + B + "],\"outputs\":[{\"name\":\"sum\",\"parameters\":"
                + "{\"binary_data\":[1]}}]}"), 400, "invalid-parameter");
        assertProblem(http.upload(Map.of("name", "emoji"), List.of(new Http.Part("a\uD83D\uDE00.onnx",
                new byte[] {8, 1}))), 400, "invalid-file-name");
        List<Http.Part> many = new java.util.ArrayList<>();
        for (int i = 0; i < 300; i++) {
            many.add(new Http.Part("f" + i + ".bin", new byte[] {1}));
        }
        Http.Reply parts = http.upload(Map.of("name", "parts"), many);
        assertProblem(parts, 413, "payload-too-large");
        assertThat(parts.json().get("detail").asString()).contains("more parts").doesNotContain("max-size");
        assertProblem(http.upload(Map.of("name", "late", "timeoutMs", "9223372036854775807"),
                List.of(Http.Part.of(onnx("add_mul")))), 400, "invalid-parameter");
        assertProblem(http.upload(Map.of("name", "late", "maxQueueDelayMs", "9300000000000"),
                List.of(Http.Part.of(onnx("add_mul")))), 400, "invalid-parameter");
    }

    @Test
    void messagesSayWhatToDo() {
        Http.Reply unknown = http.get("/v1/modelz");
        assertProblem(unknown, 404, "not-found");
        assertThat(unknown.json().get("detail").asString()).contains("No endpoint answers GET /v1/modelz")
                .doesNotContain("static resource");
        Http.Reply raw = http.post("/v1/models", "application/octet-stream", new byte[] {1, 2, 3});
        assertProblem(raw, 415, "unsupported-media-type");
        assertThat(raw.json().get("detail").asString()).contains("multipart/form-data", "'file'");
    }

    @Test
    void unknownModelAndRoutes() {
        assertProblem(http.get("/v1/models/nope"), 404, "model-not-found");
        assertProblem(http.delete("/v1/models/nope"), 404, "model-not-found");
        assertProblem(http.postJson("/v1/models/nope/infer", "{\"inputs\":[]}"), 404, "model-not-found");
        assertProblem(http.get("/v1/nothing-here"), 404, "not-found");
        assertProblem(http.get("/v1/models/problems/infer"), 405, "method-not-allowed");
        assertProblem(http.post("/v1/models/problems/infer", "text/plain", "x".getBytes()), 415, "unsupported-media-type");
        assertProblem(http.post("/v1/models", "application/json", "{}".getBytes()), 415, "unsupported-media-type");
    }

    @Test
    void uploadErrors() throws Exception {
        assertProblem(http.upload(Map.of("name", "x"), List.of()), 400, "missing-file");
        assertProblem(http.upload("Bad Name!", onnx("add_mul")), 400, "invalid-model-name");
        assertProblem(http.upload("problems", onnx("add_mul")), 409, "model-exists");
        assertProblem(http.upload(Map.of("name", "x", "instnces", "2"), List.of(Http.Part.of(onnx("add_mul")))),
                400, "invalid-parameter");
        assertProblem(http.upload(Map.of("name", "x", "instances", "many"), List.of(Http.Part.of(onnx("add_mul")))),
                400, "invalid-parameter");
        assertProblem(http.upload(Map.of("name", "x", "target", "quantum"), List.of(Http.Part.of(onnx("add_mul")))),
                400, "invalid-parameter");
        assertProblem(http.upload(Map.of("name", "x", "target", "cuda:0"), List.of(Http.Part.of(onnx("add_mul")))),
                400, "target-unavailable");
        for (String bad : new String[] {"../evil.onnx", "/etc/passwd", "a/../../b.onnx", "C:\\x.onnx"}) {
            assertProblem(http.upload(Map.of("name", "x"), List.of(new Http.Part(bad, Files.readAllBytes(onnx("add_mul"))))),
                    400, "invalid-file-name");
        }
        assertThat(http.get("/v1/models/x").status()).isEqualTo(404);
    }

    @Test
    void garbageTruncatedAndUnsupportedUploads() throws Exception {
        byte[] garbage = new byte[4096];
        new java.util.Random(1).nextBytes(garbage);
        assertProblem(http.upload(Map.of("name", "g1"), List.of(new Http.Part("model.onnx", garbage))), 422, "not-a-model");
        assertProblem(http.upload(Map.of("name", "g2"), List.of(new Http.Part("empty.onnx", new byte[0]))), 422, "not-a-model");
        assertProblem(http.upload(Map.of("name", "g3"), List.of(new Http.Part("text.onnx",
                "hello world".getBytes(StandardCharsets.UTF_8)))), 422, "not-a-model");
        byte[] cnn = Files.readAllBytes(onnx("cnn"));
        Http.Reply truncated = http.upload(Map.of("name", "g4"), List.of(new Http.Part("cnn.onnx",
                Arrays.copyOf(cnn, cnn.length / 2))));
        assertThat(truncated.status()).isEqualTo(422);
        assertThat(truncated.problemType()).isIn(P + "not-a-model", P + "model-load-failed");
        // a forced format makes the engine try, and its message comes back as a 422
        Http.Reply forced = http.upload(Map.of("name", "g5", "format", "onnx"), List.of(new Http.Part("m.onnx", garbage)));
        assertProblem(forced, 422, "model-load-failed");
        assertThat(forced.json().get("detail").asString()).contains("ONNX Runtime")
                .as("no server path in a problem").doesNotContain(STORE.toString());
        assertProblem(http.upload(Map.of("name", "g6", "format", "no-such-format"), List.of(Http.Part.of(onnx("add_mul")))),
                400, "invalid-parameter");
        Http.Reply uint32 = http.upload("g7", onnx("uint32_input"));
        assertProblem(uint32, 415, "unsupported-datatype");
        assertThat(uint32.json().get("detail").asString()).contains("UINT32");
        for (String id : new String[] {"g1", "g2", "g3", "g4", "g5", "g6", "g7"}) {
            assertThat(http.get("/v1/models/" + id).status()).isEqualTo(404);
        }
        assertThat(http.get("/v1/models/problems").json().get("state").asString()).isEqualTo("READY");
    }

    @Test
    void picklesAreRecognisedAndNeverLoaded() {
        Http.Reply stateDict = http.upload("p1", MODELS.resolve("samples/state_dict.pt"));
        assertProblem(stateDict, 415, "unsupported-format");
        assertThat(stateDict.json().get("format").asString()).isEqualTo("pytorch-pickle");
        assertThat(stateDict.json().get("detail").asString()).contains("state_dict", "TorchScript", "ONNX");
        Http.Reply whole = http.upload("p2", MODELS.resolve("samples/whole_model.pt"));
        assertProblem(whole, 415, "unsupported-format");
        assertThat(whole.json().get("detail").asString()).contains("whole pickled model", "Tiny");
        Http.Reply legacy = http.upload("p3", MODELS.resolve("samples/legacy_state_dict.pt"));
        assertProblem(legacy, 415, "unsupported-format");
        assertThat(legacy.json().get("detail").asString()).contains("legacy torch.save");
        Http.Reply plain = http.upload("p4", MODELS.resolve("samples/plain.pkl"));
        assertProblem(plain, 415, "unsupported-format");
        assertThat(plain.json().get("format").asString()).isEqualTo("pickle");
        // claiming another format does not get a pickle loaded
        Http.Reply claimed = http.upload(Map.of("name", "p5", "format", "onnx"),
                List.of(Http.Part.of(MODELS.resolve("samples/whole_model.pt"))));
        assertProblem(claimed, 415, "unsupported-format");
    }
}
