package io.plugboard.convert.keras;

import static io.plugboard.convert.onnx.OnnxAttribute.ints;
import static io.plugboard.convert.onnx.OnnxAttribute.of;

import io.plugboard.convert.onnx.proto.Onnx.AttributeProto;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Conv1D/2D/3D, Conv2DTranspose, DepthwiseConv2D and SeparableConv2D. Tensors stay in Keras's layout
 * between layers; channels-last inputs are transposed to channels-first around each ONNX Conv.
 */
final class ConvolutionLayers {

    private ConvolutionLayers() {
    }

    static void register(Map<String, LayerConverter> m) {
        m.put("Conv1D", call -> conv(call, 1));
        m.put("Convolution1D", call -> conv(call, 1));
        m.put("Conv2D", call -> conv(call, 2));
        m.put("Convolution2D", call -> conv(call, 2));
        m.put("Conv3D", call -> conv(call, 3));
        m.put("Convolution3D", call -> conv(call, 3));
        m.put("Conv2DTranspose", ConvolutionLayers::convTranspose);
        m.put("DepthwiseConv2D", ConvolutionLayers::depthwise);
        m.put("SeparableConv2D", ConvolutionLayers::separable);
    }

    /** The geometry shared by the convolution layers. */
    record Geometry(int rank, boolean channelsFirst, int[] kernel, int[] strides, int[] dilation, String padding) {
    }

    static Geometry geometry(LayerCall call, int rank) {
        KerasLayerConfig cfg = call.cfg();
        KerasTensor x = call.input();
        if (x.rank() != rank + 2) {
            throw cfg.bad("expects an input of rank " + (rank + 2) + " but gets " + x.rank());
        }
        int[] ones = new int[rank];
        java.util.Arrays.fill(ones, 1);
        int[] kernel;
        if (rank == 2 && cfg.has("nb_row")) {
            kernel = new int[] {cfg.integer("nb_row"), cfg.integer("nb_col")};
        } else if (rank == 3 && cfg.has("kernel_dim1")) {
            kernel = new int[] {cfg.integer("kernel_dim1"), cfg.integer("kernel_dim2"), cfg.integer("kernel_dim3")};
        } else {
            kernel = cfg.tuple(rank, null, "kernel_size", "filter_length");
        }
        int[] strides = cfg.tuple(rank, ones, "strides", "subsample", "subsample_length");
        int[] dilation = cfg.tuple(rank, ones, "dilation_rate", "atrous_rate");
        Shapes.checkPositive(kernel, "kernel size", cfg);
        Shapes.checkPositive(strides, "stride", cfg);
        Shapes.checkPositive(dilation, "dilation rate", cfg);
        String padding = cfg.padding();
        if (padding.equals("causal") && rank != 1) {
            throw cfg.bad("uses causal padding with a " + rank + "-D convolution");
        }
        return new Geometry(rank, cfg.channelsFirst(call.context().backend()), kernel, strides, dilation, padding);
    }

    static long channels(KerasTensor x, Geometry g) {
        return g.channelsFirst ? x.dim(1) : x.dim(-1);
    }

    static long spatial(KerasTensor x, Geometry g, int i) {
        return g.channelsFirst ? x.dim(2 + i) : x.dim(1 + i);
    }

    /** ONNX pads (all begins, then all ends) reproducing Keras's padding; null means auto SAME_UPPER. */
    static long[] pads(KerasTensor x, Geometry g) {
        long[] pads = new long[2 * g.rank];
        for (int i = 0; i < g.rank; i++) {
            long effective = (long) (g.kernel[i] - 1) * g.dilation[i] + 1;
            switch (g.padding) {
                case "valid" -> {
                }
                case "causal" -> pads[i] = effective - 1;
                case "same" -> {
                    long in = spatial(x, g, i);
                    if (in < 0) {
                        return null;
                    }
                    long out = (in + g.strides[i] - 1) / g.strides[i];
                    long total = Math.max((out - 1) * g.strides[i] + effective - in, 0);
                    pads[i] = total / 2;
                    pads[g.rank + i] = total - total / 2;
                }
                default -> throw KerasProblems.unsupported("padding " + g.padding + " is not supported");
            }
        }
        return pads;
    }

    static long[] outShape(KerasTensor x, Geometry g, long channelsOut, KerasLayerConfig cfg) {
        long[] s = x.shape().clone();
        for (int i = 0; i < g.rank; i++) {
            long o = Shapes.convOut(spatial(x, g, i), g.kernel[i], g.strides[i], g.dilation[i], g.padding, cfg);
            s[g.channelsFirst ? 2 + i : 1 + i] = o;
        }
        s[g.channelsFirst ? 1 : s.length - 1] = channelsOut;
        return s;
    }

    /** The input as channels-first for ONNX. */
    static String toOnnxLayout(LayerCall call, KerasTensor x, Geometry g) {
        return g.channelsFirst ? x.name() : call.ops().transpose(call.name() + "_ncx", x.name(),
                Shapes.channelsFirstPerm(x.rank()));
    }

    static String fromOnnxLayout(LayerCall call, String y, Geometry g) {
        return g.channelsFirst ? y : call.ops().transpose(call.name() + "_nxc", y, Shapes.channelsLastPerm(g.rank + 2));
    }

    /** Normalises a kernel to Keras 2's (k..., in, out) layout (Keras 1 Theano-ordered or 1-D as 2-D kernels). */
    static KerasArray kernel(LayerCall call, KerasArray k, Geometry g) {
        if (g.rank == 1 && k.rank() == 4) {
            // Keras 1 built Conv1D on conv2d: tf (k, 1, in, out), th (out, in, k, 1)
            k = call.context().backend().equals("theano")
                    ? k.reshape(k.dim(0), k.dim(1), k.dim(2)).transpose(2, 1, 0)
                    : k.reshape(k.dim(0), k.dim(2), k.dim(3));
        } else if (k.rank() == g.rank + 2 && isTheanoOrdered(call)) {
            int[] perm = new int[g.rank + 2];
            for (int i = 0; i < g.rank; i++) {
                perm[i] = 2 + i;
            }
            perm[g.rank] = 1;
            perm[g.rank + 1] = 0;
            k = k.transpose(perm);
        }
        if (call.context().backend().equals("theano") && k.rank() == g.rank + 2) {
            int[] axes = new int[g.rank];
            for (int i = 0; i < g.rank; i++) {
                axes[i] = i;
            }
            k = k.flip(axes);
        }
        return k;
    }

    private static boolean isTheanoOrdered(LayerCall call) {
        String d = call.cfg().string(null, "dim_ordering");
        return d != null && (d.equals("th") || (d.equals("default") && call.context().backend().equals("theano")));
    }

    /** Keras (k..., a, b) to ONNX (b, a, k...). */
    static KerasArray toOnnxKernel(KerasArray k, int rank) {
        int[] perm = new int[rank + 2];
        perm[0] = rank + 1;
        perm[1] = rank;
        for (int i = 0; i < rank; i++) {
            perm[2 + i] = i;
        }
        return k.transpose(perm);
    }

    static List<AttributeProto> convAttributes(Geometry g, long[] pads, long group) {
        List<AttributeProto> a = new ArrayList<>();
        a.add(ints("kernel_shape", g.kernel));
        a.add(ints("strides", g.strides));
        a.add(ints("dilations", g.dilation));
        if (pads == null) {
            a.add(of("auto_pad", "SAME_UPPER"));
        } else {
            a.add(ints("pads", pads));
        }
        a.add(of("group", group));
        return a;
    }

    static List<KerasTensor> conv(LayerCall call, int rank) {
        KerasLayerConfig cfg = call.cfg();
        KerasTensor x = call.input();
        Geometry g = geometry(call, rank);
        int filters = cfg.integer("filters", "nb_filter");
        int groups = cfg.integerOr(1, "groups");
        boolean useBias = cfg.bool(true, "use_bias", "bias");
        List<KerasArray> w = call.weights(useBias ? 2 : 1);
        KerasArray k = kernel(call, w.get(0), g);
        long cin = channels(x, g);
        if (groups <= 0 || filters <= 0 || filters % groups != 0 || (cin >= 0 && cin % groups != 0)) {
            throw cfg.bad("has invalid filters or groups");
        }
        long[] expect = new long[rank + 2];
        for (int i = 0; i < rank; i++) {
            expect[i] = g.kernel[i];
        }
        expect[rank] = cin < 0 ? -1 : cin / groups;
        expect[rank + 1] = filters;
        call.checkShape(k, "kernel", expect);
        List<String> inputs = new ArrayList<>(List.of(toOnnxLayout(call, x, g), call.init("kernel", toOnnxKernel(k, rank))));
        if (useBias) {
            call.checkShape(w.get(1), "bias", filters);
            inputs.add(call.init("bias", w.get(1)));
        }
        String y = call.ops().op("Conv", call.name() + "_conv", inputs,
                convAttributes(g, pads(x, g), groups).toArray(AttributeProto[]::new));
        y = fromOnnxLayout(call, y, g);
        y = call.activation(y, x);
        return List.of(call.out(y, outShape(x, g, filters, cfg)));
    }

    static List<KerasTensor> convTranspose(LayerCall call) {
        KerasLayerConfig cfg = call.cfg();
        KerasTensor x = call.input();
        Geometry g = geometry(call, 2);
        int filters = cfg.integer("filters", "nb_filter");
        boolean useBias = cfg.bool(true, "use_bias", "bias");
        List<KerasArray> w = call.weights(useBias ? 2 : 1);
        KerasArray k = w.get(0);
        call.checkShape(k, "kernel", g.kernel[0], g.kernel[1], filters, channels(x, g));
        int[] outPad = null;
        if (cfg.node("output_padding") != null) {
            outPad = cfg.tuple(2, null, "output_padding");
        }
        long[] pads = new long[4];
        long[] extra = new long[2];
        long[] shape = x.shape().clone();
        for (int i = 0; i < 2; i++) {
            long in = spatial(x, g, i);
            if (in < 0) {
                throw KerasProblems.unsupported("Conv2DTranspose needs fixed spatial input sizes (layer " + call.name() + ")");
            }
            int s = g.strides[i];
            long fk = (long) (g.kernel[i] - 1) * g.dilation[i] + 1;
            long length;
            if (outPad == null) {
                length = g.padding.equals("same") ? in * s : in * s + Math.max(fk - s, 0);
            } else {
                long p = g.padding.equals("same") ? fk / 2 : 0;
                length = (in - 1) * s + fk - 2 * p + outPad[i];
            }
            long full = (in - 1) * s + fk;
            long begin = g.padding.equals("same") ? Math.max(full - length, 0) / 2 : 0;
            long e = full - begin - length;
            pads[i] = begin;
            if (e >= 0) {
                pads[2 + i] = e;
            } else {
                extra[i] = -e;
            }
            shape[g.channelsFirst ? 2 + i : 1 + i] = length;
        }
        shape[g.channelsFirst ? 1 : 3] = filters;
        List<String> inputs = new ArrayList<>(List.of(toOnnxLayout(call, x, g), call.init("kernel", toOnnxKernel(k, 2))));
        if (useBias) {
            call.checkShape(w.get(1), "bias", filters);
            inputs.add(call.init("bias", w.get(1)));
        }
        String y = call.ops().op("ConvTranspose", call.name() + "_deconv", inputs,
                ints("kernel_shape", g.kernel), ints("strides", g.strides), ints("dilations", g.dilation),
                ints("pads", pads), ints("output_padding", extra));
        y = fromOnnxLayout(call, y, g);
        y = call.activation(y, x);
        return List.of(call.out(y, shape));
    }

    /** The depthwise part as an ONNX grouped Conv; returns the channels-first result. */
    private static String depthwisePart(LayerCall call, KerasTensor x, Geometry g, KerasArray k, int multiplier,
            String bias) {
        long cin = channels(x, g);
        call.checkShape(k, "depthwise kernel", g.kernel[0], g.kernel[1], cin, multiplier);
        cin = k.dim(2);
        // (kh, kw, in, m) -> (in, m, kh, kw) -> (in*m, 1, kh, kw): output channel c*m + j
        KerasArray onnxK = k.transpose(2, 3, 0, 1).reshape(cin * multiplier, 1, g.kernel[0], g.kernel[1]);
        List<String> inputs = new ArrayList<>(List.of(toOnnxLayout(call, x, g), call.init("depthwise_kernel", onnxK)));
        if (bias != null) {
            inputs.add(bias);
        }
        return call.ops().op("Conv", call.name() + "_depthwise", inputs,
                convAttributes(g, pads(x, g), cin).toArray(AttributeProto[]::new));
    }

    static List<KerasTensor> depthwise(LayerCall call) {
        KerasLayerConfig cfg = call.cfg();
        KerasTensor x = call.input();
        Geometry g = geometry(call, 2);
        int m = cfg.integerOr(1, "depth_multiplier");
        boolean useBias = cfg.bool(true, "use_bias");
        List<KerasArray> w = call.weights(useBias ? 2 : 1);
        long cout = w.get(0).rank() == 4 ? w.get(0).dim(2) * m : -1;
        String bias = null;
        if (useBias) {
            call.checkShape(w.get(1), "bias", cout);
            bias = call.init("bias", w.get(1));
        }
        String y = depthwisePart(call, x, g, w.get(0), m, bias);
        y = fromOnnxLayout(call, y, g);
        y = call.activation(y, x);
        return List.of(call.out(y, outShape(x, g, cout, cfg)));
    }

    static List<KerasTensor> separable(LayerCall call) {
        KerasLayerConfig cfg = call.cfg();
        KerasTensor x = call.input();
        Geometry g = geometry(call, 2);
        int m = cfg.integerOr(1, "depth_multiplier");
        int filters = cfg.integer("filters");
        boolean useBias = cfg.bool(true, "use_bias");
        List<KerasArray> w = call.weights(useBias ? 3 : 2);
        String dw = depthwisePart(call, x, g, w.get(0), m, null);
        long mid = w.get(0).dim(2) * m;
        KerasArray pk = w.get(1);
        call.checkShape(pk, "pointwise kernel", 1, 1, mid, filters);
        List<String> inputs = new ArrayList<>(List.of(dw, call.init("pointwise_kernel", toOnnxKernel(pk, 2))));
        if (useBias) {
            call.checkShape(w.get(2), "bias", filters);
            inputs.add(call.init("bias", w.get(2)));
        }
        String y = call.ops().op("Conv", call.name() + "_pointwise", inputs,
                ints("kernel_shape", 1, 1), ints("strides", 1, 1));
        y = fromOnnxLayout(call, y, g);
        y = call.activation(y, x);
        return List.of(call.out(y, outShape(x, g, filters, cfg)));
    }
}
