package io.plugboard.backend;

import static org.assertj.core.api.Assertions.assertThat;

import io.plugboard.format.ModelFormat;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** How the registry answers for formats whose backend is missing from the build or never exists. */
class BackendRegistryTest {

    /** A backend as a slim build has it: present, but without its native library. */
    private static final class WithoutNatives implements Backend {
        @Override
        public String name() {
            return "pytorch";
        }

        @Override
        public Set<ModelFormat> formats() {
            return Set.of(ModelFormat.TORCHSCRIPT);
        }

        @Override
        public Optional<String> unavailableReason() {
            return Optional.of("this build has no PyTorch native library (ai.djl.pytorch:pytorch-native-*)");
        }

        @Override
        public LoadedModel load(ModelSource source, Target target) {
            throw new AssertionError("never loads");
        }

        @Override
        public void close() {
        }
    }

    @Test
    void aBackendLeftOutOfTheBuildIsNotServedAndNamesTheBuild() {
        BackendRegistry registry = new BackendRegistry(List.of(new WithoutNatives()));
        assertThat(registry.find(ModelFormat.TORCHSCRIPT)).isEmpty();
        assertThat(registry.status(ModelFormat.TORCHSCRIPT)).isInstanceOfSatisfying(FormatSupport.NotServed.class, n -> {
            assertThat(n.explanation()).contains("TorchScript", "this build has no PyTorch native library",
                    "torch.onnx.export");
            assertThat(n.format()).isEqualTo(ModelFormat.TORCHSCRIPT);
        });
    }

    @Test
    void aFormatNoBackendServesSaysWhyAndWhatToUpload() {
        BackendRegistry registry = new BackendRegistry(List.of());
        assertThat(registry.status(ModelFormat.TENSORRT_PLAN)).isInstanceOfSatisfying(FormatSupport.NotServed.class, n -> {
            assertThat(n.explanation()).contains("one TensorRT version and one GPU model", "target=tensorrt");
            assertThat(n.reason()).isNotBlank();
            assertThat(n.hint()).isNotBlank();
        });
    }

    @Test
    void anAvailableBackendServesItsFormats() {
        Backend onnx = new io.plugboard.backend.onnx.OnnxBackend(io.plugboard.backend.onnx.OnnxSettings.defaults());
        BackendRegistry registry = new BackendRegistry(List.of(new WithoutNatives(), onnx));
        assertThat(registry.status(ModelFormat.ONNX)).isEqualTo(new FormatSupport.Served(ModelFormat.ONNX, onnx));
    }
}
