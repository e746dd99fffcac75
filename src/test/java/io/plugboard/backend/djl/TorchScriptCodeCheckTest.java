package io.plugboard.backend.djl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.plugboard.problem.PlugboardException;
import io.plugboard.problem.ProblemType;
import io.plugboard.support.Http;
import io.plugboard.support.ServerTest;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * TorchScript code read before libtorch compiles it: the committed archives pass; archives whose
 * forward reads or writes files, or calls a custom library, are refused through the API with
 * nothing read or written and the server alive.
 */
class TorchScriptCodeCheckTest extends ServerTest {

    private static final Path TS = MODELS.resolve("torchscript");

    /** linear.pt with its forward's body replaced by {@code body} (TorchScript source). */
    private static byte[] linearWith(String body) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (ZipFile in = new ZipFile(TS.resolve("linear.pt").toFile()); ZipOutputStream zip = new ZipOutputStream(out)) {
            for (ZipEntry entry : java.util.Collections.list(in.entries())) {
                byte[] bytes = in.getInputStream(entry).readAllBytes();
                if (entry.getName().endsWith("code/__torch__.py")) {
                    String code = new String(bytes, StandardCharsets.UTF_8);
                    int forward = code.indexOf("  def forward(");
                    int start = code.indexOf("\n", code.indexOf(") -> ", forward)) + 1;
                    bytes = (code.substring(0, start) + body + "\n").getBytes(StandardCharsets.UTF_8);
                }
                ZipEntry copy = new ZipEntry(entry.getName());
                copy.setMethod(ZipEntry.STORED);
                copy.setSize(bytes.length);
                java.util.zip.CRC32 crc = new java.util.zip.CRC32();
                crc.update(bytes);
                copy.setCrc(crc.getValue());
                zip.putNextEntry(copy);
                zip.write(bytes);
                zip.closeEntry();
            }
        }
        return out.toByteArray();
    }

    @Test
    void theCommittedArchivesPass() throws Exception {
        try (Stream<Path> files = Files.list(TS)) {
            for (Path pt : files.filter(p -> p.toString().endsWith(".pt")).toList()) {
                assertThatCode(() -> TorchScriptCodeCheck.check(pt)).as(pt.toString()).doesNotThrowAnyException();
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "    return torch.from_file(\"/etc/passwd\", False, 64, dtype=6)",
        "    torch.save(x, \"/tmp/owned\")\n    return x",
        "    return torch.ops.aten.from_file(\"/etc/passwd\", False, 64)",
        "    return ops.mylib.exfiltrate(x)",
        "    _0 = __torch__.torch.classes.mylib.Reader.__new__(__torch__.torch.classes.mylib.Reader)\n    return x",
    })
    void codeReachingOutsideTheModelIsRefused(String body) {
        assertThatThrownBy(() -> TorchScriptCodeCheck.checkCode("m/code/__torch__.py", body))
                .isInstanceOfSatisfying(PlugboardException.class, e -> {
                    assertThat(e.type()).isEqualTo(ProblemType.UNSAFE_MODEL);
                    assertThat(e.properties()).containsEntry("location", "m/code/__torch__.py");
                });
    }

    @Test
    void anUploadReadingAHostFileIsRefusedUnread(@TempDir Path dir) throws Exception {
        Path secret = Files.writeString(dir.resolve("secret.txt"), "do not read");
        byte[] hostile = linearWith("    return torch.from_file(\"" + secret + "\", False, 11, dtype=0)");
        Http.Reply reply = http.upload(Map.of("name", "hostile-ts"), List.of(new Http.Part("model.pt", hostile)));
        assertThat(reply.status()).as(reply.toString()).isEqualTo(422);
        assertThat(reply.problemType()).endsWith("/unsafe-model");
        assertThat(reply.json().get("operation").asString()).isEqualTo("torch.from_file");
        assertThat(http.get("/actuator/health/liveness").status()).isEqualTo(200);
        // the edit itself is sound: the same archive with a harmless body serves
        Http.Reply clean = http.upload(Map.of("name", "clean-ts"), List.of(new Http.Part("model.pt",
                linearWith("    return torch.add(x, 1.)"))));
        assertThat(clean.status()).as(clean.toString()).isEqualTo(201);
    }

    @ParameterizedTest
    @org.junit.jupiter.params.provider.CsvSource({"reads_file.pt,torch.from_file", "saves_file.pt,torch.save"})
    void modelsScriptedByTorchItselfAreRefusedAndTouchNothing(String file, String operation) throws Exception {
        Path marker = Path.of("/tmp/plugboard-hostile-marker.pt");
        Files.deleteIfExists(marker);
        Http.Reply reply = http.upload(Map.of("name", "hostile-ts"),
                List.of(Http.Part.of(MODELS.resolve("torchscript-hostile").resolve(file))));
        assertThat(reply.status()).as(reply.toString()).isEqualTo(422);
        assertThat(reply.problemType()).endsWith("/unsafe-model");
        assertThat(reply.json().get("operation").asString()).isEqualTo(operation);
        assertThat(marker).doesNotExist();
    }
}
