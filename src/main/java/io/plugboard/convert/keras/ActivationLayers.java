package io.plugboard.convert.keras;

import static io.plugboard.convert.onnx.OnnxAttribute.of;

import io.plugboard.convert.onnx.OnnxGraphBuilder;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.JsonNode;

/** ReLU, LeakyReLU, PReLU, ELU, Softmax, ThresholdedReLU. */
final class ActivationLayers {

    private ActivationLayers() {
    }

    static void register(Map<String, LayerConverter> m) {
        m.put("ReLU", ActivationLayers::relu);
        m.put("LeakyReLU", call -> unary(call, "LeakyRelu",
                of("alpha", (float) call.cfg().number(0.3, "negative_slope", "alpha"))));
        m.put("ELU", call -> unary(call, "Elu", of("alpha", (float) call.cfg().number(1.0, "alpha"))));
        m.put("ThresholdedReLU", call -> unary(call, "ThresholdedRelu",
                of("alpha", (float) call.cfg().number(1.0, "theta"))));
        m.put("Softmax", ActivationLayers::softmax);
        m.put("PReLU", ActivationLayers::prelu);
    }

    private static List<KerasTensor> unary(LayerCall call, String op, io.plugboard.convert.onnx.proto.Onnx.AttributeProto a) {
        KerasTensor x = call.input();
        return List.of(x.withName(call.ops().unary(op, call.name(), x.name(), a)));
    }

    /**
     * Keras's relu with options: x for x above the threshold (clipped at max_value), 0 otherwise,
     * minus negative_slope * relu(threshold - x).
     */
    static List<KerasTensor> relu(LayerCall call) {
        KerasTensor x = call.input();
        KerasLayerConfig cfg = call.cfg();
        Double max = cfg.optionalNumber("max_value");
        float slope = (float) cfg.number(0.0, "negative_slope");
        float threshold = (float) cfg.number(0.0, "threshold");
        GraphOps ops = call.ops();
        String n = call.name();
        String y;
        if (threshold != 0f) {
            String gt = ops.binary("Greater", n + "_gt", x.name(), ops.scalar(n + "_th", threshold));
            String mask = ops.unary("Cast", n + "_mask", gt, of("to", (long) OnnxGraphBuilder.FLOAT));
            y = ops.binary("Mul", n + "_above", x.name(), mask);
            y = max != null ? ops.clip(n + "_clip", y, 0f, max.floatValue()) : ops.unary("Relu", n + "_pos", y);
        } else if (max != null) {
            y = ops.clip(n + "_clip", x.name(), 0f, max.floatValue());
        } else {
            y = ops.unary("Relu", n + "_pos", x.name());
        }
        if (slope != 0f) {
            String shifted = threshold != 0f
                    ? ops.binary("Sub", n + "_shift", ops.scalar(n + "_th2", threshold), x.name())
                    : ops.unary("Neg", n + "_neg", x.name());
            String neg = ops.unary("Relu", n + "_negpart", shifted);
            y = ops.binary("Sub", n, y, ops.scale(n + "_slope", neg, slope));
        }
        return List.of(x.withName(y));
    }

    static List<KerasTensor> softmax(LayerCall call) {
        KerasTensor x = call.input();
        JsonNode axisNode = call.cfg().node("axis");
        int axis = -1;
        if (axisNode != null) {
            if (axisNode.isArray() && axisNode.size() == 1) {
                axisNode = axisNode.get(0);
            }
            if (!axisNode.isNumber()) {
                throw KerasProblems.unsupported("Softmax over several axes is not supported (layer " + call.name() + ")");
            }
            axis = axisNode.intValue();
        }
        Shapes.axis(axis, x.rank(), call.cfg());
        return List.of(x.withName(call.ops().unary("Softmax", call.name(), x.name(), of("axis", (long) axis))));
    }

    static List<KerasTensor> prelu(LayerCall call) {
        KerasTensor x = call.input();
        KerasArray alpha = call.weights(1).get(0);
        if (alpha.rank() != x.rank() - 1 && alpha.rank() != 1) {
            throw call.cfg().bad("has alpha of shape " + alpha + " for an input of rank " + x.rank());
        }
        if (alpha.rank() == x.rank() - 1) {
            for (int i = 0; i < alpha.rank(); i++) {
                long d = x.dim(i + 1);
                if (alpha.dim(i) != 1 && d >= 0 && alpha.dim(i) != d) {
                    throw call.cfg().bad("has alpha of shape " + alpha + " that does not match its input");
                }
            }
        }
        String y = call.ops().binary("PRelu", call.name(), x.name(), call.init("alpha", alpha));
        return List.of(x.withName(y));
    }
}
