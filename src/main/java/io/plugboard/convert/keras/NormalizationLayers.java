package io.plugboard.convert.keras;

import static io.plugboard.convert.onnx.OnnxAttribute.ints;
import static io.plugboard.convert.onnx.OnnxAttribute.of;

import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import tools.jackson.databind.JsonNode;

/** BatchNormalization (inference form), LayerNormalization and the Normalization preprocessing layer. */
final class NormalizationLayers {

    private NormalizationLayers() {
    }

    static void register(Map<String, LayerConverter> m) {
        m.put("BatchNormalization", NormalizationLayers::batchNorm);
        m.put("LayerNormalization", NormalizationLayers::layerNorm);
        m.put("Normalization", NormalizationLayers::normalization);
    }

    /** The layer's axes in [1, rank), sorted; {@code def} when the config has none. */
    static int[] axes(LayerCall call, KerasTensor x, int def) {
        JsonNode a = call.cfg().node("axis");
        TreeSet<Integer> set = new TreeSet<>();
        if (a == null) {
            set.add(Shapes.axis(def, x.rank(), call.cfg()));
        } else if (a.isNumber()) {
            set.add(Shapes.axis(a.intValue(), x.rank(), call.cfg()));
        } else if (a.isArray() && a.size() <= x.rank()) {
            for (JsonNode v : a) {
                if (!v.isNumber()) {
                    throw call.cfg().bad("has a non-numeric axis");
                }
                set.add(Shapes.axis(v.intValue(), x.rank(), call.cfg()));
            }
        } else {
            throw call.cfg().bad("has a malformed axis");
        }
        if (set.contains(0)) {
            throw call.cfg().bad("normalizes over the batch axis");
        }
        return set.stream().mapToInt(Integer::intValue).toArray();
    }

    /** The shape (batch axis excluded) that broadcasts per-axis parameters over the input. */
    static long[] broadcastShape(KerasTensor x, int[] axes, long count, LayerCall call) {
        int first = axes[0];
        long[] shape = new long[x.rank() - first];
        java.util.Arrays.fill(shape, 1);
        long known = 1;
        for (int a : axes) {
            shape[a - first] = x.dim(a);
            known = x.dim(a) < 0 || known < 0 ? -1 : known * x.dim(a);
        }
        if (axes.length == 1) {
            shape[0] = count;
        } else if (known != count) {
            throw call.cfg().bad("has parameters that do not match its input");
        }
        if (known >= 0 && known != count) {
            throw call.cfg().bad("has " + count + " parameters for " + known + " features");
        }
        return shape;
    }

    static List<KerasTensor> batchNorm(LayerCall call) {
        KerasLayerConfig cfg = call.cfg();
        KerasTensor x = call.input();
        int[] axes = axes(call, x, -1);
        if (axes.length != 1) {
            throw KerasProblems.unsupported("BatchNormalization over several axes is not supported (layer " + call.name() + ")");
        }
        boolean center = cfg.bool(true, "center");
        boolean scale = cfg.bool(true, "scale");
        double eps = cfg.number(1e-3, "epsilon");
        int n = 2 + (center ? 1 : 0) + (scale ? 1 : 0);
        List<KerasArray> w = call.weights(n, 4);
        if (w.size() == 4) {
            center = true;
            scale = true;
        }
        int i = 0;
        KerasArray gamma = scale ? w.get(i++) : null;
        KerasArray beta = center ? w.get(i++) : null;
        KerasArray mean = w.get(i++);
        KerasArray var = w.get(i);
        int c = mean.data().length;
        for (KerasArray a : new KerasArray[] {gamma, beta, mean, var}) {
            if (a != null && (a.rank() != 1 || a.data().length != c)) {
                throw cfg.bad("has batch-normalization parameters of mismatched shapes");
            }
        }
        float[] mul = new float[c];
        float[] add = new float[c];
        for (int k = 0; k < c; k++) {
            double s = 1.0 / Math.sqrt(var.data()[k] + eps);
            if (gamma != null) {
                s *= gamma.data()[k];
            }
            mul[k] = (float) s;
            add[k] = (float) ((beta == null ? 0 : beta.data()[k]) - mean.data()[k] * s);
        }
        long[] shape = broadcastShape(x, axes, c, call);
        String y = call.ops().binary("Mul", call.name() + "_scale", x.name(),
                call.init("scale", new KerasArray(shape, mul)));
        y = call.ops().binary("Add", call.name(), y, call.init("shift", new KerasArray(shape, add)));
        return List.of(x.withName(y));
    }

    static List<KerasTensor> layerNorm(LayerCall call) {
        KerasLayerConfig cfg = call.cfg();
        KerasTensor x = call.input();
        int[] axes = axes(call, x, -1);
        if (cfg.bool(false, "rms_scaling")) {
            throw KerasProblems.unsupported("LayerNormalization with rms_scaling is not supported (layer " + call.name() + ")");
        }
        boolean center = cfg.bool(true, "center");
        boolean scale = cfg.bool(true, "scale");
        double eps = cfg.number(1e-3, "epsilon");
        List<KerasArray> w = call.weights((center ? 1 : 0) + (scale ? 1 : 0));
        GraphOps ops = call.ops();
        String n = call.name();
        long[] ax = java.util.Arrays.stream(axes).asLongStream().toArray();
        String mean = ops.unary("ReduceMean", n + "_mean", x.name(), ints("axes", ax), of("keepdims", 1L));
        String d = ops.binary("Sub", n + "_centered", x.name(), mean);
        String var = ops.unary("ReduceMean", n + "_var", ops.binary("Mul", n + "_sq", d, d), ints("axes", ax),
                of("keepdims", 1L));
        String std = ops.unary("Sqrt", n + "_std", ops.binary("Add", n + "_vareps", var, ops.scalar(n + "_eps", (float) eps)));
        String y = ops.binary("Div", n + "_norm", d, std);
        int i = 0;
        if (scale) {
            KerasArray g = w.get(i++);
            y = ops.binary("Mul", n + "_gamma", y, call.init("gamma",
                    g.reshape(broadcastShape(x, axes, g.data().length, call))));
        }
        if (center) {
            KerasArray b = w.get(i);
            y = ops.binary("Add", n, y, call.init("beta", b.reshape(broadcastShape(x, axes, b.data().length, call))));
        }
        return List.of(x.withName(y));
    }

    static List<KerasTensor> normalization(LayerCall call) {
        KerasLayerConfig cfg = call.cfg();
        KerasTensor x = call.input();
        int[] axes = axes(call, x, -1);
        float[] mean;
        float[] var;
        List<KerasArray> w = call.weights().arrays();
        if (cfg.node("mean") != null && cfg.node("variance") != null) {
            mean = floats(cfg.node("mean"), call);
            var = floats(cfg.node("variance"), call);
        } else if (w.size() >= 2) {
            mean = w.get(0).data();
            var = w.get(1).data();
        } else {
            throw cfg.bad("has neither weights nor a mean and variance");
        }
        if (mean.length != var.length) {
            throw cfg.bad("has a mean and variance of different sizes");
        }
        boolean invert = cfg.bool(false, "invert");
        float[] mul = new float[mean.length];
        float[] add = new float[mean.length];
        for (int k = 0; k < mean.length; k++) {
            double sd = Math.max(Math.sqrt(var[k]), 1e-7);
            mul[k] = (float) (invert ? sd : 1 / sd);
            add[k] = (float) (invert ? mean[k] : -mean[k] / sd);
        }
        long[] shape = broadcastShape(x, axes, mean.length, call);
        String y = call.ops().binary("Mul", call.name() + "_scale", x.name(), call.init("scale", new KerasArray(shape, mul)));
        y = call.ops().binary("Add", call.name(), y, call.init("shift", new KerasArray(shape, add)));
        return List.of(x.withName(y));
    }

    private static float[] floats(JsonNode v, LayerCall call) {
        if (v.isNumber()) {
            return new float[] {v.floatValue()};
        }
        if (!v.isArray() || v.size() > 1_000_000) {
            throw call.cfg().bad("has a malformed mean or variance");
        }
        float[] f = new float[v.size()];
        for (int i = 0; i < f.length; i++) {
            if (!v.get(i).isNumber()) {
                throw call.cfg().bad("has a malformed mean or variance");
            }
            f[i] = v.get(i).floatValue();
        }
        return f;
    }
}
