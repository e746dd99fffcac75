package io.plugboard.backend.djl;

import io.plugboard.backend.LoadedModel;
import io.plugboard.backend.ModelSignature;
import io.plugboard.backend.ModelSource;
import io.plugboard.format.ModelFormat;
import io.plugboard.problem.PlugboardException;
import io.plugboard.problem.ProblemType;
import io.plugboard.tensor.DataType;
import io.plugboard.tensor.TensorSpec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.tensorflow.proto.MetaGraphDef;
import org.tensorflow.proto.SavedModel;
import org.tensorflow.proto.SignatureDef;
import org.tensorflow.proto.TensorInfo;
import org.tensorflow.proto.TensorShapeProto;

/**
 * Serves TensorFlow SavedModels with DJL's TensorFlow engine. The signature is picked by name
 * ({@code serving_default} unless the upload's {@code signatureName} field names another); its
 * inputs and outputs keep their real names, datatypes and shapes.
 */
public final class SavedModelBackend extends DjlBackend {

    private static final String DEFAULT_SIGNATURE = "serving_default";

    private final Set<String> trustedOps;

    public SavedModelBackend(DjlRuntime runtime) {
        this(runtime, Set.of());
    }

    /** {@code trustedOps}: TensorFlow op types an operator allows beyond {@link TensorFlowOps#ALLOWED}. */
    public SavedModelBackend(DjlRuntime runtime, Set<String> trustedOps) {
        super(runtime, "TensorFlow");
        this.trustedOps = Set.copyOf(trustedOps);
    }

    @Override
    public String name() {
        return "tensorflow";
    }

    @Override
    public Set<ModelFormat> formats() {
        return Set.of(ModelFormat.TF_SAVEDMODEL, ModelFormat.TF_GRAPHDEF);
    }

    /**
     * Reads the graph before anything of it runs: a graph reaching outside the model (files,
     * processes, custom libraries) is refused, {@link SavedModelGraphCheck}.
     */
    @Override
    public LoadedModel load(ModelSource source, io.plugboard.backend.Target target) {
        if (source.format() == ModelFormat.TF_GRAPHDEF) {
            return loadFrozen(source, target);
        }
        Path pb = source.mainPath();
        String signatureName = source.options().signatureName() != null ? source.options().signatureName()
                : DEFAULT_SIGNATURE;
        MetaGraphDef serving = servingGraph(pb);
        SignatureDef def = signatureDef(serving, signatureName);
        SavedModelGraphCheck.check(serving, def, trustedOps);
        ModelSignature signature = new ModelSignature(specs(def.getInputsMap()), specs(def.getOutputsMap()));
        engine();
        return loadModel(pb.getParent(), target, Map.of("Tags", "serve", "SignatureDefKey", signatureName), signature,
                "TensorFlow could not load the SavedModel");
    }

    /**
     * A frozen GraphDef: described as a one-signature SavedModel ({@link FrozenGraph}), checked as
     * one, and loaded from a temporary folder holding only that description (a frozen graph has no
     * variables to restore), deleted once the engine has read it.
     */
    private LoadedModel loadFrozen(ModelSource source, io.plugboard.backend.Target target) {
        FrozenGraph.Names names = source.options().signature() == null ? FrozenGraph.Names.NONE
                : SignatureParser.names(source.options().signature());
        SavedModel wrapped = FrozenGraph.wrap(source.mainPath(), names);
        MetaGraphDef serving = wrapped.getMetaGraphs(0);
        SignatureDef def = serving.getSignatureDefMap().get(DEFAULT_SIGNATURE);
        SavedModelGraphCheck.check(serving, def, trustedOps);
        ModelSignature signature = new ModelSignature(specs(def.getInputsMap()), specs(def.getOutputsMap()));
        engine();
        Path folder = null;
        try {
            folder = Files.createTempDirectory("plugboard-graphdef");
            try (var out = Files.newOutputStream(folder.resolve("saved_model.pb"))) {
                wrapped.writeTo(out);
            }
            return loadModel(folder, target, Map.of("Tags", "serve", "SignatureDefKey", DEFAULT_SIGNATURE), signature,
                    "TensorFlow could not load the graph");
        } catch (IOException e) {
            throw new java.io.UncheckedIOException("Could not prepare the graph for loading", e);
        } finally {
            if (folder != null) {
                try (var files = Files.walk(folder)) {
                    files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
                } catch (IOException e) {
                    // a temporary folder left behind is harmless
                }
            }
        }
    }

    private static MetaGraphDef servingGraph(Path savedModelPb) {
        SavedModel saved;
        try {
            saved = SavedModel.parseFrom(Files.readAllBytes(savedModelPb));
        } catch (IOException e) {
            throw new PlugboardException(ProblemType.MODEL_LOAD_FAILED, "saved_model.pb is not a readable SavedModel: "
                    + e.getMessage(), e);
        }
        return saved.getMetaGraphsList().stream()
                .filter(m -> m.getMetaInfoDef().getTagsList().contains("serve")).findFirst()
                .orElseThrow(() -> new PlugboardException(ProblemType.MODEL_LOAD_FAILED,
                        "The SavedModel has no meta graph tagged 'serve'."));
    }

    private static SignatureDef signatureDef(MetaGraphDef serving, String name) {
        SignatureDef def = serving.getSignatureDefMap().get(name);
        if (def == null) {
            throw new PlugboardException(ProblemType.MODEL_LOAD_FAILED, "The SavedModel has no signature '" + name
                    + "'; it has " + new TreeMap<>(serving.getSignatureDefMap()).keySet()
                    + ". Name one with the upload field signatureName.",
                    Map.of("signatures", List.copyOf(new TreeMap<>(serving.getSignatureDefMap()).keySet())));
        }
        return def;
    }

    /** Inputs and outputs sorted by key, as DJL feeds them. */
    private static List<TensorSpec> specs(Map<String, TensorInfo> infos) {
        List<TensorSpec> specs = new ArrayList<>();
        for (Map.Entry<String, TensorInfo> e : new TreeMap<>(infos).entrySet()) {
            TensorInfo info = e.getValue();
            DataType type = dataType(info.getDtype()).orElseThrow(() -> new PlugboardException(
                    ProblemType.UNSUPPORTED_DATATYPE, "Tensor '" + e.getKey() + "' has TensorFlow type "
                            + info.getDtype() + ", which the server does not carry."));
            TensorShapeProto shape = info.getTensorShape();
            long[] dims = shape.getUnknownRank() ? null
                    : shape.getDimList().stream().mapToLong(d -> d.getSize() < 0 ? -1 : d.getSize()).toArray();
            specs.add(new TensorSpec(e.getKey(), type, dims));
        }
        return specs;
    }

    private static java.util.Optional<DataType> dataType(org.tensorflow.proto.DataType type) {
        return java.util.Optional.ofNullable(switch (type) {
            case DT_FLOAT -> DataType.FP32;
            case DT_DOUBLE -> DataType.FP64;
            case DT_HALF -> DataType.FP16;
            case DT_BFLOAT16 -> DataType.BF16;
            case DT_INT8 -> DataType.INT8;
            case DT_INT16 -> DataType.INT16;
            case DT_INT32 -> DataType.INT32;
            case DT_INT64 -> DataType.INT64;
            case DT_UINT8 -> DataType.UINT8;
            case DT_UINT16 -> DataType.UINT16;
            case DT_UINT32 -> DataType.UINT32;
            case DT_UINT64 -> DataType.UINT64;
            case DT_BOOL -> DataType.BOOL;
            case DT_STRING -> DataType.BYTES;
            default -> null;
        });
    }
}
