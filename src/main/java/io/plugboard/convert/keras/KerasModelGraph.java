package io.plugboard.convert.keras;

import io.plugboard.convert.onnx.OnnxGraphBuilder;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.JsonNode;

/**
 * Walks a Sequential or functional model config (Keras 1, 2 or 3 spelling), converting each layer
 * call once its inputs exist. Nested models are converted in place with their inputs bound to the
 * tensors they are called on; a layer called several times is converted once per call and shares
 * its weights.
 */
final class KerasModelGraph {

    /** A graph input as the model declares it. */
    record InputSpec(String name, long[] shape, int elemType) {
    }

    /** A reference to output {@code tensor} of call {@code node} of layer {@code layer}. */
    record TensorRef(String layer, int node, int tensor) {
    }

    /** A model output and the layer that produced it. */
    record NamedTensor(KerasTensor tensor, String layer) {
    }

    private static final int MAX_CALLS = 1_000_000;

    private final ConversionContext ctx;
    private final KerasWeights weights;
    private final int maxNesting;
    private final Map<String, LayerWeights> weightsByLayer = new HashMap<>();
    private int calls;

    KerasModelGraph(ConversionContext ctx, KerasWeights weights, int maxNesting) {
        this.ctx = ctx;
        this.weights = weights;
        this.maxNesting = maxNesting;
    }

    static boolean isModelClass(String className) {
        return className.equals("Sequential") || className.equals("Model") || className.equals("Functional");
    }

    static String className(JsonNode model) {
        JsonNode c = model.get("class_name");
        if (c == null || !c.isString()) {
            throw KerasProblems.notAModel("the model config has no class_name");
        }
        return c.stringValue();
    }

    static JsonNode config(JsonNode model) {
        JsonNode c = model.get("config");
        if (c == null || !(c.isObject() || c.isArray())) {
            throw KerasProblems.notAModel("the model config has no config");
        }
        return c;
    }

    /** The layer entries of a model config. */
    static JsonNode layers(JsonNode model) {
        JsonNode cfg = config(model);
        JsonNode layers = cfg.isArray() ? cfg : cfg.get("layers");
        if (layers == null || !layers.isArray()) {
            throw KerasProblems.notAModel("the model config has no layers");
        }
        return layers;
    }

    /** The graph inputs the model declares. */
    List<InputSpec> inputs(JsonNode model, int depth) {
        checkDepth(depth);
        String cls = className(model);
        JsonNode layers = layers(model);
        if (cls.equals("Sequential")) {
            if (layers.isEmpty()) {
                throw KerasProblems.notAModel("the Sequential model has no layers");
            }
            KerasLayer first = KerasLayer.of(layers.get(0), "layer_0");
            if (first.isModel()) {
                return inputs(first.entry(), depth + 1);
            }
            if (first.className().equals("InputLayer")) {
                return List.of(inputSpec(first, first.name()));
            }
            JsonNode cfg = config(model);
            if (!first.config().has("batch_input_shape", "batch_shape", "input_shape", "input_dim")
                    && cfg.isObject() && cfg.get("build_input_shape") != null) {
                return List.of(new InputSpec("input_layer", shape(cfg.get("build_input_shape"), true),
                        OnnxGraphBuilder.FLOAT));
            }
            return List.of(inputSpec(first, first.name() + "_input"));
        }
        Map<String, KerasLayer> byName = byName(layers);
        List<InputSpec> specs = new ArrayList<>();
        for (TensorRef ref : refs(config(model).get("input_layers"), "input_layers")) {
            KerasLayer l = byName.get(ref.layer());
            if (l == null) {
                throw KerasProblems.notAModel("input layer " + ref.layer() + " is not among the layers");
            }
            specs.add(inputSpec(l, l.name()));
        }
        return specs;
    }

    private static InputSpec inputSpec(KerasLayer layer, String name) {
        KerasLayerConfig cfg = layer.config();
        long[] shape;
        if (cfg.has("batch_input_shape", "batch_shape")) {
            shape = shape(cfg.node("batch_input_shape", "batch_shape"), true);
        } else if (cfg.has("input_shape")) {
            shape = shape(cfg.node("input_shape"), false);
        } else if (cfg.has("input_dim")) {
            shape = new long[] {-1, cfg.integer("input_dim")};
            if (cfg.has("input_length")) {
                shape = new long[] {-1, cfg.integerOr(-1, "input_length")};
            }
        } else {
            throw KerasProblems.notAModel("layer " + layer.name() + " declares no input shape");
        }
        String dtype = cfg.string("float32", "dtype", "input_dtype");
        JsonNode d = cfg.node("dtype");
        if (d != null && d.isObject()) {
            dtype = "float32";
        }
        int elem = switch (dtype) {
            case "int32" -> OnnxGraphBuilder.INT32;
            case "int64" -> OnnxGraphBuilder.INT64;
            default -> OnnxGraphBuilder.FLOAT;
        };
        return new InputSpec(name, shape, elem);
    }

    private static long[] shape(JsonNode node, boolean withBatch) {
        if (!node.isArray() || node.size() > 16 || (withBatch && node.isEmpty())) {
            throw KerasProblems.notAModel("an input shape is malformed");
        }
        long[] s = new long[node.size() + (withBatch ? 0 : 1)];
        int off = withBatch ? 0 : 1;
        s[0] = -1;
        for (int i = 0; i < node.size(); i++) {
            JsonNode d = node.get(i);
            if (d.isNull()) {
                s[i + off] = -1;
            } else if (d.isNumber() && d.longValue() > 0 && d.longValue() <= Integer.MAX_VALUE) {
                s[i + off] = d.longValue();
            } else {
                throw KerasProblems.notAModel("an input shape has an invalid dimension");
            }
        }
        s[0] = -1;
        return s;
    }

    /** Converts {@code model} applied to {@code inputs}; returns its outputs with their layer names. */
    List<NamedTensor> run(JsonNode model, LayerRef scope, List<KerasTensor> inputs, int depth) {
        checkDepth(depth);
        String cls = className(model);
        JsonNode layers = layers(model);
        Map<String, String> storage = storageNames(layers);
        if (cls.equals("Sequential")) {
            List<KerasTensor> t = inputs;
            String last = "output";
            for (int i = 0; i < layers.size(); i++) {
                KerasLayer layer = KerasLayer.of(layers.get(i), "layer_" + i);
                if (layer.className().equals("InputLayer")) {
                    continue;
                }
                t = apply(layer, t, scope.child(layer.name(), "layers/" + storage.get(layer.name())), depth);
                last = layer.name();
            }
            List<NamedTensor> out = new ArrayList<>();
            for (KerasTensor k : t) {
                out.add(new NamedTensor(k, last));
            }
            return out;
        }
        return runFunctional(model, layers, storage, scope, inputs, depth);
    }

    private List<NamedTensor> runFunctional(JsonNode model, JsonNode layers,
            Map<String, String> storage, LayerRef scope, List<KerasTensor> inputs, int depth) {
        Map<String, KerasLayer> byName = byName(layers);
        JsonNode cfg = config(model);
        List<TensorRef> inputRefs = refs(cfg.get("input_layers"), "input_layers");
        List<TensorRef> outputRefs = refs(cfg.get("output_layers"), "output_layers");
        if (inputRefs.size() != inputs.size()) {
            throw KerasProblems.notAModel("a model with " + inputRefs.size() + " inputs is called on " + inputs.size());
        }
        Map<String, List<KerasTensor>> produced = new HashMap<>();
        for (int i = 0; i < inputRefs.size(); i++) {
            produced.put(key(inputRefs.get(i).layer(), 0), List.of(inputs.get(i)));
        }
        record Pending(KerasLayer layer, int node, List<TensorRef> in) {
        }
        List<Pending> pending = new ArrayList<>();
        for (KerasLayer layer : byName.values()) {
            if (layer.className().equals("InputLayer")) {
                continue;
            }
            JsonNode nodes = layer.entry().get("inbound_nodes");
            if (nodes == null || !nodes.isArray()) {
                continue;
            }
            for (int n = 0; n < nodes.size(); n++) {
                if (++calls > MAX_CALLS) {
                    throw KerasProblems.notAModel("the model makes too many layer calls");
                }
                pending.add(new Pending(layer, n, inboundRefs(nodes.get(n))));
            }
        }
        boolean progress = true;
        while (!pending.isEmpty() && progress) {
            progress = false;
            List<Pending> next = new ArrayList<>();
            for (Pending p : pending) {
                List<KerasTensor> in = resolve(p.in(), produced);
                if (in == null) {
                    next.add(p);
                    continue;
                }
                LayerRef ref = scope.child(p.layer().name(), "layers/" + storage.get(p.layer().name()));
                produced.put(key(p.layer().name(), p.node()), apply(p.layer(), in, ref, depth));
                progress = true;
            }
            pending = next;
        }
        List<NamedTensor> out = new ArrayList<>();
        for (TensorRef r : outputRefs) {
            List<KerasTensor> t = resolve(List.of(r), produced);
            if (t == null) {
                throw KerasProblems.notAModel("output " + r.layer() + " cannot be computed from the inputs");
            }
            out.add(new NamedTensor(t.get(0), r.layer()));
        }
        return out;
    }

    private List<KerasTensor> apply(KerasLayer layer, List<KerasTensor> inputs, LayerRef ref, int depth) {
        if (layer.isModel()) {
            return run(layer.entry(), ref, inputs, depth + 1).stream().map(NamedTensor::tensor).toList();
        }
        LayerWeights w = weightsByLayer.computeIfAbsent(ref.key(), k -> new LayerWeights(k, () -> weights.of(ref)));
        return ctx.call(layer, inputs, w);
    }

    private static List<KerasTensor> resolve(List<TensorRef> refs, Map<String, List<KerasTensor>> produced) {
        List<KerasTensor> out = new ArrayList<>();
        for (TensorRef r : refs) {
            List<KerasTensor> t = produced.get(key(r.layer(), r.node()));
            if (t == null) {
                return null;
            }
            if (r.tensor() < 0 || r.tensor() >= t.size()) {
                throw KerasProblems.notAModel("layer " + r.layer() + " has no output " + r.tensor());
            }
            out.add(t.get(r.tensor()));
        }
        return out;
    }

    private static String key(String layer, int node) {
        return layer + "\u0000" + node;
    }

    private static Map<String, KerasLayer> byName(JsonNode layers) {
        Map<String, KerasLayer> out = new LinkedHashMap<>();
        for (int i = 0; i < layers.size(); i++) {
            KerasLayer l = KerasLayer.of(layers.get(i), "layer_" + i);
            if (out.put(l.name(), l) != null) {
                throw KerasProblems.notAModel("two layers are named " + l.name());
            }
        }
        return out;
    }

    /**
     * Keras 3 stores a model's layers (input layers excluded) under the snake-case name of their
     * class, numbered from the second of a class on: dense, dense_1, ...
     */
    private static Map<String, String> storageNames(JsonNode layers) {
        Map<String, String> out = new HashMap<>();
        Map<String, Integer> used = new HashMap<>();
        for (int i = 0; i < layers.size(); i++) {
            KerasLayer l = KerasLayer.of(layers.get(i), "layer_" + i);
            if (l.className().equals("InputLayer")) {
                continue;
            }
            String base = snakeCase(l.className());
            Integer n = used.get(base);
            used.put(base, n == null ? 0 : n + 1);
            out.put(l.name(), n == null ? base : base + "_" + (n + 1));
        }
        return out;
    }

    static String snakeCase(String name) {
        String s = name.replaceAll("\\W+", "");
        s = s.replaceAll("(.)([A-Z][a-z]+)", "$1_$2");
        s = s.replaceAll("([a-z])([A-Z])", "$1_$2");
        return s.toLowerCase(java.util.Locale.ROOT);
    }

    /** input_layers / output_layers: a list of [name, node, tensor], or one such triple. */
    static List<TensorRef> refs(JsonNode node, String what) {
        if (node == null || !node.isArray()) {
            throw KerasProblems.notAModel("the model config has no " + what);
        }
        if (!node.isEmpty() && node.get(0).isString()) {
            return List.of(ref(node, what));
        }
        List<TensorRef> out = new ArrayList<>();
        for (JsonNode r : node) {
            out.add(ref(r, what));
        }
        return out;
    }

    private static TensorRef ref(JsonNode r, String what) {
        if (!r.isArray() || r.size() < 1 || !r.get(0).isString()) {
            throw KerasProblems.notAModel("an entry of " + what + " is malformed");
        }
        int node = r.size() > 1 && r.get(1).isNumber() ? r.get(1).intValue() : 0;
        int tensor = r.size() > 2 && r.get(2).isNumber() ? r.get(2).intValue() : 0;
        return new TensorRef(r.get(0).stringValue(), node, tensor);
    }

    /** The tensors one call consumes: Keras 1/2 lists of [name, node, tensor, kwargs] or Keras 3 args. */
    static List<TensorRef> inboundRefs(JsonNode node) {
        List<TensorRef> out = new ArrayList<>();
        if (node.isObject()) {
            JsonNode args = node.get("args");
            if (args == null) {
                throw KerasProblems.notAModel("an inbound node has no args");
            }
            collectKerasTensors(args, out, 0);
        } else if (node.isArray()) {
            for (JsonNode entry : node) {
                out.add(ref(entry, "inbound_nodes"));
            }
        } else {
            throw KerasProblems.notAModel("an inbound node is malformed");
        }
        return out;
    }

    private static void collectKerasTensors(JsonNode v, List<TensorRef> out, int depth) {
        if (depth > 32) {
            throw KerasProblems.notAModel("inbound node arguments are nested too deeply");
        }
        if (v.isObject()) {
            JsonNode cls = v.get("class_name");
            if (cls != null && cls.isString() && cls.stringValue().equals("__keras_tensor__")) {
                JsonNode history = v.path("config").get("keras_history");
                if (history == null) {
                    throw KerasProblems.notAModel("a Keras tensor has no keras_history");
                }
                out.add(ref(history, "keras_history"));
                return;
            }
            for (JsonNode c : v.values()) {
                collectKerasTensors(c, out, depth + 1);
            }
        } else if (v.isArray()) {
            for (JsonNode c : v) {
                collectKerasTensors(c, out, depth + 1);
            }
        }
    }

    private void checkDepth(int depth) {
        if (depth > maxNesting) {
            throw KerasProblems.notAModel("models are nested more than " + maxNesting + " deep");
        }
    }
}
