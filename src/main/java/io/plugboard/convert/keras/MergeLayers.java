package io.plugboard.convert.keras;

import static io.plugboard.convert.onnx.OnnxAttribute.of;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.JsonNode;

/** Add, Subtract, Multiply, Average, Maximum, Minimum, Concatenate and Dot (and Keras 1's Merge). */
final class MergeLayers {

    private MergeLayers() {
    }

    static void register(Map<String, LayerConverter> m) {
        m.put("Add", call -> variadic(call, "Sum"));
        m.put("Average", call -> variadic(call, "Mean"));
        m.put("Maximum", call -> variadic(call, "Max"));
        m.put("Minimum", call -> variadic(call, "Min"));
        m.put("Multiply", MergeLayers::multiply);
        m.put("Subtract", MergeLayers::subtract);
        m.put("Concatenate", MergeLayers::concatenate);
        m.put("Dot", MergeLayers::dot);
        m.put("Merge", MergeLayers::merge);
    }

    private static List<String> names(LayerCall call) {
        if (call.inputs().size() < 2 && !call.layer().className().equals("Concatenate")) {
            throw call.cfg().bad("merges fewer than two inputs");
        }
        List<String> n = new ArrayList<>();
        for (KerasTensor t : call.inputs()) {
            n.add(t.name());
        }
        return n;
    }

    /** The broadcast shape of the inputs. */
    private static long[] broadcast(LayerCall call) {
        int rank = 0;
        for (KerasTensor t : call.inputs()) {
            rank = Math.max(rank, t.rank());
        }
        long[] s = new long[rank];
        java.util.Arrays.fill(s, 1);
        for (KerasTensor t : call.inputs()) {
            for (int i = 0; i < t.rank(); i++) {
                long d = t.shape()[i];
                int j = rank - t.rank() + i;
                if (d == 1) {
                    continue;
                }
                if (s[j] == 1 || s[j] == d) {
                    s[j] = d;
                } else if (d == -1 || s[j] == -1) {
                    s[j] = -1;
                } else {
                    throw call.cfg().bad("merges inputs of incompatible shapes");
                }
            }
        }
        return s;
    }

    static List<KerasTensor> variadic(LayerCall call, String op) {
        List<String> in = names(call);
        return List.of(call.out(call.ops().op(op, call.name(), in), broadcast(call)));
    }

    static List<KerasTensor> multiply(LayerCall call) {
        List<String> in = names(call);
        String y = in.get(0);
        for (int i = 1; i < in.size(); i++) {
            y = call.ops().binary("Mul", call.name(), y, in.get(i));
        }
        return List.of(call.out(y, broadcast(call)));
    }

    static List<KerasTensor> subtract(LayerCall call) {
        List<String> in = names(call);
        if (in.size() != 2) {
            throw call.cfg().bad("subtracts other than two inputs");
        }
        return List.of(call.out(call.ops().binary("Sub", call.name(), in.get(0), in.get(1)), broadcast(call)));
    }

    static List<KerasTensor> concatenate(LayerCall call) {
        return concat(call, call.cfg().integerOr(-1, "axis", "concat_axis"));
    }

    private static List<KerasTensor> concat(LayerCall call, int axis) {
        List<String> in = names(call);
        KerasTensor first = call.inputs().get(0);
        int a = Shapes.axis(axis, first.rank(), call.cfg());
        long[] s = first.shape().clone();
        long total = 0;
        for (KerasTensor t : call.inputs()) {
            if (t.rank() != first.rank()) {
                throw call.cfg().bad("concatenates inputs of different ranks");
            }
            total = total < 0 || t.dim(a) < 0 ? -1 : total + t.dim(a);
        }
        s[a] = total;
        return List.of(call.out(call.ops().concat(call.name(), in, a), s));
    }

    static List<KerasTensor> dot(LayerCall call) {
        if (call.inputs().size() != 2) {
            throw call.cfg().bad("needs two inputs");
        }
        KerasTensor x = call.inputs().get(0);
        KerasTensor y = call.inputs().get(1);
        JsonNode axesNode = call.cfg().node("axes", "dot_axes");
        int ax;
        int ay;
        if (axesNode == null) {
            throw call.cfg().bad("has no axes");
        } else if (axesNode.isNumber()) {
            ax = axesNode.intValue();
            ay = ax;
        } else if (axesNode.isArray() && axesNode.size() == 2 && axesNode.get(0).isNumber() && axesNode.get(1).isNumber()) {
            ax = axesNode.get(0).intValue();
            ay = axesNode.get(1).intValue();
        } else {
            throw call.cfg().bad("has malformed axes");
        }
        ax = Shapes.axis(ax, x.rank(), call.cfg());
        ay = Shapes.axis(ay, y.rank(), call.cfg());
        if (ax == 0 || ay == 0) {
            throw call.cfg().bad("contracts the batch axis");
        }
        GraphOps ops = call.ops();
        String n = call.name();
        String xn = x.name();
        String yn = y.name();
        if (call.cfg().bool(false, "normalize")) {
            xn = ops.unary("LpNormalization", n + "_xnorm", xn, of("axis", (long) ax), of("p", 2L));
            yn = ops.unary("LpNormalization", n + "_ynorm", yn, of("axis", (long) ay), of("p", 2L));
        }
        if (x.rank() == 2 && y.rank() == 2) {
            String prod = ops.binary("Mul", n + "_mul", xn, yn);
            // ReduceSum (opset 13+) takes its axes as an input
            String s = ops.op("ReduceSum", n, List.of(prod, ops.builder().longs(n + "_axes", 1)), of("keepdims", 1L));
            return List.of(call.out(s, x.dim(0), 1));
        }
        if (x.rank() == 3 && y.rank() == 3) {
            int rx = 3 - ax;
            String xt = ax == 2 ? xn : ops.transpose(n + "_xt", xn, 0, 2, 1);
            String yt = ay == 1 ? yn : ops.transpose(n + "_yt", yn, 0, 2, 1);
            String out = ops.binary("MatMul", n, xt, yt);
            return List.of(call.out(out, x.dim(0), x.dim(rx), y.dim(3 - ay)));
        }
        throw KerasProblems.unsupported("Dot is supported on 2-D and 3-D inputs only (layer " + n + ")");
    }

    /** Keras 1's Merge layer. */
    static List<KerasTensor> merge(LayerCall call) {
        String mode = call.cfg().string("sum", "mode");
        return switch (mode) {
            case "sum" -> variadic(call, "Sum");
            case "ave" -> variadic(call, "Mean");
            case "max" -> variadic(call, "Max");
            case "mul" -> multiply(call);
            case "concat" -> concat(call, call.cfg().integerOr(-1, "concat_axis"));
            case "dot" -> dot(call);
            default -> throw KerasProblems.unsupported("Merge mode " + mode + " is not supported");
        };
    }
}
