package io.plugboard.backend.djl;

import io.plugboard.backend.LoadedModel;
import io.plugboard.backend.ModelSignature;
import io.plugboard.backend.ModelSource;
import io.plugboard.format.ModelFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Serves TorchScript archives with DJL's PyTorch engine (libtorch 2.7.1). Inputs are named as the
 * module's {@code forward} names its arguments ({@link TorchScriptForward}), with {@code input0..N-1}
 * accepted as aliases; outputs are {@code output0..M-1} in the order {@code forward} returns them.
 * The upload's {@code signature} field, when given, names inputs and outputs (positionally) and
 * fixes their datatypes and shapes.
 */
public final class TorchScriptBackend extends DjlBackend {

    public TorchScriptBackend(DjlRuntime runtime) {
        super(runtime, "PyTorch");
    }

    @Override
    public String name() {
        return "pytorch";
    }

    @Override
    public Set<ModelFormat> formats() {
        return Set.of(ModelFormat.TORCHSCRIPT);
    }

    @Override
    public LoadedModel load(ModelSource source, io.plugboard.backend.Target target) {
        TorchScriptCodeCheck.check(source.mainPath());
        engine();
        String declared = source.options().signature();
        ModelSignature signature = declared != null ? SignatureParser.parse(declared)
                : new ModelSignature(TorchScriptForward.argumentNames(source.mainPath()).stream()
                        .map(name -> new io.plugboard.tensor.TensorSpec(name, null, null)).toList(), List.of(), true);
        return loadModel(source.mainPath(), target, Map.of("mapLocation", "true"), signature,
                "PyTorch could not load the TorchScript archive");
    }
}
