package io.plugboard.convert.keras;

import io.jhdf.HdfFile;
import io.plugboard.convert.onnx.OnnxGraphBuilder;
import io.plugboard.convert.onnx.proto.Onnx.ModelProto;
import io.plugboard.problem.PlugboardException;
import io.plugboard.problem.ProblemType;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import tools.jackson.databind.JsonNode;

/**
 * Converts a Keras model file to an ONNX model (opset 17, IR version 8) that keeps the Keras model's
 * input and output names, layouts and shapes; the batch dimension is the symbolic "N".
 */
public final class KerasConverter {

    static final long IR_VERSION = 8;
    static final long OPSET = 17;

    private final KerasLimits limits;
    private final KerasJson json = new KerasJson();
    private final LayerConverters converters = new LayerConverters();

    public KerasConverter(KerasLimits limits) {
        this.limits = Objects.requireNonNull(limits, "limits");
    }

    /** Reads a Keras .h5 whole-model file or a .keras zip and writes the equivalent ONNX model to `onnxOut`. */
    public KerasConversion convert(Path kerasFile, Path onnxOut) {
        Objects.requireNonNull(kerasFile, "kerasFile");
        Objects.requireNonNull(onnxOut, "onnxOut");
        try {
            return convertFile(kerasFile, onnxOut);
        } catch (PlugboardException e) {
            throw e;
        } catch (RuntimeException | OutOfMemoryError | StackOverflowError e) {
            throw KerasProblems.notAModel("the file could not be read (" + e.getClass().getSimpleName() + ")", e);
        }
    }

    private KerasConversion convertFile(Path file, Path out) {
        long size;
        byte[] head;
        try {
            size = Files.size(file);
            try (InputStream in = Files.newInputStream(file)) {
                head = in.readNBytes(4);
            }
        } catch (IOException e) {
            throw KerasProblems.notAModel("the file could not be read", e);
        }
        if (head.length == 4 && head[0] == 'P' && head[1] == 'K' && head[2] == 3 && head[3] == 4) {
            try (KerasArchive archive = KerasArchive.open(file, limits.maxWeightBytes())) {
                JsonNode model = json.parse(archive.config(), "config.json");
                String version = "3";
                if (archive.metadata() != null) {
                    JsonNode meta = json.parse(archive.metadata(), "metadata.json");
                    JsonNode v = meta.get("keras_version");
                    if (v != null && v.isString() && v.stringValue().length() < 100) {
                        version = v.stringValue();
                    }
                }
                long weightsSize = Files.size(archive.weightsFile());
                try (HdfFile h5 = new HdfFile(archive.weightsFile())) {
                    KerasWeights weights = new VarsLayerWeights(h5, new WeightBudget(limits.maxWeightBytes(), weightsSize));
                    return convert(new KerasModelSource(version, "", model, weights), out);
                }
            } catch (IOException e) {
                throw KerasProblems.notAModel("the .keras archive could not be read", e);
            }
        }
        try (HdfFile h5 = new HdfFile(file)) {
            KerasModelSource source = new H5ModelReader(json).read(h5, size, limits.maxWeightBytes());
            return convert(source, out);
        }
    }

    private KerasConversion convert(KerasModelSource source, Path out) {
        JsonNode model = source.model();
        LayerScan.Result scan = new LayerScan(converters, limits).scan(model);
        if (!scan.unsupported().isEmpty()) {
            throw KerasProblems.unsupportedLayers(scan.unsupported());
        }
        String modelName = model.path("config").path("name").asString("keras_model");
        OnnxGraphBuilder builder = new OnnxGraphBuilder(modelName.length() > 200 ? "keras_model" : modelName);
        ConversionContext ctx = new ConversionContext(new GraphOps(builder), converters, source.majorVersion(),
                source.backend());
        KerasModelGraph graph = new KerasModelGraph(ctx, source.weights(), limits.maxNesting());

        List<KerasModelGraph.InputSpec> specs = graph.inputs(model, 0);
        List<String> inputNames = new ArrayList<>();
        List<KerasTensor> inputs = new ArrayList<>();
        Set<String> names = new HashSet<>();
        for (KerasModelGraph.InputSpec spec : specs) {
            if (!names.add(spec.name())) {
                throw KerasProblems.notAModel("two inputs are named " + spec.name());
            }
            builder.input(spec.name(), spec.elemType(), spec.shape(), symbols(spec.shape().length));
            inputNames.add(spec.name());
            String internal = spec.name();
            if (spec.elemType() != OnnxGraphBuilder.FLOAT) {
                internal = ctx.ops().unary("Cast", spec.name() + "_float", spec.name(),
                        io.plugboard.convert.onnx.OnnxAttribute.of("to", (long) OnnxGraphBuilder.FLOAT));
            }
            inputs.add(new KerasTensor(internal, spec.shape()));
        }
        // reserve the output names before any internal tensor could take them
        Set<String> reserved = new HashSet<>(outputLayerNames(model));
        reserved.removeAll(names);
        for (String n : reserved) {
            builder.reserve(n);
        }
        List<KerasModelGraph.NamedTensor> outputs = graph.run(model, new LayerRef(List.of(), ""), inputs, 0);
        List<String> outputNames = new ArrayList<>();
        for (KerasModelGraph.NamedTensor o : outputs) {
            String name = o.layer();
            int k = 1;
            while (names.contains(name) || (!reserved.contains(name) && builder.isUsed(name))) {
                name = o.layer() + "_" + k++;
            }
            names.add(name);
            builder.reserve(name);
            builder.nodeWithOutputs("Identity", List.of(o.tensor().name()), List.of(name));
            builder.output(name, OnnxGraphBuilder.FLOAT, o.tensor().shape(), symbols(o.tensor().rank()));
            outputNames.add(name);
        }
        ModelProto proto = builder.model(IR_VERSION, OPSET, "plugboard-keras", source.kerasVersion());
        try {
            Files.write(out, proto.toByteArray());
        } catch (IOException e) {
            throw new PlugboardException(ProblemType.INTERNAL_ERROR, "The converted ONNX model could not be written",
                    java.util.Map.of(), e);
        }
        return new KerasConversion(source.kerasVersion(), inputNames, outputNames, scan.classes());
    }

    private static List<String> outputLayerNames(JsonNode model) {
        List<String> out = new ArrayList<>();
        JsonNode cfg = model.get("config");
        if (KerasModelGraph.className(model).equals("Sequential")) {
            JsonNode layers = KerasModelGraph.layers(model);
            if (!layers.isEmpty()) {
                out.add(KerasLayer.of(layers.get(layers.size() - 1), "output").name());
            }
        } else if (cfg != null && cfg.isObject() && cfg.get("output_layers") != null) {
            for (KerasModelGraph.TensorRef r : KerasModelGraph.refs(cfg.get("output_layers"), "output_layers")) {
                out.add(r.layer());
            }
        }
        return out;
    }

    private static List<String> symbols(int rank) {
        List<String> s = new ArrayList<>();
        s.add("N");
        for (int i = 1; i < rank; i++) {
            s.add("d" + i);
        }
        return s;
    }
}
