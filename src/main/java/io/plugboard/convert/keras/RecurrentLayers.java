package io.plugboard.convert.keras;

import static io.plugboard.convert.onnx.OnnxAttribute.floats;
import static io.plugboard.convert.onnx.OnnxAttribute.of;
import static io.plugboard.convert.onnx.OnnxAttribute.strings;

import io.plugboard.convert.onnx.proto.Onnx.AttributeProto;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * SimpleRNN, LSTM and GRU as ONNX RNN, LSTM and GRU nodes. Keras orders LSTM gates i, f, c, o and
 * ONNX i, o, f, c; GRU gates are z, r, h in both. {@code go_backwards} reverses the input sequence
 * and runs forward, which also gives Keras's reversed output order.
 */
final class RecurrentLayers {

    enum Kind {
        SIMPLE("RNN", 1), LSTM("LSTM", 4), GRU("GRU", 3);

        final String op;
        final int gates;

        Kind(String op, int gates) {
            this.op = op;
            this.gates = gates;
        }
    }

    private RecurrentLayers() {
    }

    static void register(Map<String, LayerConverter> m) {
        m.put("SimpleRNN", call -> recurrent(call, Kind.SIMPLE));
        m.put("LSTM", call -> recurrent(call, Kind.LSTM));
        m.put("GRU", call -> recurrent(call, Kind.GRU));
    }

    /** An ONNX recurrent activation with the alpha/beta values it consumes. */
    private record OnnxActivation(String name, Float alpha, Float beta) {
    }

    private static OnnxActivation onnxActivation(LayerCall call, String keras) {
        return switch (keras) {
            case "tanh" -> new OnnxActivation("Tanh", null, null);
            case "sigmoid" -> new OnnxActivation("Sigmoid", null, null);
            case "relu" -> new OnnxActivation("Relu", null, null);
            case "hard_sigmoid" -> new OnnxActivation("HardSigmoid", call.context().activations().hardSigmoidAlpha(), 0.5f);
            case "linear" -> new OnnxActivation("Affine", 1f, 0f);
            case "softsign" -> new OnnxActivation("Softsign", null, null);
            case "softplus" -> new OnnxActivation("Softplus", null, null);
            case "elu" -> new OnnxActivation("Elu", 1f, null);
            default -> throw KerasProblems.unsupportedLayers(List.of(call.layer().className() + " activation " + keras));
        };
    }

    static List<KerasTensor> recurrent(LayerCall call, Kind kind) {
        KerasLayerConfig cfg = call.cfg();
        KerasTensor x = call.input();
        if (x.rank() != 3) {
            throw cfg.bad("expects an input of rank 3 (batch, time, features)");
        }
        int units = cfg.integer("units", "output_dim");
        if (units <= 0 || units > 1_000_000) {
            throw cfg.bad("has an invalid number of units");
        }
        boolean returnSequences = cfg.bool(false, "return_sequences");
        boolean returnState = cfg.bool(false, "return_state");
        boolean goBackwards = cfg.bool(false, "go_backwards");
        boolean resetAfter = kind == Kind.GRU && cfg.bool(false, "reset_after");
        String act = cfg.node("activation") == null ? "tanh" : Activations.nameOf(cfg.node("activation"));
        String recAct = cfg.node("recurrent_activation", "inner_activation") == null ? "sigmoid"
                : Activations.nameOf(cfg.node("recurrent_activation", "inner_activation"));
        int g = kind.gates;
        Weights w = weights(call, kind, units, x.dim(2), resetAfter);

        // Keras (in, g*u) -> ONNX (1, g*u, in) with ONNX gate order
        KerasArray wOnnx = reorder(w.kernel, kind, units).transpose(1, 0);
        KerasArray rOnnx = reorder(w.recurrent, kind, units).transpose(1, 0);
        long in = wOnnx.dim(1);
        float[] b = new float[2 * g * units];
        if (w.inputBias != null) {
            float[] ib = reorder(w.inputBias.reshape(1, (long) g * units), kind, units).data();
            System.arraycopy(ib, 0, b, 0, g * units);
        }
        if (w.recurrentBias != null) {
            float[] rb = reorder(w.recurrentBias.reshape(1, (long) g * units), kind, units).data();
            System.arraycopy(rb, 0, b, g * units, g * units);
        }
        GraphOps ops = call.ops();
        String n = call.name();
        String seq = goBackwards ? ops.reverse(n + "_rev", x.name(), 1) : x.name();
        String xt = ops.transpose(n + "_tnf", seq, 1, 0, 2);
        List<String> inputs = List.of(xt,
                call.init("W", wOnnx.reshape(1, (long) g * units, in)),
                call.init("R", rOnnx.reshape(1, (long) g * units, units)),
                call.init("B", new KerasArray(new long[] {1, 2L * g * units}, b)));

        List<OnnxActivation> acts = new ArrayList<>();
        switch (kind) {
            case SIMPLE -> acts.add(onnxActivation(call, act));
            case LSTM -> {
                acts.add(onnxActivation(call, recAct));
                acts.add(onnxActivation(call, act));
                acts.add(onnxActivation(call, act));
            }
            case GRU -> {
                acts.add(onnxActivation(call, recAct));
                acts.add(onnxActivation(call, act));
            }
        }
        List<AttributeProto> attrs = new ArrayList<>();
        attrs.add(of("hidden_size", (long) units));
        attrs.add(strings("activations", acts.stream().map(OnnxActivation::name).toList()));
        List<Float> alphas = new ArrayList<>();
        List<Float> betas = new ArrayList<>();
        for (OnnxActivation a : acts) {
            if (a.alpha() != null) {
                alphas.add(a.alpha());
            }
            if (a.beta() != null) {
                betas.add(a.beta());
            }
        }
        if (!alphas.isEmpty()) {
            attrs.add(floats("activation_alpha", toArray(alphas)));
        }
        if (!betas.isEmpty()) {
            attrs.add(floats("activation_beta", toArray(betas)));
        }
        if (kind == Kind.GRU) {
            attrs.add(of("linear_before_reset", resetAfter ? 1L : 0L));
        }
        String y = ops.builder().fresh(n + "_Y");
        String yh = ops.builder().fresh(n + "_Yh");
        List<String> outs = new ArrayList<>(List.of(y, yh));
        String yc = null;
        if (kind == Kind.LSTM) {
            yc = ops.builder().fresh(n + "_Yc");
            outs.add(yc);
        }
        ops.builder().nodeWithOutputs(kind.op, inputs, outs, attrs.toArray(AttributeProto[]::new));

        List<KerasTensor> result = new ArrayList<>();
        if (returnSequences) {
            String s = ops.squeeze(n + "_Ysq", y, 1);
            result.add(call.out(ops.transpose(n, s, 1, 0, 2), x.dim(0), x.dim(1), units));
        } else {
            result.add(call.out(ops.squeeze(n, yh, 0), x.dim(0), units));
        }
        if (returnState) {
            result.add(call.out(ops.squeeze(n + "_h", yh, 0), x.dim(0), units));
            if (yc != null) {
                result.add(call.out(ops.squeeze(n + "_c", yc, 0), x.dim(0), units));
            }
        }
        return result;
    }

    private record Weights(KerasArray kernel, KerasArray recurrent, KerasArray inputBias, KerasArray recurrentBias) {
    }

    private static Weights weights(LayerCall call, Kind kind, int units, long features, boolean resetAfter) {
        boolean useBias = call.cfg().bool(true, "use_bias");
        int g = kind.gates;
        List<KerasArray> w = call.weights().arrays();
        KerasArray kernel;
        KerasArray recurrent;
        KerasArray bias = null;
        if (w.size() == 3 * g && g > 1) {
            // Keras 1: W, U, b per gate (LSTM gates i, c, f, o; GRU z, r, h)
            int[] order = kind == Kind.LSTM ? new int[] {0, 2, 1, 3} : new int[] {0, 1, 2};
            KerasArray[] ks = new KerasArray[g];
            KerasArray[] us = new KerasArray[g];
            KerasArray[] bs = new KerasArray[g];
            for (int i = 0; i < g; i++) {
                int src = order[i];
                ks[i] = w.get(3 * src);
                us[i] = w.get(3 * src + 1);
                bs[i] = w.get(3 * src + 2);
                call.checkShape(ks[i], "kernel", features, units);
                call.checkShape(us[i], "recurrent kernel", units, units);
                call.checkShape(bs[i], "bias", units);
            }
            kernel = KerasArray.concatLast(ks);
            recurrent = KerasArray.concatLast(us);
            bias = KerasArray.concatLast(bs);
        } else {
            w = call.weights(useBias ? 3 : 2);
            kernel = w.get(0);
            recurrent = w.get(1);
            call.checkShape(kernel, "kernel", features, (long) g * units);
            call.checkShape(recurrent, "recurrent kernel", units, (long) g * units);
            if (useBias) {
                bias = w.get(2);
            }
        }
        if (bias == null) {
            return new Weights(kernel, recurrent, null, null);
        }
        if (resetAfter) {
            call.checkShape(bias, "bias", 2, (long) g * units);
            return new Weights(kernel, recurrent, new KerasArray(new long[] {(long) g * units},
                    java.util.Arrays.copyOfRange(bias.data(), 0, g * units)),
                    new KerasArray(new long[] {(long) g * units},
                            java.util.Arrays.copyOfRange(bias.data(), g * units, 2 * g * units)));
        }
        call.checkShape(bias, "bias", (long) g * units);
        return new Weights(kernel, recurrent, bias, null);
    }

    /** Columns of a (rows, g*u) matrix in ONNX gate order. */
    private static KerasArray reorder(KerasArray a, Kind kind, int units) {
        if (kind != Kind.LSTM) {
            return a;
        }
        // Keras i, f, c, o -> ONNX i, o, f, c
        return KerasArray.concatLast(a.sliceLast(0, units), a.sliceLast(3L * units, 4L * units),
                a.sliceLast(units, 2L * units), a.sliceLast(2L * units, 3L * units));
    }

    private static float[] toArray(List<Float> values) {
        float[] f = new float[values.size()];
        for (int i = 0; i < f.length; i++) {
            f[i] = values.get(i);
        }
        return f;
    }
}
