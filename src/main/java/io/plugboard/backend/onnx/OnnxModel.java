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

    /**
     * Run options of one instance. The CPU arena shrinks after each call, so memory a large request
     * made the engine allocate goes back to the system instead of staying held until the model is
     * deleted; its cost is one arena walk per call (see README, "Memory").
     */
    private static OrtSession.RunOptions runOptions() {
        try {
            OrtSession.RunOptions options = new OrtSession.RunOptions();
            options.addRunConfigEntry("memory.enable_memory_arena_shrinkage", "cpu:0");
            return options;
        } catch (OrtException e) {
            throw new PlugboardException(ProblemType.MODEL_LOAD_FAILED, "ONNX Runtime run options: " + e.getMessage(), e);
        }
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

    /** Stops a call through its run options: the only way to end a runaway graph (a Loop without end). */
    private final class Instance implements ModelInstance {

        private final ScratchBuffers scratch = new ScratchBuffers();
        private final OrtSession.RunOptions options = runOptions();
        private volatile boolean cancelled;

        @Override
        public Map<String, Tensor> infer(Map<String, Tensor> inputs, Set<String> outputs) {
            Map<String, OnnxTensor> feed = new HashMap<>();
            try {
                for (Map.Entry<String, Tensor> e : inputs.entrySet()) {
                    feed.put(e.getKey(), OnnxTensors.toOnnx(env, e.getKey(), e.getValue(), scratch));
                }
                cancelled = false;
                options.setTerminate(false);
                try (OrtSession.Result result = session.run(feed, outputs, options)) {
                    Map<String, Tensor> answer = new LinkedHashMap<>();
                    for (Map.Entry<String, OnnxValue> e : result) {
                        if (e.getValue() instanceof OnnxTensor tensor) {
                            answer.put(e.getKey(), OnnxTensors.fromOnnx(e.getKey(), tensor));
                        }
                    }
                    return answer;
                }
            } catch (OrtException e) {
                if (cancelled) {
                    throw new PlugboardException(ProblemType.MODEL_NOT_READY, "The call was stopped before it "
                            + "finished: its request timed out or the model is being unloaded.", e);
                }
                throw new PlugboardException(ProblemType.INFERENCE_FAILED,
                        "ONNX Runtime rejected the inputs: " + e.getMessage(), e);
            } finally {
                feed.values().forEach(OnnxTensor::close);
            }
        }

        @Override
        public boolean cancel() {
            cancelled = true;
            try {
                options.setTerminate(true);
                return true;
            } catch (OrtException e) {
                log.warn("ONNX Runtime refused to stop a call", e);
                return false;
            }
        }

        @Override
        public void close() {
            options.close(); // instances share the session; closing the model releases it
        }
    }
}
