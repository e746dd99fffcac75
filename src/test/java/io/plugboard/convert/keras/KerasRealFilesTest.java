package io.plugboard.convert.keras;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Converts real Keras 2 files saved by Keras itself and compares ONNX Runtime's outputs with the
 * predictions Keras made. The files are not part of the repository; the test is skipped without them.
 */
class KerasRealFilesTest {

    static final Path DIR = Path.of(System.getProperty("plugboard.keras-real", "/work/shared/keras-real"));

    static Stream<Arguments> models() throws Exception {
        if (!Files.isRegularFile(DIR.resolve("models.json"))) {
            return Stream.of(Arguments.of("absent", null));
        }
        JsonNode list = JsonMapper.builder().build().readTree(Files.readString(DIR.resolve("models.json")));
        List<Arguments> out = new ArrayList<>();
        for (JsonNode m : list) {
            out.add(Arguments.of(m.get("id").asString(), m));
        }
        return out.stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("models")
    void matchesKerasPredictions(String id, JsonNode model, @TempDir Path tmp) throws Exception {
        Assumptions.assumeTrue(model != null, "real Keras files are not available on this machine");
        Path h5 = DIR.resolve(model.get("file").asString());
        Path onnx = tmp.resolve(id + ".onnx");
        KerasConversion conv = new KerasConverter(KerasLimits.DEFAULTS).convert(h5, onnx);
        Map<String, KerasOrt.Tensor> npz = KerasOrt.readNpz(DIR.resolve(model.get("npz").asString()));
        Map<String, KerasOrt.Tensor> inputs = new LinkedHashMap<>();
        List<String> inNames = new ArrayList<>();
        for (JsonNode in : model.get("inputs")) {
            String name = in.get("name").asString();
            inNames.add(name);
            inputs.put(name, npz.get("in." + name));
        }
        List<String> outNames = new ArrayList<>();
        for (JsonNode o : model.get("outputs")) {
            outNames.add(o.get("name").asString());
        }
        assertThat(conv.inputNames()).containsExactlyElementsOf(inNames);
        assertThat(conv.outputNames()).containsExactlyElementsOf(outNames);
        Map<String, KerasOrt.Tensor> result = KerasOrt.run(onnx, inputs);
        for (String name : outNames) {
            KerasOrt.assertClose(id + " " + name, result.get(name), npz.get("out." + name), 1e-4, 1e-5);
        }
    }
}
