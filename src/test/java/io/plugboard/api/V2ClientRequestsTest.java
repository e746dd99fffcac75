package io.plugboard.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.plugboard.support.Http;
import io.plugboard.support.ServerTest;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.Map;
import java.util.zip.DeflaterOutputStream;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Requests as Triton's and KServe's clients really send them to the Open Inference Protocol
 * endpoints: bodies labelled with other media types, compressed bodies, the repository index with
 * an empty body, per-output binary choices, Triton's parameters, and the protocol's error and
 * health bodies.
 */
class V2ClientRequestsTest extends ServerTest {

    private static final String SPEC_REQUEST = """
            {"inputs":[{"name":"input0","shape":[2,2],"datatype":"INT32","data":[1,2,3,4]},
              {"name":"input1","shape":[3],"datatype":"BOOL","data":[true,false,true]}]}""";

    @BeforeEach
    void model() {
        if (http.get("/v1/models/spec").status() == 404) {
            assertThat(http.upload("spec", onnx("spec_example")).status()).isEqualTo(201);
        }
    }

    private static void assertSpecAnswer(Http.Reply reply) {
        assertThat(reply.status()).as(reply.toString()).isEqualTo(200);
        assertThat(reply.json().get("outputs").get(0).get("data").toString()).isEqualTo("[1,2,3,4]");
        assertThat(reply.json().get("outputs").get(1).get("data").toString()).isEqualTo("[false,true,false]");
    }

    @Test
    void healthAnswersCarryTheProtocolsBodies() {
        Http.Reply live = http.get("/v2/health/live");
        assertThat(live.status()).isEqualTo(200);
        assertThat(live.contentType()).startsWith("application/json");
        assertThat(live.json().get("live").asBoolean()).isTrue();
        Http.Reply ready = http.get("/v2/health/ready");
        assertThat(ready.status()).isEqualTo(200);
        assertThat(ready.json().get("ready").asBoolean()).isTrue();
        assertThat(http.get("/v2/").json().get("name").asString()).isEqualTo("plugboard");
    }

    @Test
    void aJsonBodyIsTakenWhateverItsContentType() {
        byte[] body = SPEC_REQUEST.getBytes(StandardCharsets.UTF_8);
        // aiohttp (tritonclient.http.aio) labels every body octet-stream; curl -d sends form-urlencoded
        for (String type : new String[] {"application/octet-stream", "application/x-www-form-urlencoded",
                "text/plain", null}) {
            assertSpecAnswer(http.post("/v2/models/spec/infer", type, body, Map.of("Accept", "text/plain")));
        }
        Http.Reply notJson = http.post("/v2/models/spec/infer", "application/octet-stream", new byte[] {1, 2, 3});
        assertThat(notJson.status()).isEqualTo(400);
        assertThat(notJson.json().get("error").asString()).contains("Inference-Header-Content-Length");
        Http.Reply raw = http.post("/v2/models/spec/infer", "application/octet-stream", new byte[19],
                Map.of("Inference-Header-Content-Length", "0"));
        assertThat(raw.status()).isEqualTo(400);
        assertThat(raw.json().get("error").asString()).contains("raw binary request", "takes 2 inputs");
    }

    @Test
    void compressedBodiesAreInflated() throws IOException {
        byte[] json = SPEC_REQUEST.getBytes(StandardCharsets.UTF_8);
        assertSpecAnswer(http.post("/v2/models/spec/infer", "application/json", gzip(json),
                Map.of("Content-Encoding", "gzip")));
        assertSpecAnswer(http.post("/v2/models/spec/infer", "application/json", deflate(json),
                Map.of("Content-Encoding", "deflate")));
        assertSpecAnswer(http.post("/v1/models/spec/infer", "application/json", gzip(json),
                Map.of("Content-Encoding", "gzip")));

        // binary tensor data: the header's length counts the inflated body
        String header = "{\"inputs\":[{\"name\":\"input0\",\"shape\":[2,2],\"datatype\":\"INT32\","
                + "\"parameters\":{\"binary_data_size\":16}},{\"name\":\"input1\",\"shape\":[3],\"datatype\":\"BOOL\","
                + "\"parameters\":{\"binary_data_size\":3}}]}";
        ByteBuffer blobs = ByteBuffer.allocate(19).order(ByteOrder.LITTLE_ENDIAN).putInt(1).putInt(2).putInt(3)
                .putInt(4).put((byte) 1).put((byte) 0).put((byte) 1);
        ByteArrayOutputStream plain = new ByteArrayOutputStream();
        plain.writeBytes(header.getBytes(StandardCharsets.UTF_8));
        plain.writeBytes(blobs.array());
        assertSpecAnswer(http.post("/v2/models/spec/infer", "application/octet-stream", gzip(plain.toByteArray()),
                Map.of("Content-Encoding", "gzip", "Inference-Header-Content-Length",
                        Integer.toString(header.length()))));

        Http.Reply corrupt = http.post("/v2/models/spec/infer", "application/json", json,
                Map.of("Content-Encoding", "gzip"));
        assertThat(corrupt.status()).as(corrupt.toString()).isEqualTo(400);
        assertThat(corrupt.json().get("error").asString()).contains("gzip");
        byte[] cut = gzip(json);
        Http.Reply truncated = http.post("/v1/models/spec/infer", "application/json",
                java.util.Arrays.copyOf(cut, cut.length - 12), Map.of("Content-Encoding", "gzip"));
        assertThat(truncated.status()).as(truncated.toString()).isEqualTo(400);
        assertThat(truncated.problemType()).endsWith("/malformed-request");
        // inflating a thousandfold: refused past its first MiB, long before the request size limit
        byte[] spaces = gzip(("{\"inputs\":" + " ".repeat(8 << 20) + "[]}").getBytes(StandardCharsets.UTF_8));
        Http.Reply amplified = http.post("/v1/models/spec/infer", "application/json", spaces,
                Map.of("Content-Encoding", "gzip"));
        assertThat(amplified.status()).as(amplified.toString()).isEqualTo(413);
        assertThat(amplified.json().get("detail").asString()).contains("100 times");
        Http.Reply brotli = http.post("/v1/models/spec/infer", "application/json", json,
                Map.of("Content-Encoding", "br"));
        assertThat(brotli.status()).isEqualTo(415);
        assertThat(brotli.problemType()).endsWith("/unsupported-media-type");
        assertThat(http.post("/v2/models/spec/infer", "application/json", json, Map.of("Content-Encoding", "br"))
                .json().get("error").asString()).contains("br");
    }

    @Test
    void aPerOutputChoiceOverridesBinaryDataOutput() throws Exception {
        String request = SPEC_REQUEST.substring(0, SPEC_REQUEST.length() - 1)
                + ",\"outputs\":[{\"name\":\"output0\",\"parameters\":{\"binary_data\":false}},{\"name\":\"output1\"}],"
                + "\"parameters\":{\"binary_data_output\":true}}";
        Http.Reply reply = http.post("/v2/models/spec/infer", "application/json",
                request.getBytes(StandardCharsets.UTF_8));
        assertThat(reply.status()).as(reply.toString()).isEqualTo(200);
        int jsonLength = Integer.parseInt(reply.header("Inference-Header-Content-Length"));
        JsonNode header = Http.JSON.readTree(reply.body().substring(0, jsonLength));
        assertThat(header.get("outputs").get(0).get("data").toString()).isEqualTo("[1,2,3,4]");
        assertThat(header.get("outputs").get(1).has("data")).isFalse();
        assertThat(header.get("outputs").get(1).get("parameters").get("binary_data_size").asInt()).isEqualTo(3);
    }

    @Test
    void tritonsParameters() {
        String withParameters = SPEC_REQUEST.substring(0, SPEC_REQUEST.length() - 1) + ",\"parameters\":%s}";
        // timeout 0 is the server's default, as Triton reads it; a sequence id of 0 names no sequence
        assertSpecAnswer(http.postJson("/v2/models/spec/infer", withParameters.formatted("{\"timeout\":0}")));
        assertSpecAnswer(http.postJson("/v2/models/spec/infer",
                withParameters.formatted("{\"sequence_id\":0,\"sequence_start\":false,\"priority\":1}")));
        for (String sequence : new String[] {"{\"sequence_id\":7}", "{\"sequence_id\":\"abc\"}",
                "{\"sequence_start\":true}"}) {
            Http.Reply refused = http.postJson("/v1/models/spec/infer", withParameters.formatted(sequence));
            assertThat(refused.status()).as(sequence).isEqualTo(400);
            assertThat(refused.problemType()).endsWith("/invalid-parameter");
            assertThat(refused.json().get("detail").asString()).contains("sequence");
        }
        Http.Reply negative = http.postJson("/v2/models/spec/infer", withParameters.formatted("{\"timeout\":-1}"));
        assertThat(negative.status()).isEqualTo(400);
        String classification = SPEC_REQUEST.substring(0, SPEC_REQUEST.length() - 1)
                + ",\"outputs\":[{\"name\":\"output0\",\"parameters\":{\"classification\":2}}]}";
        Http.Reply refused = http.postJson("/v2/models/spec/infer", classification);
        assertThat(refused.status()).isEqualTo(400);
        assertThat(refused.json().get("error").asString()).contains("classification");
    }

    @Test
    void theRepositoryIndexTakesTheBodiesClientsSend() {
        for (String type : new String[] {"application/x-www-form-urlencoded", "application/octet-stream",
                "application/json", null}) {
            Http.Reply index = http.post("/v2/repository/index", type, new byte[0]);
            assertThat(index.status()).as("%s: %s", type, index).isEqualTo(200);
            assertThat(index.json().toString()).contains("\"name\":\"spec\"");
        }
        Http.Reply ready = http.post("/v2/repository/index", "application/json",
                "{\"ready\":true}".getBytes(StandardCharsets.UTF_8));
        assertThat(ready.status()).isEqualTo(200);
        ready.json().forEach(e -> assertThat(e.get("state").asString()).isEqualTo("READY"));
        // its only member is a flag: a body past 4 KiB is refused before it is read further
        Http.Reply huge = http.post("/v2/repository/index", "application/json",
                ("{\"ready\":true,\"x\":\"" + "x".repeat(1 << 20) + "\"}").getBytes(StandardCharsets.UTF_8));
        assertThat(huge.status()).isEqualTo(413);
        assertThat(huge.json().get("error").asString()).contains("4096");
        for (String bad : new String[] {"{bad", "[1]", "{\"ready\":\"yes\"}"}) {
            Http.Reply refused = http.post("/v2/repository/index", "application/json",
                    bad.getBytes(StandardCharsets.UTF_8));
            assertThat(refused.status()).as(bad).isEqualTo(400);
            assertThat(refused.json().get("error").asString()).isNotBlank();
        }
    }

    /** Thousands of tiny inputs would cost many times their bytes as tensors: refused as they are read. */
    @Test
    void aRequestNamingMoreTensorsThanAnyModelHasIsRefused() {
        StringBuilder inputs = new StringBuilder();
        StringBuilder outputs = new StringBuilder();
        for (int i = 0; i <= io.plugboard.inference.InferenceRequest.MAX_TENSORS; i++) {
            inputs.append(i == 0 ? "" : ",").append("{\"name\":\"i").append(i)
                    .append("\",\"shape\":[1],\"datatype\":\"BOOL\",\"data\":[true]}");
            outputs.append(i == 0 ? "" : ",").append("{\"name\":\"o").append(i).append("\"}");
        }
        Http.Reply manyInputs = http.postJson("/v1/models/spec/infer", "{\"inputs\":[" + inputs + "]}");
        assertThat(manyInputs.status()).as(manyInputs.toString()).isEqualTo(400);
        assertThat(manyInputs.problemType()).endsWith("/malformed-request");
        assertThat(manyInputs.json().get("detail").asString()).contains("more than 4096 inputs");
        Http.Reply manyOutputs = http.postJson("/v2/models/spec/infer", SPEC_REQUEST.replace("]}]}",
                "]}],\"outputs\":[" + outputs + "]}"));
        assertThat(manyOutputs.status()).as(manyOutputs.toString()).isEqualTo(400);
        assertThat(manyOutputs.json().get("error").asString()).contains("more than 4096 outputs");
        assertSpecAnswer(http.postJson("/v2/models/spec/infer", SPEC_REQUEST));
    }

    @Test
    void errorsOnV2PathsUseTheProtocolsErrorObject() {
        for (Http.Reply reply : new Http.Reply[] {http.get("/v2/models/spec/trace/setting"), http.get("/v2/nothing"),
                http.delete("/v2/models/spec/infer")}) {
            assertThat(reply.status()).as(reply.toString()).isIn(404, 405);
            assertThat(reply.contentType()).startsWith("application/json");
            assertThat(reply.json().get("error").asString()).isNotBlank();
        }
        Http.Reply v1 = http.get("/v1/nothing");
        assertThat(v1.status()).isEqualTo(404);
        assertThat(v1.contentType()).startsWith("application/problem+json");
    }

    @Test
    void bytesAnOnnxModelCannotCarryUnchangedAreRefused() throws Exception {
        if (http.get("/v1/models/types").status() == 404) {
            assertThat(http.upload("types", onnx("identity_types")).status()).isEqualTo(201);
        }
        JsonNode cases = Http.JSON.readTree(Files.readString(MODELS.resolve("onnx/identity_types.cases.json")));
        ObjectNode request = (ObjectNode) cases.get(0).get("request").deepCopy();
        byte[][] elements = {{(byte) 0xff, 0, 'b'}, "b".getBytes(StandardCharsets.UTF_8), new byte[0],
                "ok".getBytes(StandardCharsets.UTF_8)};
        ByteArrayOutputStream blob = new ByteArrayOutputStream();
        for (byte[] e : elements) {
            blob.writeBytes(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(e.length).array());
            blob.writeBytes(e);
        }
        for (JsonNode input : request.get("inputs")) {
            if (input.get("name").asString().equals("in_s")) {
                ((ObjectNode) input).remove("data");
                ((ObjectNode) input).putObject("parameters").put("binary_data_size", blob.size());
            }
        }
        byte[] header = Http.JSON.writeValueAsBytes(request);
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        body.writeBytes(header);
        body.writeBytes(blob.toByteArray());
        Http.Reply refused = http.post("/v2/models/types/infer", "application/octet-stream", body.toByteArray(),
                Map.of("Inference-Header-Content-Length", Integer.toString(header.length)));
        assertThat(refused.status()).as(refused.toString()).isEqualTo(400);
        assertThat(refused.json().get("error").asString()).contains("in_s", "UTF-8");
        assertThat(http.postJson("/v2/models/types/infer", cases.get(0).get("request").toString()).status())
                .isEqualTo(200);
        // a JSON string holding half a surrogate pair has no UTF-8 form: refused, not sent on as '?'
        String lone = cases.get(0).get("request").toString().replace("\"alpha\"", "\"\\ud800\"");
        assertThat(lone).contains("\\ud800");
        Http.Reply surrogate = http.postJson("/v2/models/types/infer", lone);
        assertThat(surrogate.status()).as(surrogate.toString()).isEqualTo(400);
        assertThat(surrogate.json().get("error").asString()).contains("surrogate");
    }

    private static byte[] gzip(byte[] data) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (OutputStream z = new GZIPOutputStream(out)) {
            z.write(data);
        }
        return out.toByteArray();
    }

    private static byte[] deflate(byte[] data) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (OutputStream z = new DeflaterOutputStream(out)) {
            z.write(data);
        }
        return out.toByteArray();
    }
}
