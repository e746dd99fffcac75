package io.plugboard.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.plugboard.backend.BackendRegistry;
import io.plugboard.backend.onnx.OnnxBackend;
import io.plugboard.backend.onnx.OnnxSettings;
import io.plugboard.format.CandidateFile;
import io.plugboard.format.Detection;
import io.plugboard.format.FormatDetector;
import io.plugboard.format.ModelFormat;
import io.plugboard.problem.PlugboardException;
import io.plugboard.problem.ProblemType;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** What an upload is decided to be, from its bytes or the client's word, and what is refused whatever is said. */
class FormatPolicyTest {

    private static final Path MODELS = Path.of("src/test/resources/models");
    private static final BackendRegistry ONNX_ONLY =
            new BackendRegistry(List.of(new OnnxBackend(OnnxSettings.defaults())));

    private final FormatPolicy policy = new FormatPolicy(new FormatDetector(), ONNX_ONLY);

    @TempDir
    Path dir;

    @AfterAll
    static void closeBackends() {
        ONNX_ONLY.close();
    }

    @Test
    void anOnnxFileIsDecidedOnnxFromItsBytes() throws IOException {
        Detection decided = policy.decide(List.of(candidate("graph.bin", MODELS.resolve("onnx/add_mul.onnx"))), null);

        assertThat(decided.format()).isEqualTo(ModelFormat.ONNX);
        assertThat(decided.mainFile()).isEqualTo("graph.bin");
        assertThat(decided.evidence()).isNotBlank().isNotEqualTo("format given by the client");
    }

    @Test
    void theClientNamingTheDetectedFormatKeepsTheDetectedMainFile() throws IOException {
        List<CandidateFile> files = List.of(garbage("notes.txt", 5000),
                candidate("mlp.onnx", MODELS.resolve("onnx/mlp.onnx")));

        Detection decided = policy.decide(files, ModelFormat.ONNX);

        assertThat(decided).isEqualTo(new Detection(ModelFormat.ONNX, "mlp.onnx", "format given by the client"));
    }

    @ParameterizedTest
    @CsvSource({"plain.pkl, ONNX, pickle", "plain.pkl, , pickle", "whole_model.pt, ONNX, pytorch-pickle",
            "whole_model.pt, TORCHSCRIPT, pytorch-pickle", "state_dict.pt, , pytorch-pickle"})
    void picklesAreRefusedWhateverTheClientSays(String sample, ModelFormat override, String detected)
            throws IOException {
        List<CandidateFile> files = List.of(candidate("model.onnx", MODELS.resolve("samples").resolve(sample)));

        PlugboardException e = refusal(files, override);

        assertThat(e.type()).isEqualTo(ProblemType.UNSUPPORTED_FORMAT);
        assertThat(e.properties()).containsEntry("format", detected).containsKeys("reason", "hint", "evidence");
        assertThat(e.getMessage()).contains("cannot be served here", "arbitrary code");
    }

    @Test
    void garbageWithoutAnOverrideIsNotAModel() throws IOException {
        PlugboardException e = refusal(List.of(garbage("model.onnx", 100)), null);

        assertThat(e.type()).isEqualTo(ProblemType.NOT_A_MODEL);
        assertThat(e.getMessage()).contains("model.onnx");
    }

    @Test
    void garbageWithAnOnnxOverrideIsDecidedOnnxOnTheLargestFile() throws IOException {
        List<CandidateFile> files = List.of(garbage("small.dat", 10), garbage("big.dat", 3000),
                garbage("medium.dat", 700));

        Detection decided = policy.decide(files, ModelFormat.ONNX);

        assertThat(decided).isEqualTo(new Detection(ModelFormat.ONNX, "big.dat", "format given by the client"));
    }

    @Test
    void anOverrideToAFormatNotServedHereIsRefused() throws IOException {
        PlugboardException e = refusal(List.of(garbage("model.bin", 100)), ModelFormat.TF_SAVEDMODEL);

        assertThat(e.type()).isEqualTo(ProblemType.UNSUPPORTED_FORMAT);
        assertThat(e.properties()).containsEntry("format", "tf-savedmodel")
                .containsEntry("evidence", "format given by the client");
    }

    @Test
    void torchScriptWithoutItsBackendIsUnsupportedAndSaysWhy() throws IOException {
        List<CandidateFile> files = List.of(candidate("model.pt", MODELS.resolve("samples/tiny_torchscript.pt")));

        PlugboardException e = refusal(files, null);

        assertThat(e.type()).isEqualTo(ProblemType.UNSUPPORTED_FORMAT);
        assertThat(e.properties()).containsOnlyKeys("format", "reason", "hint", "evidence");
        assertThat(e.properties()).containsEntry("format", "torchscript")
                .containsEntry("reason", "This build of Plugboard includes no engine for TorchScript.")
                .containsEntry("hint", ModelFormat.TORCHSCRIPT.hint());
        assertThat((String) e.properties().get("evidence")).isNotBlank();
        assertThat(e.getMessage()).startsWith("Recognised TorchScript, which cannot be served here.")
                .contains("(Found: " + e.properties().get("evidence") + ".)");
    }

    @Test
    void mixedModelsStayMalformedEvenWithAnOverride() throws IOException {
        List<CandidateFile> files = List.of(candidate("a.onnx", MODELS.resolve("onnx/add_mul.onnx")),
                candidate("b.pt", MODELS.resolve("samples/tiny_torchscript.pt")));

        assertThat(refusal(files, ModelFormat.ONNX).type()).isEqualTo(ProblemType.MALFORMED_REQUEST);
    }

    private PlugboardException refusal(List<CandidateFile> files, ModelFormat override) {
        PlugboardException e = catchThrowableOfType(PlugboardException.class, () -> policy.decide(files, override));
        assertThat(e).as("refusal of %s", files).isNotNull();
        return e;
    }

    /** A copy of {@code source} under {@code name}. */
    private CandidateFile candidate(String name, Path source) throws IOException {
        Path copy = Files.copy(source, dir.resolve(name));
        return new CandidateFile(name, copy, Files.size(copy));
    }

    /** {@code size} bytes of plain text that no sniffer recognises. */
    private CandidateFile garbage(String name, int size) throws IOException {
        byte[] text = "hello, world ".repeat(size / 13 + 1).substring(0, size).getBytes(StandardCharsets.US_ASCII);
        Path file = Files.write(dir.resolve(name), text);
        return new CandidateFile(name, file, size);
    }
}
