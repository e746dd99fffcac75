package io.plugboard.backend.djl;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.translate.Batchifier;
import ai.djl.translate.Translator;
import ai.djl.translate.TranslatorContext;
import io.plugboard.tensor.Tensor;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Moves server tensors into a predictor call and back. Every array is created in the call's
 * context manager, which DJL closes after the call: no native memory outlives a request.
 */
final class TensorTranslator implements Translator<DjlRequest, Map<String, Tensor>> {

    private static final String WANTED = "plugboard.outputs";

    private final List<String> inputOrder;
    private final List<String> outputNames;

    /**
     * @param inputOrder the order the engine takes inputs in; empty for positional input0..N-1
     * @param outputNames names for outputs by position, or null to use the names the engine sets
     */
    TensorTranslator(List<String> inputOrder, List<String> outputNames) {
        this.inputOrder = List.copyOf(inputOrder);
        this.outputNames = outputNames == null ? null : List.copyOf(outputNames);
    }

    @Override
    public NDList processInput(TranslatorContext ctx, DjlRequest request) {
        ctx.setAttachment(WANTED, request.outputs());
        List<String> order = inputOrder;
        if (order.isEmpty()) {
            order = java.util.stream.IntStream.range(0, request.inputs().size()).mapToObj(i -> "input" + i).toList();
        }
        NDList list = new NDList(order.size());
        for (int i = 0; i < order.size(); i++) {
            String name = order.get(i);
            Tensor tensor = request.inputs().get(name);
            if (tensor == null) {
                tensor = request.inputs().get("input" + i); // the positional alias of a named argument
            }
            list.add(DjlTensors.toArray(ctx.getNDManager(), name, tensor));
        }
        return list;
    }

    @Override
    @SuppressWarnings("unchecked")
    public Map<String, Tensor> processOutput(TranslatorContext ctx, NDList list) {
        Set<String> wanted = (Set<String>) ctx.getAttachment(WANTED);
        Map<String, Tensor> out = new LinkedHashMap<>();
        for (int i = 0; i < list.size(); i++) {
            NDArray array = list.get(i);
            String name = outputNames != null ? (i < outputNames.size() ? outputNames.get(i) : "output" + i)
                    : array.getName();
            if (wanted == null || wanted.isEmpty() || wanted.contains(name)) {
                out.put(name, DjlTensors.fromArray(name, array));
            }
        }
        return out;
    }

    @Override
    public Batchifier getBatchifier() {
        return null;
    }
}
