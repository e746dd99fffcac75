package io.plugboard.backend.onnx;

import io.plugboard.backend.Target;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.onnxruntime.OrtException;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class TargetProbeTest {

    @Test
    void cpuOnlyBuildOffersCpuAndSaysWhy() {
        var result = TargetProbe.probe(new FakeAcceleratorProbe(Set.of("CPU"), List.of(), Set.of(), Map.of()));
        assertThat(result.targets()).containsExactly(Target.parse("cpu"));
        assertThat(result.unavailable().get("cuda")).contains("no CUDA provider");
        assertThat(result.unavailable().get("openvino")).contains("no OpenVINO provider");
    }

    @Test
    void gpuBuildWithoutDevicesSaysNoDevice() {
        var result = TargetProbe.probe(new FakeAcceleratorProbe(Set.of("CPU", "CUDA", "TENSOR_RT"), List.of(),
                Set.of(), Map.of()));
        assertThat(result.targets()).containsExactly(Target.parse("cpu"));
        assertThat(result.unavailable().get("cuda")).contains("no NVIDIA GPU device");
        assertThat(result.unavailable().get("tensorrt")).contains("needs CUDA");
    }

    @Test
    void missingCudaLibraryIsNamed() {
        var result = TargetProbe.probe(new FakeAcceleratorProbe(Set.of("CPU", "CUDA", "TENSOR_RT"), List.of(0),
                Set.of("libcublasLt.so.12"), Map.of()));
        assertThat(result.targets()).containsExactly(Target.parse("cpu"));
        assertThat(result.unavailable().get("cuda")).isEqualTo("libcublasLt.so.12 not found");
    }

    @Test
    void bestFirstWithTwoGpusAndNoTensorRt() {
        var result = TargetProbe.probe(new FakeAcceleratorProbe(Set.of("CPU", "CUDA", "TENSOR_RT"), List.of(0, 1),
                Set.of("libnvinfer.so.10"), Map.of()));
        assertThat(result.targets()).containsExactly(Target.parse("cuda:0"), Target.parse("cuda:1"), Target.parse("cpu"));
        assertThat(result.unavailable().get("tensorrt")).isEqualTo("libnvinfer.so.10 not found");
    }

    @Test
    void everythingAvailableRanksTensorRtThenCudaThenOpenVinoThenCpu() {
        var result = TargetProbe.probe(new FakeAcceleratorProbe(Set.of("CPU", "CUDA", "TENSOR_RT", "OPEN_VINO"),
                List.of(0), Set.of(), Map.of()));
        assertThat(result.targets()).containsExactly(Target.parse("tensorrt:0"), Target.parse("cuda:0"), Target.parse("openvino"), Target.parse("cpu"));
        assertThat(result.unavailable()).isEmpty();
    }

    @Test
    void aProviderThatFailsToLoadIsReported() {
        var result = TargetProbe.probe(new FakeAcceleratorProbe(Set.of("CPU", "CUDA"), List.of(0), Set.of(),
                Map.of("cuda:0", "CUDA driver version is insufficient")));
        assertThat(result.targets()).containsExactly(Target.parse("cpu"));
        assertThat(result.unavailable().get("cuda")).contains("CUDA driver version is insufficient");
    }

    @Test
    void sessionOptionsCallOnnxRuntimesProviderApi() throws Exception {
        OnnxBackend started = new OnnxBackend(OnnxSettings.defaults());
        assertThat(started.unavailableReason()).isEmpty();
        // CPU: plain options
        ExecutionProviders.options(Target.CPU, OnnxSettings.defaults()).close();
        // The GPU build has the CUDA provider compiled in, but this host has no CUDA libraries:
        // registering it must fail inside ONNX Runtime, proving the real API is called.
        if (ai.onnxruntime.OrtEnvironment.getAvailableProviders().contains(ai.onnxruntime.OrtProvider.CUDA)
                && new SystemAcceleratorProbe(OnnxSettings.defaults()).missingLibrary(TargetProbe.CUDA_LIBRARIES).isPresent()) {
            assertThatThrownBy(() -> ExecutionProviders.options(Target.cuda(0), OnnxSettings.defaults()))
                    .isInstanceOf(OrtException.class).hasMessageContaining("Cuda");
        }
        assertThatThrownBy(() -> ExecutionProviders.options(Target.OPENVINO, OnnxSettings.defaults()))
                .isInstanceOf(OrtException.class).hasMessageContaining("OpenVINO");
    }
}
