package io.plugboard.convert.keras;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Converts the models made by tools/testmodels/make_keras_models.py, runs them on ONNX Runtime and
 * compares with the numpy reference outputs stored next to each model.
 */
class KerasModelsTest {

    static final Path DIR = Path.of("src/test/resources/models/keras");

    static Stream<String> models() throws Exception {
        try (Stream<Path> files = Files.list(DIR)) {
            return files.map(p -> p.getFileName().toString())
                    .filter(n -> (n.endsWith(".h5") || n.endsWith(".keras")) && !n.startsWith("bad_"))
                    .sorted().toList().stream();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("models")
    void matchesNumpyReference(String file, @TempDir Path tmp) throws Exception {
        String base = file.substring(0, file.lastIndexOf('.'));
        JsonNode ref = JsonMapper.builder().build().readTree(Files.readString(DIR.resolve(base + ".json")));
        Path onnx = tmp.resolve(base + ".onnx");
        KerasConversion conv = new KerasConverter(KerasLimits.DEFAULTS).convert(DIR.resolve(file), onnx);

        Map<String, KerasOrt.Tensor> inputs = tensors(ref.get("inputs"));
        Map<String, KerasOrt.Tensor> expected = tensors(ref.get("outputs"));
        assertThat(conv.inputNames()).containsExactlyElementsOf(inputs.keySet());
        assertThat(conv.outputNames()).containsExactlyElementsOf(expected.keySet());
        assertThat(KerasOrt.sessionInputs(onnx)).containsExactlyInAnyOrderElementsOf(inputs.keySet());

        Map<String, KerasOrt.Tensor> actual = KerasOrt.run(onnx, inputs);
        for (Map.Entry<String, KerasOrt.Tensor> e : expected.entrySet()) {
            KerasOrt.assertClose(base + " " + e.getKey(), actual.get(e.getKey()), e.getValue(), 1e-4, 1e-5);
        }
    }

    static Map<String, KerasOrt.Tensor> tensors(JsonNode node) {
        Map<String, KerasOrt.Tensor> out = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> e : node.properties()) {
            List<Long> shape = new ArrayList<>();
            e.getValue().get("shape").forEach(d -> shape.add(d.asLong()));
            JsonNode data = e.getValue().get("data");
            float[] f = new float[data.size()];
            for (int i = 0; i < f.length; i++) {
                f[i] = (float) data.get(i).asDouble();
            }
            out.put(e.getKey(), new KerasOrt.Tensor(shape.stream().mapToLong(Long::longValue).toArray(), f));
        }
        return out;
    }
}
