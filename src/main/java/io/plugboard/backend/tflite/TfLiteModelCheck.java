package io.plugboard.backend.tflite;

import io.plugboard.problem.PlugboardException;
import io.plugboard.problem.ProblemType;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads a TensorFlow Lite flatbuffer's structure before TensorFlow Lite does, and refuses what its
 * interpreter builder would trust: indices (operator codes, tensors, buffers, subgraphs) that point
 * nowhere, constant buffers whose size does not match their tensor, shapes that are negative or
 * too large, quantization that does not fit its tensor, subgraphs that call themselves, sparse
 * tensors, and operators the server does not run (custom, delegate, StableHLO). TensorFlow Lite's
 * own verifier checks the flatbuffer's encoding; this checks what the encoding means.
 */
final class TfLiteModelCheck {

    private static final int SCHEMA_VERSION = 3;
    private static final int MAX_LIST = 1 << 20;
    private static final int MAX_SUBGRAPHS = 1024;
    private static final int MAX_RANK = 16;
    /** Elements one tensor may declare. */
    private static final long MAX_ELEMENTS = 1L << 31;
    private static final int CALL = 31;
    private static final int CUSTOM = 32;
    private static final int DELEGATE = 51;
    private static final int IF = 118;
    private static final int WHILE = 119;
    private static final int PLACEHOLDER = 127;
    private static final int CALL_ONCE = 129;
    /** Past this the builtin codes are StableHLO ops, which the interpreter mostly cannot run. */
    private static final int LAST_SERVED_CODE = 161;
    /** Bytes per element by TensorType; 0 where not fixed (string, resource, variant, int4). */
    private static final int[] ELEMENT_BYTES = {4, 2, 4, 1, 8, 0, 1, 2, 8, 1, 8, 16, 8, 0, 0, 4, 2, 0, 2};
    private static final int STRING = 5;
    private static final int UINT8 = 3;
    private static final int INT16 = 7;
    private static final int INT8 = 9;
    /**
     * Operators whose quantized kernels derive fixed-point multipliers from their tensors' scales
     * (TensorFlow Lite aborts the process on a missing one).
     */
    /**
     * Operators with inputs a model may leave out (-1): biases, recurrent states and projections.
     * Any other operator's kernel reads every input it counts (a left-out RESHAPE shape crashed it).
     */
    private static final java.util.Set<Integer> OPTIONAL_INPUTS = java.util.Set.of(3, 4, 9, 16, 24, 27, 35, 44, 46,
            52, 67, 132, 141);
    private static final java.util.Set<Integer> QUANTIZED_ARITHMETIC = java.util.Set.of(0, 1, 2, 3, 4, 9, 11, 14,
            18, 25, 28, 40, 41, 42, 54, 67, 74, 98, 99, 117, 126);
    private static final int INT4 = 17;

    private TfLiteModelCheck() {
    }

    /** Checks the model; the buffer is the whole file. */
    static void check(ByteBuffer file) {
        try {
            checkModel(file);
        } catch (FlatTable.Malformed e) {
            throw refused("is not a well-formed TensorFlow Lite flatbuffer: " + e.getMessage(), Map.of());
        }
    }

    private static void checkModel(ByteBuffer file) {
        if (file.limit() < 8) {
            throw refused("is too short to be a TensorFlow Lite model", Map.of());
        }
        byte[] identifier = new byte[4];
        file.duplicate().position(4).get(identifier);
        if (!"TFL3".equals(new String(identifier, StandardCharsets.ISO_8859_1))) {
            throw refused("does not carry the TensorFlow Lite file identifier TFL3", Map.of());
        }
        FlatTable model = FlatTable.root(file);
        long version = model.uint32(0, 0);
        if (version != SCHEMA_VERSION) {
            throw refused("has schema version " + version + "; TensorFlow Lite reads version 3", Map.of());
        }
        int codes = bounded(model.vectorLength(1, 4), MAX_LIST, "operator codes");
        int[] builtin = new int[codes];
        for (int i = 0; i < codes; i++) {
            builtin[i] = operatorCode(model.tableAt(1, i), i);
        }
        int buffers = bounded(model.vectorLength(4, 4), MAX_LIST, "buffers");
        long[] bufferBytes = new long[buffers];
        for (int i = 0; i < buffers; i++) {
            bufferBytes[i] = bufferSize(model.tableAt(4, i), file.limit(), i);
        }
        int subgraphs = bounded(model.vectorLength(2, 4), MAX_SUBGRAPHS, "subgraphs");
        if (subgraphs == 0) {
            throw refused("has no subgraph", Map.of());
        }
        int[] tensorCounts = new int[subgraphs];
        Map<Integer, List<Integer>> calls = new HashMap<>();
        for (int s = 0; s < subgraphs; s++) {
            tensorCounts[s] = subgraph(model.tableAt(2, s), s, builtin, bufferBytes, subgraphs, calls);
        }
        checkNoRecursion(calls, subgraphs);
        int signatures = bounded(model.vectorLength(7, 4), MAX_LIST, "signatures");
        for (int i = 0; i < signatures; i++) {
            FlatTable signature = model.tableAt(7, i);
            long subgraph = signature.uint32(4, 0);
            if (subgraph >= subgraphs) {
                throw refused("has a signature for subgraph " + subgraph + ", which does not exist", Map.of());
            }
            for (int field : new int[] {0, 1}) {
                int maps = bounded(signature.vectorLength(field, 4), MAX_LIST, "signature tensors");
                for (int m = 0; m < maps; m++) {
                    long tensor = signature.tableAt(field, m).uint32(1, 0);
                    if (tensor >= tensorCounts[(int) subgraph]) {
                        throw refused("has a signature naming tensor " + tensor + ", which subgraph " + subgraph
                                + " does not have", Map.of());
                    }
                }
            }
        }
        int metadata = bounded(model.vectorLength(6, 4), MAX_LIST, "metadata entries");
        for (int i = 0; i < metadata; i++) {
            long buffer = model.tableAt(6, i).uint32(1, 0);
            if (buffer >= buffers) {
                throw refused("has metadata in buffer " + buffer + ", which does not exist", Map.of());
            }
        }
    }

    private static int operatorCode(FlatTable code, int index) {
        int builtin = Math.max(code.int8(0, 0), code.int32(3, 0));
        String custom = code.string(1, 64);
        if (builtin == CUSTOM) {
            throw refused("uses the custom operator '" + (custom == null ? "" : custom) + "'; the server runs TensorFlow "
                    + "Lite's builtin operators only", Map.of("operation", custom == null ? "CUSTOM" : custom));
        }
        if (builtin < 0 || builtin > LAST_SERVED_CODE || builtin == CALL || builtin == DELEGATE
                || builtin == PLACEHOLDER) {
            throw refused("uses builtin operator code " + builtin + " (operator code " + index + "), which the server "
                    + "does not run (delegates, StableHLO and unknown operators are refused)",
                    Map.of("operation", Integer.toString(builtin)));
        }
        return builtin;
    }

    /** The bytes a buffer holds, in the flatbuffer or beyond it (models over 2 GB). */
    private static long bufferSize(FlatTable buffer, long fileSize, int index) {
        int inline = buffer.vectorLength(0, 1);
        long offset = buffer.uint64(1, 0);
        long size = buffer.uint64(2, 0);
        if (offset > 1) {
            if (inline > 0 || size < 0 || offset + size < offset || offset + size > fileSize) {
                throw refused("has buffer " + index + " pointing outside the file", Map.of());
            }
            return size;
        }
        return inline;
    }

    private static int subgraph(FlatTable subgraph, int index, int[] builtin, long[] bufferBytes, int subgraphs,
            Map<Integer, List<Integer>> calls) {
        int tensors = bounded(subgraph.vectorLength(0, 4), MAX_LIST, "tensors");
        Facts[] facts = new Facts[tensors];
        boolean[] written = new boolean[tensors]; // subgraph inputs, constants, variables and operator outputs
        for (int t = 0; t < tensors; t++) {
            facts[t] = tensor(subgraph.tableAt(0, t), index, t, bufferBytes);
            written[t] = facts[t].constant() || facts[t].variable();
        }
        for (int field : new int[] {1, 2}) {
            int n = bounded(subgraph.vectorLength(field, 4), MAX_LIST, "subgraph inputs and outputs");
            for (int i = 0; i < n; i++) {
                int tensor = subgraph.intAt(field, i);
                if (tensor < 0 || tensor >= tensors) {
                    throw refused("has subgraph " + index + " " + (field == 1 ? "input" : "output") + " " + tensor
                            + ", which is not one of its " + tensors + " tensors", Map.of());
                }
                if (field == 1) {
                    if (written[tensor] && !facts[tensor].variable()) {
                        throw refused("has subgraph " + index + " input " + tensor + " named twice, or a constant",
                                Map.of());
                    }
                    written[tensor] = true;
                }
            }
        }
        int operators = bounded(subgraph.vectorLength(3, 4), MAX_LIST, "operators");
        for (int o = 0; o < operators; o++) {
            FlatTable operator = subgraph.tableAt(3, o);
            long code = operator.uint32(0, 0);
            if (code >= builtin.length) {
                throw refused("has operator " + o + " of subgraph " + index + " with operator code " + code
                        + ", which does not exist", Map.of());
            }
            int op = builtin[(int) code];
            for (int field : new int[] {1, 2, 8}) {
                int n = bounded(operator.vectorLength(field, 4), MAX_LIST, "operator tensors");
                for (int i = 0; i < n; i++) {
                    int tensor = operator.intAt(field, i);
                    if (tensor < -1 || tensor >= tensors) {
                        throw refused("has operator " + o + " of subgraph " + index + " naming tensor " + tensor
                                + ", which is not one of its " + tensors + " tensors", Map.of());
                    }
                    if (field == 2 && tensor < 0) {
                        throw refused("has operator " + o + " of subgraph " + index + " leaving out output " + i
                                + " (kernels write every output they count)", Map.of());
                    }
                    if (field == 1 && tensor < 0 && !OPTIONAL_INPUTS.contains(op)) {
                        throw refused("has operator " + o + " of subgraph " + index + " leaving out input " + i
                                + ", which its kind of operator needs", Map.of());
                    }
                    if (field == 1 && tensor >= 0 && !written[tensor]) {
                        throw refused("has operator " + o + " of subgraph " + index + " reading tensor " + tensor
                                + ", which no input, constant, variable or earlier operator provides", Map.of());
                    }
                    if (field != 8 && tensor >= 0 && QUANTIZED_ARITHMETIC.contains(op) && facts[tensor].quantizedType()
                            && !facts[tensor].scaled()) {
                        throw refused("has operator " + o + " of subgraph " + index + " computing on quantized tensor "
                                + tensor + " without a quantization scale", Map.of());
                    }
                    if (field == 2 && tensor >= 0) {
                        if (written[tensor]) {
                            throw refused("has operator " + o + " of subgraph " + index + " writing tensor " + tensor
                                    + ", which an input, a constant or another operator already provides", Map.of());
                        }
                        written[tensor] = true;
                    }
                }
            }
            if (op == IF || op == WHILE || op == CALL_ONCE) {
                FlatTable options = operator.table(4);
                int references = op == CALL_ONCE ? 1 : 2;
                for (int r = 0; r < references; r++) {
                    int callee = options == null ? -1 : options.int32(r, 0);
                    if (callee < 0 || callee >= subgraphs) {
                        throw refused("has operator " + o + " of subgraph " + index + " calling subgraph " + callee
                                + ", which does not exist", Map.of());
                    }
                    calls.computeIfAbsent(index, k -> new ArrayList<>()).add(callee);
                }
            }
        }
        return tensors;
    }

    /** What the operators' checks need to know of a tensor. */
    private record Facts(boolean constant, boolean variable, boolean quantizedType, boolean scaled) {
    }

    /** Checks a tensor. */
    private static Facts tensor(FlatTable tensor, int subgraph, int index, long[] bufferBytes) {
        String where = "tensor " + index + " of subgraph " + subgraph;
        int type = tensor.int8(1, 0);
        if (type < 0 || type >= ELEMENT_BYTES.length) {
            throw refused("has " + where + " of unknown type " + type, Map.of());
        }
        int rank = tensor.vectorLength(0, 4);
        if (rank > MAX_RANK) {
            throw refused("has " + where + " of rank " + rank + " (at most " + MAX_RANK + ")", Map.of());
        }
        long elements = 1;
        for (int d = 0; d < rank; d++) {
            int dim = tensor.intAt(0, d);
            if (dim < 0) {
                throw refused("has " + where + " with dimension " + dim, Map.of());
            }
            elements *= dim;
            if (elements > MAX_ELEMENTS) {
                throw refused("has " + where + " of more than 2^31 elements", Map.of());
            }
        }
        if (tensor.has(6)) {
            throw refused("has " + where + " stored sparse; the server serves dense models only", Map.of());
        }
        long buffer = tensor.uint32(2, 0);
        if (buffer >= bufferBytes.length) {
            throw refused("has " + where + " in buffer " + buffer + ", which does not exist", Map.of());
        }
        long bytes = bufferBytes[(int) buffer];
        if (bytes > 0 && type != STRING && ELEMENT_BYTES[type] > 0 && bytes != elements * ELEMENT_BYTES[type]) {
            throw refused("has " + where + " of " + elements + " elements over a buffer of " + bytes + " bytes",
                    Map.of());
        }
        if (bytes > 0 && type == INT4 && bytes != (elements + 1) / 2) {
            throw refused("has " + where + " of " + elements + " 4-bit elements over a buffer of " + bytes + " bytes",
                    Map.of());
        }
        FlatTable quantization = tensor.table(4);
        boolean scaled = false;
        if (quantization != null) {
            int scales = quantization.vectorLength(2, 4);
            for (int i = 0; i < scales; i++) {
                float scale = quantization.floatAt(2, i);
                if (!(scale > 0) || Float.isInfinite(scale)) {
                    throw refused("has " + where + " with quantization scale " + scale, Map.of());
                }
            }
            scaled = scales > 0;
            int zeroPoints = quantization.vectorLength(3, 8);
            int dimension = quantization.int32(6, 0);
            if (scales > 1 || zeroPoints > 1) {
                if (dimension < 0 || dimension >= rank || scales != zeroPoints
                        || scales != tensor.intAt(0, dimension)) {
                    throw refused("has " + where + " whose per-channel quantization does not fit its shape", Map.of());
                }
            } else if (scales != zeroPoints && zeroPoints > 0) {
                throw refused("has " + where + " with " + scales + " scales and " + zeroPoints + " zero points",
                        Map.of());
            }
        }
        return new Facts(bytes > 0, tensor.int8(5, 0) != 0, type == UINT8 || type == INT8 || type == INT16, scaled);
    }

    /** Refuses a subgraph that calls itself, directly or through others (the builder would recurse). */
    private static void checkNoRecursion(Map<Integer, List<Integer>> calls, int subgraphs) {
        int[] state = new int[subgraphs]; // 0 unseen, 1 on the path, 2 done
        for (int start = 0; start < subgraphs; start++) {
            if (state[start] != 0) {
                continue;
            }
            List<int[]> stack = new ArrayList<>();
            stack.add(new int[] {start, 0});
            state[start] = 1;
            while (!stack.isEmpty()) {
                int[] top = stack.get(stack.size() - 1);
                List<Integer> callees = calls.getOrDefault(top[0], List.of());
                if (top[1] == callees.size()) {
                    state[top[0]] = 2;
                    stack.remove(stack.size() - 1);
                    continue;
                }
                int callee = callees.get(top[1]++);
                if (state[callee] == 1) {
                    throw refused("has subgraph " + callee + " calling itself", Map.of());
                }
                if (state[callee] == 0) {
                    state[callee] = 1;
                    stack.add(new int[] {callee, 0});
                }
            }
        }
    }

    private static int bounded(int count, int max, String what) {
        if (count > max) {
            throw refused("has " + count + " " + what + " (at most " + max + ")", Map.of());
        }
        return count;
    }

    private static PlugboardException refused(String what, Map<String, Object> properties) {
        return new PlugboardException(ProblemType.MODEL_LOAD_FAILED, "The TensorFlow Lite model " + what
                + "; it is refused before TensorFlow Lite reads it.", properties);
    }
}
