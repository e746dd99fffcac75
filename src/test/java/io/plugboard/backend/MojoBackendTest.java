package io.plugboard.backend;

import io.plugboard.backend.h2o.MojoBackend;
import io.plugboard.format.ModelFormat;
import io.plugboard.tensor.DataType;
import io.plugboard.tensor.TensorSpec;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The kit over an H2O GLM MOJO: a categorical (BYTES) and a numeric (FP64) column. */
class MojoBackendTest extends BackendCompatibilityKit {

    private static final MojoBackend BACKEND = new MojoBackend();
    private static final Path DIR = Path.of("src/test/resources/models/mojo");

    @Override
    protected Backend backend() {
        return BACKEND;
    }

    @Override
    protected ModelSource reference() {
        return new ModelSource(DIR, "glm_regression.zip", ModelFormat.H2O_MOJO);
    }

    @Override
    protected Path casesFile() {
        return DIR.resolve("glm_regression.cases.json");
    }

    @Override
    protected ModelSignature expectedSignature() {
        return new ModelSignature(List.of(new TensorSpec("color", DataType.BYTES, new long[] {-1}),
                new TensorSpec("x", DataType.FP64, new long[] {-1})),
                List.of(new TensorSpec("predict", DataType.FP64, new long[] {-1})));
    }

    @Test
    void binomialModelsAnswerALabelAndClassProbabilities() {
        ModelSource binomial = new ModelSource(DIR, "glm_binomial.zip", ModelFormat.H2O_MOJO);
        try (LoadedModel model = BACKEND.load(binomial, Target.CPU); ModelInstance instance = model.newInstance()) {
            org.assertj.core.api.Assertions.assertThat(model.signature().outputs()).containsExactly(
                    new TensorSpec("predict", DataType.BYTES, new long[] {-1}),
                    new TensorSpec("probabilities", DataType.FP64, new long[] {-1, 2}));
            for (var c : io.plugboard.support.Cases.of(DIR.resolve("glm_binomial.cases.json"))) {
                var out = instance.infer(decode(c.request()).inputs(), java.util.Set.of());
                var json = new java.io.ByteArrayOutputStream();
                new io.plugboard.api.codec.JsonResponseEncoder(io.plugboard.support.Http.JSON)
                        .encode(new io.plugboard.inference.InferenceResult("m", "1", null, out), json);
                io.plugboard.support.Cases.assertOutputs(io.plugboard.support.Http.JSON.readTree(json.toString()),
                        c.outputs(), 1e-9, 1e-12);
            }
        }
    }
}
