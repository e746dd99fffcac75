package io.plugboard.backend.djl;

import io.plugboard.problem.PlugboardException;
import io.plugboard.problem.ProblemType;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Reads an MXNet symbol file ({@code -symbol.json}) before MXNet does, and refuses what its graph
 * loader trusts: an input naming a later node or an output its node does not have, heads and
 * argument nodes that point nowhere, sizes, kernels and strides that are not positive or are
 * unbounded, and the operators that run code from outside the graph ({@code Custom}: registered
 * Python; {@code _Native}/{@code _NDArray}: a function address taken from the file).
 */
final class MxNetSymbolCheck {

    private static final JsonMapper JSON = JsonMapper.builder()
            .enable(tools.jackson.core.StreamReadFeature.STRICT_DUPLICATE_DETECTION).build(); // a name given twice is refused
    private static final int MAX_NODES = 1 << 17;
    private static final long MAX_SIZE = 1 << 24;
    private static final long MAX_WINDOW = 1 << 16;
    private static final Set<String> HOST_CODE = Set.of("custom", "_native", "_ndarray", "_customfunction");
    /** Attributes that are counts or sizes: positive and bounded. */
    private static final Set<String> POSITIVE = Set.of("num_hidden", "num_filter", "num_group", "num_outputs",
            "num_args", "kernel", "stride", "dilate", "state_size", "num_layers", "output_dim", "input_dim",
            "sections");
    /** Attributes that may be zero but not negative. */
    private static final Set<String> NOT_NEGATIVE = Set.of("pad", "adj", "target_shape");

    /** Real symbol files are kilobytes to a few megabytes; Jackson's tree of one costs several times its size. */
    static final long MAX_SYMBOL_BYTES = 64L << 20;

    private MxNetSymbolCheck() {
    }

    /** Checks the symbol file: its size first, so a huge one is never read into memory. */
    static void check(java.nio.file.Path symbol) throws java.io.IOException {
        long size = java.nio.file.Files.size(symbol);
        if (size > MAX_SYMBOL_BYTES) {
            throw refused("is " + (size >> 20) + " MB, larger than " + (MAX_SYMBOL_BYTES >> 20) + " MB");
        }
        check(new String(java.nio.file.Files.readAllBytes(symbol), java.nio.charset.StandardCharsets.UTF_8));
    }

    static void check(String symbol) {
        JsonNode root;
        try {
            root = JSON.readTree(symbol);
        } catch (JacksonException e) {
            throw refused("is not valid JSON (" + e.getOriginalMessage() + ")");
        }
        if (root == null || !root.isObject() || !root.path("nodes").isArray()) {
            throw refused("has no 'nodes' list");
        }
        JsonNode nodes = root.get("nodes");
        if (nodes.size() == 0 || nodes.size() > MAX_NODES) {
            throw refused("has " + nodes.size() + " nodes (1 to " + MAX_NODES + ")");
        }
        int[] outputs = new int[nodes.size()];
        for (int i = 0; i < nodes.size(); i++) {
            JsonNode node = nodes.get(i);
            String op = node.path("op").asString("");
            if (!node.isObject() || op.isEmpty()) {
                throw refused("has node " + i + " without an 'op'");
            }
            if (HOST_CODE.contains(op.toLowerCase(Locale.ROOT))) {
                throw new PlugboardException(ProblemType.UNSAFE_MODEL, "The MXNet symbol's node " + i + " uses the '"
                        + op + "' operator, which runs code from outside the graph; it is refused before MXNet reads "
                        + "it.", Map.of("operation", op, "node", i));
            }
            JsonNode attrs = attributes(node);
            checkAttributes(attrs, i);
            JsonNode inputs = node.path("inputs");
            if (!inputs.isMissingNode() && !inputs.isArray()) {
                throw refused("has node " + i + " whose 'inputs' is not a list");
            }
            for (JsonNode entry : inputs) {
                checkEntry(entry, i, outputs, "node " + i + " input");
            }
            outputs[i] = outputCount(op, attrs);
        }
        JsonNode args = root.path("arg_nodes");
        for (JsonNode arg : args) {
            int index = arg.isIntegralNumber() && arg.canConvertToInt() ? arg.asInt() : -1;
            if (index < 0 || index >= nodes.size() || !"null".equals(nodes.get(index).path("op").asString(""))) {
                throw refused("names argument node " + arg + ", which is not one of its variables");
            }
        }
        JsonNode heads = root.path("heads");
        if (!heads.isArray() || heads.size() == 0) {
            throw refused("has no 'heads' (outputs)");
        }
        for (JsonNode head : heads) {
            checkEntry(head, nodes.size(), outputs, "head");
        }
    }

    /** An entry [node, output(, version)]: an earlier node, and an output that node has. */
    private static void checkEntry(JsonNode entry, int before, int[] outputs, String where) {
        if (!entry.isArray() || entry.size() < 2 || entry.size() > 3 || !entry.get(0).isIntegralNumber()
                || !entry.get(1).isIntegralNumber() || !entry.get(0).canConvertToLong()
                || !entry.get(1).canConvertToLong()) {
            throw refused("has a " + where + " that is not [node, output]");
        }
        long node = entry.get(0).asLong();
        long output = entry.get(1).asLong();
        if (node < 0 || node >= before) {
            throw refused("has a " + where + " naming node " + node + ", which does not come before it");
        }
        if (output < 0 || output >= outputs[(int) node]) {
            throw refused("has a " + where + " naming output " + output + " of node " + node + ", which has "
                    + outputs[(int) node]);
        }
    }

    private static JsonNode attributes(JsonNode node) {
        for (String key : new String[] {"attrs", "attr", "param"}) {
            if (node.path(key).isObject()) {
                return node.get(key);
            }
        }
        return JSON.createObjectNode();
    }

    private static void checkAttributes(JsonNode attrs, int node) {
        for (var field : attrs.properties()) {
            String key = field.getKey();
            boolean positive = POSITIVE.contains(key);
            if (!positive && !NOT_NEGATIVE.contains(key)) {
                continue;
            }
            String value = field.getValue().asString("");
            long limit = key.equals("kernel") || key.equals("stride") || key.equals("dilate") || key.equals("pad")
                    || key.equals("adj") ? MAX_WINDOW : MAX_SIZE;
            String[] numbers = value.replaceAll("[()\\[\\]\\sL]", "").split(",");
            for (String number : numbers) {
                if (number.isEmpty()) {
                    continue;
                }
                long n;
                try {
                    n = Long.parseLong(number);
                } catch (NumberFormatException e) {
                    throw refused("has node " + node + " with " + key + "=" + shortened(value) + ", which is not a "
                            + "list of integers");
                }
                if ((positive ? n < 1 : n < 0) || n > limit) {
                    throw refused("has node " + node + " with " + key + "=" + shortened(value) + " (each value "
                            + (positive ? "1" : "0") + " to " + limit + ")");
                }
            }
        }
    }

    /** The outputs a node has; nodes with several are known by their operator and attributes. */
    private static int outputCount(String op, JsonNode attrs) {
        return switch (op) {
            case "SliceChannel", "split" -> (int) Math.min(MAX_SIZE, Math.max(1, number(attrs, "num_outputs", 1)));
            case "BatchNorm", "SyncBatchNorm", "_contrib_SyncBatchNorm", "BatchNorm_v1" -> 3;
            case "Dropout", "LRN" -> 2;
            case "topk" -> "both".equals(attrs.path("ret_typ").asString("")) ? 2 : 1;
            case "RNN" -> Boolean.parseBoolean(attrs.path("state_outputs").asString("false"))
                    ? ("lstm".equals(attrs.path("mode").asString("")) ? 3 : 2) : 1;
            default -> 1;
        };
    }

    private static long number(JsonNode attrs, String key, long absent) {
        try {
            return Long.parseLong(attrs.path(key).asString(Long.toString(absent)).trim());
        } catch (NumberFormatException e) {
            return absent;
        }
    }

    private static String shortened(String value) {
        return value.length() > 40 ? value.substring(0, 40) + "…" : value;
    }

    private static PlugboardException refused(String what) {
        return new PlugboardException(ProblemType.MODEL_LOAD_FAILED, "The MXNet symbol " + what
                + "; it is refused before MXNet reads it.");
    }
}
