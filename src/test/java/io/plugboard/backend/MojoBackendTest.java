package io.plugboard.backend;

import io.plugboard.backend.h2o.MojoBackend;
import io.plugboard.format.ModelFormat;
import io.plugboard.tensor.DataType;
import io.plugboard.tensor.TensorSpec;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

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
        return new ModelSource(DIR, "glm_regression.zip", ModelFormat.H2O_MOJO, Map.of());
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
}
