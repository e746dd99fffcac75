package io.plugboard.backend.onnx;

import io.plugboard.backend.Target;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * What the host offers ONNX Runtime's accelerated execution providers. Injected so that target
 * probing and placement are testable on machines without a GPU.
 */
public interface AcceleratorProbe {

    /** Execution providers compiled into the ONNX Runtime library ("CUDA", "TENSOR_RT", "OPEN_VINO"). */
    Set<String> compiledProviders();

    /** NVIDIA GPU device indices visible to this process. */
    List<Integer> nvidiaDevices();

    /** The first of these shared libraries the dynamic linker cannot find, if any. */
    Optional<String> missingLibrary(List<String> libraries);

    /** Registers the provider on a throw-away session options object: empty if it loads, else why not. */
    Optional<String> tryProvider(Target target);
}
