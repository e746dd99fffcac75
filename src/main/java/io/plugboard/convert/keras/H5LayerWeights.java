package io.plugboard.convert.keras;

import io.jhdf.api.Dataset;
import io.jhdf.api.Group;
import io.jhdf.api.Node;
import java.util.ArrayList;
import java.util.List;

/**
 * Weights of a Keras 1/2 whole-model HDF5 file: one group per top-level layer (under
 * {@code model_weights}, or at the root in some files) whose {@code weight_names} attribute names its
 * datasets in order. Weights of layers inside nested models sit in the nested model's group, named
 * with the inner layer's name as one path segment.
 */
final class H5LayerWeights implements KerasWeights {

    private final Group root;
    private final WeightBudget budget;

    H5LayerWeights(Group root, WeightBudget budget) {
        this.root = root;
        this.budget = budget;
    }

    @Override
    public List<KerasArray> of(LayerRef layer) {
        List<String> path = layer.namePath();
        Node node = root.getChildren().get(path.get(0));
        if (node == null) {
            return List.of();
        }
        if (!(node instanceof Group group)) {
            throw KerasProblems.notAModel("weights of layer " + path.get(0) + " are not a group");
        }
        List<String> names = H5Values.strings(group, "weight_names");
        if (names == null) {
            return List.of();
        }
        if (path.size() > 1) {
            names = innerNames(names, path.get(path.size() - 1));
        }
        List<KerasArray> out = new ArrayList<>();
        for (String name : names) {
            Node n;
            try {
                n = group.getByPath(name);
            } catch (RuntimeException e) {
                throw KerasProblems.notAModel("weight " + name + " of layer " + layer.key() + " is missing", e);
            }
            if (!(n instanceof Dataset ds)) {
                throw KerasProblems.notAModel("weight " + name + " of layer " + layer.key() + " is not a dataset");
            }
            out.add(H5Values.floats(ds, budget));
        }
        return out;
    }

    private static List<String> innerNames(List<String> names, String inner) {
        List<String> out = new ArrayList<>();
        for (String n : names) {
            String[] segments = n.split("/");
            for (int i = 0; i < segments.length - 1; i++) {
                if (segments[i].equals(inner)) {
                    out.add(n);
                    break;
                }
            }
        }
        return out;
    }
}
