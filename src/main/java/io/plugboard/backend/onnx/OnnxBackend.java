package io.plugboard.backend.onnx;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtLoggingLevel;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.OrtSession.SessionOptions;
import ai.onnxruntime.TensorInfo;
import io.plugboard.backend.Backend;
import io.plugboard.backend.LoadedModel;
import io.plugboard.backend.ModelSignature;
import io.plugboard.backend.ModelSource;
import io.plugboard.backend.Target;
import io.plugboard.format.ModelFormat;
import io.plugboard.problem.PlugboardException;
import io.plugboard.problem.ProblemType;
import io.plugboard.tensor.DataType;
import io.plugboard.tensor.TensorSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Serves ONNX models with ONNX Runtime (CPU, CUDA, TensorRT and OpenVINO execution providers). */
public final class OnnxBackend implements Backend {

    private static final Logger log = LoggerFactory.getLogger(OnnxBackend.class);

    private final OnnxSettings settings;
    private final AcceleratorProbe probe;
    private volatile OrtEnvironment environment;
    private volatile String unavailable;
    private volatile TargetProbe.Result probed;

    public OnnxBackend(OnnxSettings settings) {
        this(settings, new SystemAcceleratorProbe(settings));
    }

    /** With an injected probe: placement is testable on hosts without the hardware. */
    public OnnxBackend(OnnxSettings settings, AcceleratorProbe probe) {
        this.settings = settings;
        this.probe = probe;
    }

    @Override
    public List<Target> targets() {
        return probed().targets();
    }

    @Override
    public Map<String, String> unavailableTargets() {
        return probed().unavailable();
    }

    private TargetProbe.Result probed() {
        TargetProbe.Result result = probed;
        if (result == null) {
            synchronized (this) {
                if (probed == null) {
                    probed = environment() == null
                            ? new TargetProbe.Result(List.of(Target.CPU), Map.of()) : TargetProbe.probe(probe);
                }
                result = probed;
            }
        }
        return result;
    }

    @Override
    public String name() {
        return "onnxruntime";
    }

    /** ONNX, and Keras models, which reach this backend as the ONNX graph they were converted to at upload. */
    @Override
    public Set<ModelFormat> formats() {
        return Set.of(ModelFormat.ONNX, ModelFormat.KERAS_H5, ModelFormat.KERAS_V3);
    }

    @Override
    public Optional<String> unavailableReason() {
        return Optional.ofNullable(unavailable);
    }

    /** ONNX Runtime's environment starts in well under a second, so listing its targets probes them. */
    @Override
    public List<Target> knownTargets() {
        return targets();
    }

    /** The ONNX Runtime environment, created (and its natives unpacked) on first use. */
    OrtEnvironment environment() {
        OrtEnvironment env = environment;
        if (env == null && unavailable == null) {
            synchronized (this) {
                if (environment == null && unavailable == null) {
                    try {
                        environment = createEnvironment();
                    } catch (RuntimeException | LinkageError e) {
                        unavailable = "ONNX Runtime failed to start: " + e.getMessage();
                        log.error("ONNX Runtime unavailable", e);
                    }
                }
                env = environment;
            }
        }
        return env;
    }

    /**
     * Creates the environment on a thread with a large stack: ONNX Runtime 1.29 parses the process
     * command line recursively while starting, and a long one (a flat class path of a few thousand
     * characters) overflows a default 1 MB thread stack and kills the process.
     */
    private static OrtEnvironment createEnvironment() {
        OrtEnvironment[] created = new OrtEnvironment[1];
        Throwable[] failed = new Throwable[1];
        Thread starter = new Thread(null, () -> {
            try {
                created[0] = OrtEnvironment.getEnvironment(OrtLoggingLevel.ORT_LOGGING_LEVEL_ERROR, "plugboard");
            } catch (Throwable t) {
                failed[0] = t;
            }
        }, "onnxruntime-start", 256L << 20);
        starter.start();
        try {
            starter.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while starting ONNX Runtime", e);
        }
        if (failed[0] instanceof RuntimeException r) {
            throw r;
        }
        if (failed[0] instanceof Error err) {
            throw err;
        }
        if (failed[0] != null) {
            throw new IllegalStateException(failed[0]);
        }
        return created[0];
    }

    private static final java.util.regex.Pattern ABSOLUTE_PATH =
            java.util.regex.Pattern.compile("(?<=^|[\\s\"'(=:])/[^\\s\"']+");

    /**
     * The engine's message with the server's paths taken out: a file of the upload relative to it,
     * any other path by its last name only.
     */
    static String withoutServerPaths(String message, java.nio.file.Path directory) {
        java.nio.file.Path base = directory.toAbsolutePath().normalize();
        java.util.regex.Matcher m = ABSOLUTE_PATH.matcher(message);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            java.nio.file.Path path;
            try {
                path = java.nio.file.Path.of(m.group()).normalize();
            } catch (java.nio.file.InvalidPathException invalid) {
                continue;
            }
            String shown = path.startsWith(base) ? base.relativize(path).toString()
                    : path.getFileName() == null ? "…" : "…/" + path.getFileName();
            m.appendReplacement(out, java.util.regex.Matcher.quoteReplacement(shown.isEmpty() ? "." : shown));
        }
        return m.appendTail(out).toString();
    }

    @Override
    public LoadedModel load(ModelSource source, Target target) {
        OrtEnvironment env = environment();
        if (env == null) {
            throw new PlugboardException(ProblemType.UNSUPPORTED_FORMAT, unavailable);
        }
        OrtSession session = null;
        List<OnnxTensor> weights = List.of();
        try (SessionOptions options = ExecutionProviders.options(target, settings)) {
            List<java.nio.file.Path> safetensors = SafetensorsWeights.find(source.directory());
            if (!safetensors.isEmpty()) {
                weights = SafetensorsWeights.register(env, options, source.mainPath(), safetensors);
            }
            session = env.createSession(source.mainPath().toString(), options);
            ModelSignature signature = new ModelSignature(inputs(session), outputs(session));
            return new OnnxModel(env, session, signature, target, weights);
        } catch (OrtException | java.io.IOException e) {
            closeQuietly(session);
            weights.forEach(OnnxTensor::close);
            String message = withoutServerPaths(String.valueOf(e.getMessage()), source.directory());
            if (message.contains("External data path")) { // ONNX Runtime's own check: a path leaving the upload
                throw new PlugboardException(ProblemType.UNSAFE_MODEL, "The model's external data would be read "
                        + "from outside the upload: " + message, Map.of("operation", "external data"), e);
            }
            throw new PlugboardException(ProblemType.MODEL_LOAD_FAILED,
                    "ONNX Runtime could not load the model: " + message, e);
        } catch (RuntimeException e) {
            closeQuietly(session);
            weights.forEach(OnnxTensor::close);
            throw e;
        }
    }

    private static List<TensorSpec> inputs(OrtSession session) throws OrtException {
        List<TensorSpec> specs = new ArrayList<>();
        for (Map.Entry<String, NodeInfo> e : session.getInputInfo().entrySet()) {
            if (!(e.getValue().getInfo() instanceof TensorInfo info)) {
                throw new PlugboardException(ProblemType.UNSUPPORTED_DATATYPE, "Input '" + e.getKey()
                        + "' is a " + e.getValue().getInfo() + ", not a tensor; only tensor inputs are served.");
            }
            specs.add(spec(e.getKey(), info));
        }
        return specs;
    }

    private static List<TensorSpec> outputs(OrtSession session) throws OrtException {
        List<TensorSpec> specs = new ArrayList<>();
        for (Map.Entry<String, NodeInfo> e : session.getOutputInfo().entrySet()) {
            if (e.getValue().getInfo() instanceof TensorInfo info) {
                specs.add(spec(e.getKey(), info));
            } else {
                log.info("Output '{}' is not a tensor ({}); it is not served", e.getKey(), e.getValue().getInfo());
            }
        }
        if (specs.isEmpty()) {
            throw new PlugboardException(ProblemType.UNSUPPORTED_DATATYPE,
                    "The model has no tensor outputs; sequence and map outputs are not served.");
        }
        return specs;
    }

    private static TensorSpec spec(String name, TensorInfo info) {
        DataType type = OnnxTensors.dataType(info.onnxType).orElseThrow(() -> new PlugboardException(
                ProblemType.UNSUPPORTED_DATATYPE, "Tensor '" + name + "' has element type " + info.onnxType
                        + ", which the server does not serve.", Map.of("tensor", name)));
        if (!OnnxTensors.carried(type)) {
            throw OnnxTensors.unsupported(name, type);
        }
        long[] shape = info.getShape();
        for (int i = 0; i < shape.length; i++) {
            if (shape[i] < 0) {
                shape[i] = -1;
            }
        }
        return new TensorSpec(name, type, shape);
    }

    private static void closeQuietly(OrtSession session) {
        if (session != null) {
            try {
                session.close();
            } catch (OrtException e) {
                log.warn("Closing a half-loaded session failed", e);
            }
        }
    }

    @Override
    public void close() {
        // The ONNX Runtime environment is process-wide and lives until the JVM exits.
    }
}
