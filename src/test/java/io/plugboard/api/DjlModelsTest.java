package io.plugboard.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.plugboard.support.Cases;
import io.plugboard.support.Http;
import io.plugboard.support.ServerTest;
import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/** TorchScript and SavedModel uploads through the HTTP API, answers checked against reference outputs. */
class DjlModelsTest extends ServerTest {

    private static final Path TS = MODELS.resolve("torchscript");
    private static final Path SM = MODELS.resolve("savedmodel");

    private void assertCases(String id, Path casesFile, double rtol) {
        for (Cases.Case c : Cases.of(casesFile)) {
            Http.Reply answer = http.postJson("/v1/models/" + id + "/infer", c.request());
            assertThat(answer.status()).as(answer.toString()).isEqualTo(200);
            Cases.assertOutputs(answer.json(), c.outputs(), rtol, 1e-6);
        }
    }

    @Test
    void torchScriptWithASignature() throws Exception {
        Http.Reply created = http.upload(Map.of("name", "ts-multi", "signature",
                Files.readString(TS.resolve("multi_io.signature.json"))), List.of(Http.Part.of(TS.resolve("multi_io.pt"))));
        assertThat(created.status()).as(created.toString()).isEqualTo(201);
        JsonNode d = created.json();
        assertThat(d.get("format").asString()).isEqualTo("torchscript");
        assertThat(d.get("backend").asString()).isEqualTo("pytorch");
        assertThat(d.get("inputs").toString()).contains("\"input0\"", "\"INT64\"");
        assertThat(d.get("outputs").toString()).contains("\"output2\"", "\"BOOL\"");
        assertCases("ts-multi", TS.resolve("multi_io.cases.json"), 1e-6);
        Http.Reply wrongType = http.postJson("/v1/models/ts-multi/infer", "{\"inputs\":["
                + "{\"name\":\"input0\",\"shape\":[1,3],\"datatype\":\"FP32\",\"data\":[1,2,3]},"
                + "{\"name\":\"input1\",\"shape\":[1],\"datatype\":\"INT32\",\"data\":[1]}]}");
        assertThat(wrongType.status()).isEqualTo(400);
        assertThat(wrongType.problemType()).endsWith("/datatype-mismatch");
        assertThat(http.delete("/v1/models/ts-multi").status()).isEqualTo(204);
    }

    @Test
    void torchScriptWithoutASignatureTakesForwardsArgumentNamesOrPositions() {
        Http.Reply created = http.upload("ts-linear", TS.resolve("linear.pt"));
        assertThat(created.status()).as(created.toString()).isEqualTo(201);
        assertThat(created.json().get("positionalInputs").asBoolean()).isTrue();
        assertThat(created.json().get("inputs").toString()).isEqualTo("[{\"name\":\"x\",\"datatype\":null,\"shape\":null}]");
        assertCases("ts-linear", TS.resolve("linear.cases.json"), 1e-5); // sent as input0
        String byName = http.postJson("/v1/models/ts-linear/infer",
                "{\"inputs\":[{\"name\":\"x\",\"shape\":[1,4],\"datatype\":\"FP32\",\"data\":[1,2,3,4]}]}").body();
        String byAlias = http.postJson("/v1/models/ts-linear/infer",
                "{\"inputs\":[{\"name\":\"input0\",\"shape\":[1,4],\"datatype\":\"FP32\",\"data\":[1,2,3,4]}]}").body();
        assertThat(byName).contains("\"output0\"").isEqualTo(byAlias);
        Http.Reply wrongRank = http.postJson("/v1/models/ts-linear/infer",
                "{\"inputs\":[{\"name\":\"x\",\"shape\":[2,2],\"datatype\":\"FP32\",\"data\":[1,2,3,4]}]}");
        assertThat(wrongRank.status()).as(wrongRank.toString()).isEqualTo(422);
        assertThat(wrongRank.problemType()).endsWith("/inference-failed");
        Http.Reply unknown = http.postJson("/v1/models/ts-linear/infer",
                "{\"inputs\":[{\"name\":\"input1\",\"shape\":[1,4],\"datatype\":\"FP32\",\"data\":[1,2,3,4]}]}");
        assertThat(unknown.status()).isEqualTo(400);
        assertThat(unknown.problemType()).endsWith("/unknown-input");
        assertThat(unknown.json().get("detail").asString()).contains("'x'", "input0");
        Http.Reply twice = http.postJson("/v1/models/ts-linear/infer",
                "{\"inputs\":[{\"name\":\"x\",\"shape\":[1,4],\"datatype\":\"FP32\",\"data\":[1,2,3,4]},"
                        + "{\"name\":\"input0\",\"shape\":[1,4],\"datatype\":\"FP32\",\"data\":[1,2,3,4]}]}");
        assertThat(twice.status()).isEqualTo(400);
        assertThat(http.delete("/v1/models/ts-linear").status()).isEqualTo(204);
    }

    @Test
    void aUserSendingForwardsOwnNamesGetsAnswersWithoutASignature() {
        Http.Reply created = http.upload("ts-names", TS.resolve("multi_io.pt"));
        assertThat(created.status()).as(created.toString()).isEqualTo(201);
        assertThat(created.json().get("inputs")).extracting(i -> i.get("name").asString()).containsExactly("x", "ids");
        Http.Reply answer = http.postJson("/v1/models/ts-names/infer", "{\"inputs\":["
                + "{\"name\":\"ids\",\"shape\":[2],\"datatype\":\"INT64\",\"data\":[1,2]},"
                + "{\"name\":\"x\",\"shape\":[2,3],\"datatype\":\"FP32\",\"data\":[1,2,3,-4,-5,-6]}]}");
        assertThat(answer.status()).as(answer.toString()).isEqualTo(200);
        assertThat(answer.json().get("outputs")).extracting(o -> o.get("name").asString())
                .containsExactly("output0", "output1", "output2");
        assertThat(answer.json().get("outputs").get(0).get("data").toString()).isEqualTo("[3.0,5.0,7.0,-7.0,-9.0,-11.0]");
        assertThat(answer.json().get("outputs").get(1).get("data").toString()).isEqualTo("[11,12]");
        assertThat(http.delete("/v1/models/ts-names").status()).isEqualTo(204);
    }

    @Test
    void badSignatureFieldIs400() {
        Http.Reply bad = http.upload(Map.of("name", "ts-bad", "signature", "{\"inputs\":[{\"name\":\"x\",\"datatype\":\"FLOAT\"}]}"),
                List.of(Http.Part.of(TS.resolve("linear.pt"))));
        assertThat(bad.status()).as(bad.toString()).isEqualTo(400);
        assertThat(bad.problemType()).endsWith("/invalid-parameter");
    }

    @Test
    void savedModelAsZipTarGzAndParts() throws Exception {
        Http.Reply zip = http.upload("sm-zip", SM.resolve("affine.zip"));
        assertThat(zip.status()).as(zip.toString()).isEqualTo(201);
        assertThat(zip.json().get("format").asString()).isEqualTo("tf-savedmodel");
        assertThat(zip.json().get("backend").asString()).isEqualTo("tensorflow");
        assertThat(zip.json().get("inputs").toString()).isEqualTo("[{\"name\":\"x\",\"datatype\":\"FP32\",\"shape\":[-1,3]}]");
        assertCases("sm-zip", SM.resolve("affine.cases.json"), 1e-6);

        Http.Reply tgz = http.upload("sm-tgz", SM.resolve("typed.tar.gz"));
        assertThat(tgz.status()).as(tgz.toString()).isEqualTo(201);
        assertCases("sm-tgz", SM.resolve("typed.cases.json"), 0);

        Http.Reply other = http.upload(Map.of("name", "sm-double", "signatureName", "double_only"),
                List.of(Http.Part.of(SM.resolve("typed.tar.gz"))));
        assertThat(other.status()).as(other.toString()).isEqualTo(201);
        assertCases("sm-double", SM.resolve("typed.double_only.cases.json"), 0);

        Path dir = SM.resolve("affine");
        List<Http.Part> parts = new java.util.ArrayList<>();
        try (var files = Files.walk(dir)) {
            for (Path f : files.filter(Files::isRegularFile).toList()) {
                parts.add(new Http.Part(dir.relativize(f).toString(), Files.readAllBytes(f)));
            }
        }
        Http.Reply multi = http.upload(Map.of("name", "sm-parts"), parts);
        assertThat(multi.status()).as(multi.toString()).isEqualTo(201);
        assertThat(multi.json().get("files").toString()).contains("variables/variables.index");
        assertCases("sm-parts", SM.resolve("affine.cases.json"), 1e-6);
        for (String id : new String[] {"sm-zip", "sm-tgz", "sm-double", "sm-parts"}) {
            assertThat(http.delete("/v1/models/" + id).status()).isEqualTo(204);
        }
    }

    @Test
    void unknownSignatureNameIs422AndNamesTheAvailableOnes() {
        Http.Reply reply = http.upload(Map.of("name", "sm-nosig", "signatureName", "nope"),
                List.of(Http.Part.of(SM.resolve("typed.tar.gz"))));
        assertThat(reply.status()).as(reply.toString()).isEqualTo(422);
        assertThat(reply.json().get("detail").asString()).contains("double_only");
    }

    @Test
    void hostileArchivesAreRefusedAndWriteNothingOutside() throws Exception {
        byte[] pb = Files.readAllBytes(SM.resolve("affine/saved_model.pb"));
        Http.Reply traversal = http.upload(Map.of("name", "evil1"), List.of(new Http.Part("m.zip",
                zip(Map.of("saved_model.pb", pb, "../../escaped.txt", "x".getBytes())))));
        assertThat(traversal.status()).as(traversal.toString()).isEqualTo(422);
        assertThat(traversal.problemType()).endsWith("/unsafe-archive");

        Http.Reply absolute = http.upload(Map.of("name", "evil2"), List.of(new Http.Part("m.zip",
                zip(Map.of("saved_model.pb", pb, "/tmp/escaped.txt", "x".getBytes())))));
        assertThat(absolute.status()).as(absolute.toString()).isEqualTo(422);
        assertThat(absolute.problemType()).endsWith("/unsafe-archive");

        ByteArrayOutputStream tar = new ByteArrayOutputStream();
        try (TarArchiveOutputStream out = new TarArchiveOutputStream(tar)) {
            TarArchiveEntry model = new TarArchiveEntry("m/saved_model.pb");
            model.setSize(pb.length);
            out.putArchiveEntry(model);
            out.write(pb);
            out.closeArchiveEntry();
            TarArchiveEntry link = new TarArchiveEntry("m/variables", TarArchiveEntry.LF_SYMLINK);
            link.setLinkName("/etc");
            out.putArchiveEntry(link);
            out.closeArchiveEntry();
        }
        Http.Reply symlink = http.upload(Map.of("name", "evil3"), List.of(new Http.Part("m.tar", tar.toByteArray())));
        assertThat(symlink.status()).as(symlink.toString()).isEqualTo(422);
        assertThat(symlink.problemType()).endsWith("/unsafe-archive");
        assertThat(symlink.json().get("detail").asString()).contains("link");

        for (String id : new String[] {"evil1", "evil2", "evil3"}) {
            assertThat(http.get("/v1/models/" + id).status()).isEqualTo(404);
        }
        assertThat(Files.exists(Path.of("/tmp/escaped.txt"))).isFalse();
        try (var walk = Files.walk(STORE)) {
            assertThat(walk.filter(p -> p.getFileName().toString().equals("escaped.txt")).toList()).isEmpty();
        }
    }

    static byte[] zip(Map<String, byte[]> entries) throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ZipOutputStream zip = new ZipOutputStream(bytes)) {
            for (Map.Entry<String, byte[]> e : new java.util.TreeMap<>(entries).descendingMap().entrySet()) {
                zip.putNextEntry(new ZipEntry(e.getKey()));
                zip.write(e.getValue());
                zip.closeEntry();
            }
        }
        return bytes.toByteArray();
    }
}
