package io.plugboard.backend;

import io.plugboard.backend.djl.MxNetBackend;
import io.plugboard.format.ModelFormat;
import io.plugboard.tensor.DataType;
import io.plugboard.tensor.TensorSpec;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/** The kit over an MXNet model written byte by byte (symbol JSON + NDArray-list params). */
class MxNetBackendTest extends BackendCompatibilityKit {

    private static final MxNetBackend BACKEND = new MxNetBackend(Engines.DJL);
    private static final Path DIR = Path.of("src/test/resources/models/mxnet");

    @Override
    protected Backend backend() {
        return BACKEND;
    }

    @Override
    protected ModelSource reference() {
        return new ModelSource(DIR, "tiny-symbol.json", ModelFormat.MXNET);
    }

    @Override
    protected Path casesFile() {
        return DIR.resolve("tiny.cases.json");
    }

    @Override
    protected ModelSignature expectedSignature() {
        return new ModelSignature(List.of(new TensorSpec("data", DataType.FP32, null)), List.of());
    }
}
