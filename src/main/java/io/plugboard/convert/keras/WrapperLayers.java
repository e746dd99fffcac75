package io.plugboard.convert.keras;

import static io.plugboard.convert.onnx.OnnxAttribute.of;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/** Bidirectional and TimeDistributed. */
final class WrapperLayers {

    private WrapperLayers() {
    }

    static void register(Map<String, LayerConverter> m) {
        m.put("Bidirectional", WrapperLayers::bidirectional);
        m.put("TimeDistributed", WrapperLayers::timeDistributed);
    }

    static KerasLayer inner(LayerCall call, String key) {
        JsonNode entry = call.cfg().node(key);
        if (entry == null) {
            throw call.cfg().bad("has no wrapped " + key);
        }
        return KerasLayer.of(entry, call.name() + "_" + key);
    }

    static List<KerasTensor> bidirectional(LayerCall call) {
        KerasTensor x = call.input();
        KerasLayer forward = inner(call, "layer");
        KerasLayer backward;
        if (call.cfg().node("backward_layer") != null) {
            backward = inner(call, "backward_layer");
        } else {
            JsonNode fc = forward.config().raw();
            if (!(fc instanceof ObjectNode obj)) {
                throw call.cfg().bad("has a wrapped layer without config");
            }
            ObjectNode bc = obj.deepCopy();
            bc.put("go_backwards", !forward.config().bool(false, "go_backwards"));
            bc.put("name", "backward_" + forward.name());
            backward = new KerasLayer(forward.className(), "backward_" + forward.name(),
                    new KerasLayerConfig("backward_" + forward.name(), bc), forward.entry());
        }
        List<KerasArray> all = call.weights().arrays();
        if (all.size() % 2 != 0) {
            throw call.cfg().bad("has an odd number of weight arrays");
        }
        int half = all.size() / 2;
        KerasLayer fwdLayer = new KerasLayer(forward.className(), call.name() + "_forward", forward.config(), forward.entry());
        KerasLayer bwdLayer = new KerasLayer(backward.className(), call.name() + "_backward", backward.config(),
                backward.entry());
        List<KerasTensor> f = call.context().call(fwdLayer, List.of(x), call.weights().part("forward", 0, half));
        List<KerasTensor> b = call.context().call(bwdLayer, List.of(x), call.weights().part("backward", half, all.size()));
        GraphOps ops = call.ops();
        KerasTensor fy = f.get(0);
        KerasTensor by = b.get(0);
        if (forward.config().bool(false, "return_sequences")) {
            by = by.withName(ops.reverse(call.name() + "_unrev", by.name(), 1));
        }
        JsonNode modeNode = call.cfg().node("merge_mode");
        String mode = modeNode == null ? "none" : modeNode.asString("concat");
        if (call.cfg().raw().get("merge_mode") == null) {
            mode = "concat";
        }
        List<KerasTensor> out = new ArrayList<>();
        String n = call.name();
        switch (mode) {
            case "concat" -> out.add(call.out(ops.concat(n, List.of(fy.name(), by.name()), -1),
                    Shapes.withLast(fy.shape(), fy.dim(-1) < 0 ? -1 : 2 * fy.dim(-1))));
            case "sum" -> out.add(fy.withName(ops.binary("Add", n, fy.name(), by.name())));
            case "mul" -> out.add(fy.withName(ops.binary("Mul", n, fy.name(), by.name())));
            case "ave" -> out.add(fy.withName(ops.op("Mean", n, List.of(fy.name(), by.name()))));
            case "none" -> {
                out.add(fy);
                out.add(by);
            }
            default -> throw KerasProblems.unsupported("Bidirectional merge_mode " + mode + " is not supported");
        }
        out.addAll(f.subList(1, f.size()));
        out.addAll(b.subList(1, b.size()));
        return out;
    }

    static List<KerasTensor> timeDistributed(LayerCall call) {
        KerasTensor x = call.input();
        if (x.rank() < 3) {
            throw call.cfg().bad("needs an input with a time axis");
        }
        KerasLayer layer = inner(call, "layer");
        GraphOps ops = call.ops();
        String n = call.name();
        long[] flat = new long[x.rank() - 1];
        flat[0] = -1;
        for (int i = 2; i < x.rank(); i++) {
            if (x.dim(i) < 0) {
                throw KerasProblems.unsupported("TimeDistributed needs fixed inner dimensions (layer " + n + ")");
            }
            flat[i - 1] = x.dim(i);
        }
        String merged = ops.reshape(n + "_merge", x.name(), flat);
        List<KerasTensor> inner = call.context().call(
                new KerasLayer(layer.className(), n + "_inner", layer.config(), layer.entry()),
                List.of(new KerasTensor(merged, flat)), call.weights());
        KerasTensor y = inner.get(0);
        long[] rest = new long[y.rank() - 1];
        for (int i = 1; i < y.rank(); i++) {
            if (y.dim(i) < 0) {
                throw KerasProblems.unsupported("TimeDistributed needs fixed inner output dimensions (layer " + n + ")");
            }
            rest[i - 1] = y.dim(i);
        }
        String batchTime = ops.op("Shape", n + "_bt", List.of(x.name()), of("start", 0L), of("end", 2L));
        String shape = ops.concat(n + "_shape", List.of(batchTime, ops.builder().longs(n + "_rest", rest)), 0);
        String out = ops.reshapeTo(n, y.name(), shape);
        long[] outShape = new long[rest.length + 2];
        outShape[0] = x.dim(0);
        outShape[1] = x.dim(1);
        System.arraycopy(rest, 0, outShape, 2, rest.length);
        return List.of(call.out(out, outShape));
    }
}
