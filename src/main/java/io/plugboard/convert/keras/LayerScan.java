package io.plugboard.convert.keras;

import java.util.List;
import java.util.TreeSet;
import tools.jackson.databind.JsonNode;

/**
 * Walks a whole model config before conversion: counts layers against the limit, bounds nesting,
 * and collects every layer class (and every activation) that cannot be converted.
 */
final class LayerScan {

    /** What the walk found. */
    record Result(List<String> classes, List<String> unsupported) {
    }

    private final LayerConverters converters;
    private final KerasLimits limits;
    private final TreeSet<String> classes = new TreeSet<>();
    private final TreeSet<String> unsupported = new TreeSet<>();
    private int layers;

    LayerScan(LayerConverters converters, KerasLimits limits) {
        this.converters = converters;
        this.limits = limits;
    }

    Result scan(JsonNode model) {
        model(model, 0);
        return new Result(List.copyOf(classes), List.copyOf(unsupported));
    }

    private void model(JsonNode model, int depth) {
        if (depth > limits.maxNesting()) {
            throw KerasProblems.notAModel("models are nested more than " + limits.maxNesting() + " deep");
        }
        String cls = KerasModelGraph.className(model);
        if (!KerasModelGraph.isModelClass(cls)) {
            unsupported.add(cls);
            return;
        }
        JsonNode list = KerasModelGraph.layers(model);
        for (int i = 0; i < list.size(); i++) {
            layer(list.get(i), depth, false);
        }
    }

    private void layer(JsonNode entry, int depth, boolean wrapped) {
        if (++layers > limits.maxLayers()) {
            throw KerasProblems.notAModel("the model has more than " + limits.maxLayers() + " layers");
        }
        KerasLayer layer = KerasLayer.of(entry, "layer");
        String cls = layer.className();
        if (cls.length() > 200) {
            throw KerasProblems.notAModel("a layer class name is too long");
        }
        classes.add(cls);
        if (layer.isModel()) {
            if (wrapped) {
                unsupported.add(cls + " inside a wrapper layer");
                return;
            }
            model(entry, depth + 1);
            return;
        }
        if (cls.equals("InputLayer")) {
            return;
        }
        if (!converters.supports(cls)) {
            unsupported.add(cls);
            return;
        }
        for (String key : List.of("activation", "recurrent_activation", "inner_activation")) {
            JsonNode a = layer.config().node(key);
            if (a != null) {
                String name = Activations.nameOf(a);
                if (!Activations.SUPPORTED.contains(name)) {
                    unsupported.add("activation " + (name.length() > 100 ? name.substring(0, 100) : name));
                }
            }
        }
        for (String key : List.of("layer", "backward_layer")) {
            JsonNode inner = layer.config().node(key);
            if (inner != null && (cls.equals("Bidirectional") || cls.equals("TimeDistributed"))) {
                layer(inner, depth + 1, true);
            }
        }
    }
}
