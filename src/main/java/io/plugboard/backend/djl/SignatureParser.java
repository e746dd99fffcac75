package io.plugboard.backend.djl;

import io.plugboard.backend.ModelSignature;
import io.plugboard.problem.PlugboardException;
import io.plugboard.problem.ProblemType;
import io.plugboard.tensor.DataType;
import io.plugboard.tensor.TensorSpec;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Reads the optional {@code signature} upload field:
 * {@code {"inputs":[{"name":"input0","datatype":"FP32","shape":[-1,4]}],"outputs":[…]}}. Entries
 * are positional: the first input feeds the engine's first argument.
 */
final class SignatureParser {

    private static final JsonMapper JSON = JsonMapper.builder()
            .enable(tools.jackson.core.StreamReadFeature.STRICT_DUPLICATE_DETECTION).build(); // a name given twice is refused

    private SignatureParser() {
    }

    static ModelSignature parse(String json) {
        try {
            JsonNode root = JSON.readTree(json);
            if (root == null || !root.isObject()) {
                throw invalid("it must be a JSON object with 'inputs' and 'outputs' arrays");
            }
            return new ModelSignature(specs(root.get("inputs"), "inputs"), specs(root.get("outputs"), "outputs"));
        } catch (JacksonException e) {
            throw invalid("it is not valid JSON (" + e.getOriginalMessage() + ")");
        }
    }

    /**
     * Only the names of a {@code signature} field ({@code {"inputs":[{"name":"x"}],"outputs":[…]}});
     * datatypes and shapes may be left out. A missing array names nothing.
     */
    static FrozenGraph.Names names(String json) {
        try {
            JsonNode root = JSON.readTree(json);
            if (root == null || !root.isObject()) {
                throw invalid("it must be a JSON object with 'inputs' and/or 'outputs' arrays");
            }
            return new FrozenGraph.Names(names(root.get("inputs"), "inputs"), names(root.get("outputs"), "outputs"));
        } catch (JacksonException e) {
            throw invalid("it is not valid JSON (" + e.getOriginalMessage() + ")");
        }
    }

    private static List<String> names(JsonNode array, String field) {
        if (array == null || array.isNull()) {
            return List.of();
        }
        if (!array.isArray() || array.size() > 1024) {
            throw invalid("'" + field + "' must be an array of at most 1024 entries");
        }
        List<String> names = new ArrayList<>();
        for (JsonNode entry : array) {
            String name = entry.path("name").asString("");
            if (name.isEmpty() || name.length() > 256 || names.contains(name)) {
                throw invalid("every entry of '" + field + "' needs a distinct 'name' of at most 256 characters");
            }
            names.add(name);
        }
        return names;
    }

    private static List<TensorSpec> specs(JsonNode array, String field) {
        if (array == null || !array.isArray()) {
            throw invalid("'" + field + "' must be an array");
        }
        List<TensorSpec> specs = new ArrayList<>();
        Set<String> names = new HashSet<>();
        for (JsonNode entry : array) {
            String name = entry.path("name").asString("");
            if (name.isEmpty() || !names.add(name)) {
                throw invalid("every entry of '" + field + "' needs a distinct 'name'");
            }
            String type = entry.path("datatype").asString("");
            DataType datatype = DataType.fromName(type).orElseThrow(() ->
                    invalid("'" + name + "' has unknown datatype '" + type + "'"));
            JsonNode shapeNode = entry.get("shape");
            long[] shape = null;
            if (shapeNode != null && !shapeNode.isNull()) {
                if (!shapeNode.isArray() || shapeNode.size() > 32) {
                    throw invalid("'" + name + "' needs 'shape' as an array of at most 32 integers");
                }
                shape = new long[shapeNode.size()];
                for (int i = 0; i < shape.length; i++) {
                    JsonNode d = shapeNode.get(i);
                    if (!d.isIntegralNumber() || d.asLong() < -1) {
                        throw invalid("'" + name + "' has a bad dimension " + d + " (use -1 for dynamic)");
                    }
                    shape[i] = d.asLong();
                }
            }
            specs.add(new TensorSpec(name, datatype, shape));
        }
        return specs;
    }

    private static PlugboardException invalid(String why) {
        return new PlugboardException(ProblemType.INVALID_PARAMETER, "The 'signature' field is invalid: " + why + ".",
                Map.of("parameter", "signature"));
    }
}
