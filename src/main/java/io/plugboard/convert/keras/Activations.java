package io.plugboard.convert.keras;

import static io.plugboard.convert.onnx.OnnxAttribute.of;

import java.util.Set;
import tools.jackson.databind.JsonNode;

/** Keras activation functions as ONNX nodes. */
final class Activations {

    static final Set<String> SUPPORTED = Set.of("linear", "relu", "relu6", "sigmoid", "hard_sigmoid", "tanh",
            "softmax", "log_softmax", "softplus", "softsign", "elu", "selu", "gelu", "swish", "silu",
            "exponential", "leaky_relu", "hard_silu", "hard_swish", "mish");

    static final float SELU_ALPHA = 1.6732632423543772848170429916717f;
    static final float SELU_SCALE = 1.0507009873554804934193349852946f;

    private final int kerasMajor;

    Activations(int kerasMajor) {
        this.kerasMajor = kerasMajor;
    }

    /** The activation's name from a config value ({@code "relu"} or a Keras 3 serialized function). */
    static String nameOf(JsonNode activation) {
        if (activation == null || activation.isNull()) {
            return "linear";
        }
        if (activation.isString()) {
            return activation.stringValue();
        }
        if (activation.isObject()) {
            JsonNode cfg = activation.get("config");
            if (cfg != null && cfg.isString()) {
                return cfg.stringValue();
            }
            JsonNode cls = activation.get("class_name");
            if (cls != null && cls.isString()) {
                return cls.stringValue();
            }
        }
        return String.valueOf(activation);
    }

    /** HardSigmoid's slope: Keras 1/2 use 0.2; Keras 3 uses relu6(x + 3) / 6. */
    float hardSigmoidAlpha() {
        return kerasMajor >= 3 ? 1f / 6f : 0.2f;
    }

    String apply(LayerCall call, JsonNode activation, String x, int rank) {
        return apply(call.ops(), nameOf(activation), call.name(), x);
    }

    String apply(GraphOps ops, String name, String hint, String x) {
        String h = hint + "_" + name;
        return switch (name) {
            case "linear" -> x;
            case "relu" -> ops.unary("Relu", h, x);
            case "relu6" -> ops.clip(h, x, 0f, 6f);
            case "sigmoid" -> ops.unary("Sigmoid", h, x);
            case "hard_sigmoid" -> ops.unary("HardSigmoid", h, x, of("alpha", hardSigmoidAlpha()),
                    of("beta", 0.5f));
            case "tanh" -> ops.unary("Tanh", h, x);
            case "softmax" -> ops.unary("Softmax", h, x, of("axis", -1L));
            case "log_softmax" -> ops.unary("LogSoftmax", h, x, of("axis", -1L));
            case "softplus" -> ops.unary("Softplus", h, x);
            case "softsign" -> ops.unary("Softsign", h, x);
            case "elu" -> ops.unary("Elu", h, x, of("alpha", 1f));
            case "selu" -> ops.unary("Selu", h, x, of("alpha", SELU_ALPHA), of("gamma", SELU_SCALE));
            case "gelu" -> gelu(ops, h, x);
            case "swish", "silu" -> ops.binary("Mul", h, x, ops.unary("Sigmoid", h + "_sig", x));
            case "exponential" -> ops.unary("Exp", h, x);
            case "leaky_relu" -> ops.unary("LeakyRelu", h, x, of("alpha", 0.2f));
            case "hard_silu", "hard_swish" -> ops.unary("HardSwish", h, x);
            case "mish" -> ops.binary("Mul", h, x, ops.unary("Tanh", h + "_t", ops.unary("Softplus", h + "_sp", x)));
            default -> throw KerasProblems.unsupportedLayers(java.util.List.of("activation " + name));
        };
    }

    /** Exact GELU: x * 0.5 * (1 + erf(x / sqrt(2))) (the default of Keras's gelu). */
    private static String gelu(GraphOps ops, String h, String x) {
        String scaled = ops.scale(h + "_div", x, (float) (1 / Math.sqrt(2)));
        String erf = ops.unary("Erf", h + "_erf", scaled);
        String one = ops.binary("Add", h + "_one", erf, ops.scalar(h + "_1", 1f));
        String half = ops.scale(h + "_half", x, 0.5f);
        return ops.binary("Mul", h, half, one);
    }
}
