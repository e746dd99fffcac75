package io.plugboard.backend;

import io.plugboard.backend.onnx.OnnxBackend;
import io.plugboard.backend.onnx.OnnxSettings;
import io.plugboard.format.ModelFormat;
import io.plugboard.tensor.DataType;
import io.plugboard.tensor.TensorSpec;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

class OnnxBackendTest extends BackendCompatibilityKit {

    private static final OnnxBackend BACKEND = new OnnxBackend(OnnxSettings.defaults());
    private static final Path DIR = Path.of("src/test/resources/models/onnx");

    @Override
    protected Backend backend() {
        return BACKEND;
    }

    @Override
    protected ModelSource reference() {
        return new ModelSource(DIR, "add_mul.onnx", ModelFormat.ONNX);
    }

    @Override
    protected Path casesFile() {
        return DIR.resolve("add_mul.cases.json");
    }

    @Override
    protected ModelSignature expectedSignature() {
        long[] shape = {-1, 3};
        return new ModelSignature(
                List.of(new TensorSpec("a", DataType.FP32, shape), new TensorSpec("b", DataType.FP32, shape)),
                List.of(new TensorSpec("sum", DataType.FP32, shape), new TensorSpec("product", DataType.FP32, shape)));
    }
}
