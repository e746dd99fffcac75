package io.plugboard.backend;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.plugboard.format.ModelFormat;
import io.plugboard.problem.PlugboardException;
import io.plugboard.problem.ProblemType;
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
        public LoadedModel load(ModelSource source, String target) {
            throw new AssertionError("never loads");
        }

        @Override
        public void close() {
        }
    }

    @Test
    void aBackendLeftOutOfTheBuildIsA415NamingTheBuild() {
        BackendRegistry registry = new BackendRegistry(List.of(new WithoutNatives()));
        assertThat(registry.find(ModelFormat.TORCHSCRIPT)).isEmpty();
        assertThatThrownBy(() -> registry.require(ModelFormat.TORCHSCRIPT)).isInstanceOfSatisfying(PlugboardException.class, e -> {
            assertThat(e.type()).isEqualTo(ProblemType.UNSUPPORTED_FORMAT);
            assertThat(e.getMessage()).contains("TorchScript", "this build has no PyTorch native library", "torch.onnx.export");
            assertThat(e.properties()).containsEntry("format", "torchscript");
        });
    }

    @Test
    void aFormatNoBackendServesSaysWhyAndWhatToUpload() {
        BackendRegistry registry = new BackendRegistry(List.of());
        assertThatThrownBy(() -> registry.require(ModelFormat.TENSORRT_PLAN)).isInstanceOfSatisfying(PlugboardException.class, e -> {
            assertThat(e.getMessage()).contains("one TensorRT version and one GPU model", "target=tensorrt");
            assertThat(e.properties()).containsKeys("reason", "hint");
        });
    }
}
