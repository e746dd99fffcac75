package io.plugboard.backend.onnx;

import io.plugboard.backend.Target;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Decides which ONNX Runtime targets this host offers, best first (TensorRT, CUDA, OpenVINO, CPU),
 * and why the others are missing. Cheap checks come first (compiled in? devices? libraries?), so a
 * CPU host never unpacks the 556 MB CUDA provider just to learn it has no GPU.
 */
final class TargetProbe {

    /** Libraries ONNX Runtime 1.29's CUDA provider needs (CUDA 12, cuDNN 9). */
    static final List<String> CUDA_LIBRARIES = List.of("libcudart.so.12", "libcublasLt.so.12", "libcublas.so.12",
            "libcudnn.so.9", "libcurand.so.10", "libcufft.so.11");
    /** Libraries its TensorRT provider needs on top (TensorRT 10). */
    static final List<String> TENSORRT_LIBRARIES = List.of("libnvinfer.so.10", "libnvinfer_plugin.so.10",
            "libnvonnxparser.so.10");

    /** Available targets best first, and reasons keyed by the kinds that are not. */
    record Result(List<Target> targets, Map<String, String> unavailable) {
    }

    private TargetProbe() {
    }

    static Result probe(AcceleratorProbe probe) {
        List<Target> targets = new ArrayList<>();
        Map<String, String> unavailable = new LinkedHashMap<>();
        List<Integer> gpus = probe.nvidiaDevices();
        var compiled = probe.compiledProviders();
        Optional<String> cudaProblem = gpuProblem(probe, compiled, "CUDA", CUDA_LIBRARIES, gpus);
        Optional<String> trtProblem = cudaProblem.isPresent() ? cudaProblem.map(p -> "needs CUDA, which is unavailable: " + p)
                : gpuProblem(probe, compiled, "TENSOR_RT", TENSORRT_LIBRARIES, gpus);
        if (trtProblem.isEmpty()) {
            trtProblem = probe.tryProvider(Target.tensorrt(gpus.get(0))).map(m -> "the TensorRT provider failed to load: " + m);
        }
        if (cudaProblem.isEmpty()) {
            cudaProblem = probe.tryProvider(Target.cuda(gpus.get(0))).map(m -> "the CUDA provider failed to load: " + m);
        }
        if (trtProblem.isEmpty()) {
            gpus.forEach(i -> targets.add(Target.tensorrt(i)));
        } else {
            unavailable.put("tensorrt", trtProblem.get());
        }
        if (cudaProblem.isEmpty()) {
            gpus.forEach(i -> targets.add(Target.cuda(i)));
        } else {
            unavailable.put("cuda", cudaProblem.get());
        }
        if (!compiled.contains("OPEN_VINO")) {
            unavailable.put("openvino", "this ONNX Runtime library has no OpenVINO provider (point "
                    + "onnxruntime.native.path at an OpenVINO-enabled build)");
        } else {
            Optional<String> failed = probe.tryProvider(Target.OPENVINO);
            if (failed.isEmpty()) {
                targets.add(Target.OPENVINO);
            } else {
                unavailable.put("openvino", "the OpenVINO provider failed to load: " + failed.get());
            }
        }
        targets.add(Target.CPU);
        return new Result(List.copyOf(targets), Map.copyOf(unavailable));
    }

    private static Optional<String> gpuProblem(AcceleratorProbe probe, java.util.Set<String> compiled, String provider,
            List<String> libraries, List<Integer> gpus) {
        if (!compiled.contains(provider)) {
            return Optional.of("this ONNX Runtime library has no " + provider + " provider (CPU-only build)");
        }
        if (gpus.isEmpty()) {
            return Optional.of("no NVIDIA GPU device (/dev/nvidiaN) is visible");
        }
        return probe.missingLibrary(libraries).map(lib -> lib + " not found");
    }
}
