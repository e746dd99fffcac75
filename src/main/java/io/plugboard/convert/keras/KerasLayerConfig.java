package io.plugboard.convert.keras;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.JsonNodeFactory;

/**
 * Typed access to one layer's {@code config} object, accepting the spellings of several Keras
 * versions for the same setting (the first key present wins).
 */
final class KerasLayerConfig {

    private final String layerName;
    private final JsonNode config;

    KerasLayerConfig(String layerName, JsonNode config) {
        this.layerName = layerName;
        this.config = config == null || !config.isObject() ? JsonNodeFactory.instance.objectNode() : config;
    }

    JsonNode raw() {
        return config;
    }

    JsonNode node(String... keys) {
        for (String k : keys) {
            JsonNode v = config.get(k);
            if (v != null && !v.isNull()) {
                return v;
            }
        }
        return null;
    }

    boolean has(String... keys) {
        return node(keys) != null;
    }

    int integer(String... keys) {
        JsonNode v = node(keys);
        if (v == null) {
            throw bad("is missing " + keys[0]);
        }
        return toInt(v, keys[0]);
    }

    int integerOr(int def, String... keys) {
        JsonNode v = node(keys);
        return v == null ? def : toInt(v, keys[0]);
    }

    double number(double def, String... keys) {
        JsonNode v = node(keys);
        if (v == null) {
            return def;
        }
        if (v.isArray() && v.size() == 1) {
            v = v.get(0);
        }
        if (!v.isNumber()) {
            throw bad("has a non-numeric " + keys[0]);
        }
        return v.doubleValue();
    }

    /** A number that may be absent or null (e.g. {@code max_value}). */
    Double optionalNumber(String... keys) {
        JsonNode v = node(keys);
        if (v == null) {
            return null;
        }
        if (!v.isNumber()) {
            throw bad("has a non-numeric " + keys[0]);
        }
        return v.doubleValue();
    }

    boolean bool(boolean def, String... keys) {
        JsonNode v = node(keys);
        if (v == null) {
            return def;
        }
        if (!v.isBoolean()) {
            throw bad("has a non-boolean " + keys[0]);
        }
        return v.booleanValue();
    }

    String string(String def, String... keys) {
        JsonNode v = node(keys);
        if (v == null) {
            return def;
        }
        if (!v.isString()) {
            throw bad("has a non-string " + keys[0]);
        }
        return v.stringValue();
    }

    /** An n-tuple setting given either as one integer or as a list of n integers. */
    int[] tuple(int n, int[] def, String... keys) {
        JsonNode v = node(keys);
        if (v == null) {
            if (def == null) {
                throw bad("is missing " + keys[0]);
            }
            return def;
        }
        int[] out = new int[n];
        if (v.isNumber()) {
            java.util.Arrays.fill(out, toInt(v, keys[0]));
            return out;
        }
        if (!v.isArray() || v.size() != n) {
            throw bad("has " + keys[0] + " of the wrong length");
        }
        for (int i = 0; i < n; i++) {
            out[i] = toInt(v.get(i), keys[0]);
        }
        return out;
    }

    /** Per-axis (before, after) pairs given as an int, a list of n ints, or a list of n pairs. */
    int[][] pairs(int n, String key) {
        JsonNode v = node(key);
        int[][] out = new int[n][2];
        if (v == null) {
            return out;
        }
        if (v.isNumber()) {
            int p = toInt(v, key);
            for (int[] pair : out) {
                pair[0] = p;
                pair[1] = p;
            }
            return out;
        }
        if (!v.isArray()) {
            throw bad("has a malformed " + key);
        }
        if (n == 1 && v.size() == 2 && v.get(0).isNumber()) {
            out[0][0] = toInt(v.get(0), key);
            out[0][1] = toInt(v.get(1), key);
            return out;
        }
        if (v.size() != n) {
            throw bad("has " + key + " of the wrong length");
        }
        for (int i = 0; i < n; i++) {
            JsonNode p = v.get(i);
            if (p.isNumber()) {
                out[i][0] = toInt(p, key);
                out[i][1] = out[i][0];
            } else if (p.isArray() && p.size() == 2) {
                out[i][0] = toInt(p.get(0), key);
                out[i][1] = toInt(p.get(1), key);
            } else {
                throw bad("has a malformed " + key);
            }
        }
        return out;
    }

    /** True for channels-first data (Keras 2/3 {@code data_format}, Keras 1 {@code dim_ordering}). */
    boolean channelsFirst(String backend) {
        String f = string(null, "data_format");
        if (f != null) {
            return f.equals("channels_first");
        }
        String d = string(null, "dim_ordering");
        if (d != null) {
            if (d.equals("default")) {
                return backend.equals("theano");
            }
            return d.equals("th");
        }
        return false;
    }

    String padding() {
        return string("valid", "padding", "border_mode").toLowerCase(java.util.Locale.ROOT);
    }

    io.plugboard.problem.PlugboardException bad(String what) {
        return KerasProblems.notAModel("layer " + layerName + " " + what);
    }

    private int toInt(JsonNode v, String key) {
        if (!v.isNumber()) {
            throw bad("has a non-numeric " + key);
        }
        double d = v.doubleValue();
        if (d != Math.rint(d) || d > Integer.MAX_VALUE || d < Integer.MIN_VALUE) {
            throw bad("has a non-integer " + key);
        }
        return (int) d;
    }
}
