package io.plugboard.backend.djl;

import io.plugboard.backend.LoadedModel;
import io.plugboard.backend.ModelSignature;
import io.plugboard.backend.ModelSource;
import io.plugboard.format.ModelFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Serves TorchScript archives with DJL's PyTorch engine (libtorch 2.7.1). TorchScript has no input
 * or output names: inputs are {@code input0..N-1} and outputs {@code output0..M-1} in the order of
 * {@code forward}'s arguments and results, unless the upload's {@code signature} field names them
 * (positionally) and fixes their datatypes and shapes.
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
                : new ModelSignature(List.of(), List.of(), true);
        return loadModel(source.mainPath(), target, Map.of("mapLocation", "true"), signature,
                "PyTorch could not load the TorchScript archive");
    }
}
