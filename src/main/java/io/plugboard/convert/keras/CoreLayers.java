package io.plugboard.convert.keras;

import static io.plugboard.convert.onnx.OnnxAttribute.of;

import io.plugboard.convert.onnx.OnnxGraphBuilder;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.JsonNode;

/** Dense, Embedding, Activation, the identity layers, Flatten, Reshape, Permute, RepeatVector, Rescaling. */
final class CoreLayers {

    private CoreLayers() {
    }

    static void register(Map<String, LayerConverter> m) {
        m.put("Dense", CoreLayers::dense);
        m.put("Embedding", CoreLayers::embedding);
        m.put("Activation", CoreLayers::activation);
        for (String id : List.of("Dropout", "SpatialDropout1D", "SpatialDropout2D", "SpatialDropout3D",
                "GaussianNoise", "GaussianDropout", "AlphaDropout", "ActivityRegularization")) {
            m.put(id, call -> List.of(call.input()));
        }
        m.put("Flatten", CoreLayers::flatten);
        m.put("Reshape", CoreLayers::reshape);
        m.put("Permute", CoreLayers::permute);
        m.put("RepeatVector", CoreLayers::repeatVector);
        m.put("Rescaling", CoreLayers::rescaling);
    }

    static List<KerasTensor> dense(LayerCall call) {
        KerasLayerConfig cfg = call.cfg();
        KerasTensor x = call.input();
        int units = cfg.integer("units", "output_dim");
        boolean bias = cfg.bool(true, "use_bias", "bias");
        List<KerasArray> w = call.weights(bias ? 2 : 1);
        call.checkShape(w.get(0), "kernel", x.dim(-1), units);
        String y = call.ops().binary("MatMul", call.name() + "_matmul", x.name(), call.init("kernel", w.get(0)));
        if (bias) {
            call.checkShape(w.get(1), "bias", units);
            y = call.ops().binary("Add", call.name() + "_bias", y, call.init("bias", w.get(1)));
        }
        y = call.activation(y, x);
        return List.of(call.out(y, Shapes.withLast(x.shape(), units)));
    }

    static List<KerasTensor> embedding(LayerCall call) {
        KerasLayerConfig cfg = call.cfg();
        KerasTensor x = call.input();
        int vocab = cfg.integer("input_dim");
        int dim = cfg.integer("output_dim");
        List<KerasArray> w = call.weights(1);
        call.checkShape(w.get(0), "embeddings", vocab, dim);
        String idx = call.ops().unary("Cast", call.name() + "_idx", x.name(), of("to", (long) OnnxGraphBuilder.INT64));
        String y = call.ops().op("Gather", call.name(), List.of(call.init("embeddings", w.get(0)), idx), of("axis", 0L));
        return List.of(call.out(y, Shapes.append(x.shape(), dim)));
    }

    static List<KerasTensor> activation(LayerCall call) {
        KerasTensor x = call.input();
        return List.of(x.withName(call.activation(x.name(), x)));
    }

    static List<KerasTensor> flatten(LayerCall call) {
        KerasTensor x = call.input();
        if (x.rank() <= 2) {
            return List.of(x);
        }
        String in = x.name();
        if (call.cfg().channelsFirst(call.context().backend())) {
            in = call.ops().transpose(call.name() + "_nhwc", in, Shapes.channelsLastPerm(x.rank()));
        }
        String y = call.ops().unary("Flatten", call.name(), in, of("axis", 1L));
        return List.of(call.out(y, x.dim(0), Shapes.product(x.shape(), 1, x.rank())));
    }

    static List<KerasTensor> reshape(LayerCall call) {
        KerasTensor x = call.input();
        JsonNode t = call.cfg().node("target_shape", "dims");
        if (t == null || !t.isArray() || t.size() > 16) {
            throw call.cfg().bad("has no valid target_shape");
        }
        long[] shape = new long[t.size() + 1];
        long[] outShape = new long[t.size() + 1];
        outShape[0] = x.dim(0);
        long known = 1;
        int unknown = -1;
        for (int i = 0; i < t.size(); i++) {
            JsonNode d = t.get(i);
            if (!d.isNumber() || (d.longValue() <= 0 && d.longValue() != -1)) {
                throw call.cfg().bad("has an invalid target_shape");
            }
            shape[i + 1] = d.longValue();
            outShape[i + 1] = d.longValue();
            if (d.longValue() == -1) {
                unknown = i + 1;
            } else {
                known *= d.longValue();
            }
        }
        long total = Shapes.product(x.shape(), 1, x.rank());
        if (unknown > 0 && total >= 0) {
            outShape[unknown] = total / known;
        } else if (unknown < 0 && total >= 0 && total != known) {
            throw call.cfg().bad("reshapes " + total + " values to " + known);
        }
        shape[0] = 0;
        String y = call.ops().reshape(call.name(), x.name(), shape);
        return List.of(call.out(y, outShape));
    }

    static List<KerasTensor> permute(LayerCall call) {
        KerasTensor x = call.input();
        JsonNode dims = call.cfg().node("dims");
        if (dims == null || !dims.isArray() || dims.size() != x.rank() - 1) {
            throw call.cfg().bad("has dims that do not match its input");
        }
        int[] perm = new int[x.rank()];
        boolean[] seen = new boolean[x.rank()];
        for (int i = 0; i < dims.size(); i++) {
            int d = dims.get(i).asInt(-1);
            if (d < 1 || d >= x.rank() || seen[d]) {
                throw call.cfg().bad("has invalid dims");
            }
            seen[d] = true;
            perm[i + 1] = d;
        }
        String y = call.ops().transpose(call.name(), x.name(), perm);
        return List.of(call.out(y, Shapes.permute(x.shape(), perm)));
    }

    static List<KerasTensor> repeatVector(LayerCall call) {
        KerasTensor x = call.input();
        int n = call.cfg().integer("n");
        if (x.rank() != 2 || n <= 0) {
            throw call.cfg().bad("needs a 2-D input and a positive n");
        }
        String u = call.ops().unsqueeze(call.name() + "_u", x.name(), 1);
        String y = call.ops().op("Expand", call.name(), List.of(u, call.ops().builder().longs(call.name() + "_rep", 1, n, 1)));
        return List.of(call.out(y, x.dim(0), n, x.dim(1)));
    }

    static List<KerasTensor> rescaling(LayerCall call) {
        KerasTensor x = call.input();
        String y = x.name();
        y = call.ops().binary("Mul", call.name() + "_scale", y, constant(call, "scale", 1.0));
        y = call.ops().binary("Add", call.name(), y, constant(call, "offset", 0.0));
        return List.of(x.withName(y));
    }

    private static String constant(LayerCall call, String key, double def) {
        JsonNode v = call.cfg().node(key);
        if (v != null && v.isArray()) {
            float[] f = new float[v.size()];
            for (int i = 0; i < f.length; i++) {
                f[i] = (float) v.get(i).asDouble(0);
            }
            return call.ops().constant(call.name() + "_" + key, f, f.length);
        }
        return call.ops().scalar(call.name() + "_" + key, (float) call.cfg().number(def, key));
    }
}
