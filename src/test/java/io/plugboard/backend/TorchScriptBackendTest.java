package io.plugboard.backend;

import static org.assertj.core.api.Assertions.assertThat;

import io.plugboard.backend.djl.TorchScriptBackend;
import io.plugboard.format.ModelFormat;
import io.plugboard.tensor.Tensor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The kit over a TorchScript model with three outputs of three datatypes (FP32, INT64, BOOL). */
class TorchScriptBackendTest extends BackendCompatibilityKit {

    private static final TorchScriptBackend BACKEND = new TorchScriptBackend(Engines.DJL);
    static final Path DIR = Path.of("src/test/resources/models/torchscript");

    @Override
    protected Backend backend() {
        return BACKEND;
    }

    @Override
    protected ModelSource reference() {
        try {
            return new ModelSource(DIR, "multi_io.pt", ModelFormat.TORCHSCRIPT,
                    new EngineOptions(Files.readString(DIR.resolve("multi_io.signature.json")), null));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Override
    protected Path casesFile() {
        return DIR.resolve("multi_io.cases.json");
    }

    @Override
    protected ModelSignature expectedSignature() {
        return signatureFile(DIR.resolve("multi_io.signature.json"));
    }

    @Test
    void withoutASignatureInputsArePositionalAndOutputsNumbered() {
        ModelSource plain = new ModelSource(DIR, "linear.pt", ModelFormat.TORCHSCRIPT);
        try (LoadedModel model = BACKEND.load(plain, Target.CPU); ModelInstance instance = model.newInstance()) {
            assertThat(model.signature().positionalInputs()).isTrue();
            var request = decode("{\"inputs\":[{\"name\":\"input0\",\"datatype\":\"FP32\",\"shape\":[2,4],"
                    + "\"data\":[1,2,3,4,5,6,7,8]}]}");
            Map<String, Tensor> out = instance.infer(request.inputs(), Set.of());
            assertThat(out.keySet()).containsExactly("output0");
            assertThat(out.get("output0").shape()).containsExactly(2, 3);
        }
    }

    @Test
    void otherIntegerAndFloatTypes() {
        for (String name : new String[] {"int_ops", "uint8_ops"}) {
            try {
                ModelSource source = new ModelSource(DIR, name + ".pt", ModelFormat.TORCHSCRIPT,
                        new EngineOptions(Files.readString(DIR.resolve(name + ".signature.json")), null));
                try (LoadedModel model = BACKEND.load(source, Target.CPU); ModelInstance instance = model.newInstance()) {
                    for (var c : io.plugboard.support.Cases.of(DIR.resolve(name + ".cases.json"))) {
                        var out = instance.infer(decode(c.request()).inputs(), Set.of());
                        var json = new java.io.ByteArrayOutputStream();
                        new io.plugboard.api.codec.JsonResponseEncoder(io.plugboard.support.Http.JSON)
                                .encode(new io.plugboard.inference.InferenceResult("m", "1", null, out), json);
                        io.plugboard.support.Cases.assertOutputs(io.plugboard.support.Http.JSON.readTree(json.toString()),
                                c.outputs(), 1e-6, 1e-9);
                    }
                }
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }
    }
}
