package io.plugboard.backend.djl;

import ai.djl.Device;
import ai.djl.MalformedModelException;
import ai.djl.Model;
import ai.djl.engine.EngineException;
import io.plugboard.backend.LoadedModel;
import io.plugboard.backend.ModelSignature;
import io.plugboard.backend.ModelSource;
import io.plugboard.format.ModelFormat;
import io.plugboard.problem.PlugboardException;
import io.plugboard.problem.ProblemType;
import io.plugboard.tensor.TensorSpec;
import java.io.IOException;
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

    /** Upload field holding the optional signature JSON. */
    public static final String SIGNATURE = "signature";

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
    public LoadedModel load(ModelSource source, String target) {
        engine();
        ModelSignature declared = source.parameters().containsKey(SIGNATURE)
                ? SignatureParser.parse(source.parameters().get(SIGNATURE)) : null;
        Device device = device(target);
        Model model = Model.newInstance("torchscript", device, "PyTorch");
        try {
            model.load(source.mainPath(), null, Map.of("mapLocation", "true"));
            ModelSignature signature;
            if (declared != null) {
                signature = declared;
            } else {
                signature = new ModelSignature(List.of(), List.of(), true);
            }
            TensorTranslator translator = new TensorTranslator(
                    signature.inputs().stream().map(TensorSpec::name).toList(),
                    signature.outputs().stream().map(TensorSpec::name).toList());
            return new DjlModel(model, signature, target, device, translator);
        } catch (IOException | MalformedModelException | EngineException | IllegalArgumentException e) {
            model.close();
            throw new PlugboardException(ProblemType.MODEL_LOAD_FAILED, "PyTorch could not load the TorchScript "
                    + "archive: " + DjlModel.firstLine(e.getMessage()), e);
        } catch (RuntimeException e) {
            model.close();
            throw e;
        }
    }

}
