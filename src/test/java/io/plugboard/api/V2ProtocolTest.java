package io.plugboard.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.plugboard.support.Http;
import io.plugboard.support.ServerTest;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.core.env.Environment;
import tools.jackson.databind.JsonNode;

/** The Open Inference Protocol (KServe V2) endpoints, from the protocol's own examples. */
class V2ProtocolTest extends ServerTest {

    @Autowired
    private Environment env;

    private HttpClient client = HttpClient.newHttpClient();

    @BeforeEach
    void model() {
        if (http.get("/v1/models/spec").status() == 404) {
            assertThat(http.upload("spec", onnx("spec_example")).status()).isEqualTo(201);
        }
    }

    @Test
    void serverMetadataAndHealth() {
        Http.Reply meta = http.get("/v2");
        assertThat(meta.status()).isEqualTo(200);
        assertThat(meta.json().get("name").asString()).isEqualTo("plugboard");
        assertThat(meta.json().get("version").asString()).isEqualTo(System.getProperty("project.version"));
        assertThat(meta.json().get("extensions").toString()).contains("binary_tensor_data", "model_repository");
        assertThat(http.get("/v2/health/live").status()).isEqualTo(200);
        assertThat(http.get("/v2/health/ready").status()).isEqualTo(200);
    }

    @Test
    void modelMetadataAndReadiness() {
        Http.Reply meta = http.get("/v2/models/spec");
        assertThat(meta.status()).isEqualTo(200);
        JsonNode m = meta.json();
        assertThat(m.get("name").asString()).isEqualTo("spec");
        assertThat(m.get("versions").toString()).isEqualTo("[\"1\"]");
        assertThat(m.get("platform").asString()).isEqualTo("onnx_onnxv1");
        assertThat(m.get("inputs").toString())
                .isEqualTo("[{\"name\":\"input0\",\"datatype\":\"INT32\",\"shape\":[2,2]},{\"name\":\"input1\",\"datatype\":\"BOOL\",\"shape\":[3]}]");
        assertThat(http.get("/v2/models/spec/versions/1").json().get("name").asString()).isEqualTo("spec");
        assertThat(http.get("/v2/models/spec/ready").status()).isEqualTo(200);
        assertThat(http.get("/v2/models/spec/versions/1/ready").status()).isEqualTo(200);
        Http.Reply missing = http.get("/v2/models/nope");
        assertThat(missing.status()).isEqualTo(404);
        assertThat(missing.json().get("error").asString()).contains("nope");
        assertThat(http.get("/v2/models/spec/versions/9").status()).isEqualTo(404);
    }

    @Test
    void jsonInferenceAsInTheSpec() {
        Http.Reply reply = http.postJson("/v2/models/spec/infer", """
                {"id":"42","inputs":[
                  {"name":"input0","shape":[2,2],"datatype":"INT32","data":[1,2,3,4]},
                  {"name":"input1","shape":[3],"datatype":"BOOL","data":[true,false,true]}],
                 "outputs":[{"name":"output0"}]}
                """);
        assertThat(reply.status()).as(reply.toString()).isEqualTo(200);
        JsonNode json = reply.json();
        assertThat(json.get("id").asString()).isEqualTo("42");
        assertThat(json.get("model_name").asString()).isEqualTo("spec");
        assertThat(json.get("model_version").asString()).isEqualTo("1");
        assertThat(json.get("outputs")).hasSize(1);
        assertThat(json.get("outputs").get(0).toString())
                .isEqualTo("{\"name\":\"output0\",\"datatype\":\"INT32\",\"shape\":[2,2],\"data\":[1,2,3,4]}");
        Http.Reply pinned = http.postJson("/v2/models/spec/versions/1/infer",
                "{\"inputs\":[{\"name\":\"input0\",\"shape\":[2,2],\"datatype\":\"INT32\",\"data\":[[1,2],[3,4]]},"
                        + "{\"name\":\"input1\",\"shape\":[3],\"datatype\":\"BOOL\",\"data\":[true,true,true]}]}");
        assertThat(pinned.status()).isEqualTo(200);
        assertThat(pinned.json().get("outputs").get(1).get("data").toString()).isEqualTo("[false,false,false]");
    }

    @Test
    void errorsUseTheProtocolsErrorObject() {
        Http.Reply bad = http.postJson("/v2/models/spec/infer",
                "{\"inputs\":[{\"name\":\"input0\",\"shape\":[2,2],\"datatype\":\"FP32\",\"data\":[1,2,3,4]}]}");
        assertThat(bad.status()).isEqualTo(400);
        assertThat(bad.contentType()).startsWith("application/json");
        assertThat(bad.json().get("error").asString()).isNotBlank();
        assertThat(http.postJson("/v2/models/nope/infer", "{\"inputs\":[]}").status()).isEqualTo(404);
    }

    @Test
    void aNameGivenTwiceInOneObjectIsRefused() {
        String input1 = "{\"name\":\"input1\",\"shape\":[3],\"datatype\":\"BOOL\",\"data\":[true,false,true]}";
        String[] bodies = {
            // the second list of inputs would otherwise replace the first
            "{\"inputs\":[{\"name\":\"input0\",\"shape\":[2,2],\"datatype\":\"INT32\",\"data\":[1,2,3,4]}," + input1
                    + "],\"inputs\":[]}",
            "{\"inputs\":[{\"name\":\"input0\",\"name\":\"input1\",\"shape\":[2,2],\"datatype\":\"INT32\","
                    + "\"data\":[1,2,3,4]}," + input1 + "]}",
            // numeric data is converted straight from the body's bytes: a second array is refused all the same
            "{\"inputs\":[{\"name\":\"input0\",\"shape\":[2,2],\"datatype\":\"INT32\",\"data\":[1,2,3,4],"
                    + "\"data\":[5,6,7,8]}," + input1 + "]}",
            "{\"inputs\":[{\"name\":\"input0\",\"shape\":[2,2],\"datatype\":\"INT32\",\"data\":[1,2,3,4]}," + input1
                    + "],\"parameters\":{\"timeout_ms\":5000,\"timeout_ms\":1}}"};
        for (String body : bodies) {
            Http.Reply v2 = http.postJson("/v2/models/spec/infer", body);
            assertThat(v2.status()).as(body).isEqualTo(400);
            assertThat(v2.json().get("error").asString()).as(body).contains("Duplicate");
            Http.Reply v1 = http.postJson("/v1/models/spec/infer", body);
            assertThat(v1.status()).as(body).isEqualTo(400);
            assertThat(v1.contentType()).startsWith("application/problem+json");
            assertThat(v1.json().get("detail").asString()).as(body).contains("Duplicate");
        }
        Http.Reply load = http.postJson("/v2/repository/models/spec/load",
                "{\"parameters\":{\"unload_dependents\":true,\"unload_dependents\":false}}");
        assertThat(load.status()).isEqualTo(400);
        assertThat(http.postJson("/v2/models/spec/infer", bodies[0].replace(",\"inputs\":[]", "")).status())
                .as("the model is served as before").isEqualTo(200);
    }

    private HttpResponse<byte[]> binary(String path, String header, byte[] blobs, String headerLength) throws Exception {
        byte[] json = header.getBytes(StandardCharsets.UTF_8);
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        body.writeBytes(json);
        body.writeBytes(blobs);
        return client.send(HttpRequest.newBuilder(URI.create("http://localhost:" + env.getProperty("local.server.port") + path))
                .header("Content-Type", "application/octet-stream")
                .header("Inference-Header-Content-Length", headerLength != null ? headerLength : Integer.toString(json.length))
                .POST(HttpRequest.BodyPublishers.ofByteArray(body.toByteArray())).build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    @Test
    void binaryTensorDataBothWays() throws Exception {
        String header = "{\"inputs\":[{\"name\":\"input0\",\"shape\":[2,2],\"datatype\":\"INT32\",\"parameters\":{\"binary_data_size\":16}},"
                + "{\"name\":\"input1\",\"shape\":[3],\"datatype\":\"BOOL\",\"parameters\":{\"binary_data_size\":3}}],"
                + "\"outputs\":[{\"name\":\"output0\",\"parameters\":{\"binary_data\":true}},{\"name\":\"output1\"}]}";
        ByteBuffer blobs = ByteBuffer.allocate(19).order(ByteOrder.LITTLE_ENDIAN);
        blobs.putInt(7).putInt(-8).putInt(9).putInt(Integer.MAX_VALUE).put((byte) 1).put((byte) 0).put((byte) 1);
        for (String path : new String[] {"/v2/models/spec/infer", "/v1/models/spec/infer"}) {
            HttpResponse<byte[]> response = binary(path, header, blobs.array(), null);
            assertThat(response.statusCode()).as(new String(response.body())).isEqualTo(200);
            int jsonLength = Integer.parseInt(response.headers().firstValue("Inference-Header-Content-Length").orElseThrow());
            JsonNode json = Http.JSON.readTree(new String(response.body(), 0, jsonLength, StandardCharsets.UTF_8));
            assertThat(json.get("outputs").get(0).get("parameters").get("binary_data_size").asInt()).isEqualTo(16);
            assertThat(json.get("outputs").get(0).has("data")).isFalse();
            assertThat(json.get("outputs").get(1).get("data").toString()).isEqualTo("[false,true,false]");
            byte[] out = Arrays.copyOfRange(response.body(), jsonLength, response.body().length);
            assertThat(out).isEqualTo(Arrays.copyOf(blobs.array(), 16));
        }
        // binary_data_output: every output in binary; BOOL one byte each
        String all = header.replace("\"outputs\":[{\"name\":\"output0\",\"parameters\":{\"binary_data\":true}},{\"name\":\"output1\"}]",
                "\"parameters\":{\"binary_data_output\":true}");
        HttpResponse<byte[]> response = binary("/v2/models/spec/infer", all, blobs.array(), null);
        assertThat(response.statusCode()).isEqualTo(200);
        int jsonLength = Integer.parseInt(response.headers().firstValue("Inference-Header-Content-Length").orElseThrow());
        assertThat(response.body().length - jsonLength).isEqualTo(16 + 3);
        assertThat(Arrays.copyOfRange(response.body(), response.body().length - 3, response.body().length))
                .containsExactly(0, 1, 0);
    }

    @Test
    void binarySizesThatDoNotAddUpAreRefusedBeforeAllocating() throws Exception {
        String header = "{\"inputs\":[{\"name\":\"input0\",\"shape\":[2,2],\"datatype\":\"INT32\",\"parameters\":{\"binary_data_size\":16}},"
                + "{\"name\":\"input1\",\"shape\":[3],\"datatype\":\"BOOL\",\"parameters\":{\"binary_data_size\":3}}]}";
        assertThat(binary("/v2/models/spec/infer", header, new byte[10], null).statusCode()).isEqualTo(400);
        String wrongSize = header.replace("\"binary_data_size\":16", "\"binary_data_size\":12");
        assertThat(binary("/v2/models/spec/infer", wrongSize, new byte[15], null).statusCode()).isEqualTo(400);
        String huge = header.replace("\"binary_data_size\":16", "\"binary_data_size\":4000000000");
        assertThat(binary("/v2/models/spec/infer", huge, new byte[19], null).statusCode()).isEqualTo(400);
        assertThat(binary("/v2/models/spec/infer", header, new byte[19], "999999").statusCode()).isEqualTo(400);
        assertThat(binary("/v2/models/spec/infer", header, new byte[19], "abc").statusCode()).isEqualTo(400);
        HttpResponse<byte[]> v1 = binary("/v1/models/spec/infer", header, new byte[10], null);
        assertThat(v1.statusCode()).isEqualTo(400);
        assertThat(v1.headers().firstValue("Content-Type").orElse("")).startsWith("application/problem+json");
    }

    @Test
    void binaryBytesTensors() throws Exception {
        assertThat(http.upload("v2-types", onnx("identity_types")).status()).isEqualTo(201);
        StringBuilder inputs = new StringBuilder();
        String[][] json = {{"in_f32", "FP32", "[1,2,3,4]"}, {"in_f64", "FP64", "[1,2,3,4]"}, {"in_f16", "FP16", "[1,2,3,4]"},
            {"in_i8", "INT8", "[1,2,3,4]"}, {"in_i16", "INT16", "[1,2,3,4]"}, {"in_i32", "INT32", "[1,2,3,4]"},
            {"in_i64", "INT64", "[1,2,3,4]"}, {"in_u8", "UINT8", "[1,2,3,4]"}, {"in_b", "BOOL", "[true,false,true,false]"}};
        for (String[] j : json) {
            inputs.append("{\"name\":\"").append(j[0]).append("\",\"shape\":[2,2],\"datatype\":\"").append(j[1])
                    .append("\",\"data\":").append(j[2]).append("},");
        }
        ByteBuffer strings = ByteBuffer.allocate(64).order(ByteOrder.LITTLE_ENDIAN);
        for (String s : new String[] {"a", "", "βγ", "dd"}) {
            byte[] b = s.getBytes(StandardCharsets.UTF_8);
            strings.putInt(b.length).put(b);
        }
        byte[] blob = Arrays.copyOf(strings.array(), strings.position());
        String header = "{\"inputs\":[" + inputs + "{\"name\":\"in_s\",\"shape\":[2,2],\"datatype\":\"BYTES\","
                + "\"parameters\":{\"binary_data_size\":" + blob.length + "}}],"
                + "\"outputs\":[{\"name\":\"out_s\",\"parameters\":{\"binary_data\":true}}]}";
        HttpResponse<byte[]> response = binary("/v2/models/v2-types/infer", header, blob, null);
        assertThat(response.statusCode()).as(new String(response.body())).isEqualTo(200);
        int jsonLength = Integer.parseInt(response.headers().firstValue("Inference-Header-Content-Length").orElseThrow());
        assertThat(Arrays.copyOfRange(response.body(), jsonLength, response.body().length)).isEqualTo(blob);
        http.delete("/v1/models/v2-types");
    }

    private static byte[] floats(float... values) {
        ByteBuffer buf = ByteBuffer.allocate(4 * values.length).order(ByteOrder.LITTLE_ENDIAN);
        for (float v : values) {
            buf.putFloat(v);
        }
        return buf.array();
    }

    /** The JSON header of a binary answer, and its binary section. */
    private record BinaryAnswer(JsonNode header, ByteBuffer data) {
        static BinaryAnswer of(HttpResponse<byte[]> response) {
            assertThat(response.statusCode()).as(new String(response.body(), StandardCharsets.UTF_8)).isEqualTo(200);
            int length = Integer.parseInt(response.headers().firstValue("Inference-Header-Content-Length").orElseThrow());
            return new BinaryAnswer(Http.JSON.readTree(new String(response.body(), 0, length, StandardCharsets.UTF_8)),
                    ByteBuffer.wrap(response.body(), length, response.body().length - length).slice()
                            .order(ByteOrder.LITTLE_ENDIAN));
        }
    }

    @Test
    void tritonsRawBinaryRequestIsTheOneInputsBytesAlone() throws Exception {
        assertThat(http.upload("raw-mlp", onnx("mlp")).status()).isEqualTo(201);
        float[] rows = {0.1f, 0.2f, 0.3f, 0.4f, 1f, -1f, 0.5f, 2f};
        // the batch dimension is told from the body's length: 32 bytes are two rows of four
        BinaryAnswer raw = BinaryAnswer.of(binary("/v2/models/raw-mlp/infer", "", floats(rows), "0"));
        JsonNode out = raw.header().get("outputs").get(0);
        assertThat(out.get("shape").toString()).isEqualTo("[2,3]");
        assertThat(out.get("parameters").get("binary_data_size").asInt()).isEqualTo(24);
        float[] got = new float[6];
        raw.data().asFloatBuffer().get(got);
        StringBuilder data = new StringBuilder();
        for (float v : rows) {
            data.append(data.isEmpty() ? "" : ",").append(v);
        }
        JsonNode expected = http.postJson("/v2/models/raw-mlp/infer", "{\"inputs\":[{\"name\":\"input\",\"shape\":[2,4],"
                + "\"datatype\":\"FP32\",\"data\":[" + data + "]}]}").json().get("outputs").get(0).get("data");
        for (int i = 0; i < 6; i++) {
            assertThat(got[i]).isEqualTo(expected.get(i).floatValue());
        }
        assertThat(binary("/v1/models/raw-mlp/infer", "", floats(rows), "0").statusCode()).isEqualTo(200);
        // a body of unknown length (chunked) is read first, then told apart the same way
        HttpResponse<byte[]> chunked = client.send(HttpRequest.newBuilder(URI.create("http://localhost:"
                        + env.getProperty("local.server.port") + "/v2/models/raw-mlp/infer"))
                .header("Content-Type", "application/octet-stream").header("Inference-Header-Content-Length", "0")
                .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new java.io.ByteArrayInputStream(floats(rows))))
                .build(), HttpResponse.BodyHandlers.ofByteArray());
        assertThat(BinaryAnswer.of(chunked).header().get("outputs").get(0).get("shape").toString()).isEqualTo("[2,3]");
        HttpResponse<byte[]> ragged = binary("/v2/models/raw-mlp/infer", "", new byte[30], "0");
        assertThat(ragged.statusCode()).isEqualTo(400);
        assertThat(new String(ragged.body(), StandardCharsets.UTF_8)).contains("30 bytes", "no whole number");

        // a batching model takes one row: Triton's batch of 1
        assertThat(http.upload(java.util.Map.of("name", "raw-batched", "maxBatchSize", "4"),
                java.util.List.of(Http.Part.of(onnx("mlp")))).status()).isEqualTo(201);
        assertThat(BinaryAnswer.of(binary("/v2/models/raw-batched/infer", "", floats(1, 2, 3, 4), "0")).header()
                .get("outputs").get(0).get("shape").toString()).isEqualTo("[1,3]");
        assertThat(binary("/v2/models/raw-batched/infer", "", floats(rows), "0").statusCode()).isEqualTo(400);

        // BYTES: the whole body is the one element
        assertThat(http.upload("raw-text", onnx("string_identity")).status()).isEqualTo(201);
        byte[] text = "héllo, wörld".getBytes(StandardCharsets.UTF_8);
        BinaryAnswer echoed = BinaryAnswer.of(binary("/v2/models/raw-text/infer", "", text, "0"));
        assertThat(echoed.header().get("outputs").get(0).get("datatype").asString()).isEqualTo("BYTES");
        assertThat(echoed.data().getInt()).isEqualTo(text.length);
        byte[] back = new byte[text.length];
        echoed.data().get(back);
        assertThat(back).isEqualTo(text);
        assertThat(echoed.data().remaining()).isZero();
        for (String id : new String[] {"raw-mlp", "raw-batched", "raw-text"}) {
            http.delete("/v1/models/" + id);
        }
    }

    @Test
    void modelRepositoryIndexLoadUnload() {
        assertThat(http.upload("repo", onnx("add_mul")).status()).isEqualTo(201);
        String body = "{\"inputs\":[{\"name\":\"a\",\"shape\":[1,3],\"datatype\":\"FP32\",\"data\":[1,2,3]},"
                + "{\"name\":\"b\",\"shape\":[1,3],\"datatype\":\"FP32\",\"data\":[1,2,3]}]}";
        Http.Reply index = http.postJson("/v2/repository/index", "{}");
        assertThat(index.status()).isEqualTo(200);
        assertThat(index.body()).contains("{\"name\":\"repo\",\"version\":\"1\",\"state\":\"READY\"}");
        assertThat(http.postJson("/v2/repository/models/repo/unload", "{}").status()).isEqualTo(200);
        assertThat(http.postJson("/v2/repository/index", "{}").body()).contains("{\"name\":\"repo\",\"version\":\"1\",\"state\":\"UNLOADED\"}");
        assertThat(http.get("/v2/models/repo/ready").status()).isEqualTo(400);
        // an unloaded version still describes its tensors
        assertThat(http.get("/v2/models/repo").json().get("inputs").toString()).contains("\"name\":\"a\"", "FP32");
        assertThat(http.get("/v1/models/repo").json().get("inputs").toString()).contains("\"name\":\"a\"");
        Http.Reply refused = http.postJson("/v2/models/repo/infer", body);
        assertThat(refused.status()).isEqualTo(503);
        assertThat(http.postJson("/v2/repository/models/repo/load", "{}").status()).isEqualTo(200);
        assertThat(http.postJson("/v2/models/repo/infer", body).status()).isEqualTo(200);
        assertThat(http.postJson("/v2/repository/models/nope/load", "{}").status()).isEqualTo(404);
        http.delete("/v1/models/repo");
    }
}
