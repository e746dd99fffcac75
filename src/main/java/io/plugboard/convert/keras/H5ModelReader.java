package io.plugboard.convert.keras;

import io.jhdf.HdfFile;
import io.jhdf.api.Group;
import io.jhdf.api.Node;
import java.util.Map;
import tools.jackson.databind.JsonNode;

/** Reads a Keras 1/2 whole-model HDF5 file ({@code model.save("model.h5")}). */
final class H5ModelReader {

    private final KerasJson json;

    H5ModelReader(KerasJson json) {
        this.json = json;
    }

    /** The model in {@code file}; the weights stay readable while {@code file} is open. */
    KerasModelSource read(HdfFile file, long fileBytes, long maxWeightBytes) {
        String config = H5Values.string(file, "model_config");
        if (config == null) {
            if (looksLikeWeights(file)) {
                throw KerasProblems.weightsOnly();
            }
            throw KerasProblems.notAModel("the HDF5 file has no model_config attribute");
        }
        JsonNode model = json.parse(config, "model_config");
        Group weightsRoot = file;
        Node mw = file.getChildren().get("model_weights");
        if (mw instanceof Group g) {
            weightsRoot = g;
        }
        String version = H5Values.string(file, "keras_version");
        if (version == null) {
            version = H5Values.string(weightsRoot, "keras_version");
        }
        String backend = H5Values.string(file, "backend");
        if (backend == null) {
            backend = H5Values.string(weightsRoot, "backend");
        }
        return new KerasModelSource(version == null ? "unknown" : version, backend == null ? "" : backend,
                model, new H5LayerWeights(weightsRoot, new WeightBudget(maxWeightBytes, fileBytes)));
    }

    private static boolean looksLikeWeights(HdfFile file) {
        Map<String, Node> children = file.getChildren();
        if (file.getAttributes().containsKey("layer_names")) {
            return true;
        }
        if (children.get("model_weights") instanceof Group g && g.getAttributes().containsKey("layer_names")) {
            return true;
        }
        return children.containsKey("layers") || children.containsKey("_layer_checkpoint_dependencies")
                || children.containsKey("vars");
    }
}
