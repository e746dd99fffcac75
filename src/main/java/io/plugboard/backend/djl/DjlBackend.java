package io.plugboard.backend.djl;

import ai.djl.Device;
import ai.djl.MalformedModelException;
import ai.djl.Model;
import ai.djl.engine.EngineException;
import io.plugboard.backend.EngineMessages;
import io.plugboard.backend.LoadedModel;
import io.plugboard.backend.ModelSignature;
import io.plugboard.backend.Target;
import io.plugboard.tensor.TensorSpec;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import ai.djl.engine.Engine;
import io.plugboard.backend.Backend;
import io.plugboard.problem.PlugboardException;
import io.plugboard.problem.ProblemType;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** What the PyTorch and TensorFlow backends share: the lazily started DJL engine and its devices. */
abstract class DjlBackend implements Backend {

    private final DjlRuntime runtime;
    private final String engineName;

    DjlBackend(DjlRuntime runtime, String engineName) {
        this.runtime = runtime;
        this.engineName = engineName;
    }

    /** Reports a missing native without starting the engine; a failed start is reported once tried. */
    @Override
    public Optional<String> unavailableReason() {
        Optional<String> missing = DjlRuntime.missingFromBuild(engineName);
        if (missing.isPresent()) {
            return missing;
        }
        return runtime.failure(engineName);
    }

    /** GPUs first ({@code cuda:N}), then {@code cpu}; starts the engine (first upload of its kind). */
    @Override
    public List<Target> targets() {
        List<Target> targets = new ArrayList<>();
        int gpus = engine().getGpuCount();
        for (int i = 0; i < gpus; i++) {
            targets.add(Target.cuda(i));
        }
        targets.add(Target.CPU);
        return targets;
    }

    @Override
    public List<Target> knownTargets() {
        return runtime.started(engineName) ? targets() : List.of(Target.CPU);
    }

    @Override
    public java.util.Map<String, String> unavailableTargets() {
        if (!runtime.started(engineName)) {
            return java.util.Map.of("cuda", "not probed yet: the " + engineName
                    + " engine starts with the first model that needs it");
        }
        return engine().getGpuCount() > 0 ? java.util.Map.of()
                : java.util.Map.of("cuda", "the " + engineName + " engine sees no GPU (CPU native library, or no "
                        + "CUDA driver)");
    }

    Engine engine() {
        try {
            return runtime.engine(engineName);
        } catch (DjlRuntime.EngineUnavailableException e) {
            throw new PlugboardException(ProblemType.UNSUPPORTED_FORMAT, "The " + engineName
                    + " engine is not usable here: " + e.getMessage());
        }
    }

    /**
     * Loads a model with this backend's engine on a target and wraps it; engine failures become a
     * 422 whose detail starts with {@code failure}.
     */
    LoadedModel loadModel(Path path, Target target, Map<String, ?> options, ModelSignature signature, String failure) {
        return loadModel(path, target, options, signature, failure, null);
    }

    /** As above, with the file-name prefix the engine looks for in {@code path} (MXNet). */
    LoadedModel loadModel(Path path, Target target, Map<String, ?> options, ModelSignature signature, String failure,
            String prefix) {
        Device device = device(target);
        Model model = Model.newInstance(name(), device, engineName);
        try {
            model.load(path, prefix, options);
            TensorTranslator translator = new TensorTranslator(
                    signature.inputs().stream().map(TensorSpec::name).toList(),
                    signature.outputs().stream().map(TensorSpec::name).toList());
            return new DjlModel(model, signature, target, device, translator);
        } catch (IOException | MalformedModelException | EngineException | IllegalArgumentException e) {
            model.close();
            throw new PlugboardException(ProblemType.MODEL_LOAD_FAILED, failure + ": "
                    + EngineMessages.firstLine(e.getMessage()), e);
        } catch (PlugboardException e) {
            model.close();
            throw e;
        } catch (RuntimeException e) {
            // the engine's own failures on a bad file (TensorFlow's TFDataLossException for corrupt
            // variables, …) are the model's fault, not the server's
            model.close();
            throw new PlugboardException(ProblemType.MODEL_LOAD_FAILED, failure + ": "
                    + EngineMessages.firstLine(String.valueOf(e.getMessage())), e);
        }
    }

    static Device device(Target target) {
        return target.kind() == Target.Kind.CUDA ? Device.gpu(target.deviceOrZero()) : Device.cpu();
    }

    @Override
    public void close() {
        // DJL engines live as long as the JVM.
    }
}
