package io.plugboard.backend;

import io.plugboard.backend.onnx.OnnxBackend;
import io.plugboard.backend.onnx.OnnxSettings;
import io.plugboard.format.ModelFormat;
import io.plugboard.tensor.DataType;
import io.plugboard.tensor.TensorSpec;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The kit over a model with every element type ONNX Runtime's Java API carries. */
class OnnxTypesBackendTest extends BackendCompatibilityKit {

    private static final OnnxBackend BACKEND = new OnnxBackend(OnnxSettings.defaults());
    private static final Path DIR = Path.of("src/test/resources/models/onnx");

    @Override
    protected Backend backend() {
        return BACKEND;
    }

    @Override
    protected ModelSource reference() {
        return new ModelSource(DIR, "identity_types.onnx", ModelFormat.ONNX);
    }

    @Override
    protected Path casesFile() {
        return DIR.resolve("identity_types.cases.json");
    }

    @Override
    protected ModelSignature expectedSignature() {
        String[][] types = {{"f32", "FP32"}, {"f64", "FP64"}, {"f16", "FP16"}, {"i8", "INT8"}, {"i16", "INT16"},
            {"i32", "INT32"}, {"i64", "INT64"}, {"u8", "UINT8"}, {"b", "BOOL"}, {"s", "BYTES"}};
        List<TensorSpec> in = new ArrayList<>();
        List<TensorSpec> out = new ArrayList<>();
        for (String[] t : types) {
            in.add(new TensorSpec("in_" + t[0], DataType.valueOf(t[1]), new long[] {2, 2}));
            out.add(new TensorSpec("out_" + t[0], DataType.valueOf(t[1]), new long[] {2, 2}));
        }
        return new ModelSignature(in, out);
    }

    /** Fixed shapes: no batch dimension. */
    @Override
    protected Set<Capability> capabilities() {
        return EnumSet.noneOf(Capability.class);
    }
}
