package io.plugboard.convert.keras;

import static io.plugboard.convert.onnx.OnnxAttribute.ints;
import static io.plugboard.convert.onnx.OnnxAttribute.of;

import io.plugboard.convert.onnx.OnnxGraphBuilder;
import io.plugboard.convert.onnx.proto.Onnx.AttributeProto;
import java.util.ArrayList;
import java.util.List;

/** Common ONNX operations (opset 17) over tensor names. */
final class GraphOps {

    private final OnnxGraphBuilder b;

    GraphOps(OnnxGraphBuilder builder) {
        this.b = builder;
    }

    OnnxGraphBuilder builder() {
        return b;
    }

    String op(String opType, String hint, List<String> inputs, AttributeProto... attrs) {
        return b.node(opType, hint, inputs, attrs);
    }

    String unary(String opType, String hint, String x, AttributeProto... attrs) {
        return b.node(opType, hint, List.of(x), attrs);
    }

    String binary(String opType, String hint, String x, String y) {
        return b.node(opType, hint, List.of(x, y));
    }

    String transpose(String hint, String x, int... perm) {
        return b.node("Transpose", hint, List.of(x), ints("perm", perm));
    }

    /** Reshape to {@code shape}; 0 copies the input's dimension, -1 is inferred. */
    String reshape(String hint, String x, long... shape) {
        return b.node("Reshape", hint, List.of(x, b.longs(hint + "_shape", shape)));
    }

    String reshapeTo(String hint, String x, String shapeTensor) {
        return b.node("Reshape", hint, List.of(x, shapeTensor));
    }

    String squeeze(String hint, String x, long... axes) {
        return b.node("Squeeze", hint, List.of(x, b.longs(hint + "_axes", axes)));
    }

    String unsqueeze(String hint, String x, long... axes) {
        return b.node("Unsqueeze", hint, List.of(x, b.longs(hint + "_axes", axes)));
    }

    String concat(String hint, List<String> xs, long axis) {
        return b.node("Concat", hint, xs, of("axis", axis));
    }

    String slice(String hint, String x, long[] starts, long[] ends, long[] axes, long[] steps) {
        List<String> in = new ArrayList<>(List.of(x, b.longs(hint + "_starts", starts),
                b.longs(hint + "_ends", ends), b.longs(hint + "_axes", axes)));
        if (steps != null) {
            in.add(b.longs(hint + "_steps", steps));
        }
        return b.node("Slice", hint, in);
    }

    /** Reverses {@code x} along {@code axis}. */
    String reverse(String hint, String x, long axis) {
        return slice(hint, x, new long[] {-1}, new long[] {Long.MIN_VALUE}, new long[] {axis}, new long[] {-1});
    }

    String clip(String hint, String x, Float min, Float max) {
        List<String> in = new ArrayList<>();
        in.add(x);
        in.add(min == null ? "" : b.scalar(hint + "_min", min));
        if (max != null) {
            in.add(b.scalar(hint + "_max", max));
        }
        return b.node("Clip", hint, in);
    }

    String scale(String hint, String x, float factor) {
        return binary("Mul", hint, x, b.scalar(hint + "_k", factor));
    }

    String constant(String hint, float[] data, long... dims) {
        return b.floats(hint, data, dims);
    }

    String scalar(String hint, float value) {
        return b.scalar(hint, value);
    }
}
