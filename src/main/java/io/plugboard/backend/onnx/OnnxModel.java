package io.plugboard.backend.onnx;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import io.plugboard.backend.BaseLoadedModel;
import io.plugboard.backend.LoadedModel;
import io.plugboard.backend.ModelInstance;
import io.plugboard.backend.ModelSignature;
import io.plugboard.problem.PlugboardException;
import io.plugboard.problem.ProblemType;
import io.plugboard.tensor.Tensor;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One ONNX Runtime session. ONNX Runtime sessions are safe to run concurrently, so every instance
 * shares this session and its weights: memory does not grow with the number of instances.
 */
final class OnnxModel extends BaseLoadedModel {

    private static final Logger log = LoggerFactory.getLogger(OnnxModel.class);

    private final OrtEnvironment env;
    private final OrtSession session;
    private final List<OnnxTensor> weights;

    /** {@code weights}: initializer overrides the session reads from; closed after it. */
    OnnxModel(OrtEnvironment env, OrtSession session, ModelSignature signature, io.plugboard.backend.Target target, List<OnnxTensor> weights) {
        super(signature, target);
        this.env = env;
        this.session = session;
        this.weights = List.copyOf(weights);
    }

    @Override
    public ModelInstance newInstance() {
        return new Instance();
    }

    @Override
    public void close() {
        try {
            session.close();
        } catch (OrtException e) {
            log.warn("Closing ONNX Runtime session failed", e);
        }
        weights.forEach(OnnxTensor::close);
    }

    private final class Instance implements ModelInstance {

        private final ScratchBuffers scratch = new ScratchBuffers();

        @Override
        public Map<String, Tensor> infer(Map<String, Tensor> inputs, Set<String> outputs) {
            Map<String, OnnxTensor> feed = new HashMap<>();
            try {
                for (Map.Entry<String, Tensor> e : inputs.entrySet()) {
                    feed.put(e.getKey(), OnnxTensors.toOnnx(env, e.getKey(), e.getValue(), scratch));
                }
                try (OrtSession.Result result = session.run(feed, outputs)) {
                    Map<String, Tensor> answer = new LinkedHashMap<>();
                    for (Map.Entry<String, OnnxValue> e : result) {
                        if (e.getValue() instanceof OnnxTensor tensor) {
                            answer.put(e.getKey(), OnnxTensors.fromOnnx(e.getKey(), tensor));
                        }
                    }
                    return answer;
                }
            } catch (OrtException e) {
                throw new PlugboardException(ProblemType.INFERENCE_FAILED,
                        "ONNX Runtime rejected the inputs: " + e.getMessage(), e);
            } finally {
                feed.values().forEach(OnnxTensor::close);
            }
        }

        @Override
        public void close() {
            // Instances share the session; closing the model releases it.
        }
    }
}
