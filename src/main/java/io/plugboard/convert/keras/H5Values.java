package io.plugboard.convert.keras;

import io.jhdf.api.Attribute;
import io.jhdf.api.Dataset;
import io.jhdf.api.Node;
import java.lang.reflect.Array;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** Reads strings and float arrays out of HDF5 attributes and datasets, within bounds. */
final class H5Values {

    /** Longest string attribute read (the model config JSON is the longest there is). */
    static final long MAX_STRING_BYTES = 64L * 1024 * 1024;
    /** Most entries in a string-list attribute such as {@code layer_names}. */
    static final long MAX_LIST_ENTRIES = 1_000_000;

    private H5Values() {
    }

    /** The attribute as one string, or null when the node does not have it. */
    static String string(Node node, String name) {
        Attribute a = node.getAttributes().get(name);
        if (a == null) {
            return null;
        }
        checkSize(a, name);
        Object data = a.getData();
        if (data instanceof String s) {
            return s;
        }
        if (data instanceof byte[] b) {
            return new String(b, StandardCharsets.UTF_8);
        }
        if (data != null && data.getClass().isArray() && Array.getLength(data) == 1
                && Array.get(data, 0) instanceof String s) {
            return s;
        }
        throw KerasProblems.notAModel("attribute " + name + " is not a string");
    }

    /** The attribute as a list of strings (an empty numeric array counts as an empty list). */
    static List<String> strings(Node node, String name) {
        Attribute a = node.getAttributes().get(name);
        if (a == null) {
            return null;
        }
        checkSize(a, name);
        if (a.getSize() > MAX_LIST_ENTRIES) {
            throw KerasProblems.notAModel("attribute " + name + " has too many entries");
        }
        if (a.isEmpty()) {
            return List.of();
        }
        Object data = a.getData();
        List<String> out = new ArrayList<>();
        collect(data, out, name);
        return out;
    }

    private static void collect(Object data, List<String> out, String name) {
        if (data instanceof String s) {
            out.add(s);
        } else if (data instanceof byte[] b) {
            out.add(new String(b, StandardCharsets.UTF_8));
        } else if (data != null && data.getClass().isArray() && !data.getClass().getComponentType().isPrimitive()) {
            int n = Array.getLength(data);
            for (int i = 0; i < n; i++) {
                collect(Array.get(data, i), out, name);
            }
        } else if (data != null && data.getClass().isArray() && Array.getLength(data) == 0) {
            return;
        } else {
            throw KerasProblems.notAModel("attribute " + name + " is not a list of strings");
        }
    }

    private static void checkSize(Attribute a, String name) {
        long size = a.getSizeInBytes();
        if (size < 0 || size > MAX_STRING_BYTES) {
            throw KerasProblems.notAModel("attribute " + name + " is too large");
        }
    }

    /** Reads a float dataset after checking its declared size against the budget. */
    static KerasArray floats(Dataset ds, WeightBudget budget) {
        int[] dims = ds.isScalar() ? new int[0] : ds.getDimensions();
        long count = 1;
        long[] shape = new long[dims.length];
        for (int i = 0; i < dims.length; i++) {
            if (dims[i] < 0) {
                throw KerasProblems.notAModel("dataset " + ds.getPath() + " has a negative dimension");
            }
            shape[i] = dims[i];
            count = Math.multiplyExact(count, (long) dims[i]);
            if (count > Integer.MAX_VALUE / 8) {
                throw KerasProblems.notAModel("dataset " + ds.getPath() + " is too large");
            }
        }
        Class<?> type = ds.getJavaType();
        int elementSize;
        if (type == float.class || type == Float.class) {
            elementSize = 4;
        } else if (type == double.class || type == Double.class) {
            elementSize = 8;
        } else {
            throw KerasProblems.notAModel("dataset " + ds.getPath() + " does not hold floating-point numbers");
        }
        boolean compressed = ds.getFilters() != null && !ds.getFilters().isEmpty();
        budget.claim(count * elementSize, compressed, ds.getPath());
        if (count == 0) {
            return new KerasArray(shape, new float[0]);
        }
        Object flat = ds.getDataFlat();
        float[] out;
        if (flat instanceof float[] f) {
            out = f;
        } else if (flat instanceof double[] d) {
            out = new float[d.length];
            for (int i = 0; i < d.length; i++) {
                out[i] = (float) d[i];
            }
        } else {
            throw KerasProblems.notAModel("dataset " + ds.getPath() + " could not be read as floats");
        }
        if (out.length != count) {
            throw KerasProblems.notAModel("dataset " + ds.getPath() + " holds fewer values than declared");
        }
        return new KerasArray(shape, out);
    }
}
