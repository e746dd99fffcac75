package io.plugboard.convert.keras;

import io.jhdf.api.Dataset;
import io.jhdf.api.Group;
import io.jhdf.api.Node;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * Weights of a Keras 3 {@code model.weights.h5}: each layer is a group named after its class in
 * snake case ({@code layers/dense}, {@code layers/dense_1}, ...) holding its variables as datasets
 * {@code vars/0}, {@code vars/1}, ...; sub-layers (an RNN's {@code cell}, a wrapper's
 * {@code layer}, {@code forward_layer} and {@code backward_layer}) are child groups.
 */
final class VarsLayerWeights implements KerasWeights {

    private static final List<String> CHILD_ORDER = List.of("cell", "layer", "forward_layer", "backward_layer");
    private static final int MAX_DEPTH = 16;

    private final Group root;
    private final WeightBudget budget;

    VarsLayerWeights(Group root, WeightBudget budget) {
        this.root = root;
        this.budget = budget;
    }

    @Override
    public List<KerasArray> of(LayerRef layer) {
        Node node = find(layer.storagePath());
        if (node == null) {
            return List.of();
        }
        if (!(node instanceof Group group)) {
            throw KerasProblems.notAModel("weights of layer " + layer.key() + " are not a group");
        }
        List<KerasArray> out = new ArrayList<>();
        collect(group, out, 0);
        return out;
    }

    private Node find(String path) {
        Node node = root;
        for (String part : path.split("/")) {
            if (part.isEmpty()) {
                continue;
            }
            if (!(node instanceof Group g)) {
                return null;
            }
            Node next = g.getChildren().get(part);
            if (next == null && part.equals("layers")) {
                next = g.getChildren().get("_layer_checkpoint_dependencies");
            }
            if (next == null) {
                return null;
            }
            node = next;
        }
        return node;
    }

    private void collect(Group group, List<KerasArray> out, int depth) {
        if (depth > MAX_DEPTH) {
            throw KerasProblems.notAModel("weight groups are nested too deeply");
        }
        Map<String, Node> children = group.getChildren();
        if (children.get("vars") instanceof Group vars) {
            List<Map.Entry<String, Node>> entries = new ArrayList<>(vars.getChildren().entrySet());
            entries.sort(Comparator.comparingLong(e -> index(e.getKey())));
            for (Map.Entry<String, Node> e : entries) {
                if (!(e.getValue() instanceof Dataset ds)) {
                    throw KerasProblems.notAModel("variable " + e.getValue().getPath() + " is not a dataset");
                }
                out.add(H5Values.floats(ds, budget));
            }
        }
        for (String child : CHILD_ORDER) {
            if (children.get(child) instanceof Group g) {
                collect(g, out, depth + 1);
            }
        }
    }

    private static long index(String name) {
        try {
            return Long.parseLong(name);
        } catch (NumberFormatException e) {
            throw KerasProblems.notAModel("variable name " + name + " is not an index");
        }
    }
}
