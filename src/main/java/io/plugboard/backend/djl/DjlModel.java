package io.plugboard.backend.djl;

import ai.djl.Device;
import ai.djl.Model;
import ai.djl.inference.Predictor;
import ai.djl.translate.TranslateException;
import io.plugboard.backend.BaseLoadedModel;
import io.plugboard.backend.EngineMessages;
import io.plugboard.backend.LoadedModel;
import io.plugboard.backend.ModelInstance;
import io.plugboard.backend.ModelSignature;
import io.plugboard.problem.PlugboardException;
import io.plugboard.problem.ProblemType;
import io.plugboard.tensor.Tensor;
import java.util.Map;
import java.util.Set;

/**
 * A DJL model on one device. Each instance is a predictor over the same model, so instances share
 * its weights; a predictor is used by one thread at a time.
 */
final class DjlModel extends BaseLoadedModel {

    private final Model model;
    private final Device device;
    private final TensorTranslator translator;

    DjlModel(Model model, ModelSignature signature, io.plugboard.backend.Target target, Device device, TensorTranslator translator) {
        super(signature, target);
        this.model = model;
        this.device = device;
        this.translator = translator;
    }

    @Override
    public ModelInstance newInstance() {
        Predictor<DjlRequest, Map<String, Tensor>> predictor = model.newPredictor(translator, device);
        return new ModelInstance() {
            @Override
            public Map<String, Tensor> infer(Map<String, Tensor> inputs, Set<String> outputs) {
                try {
                    return predictor.predict(new DjlRequest(inputs, outputs));
                } catch (TranslateException | RuntimeException e) {
                    if (e instanceof PlugboardException p) {
                        throw p;
                    }
                    Throwable root = e;
                    while (root.getCause() != null && root.getCause() != root) {
                        root = root.getCause();
                    }
                    throw new PlugboardException(ProblemType.INFERENCE_FAILED, model.getNDManager().getEngine()
                            .getEngineName() + " rejected the inputs: " + EngineMessages.firstLine(root.getMessage()), e);
                }
            }

            @Override
            public void close() {
                predictor.close();
            }
        };
    }

    @Override
    public void close() {
        model.close();
    }
}
