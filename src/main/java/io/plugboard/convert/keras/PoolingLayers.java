package io.plugboard.convert.keras;

import static io.plugboard.convert.onnx.OnnxAttribute.ints;
import static io.plugboard.convert.onnx.OnnxAttribute.of;

import io.plugboard.convert.onnx.proto.Onnx.AttributeProto;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Max and average pooling (1-3 D) and their global forms. */
final class PoolingLayers {

    private PoolingLayers() {
    }

    static void register(Map<String, LayerConverter> m) {
        for (int r = 1; r <= 3; r++) {
            int rank = r;
            m.put("MaxPooling" + r + "D", call -> pool(call, rank, "MaxPool"));
            m.put("AveragePooling" + r + "D", call -> pool(call, rank, "AveragePool"));
            m.put("GlobalMaxPooling" + r + "D", call -> global(call, rank, "ReduceMax"));
            m.put("GlobalAveragePooling" + r + "D", call -> global(call, rank, "ReduceMean"));
            m.put("MaxPool" + r + "D", call -> pool(call, rank, "MaxPool"));
            m.put("AvgPool" + r + "D", call -> pool(call, rank, "AveragePool"));
            m.put("GlobalMaxPool" + r + "D", call -> global(call, rank, "ReduceMax"));
            m.put("GlobalAvgPool" + r + "D", call -> global(call, rank, "ReduceMean"));
        }
    }

    static List<KerasTensor> pool(LayerCall call, int rank, String op) {
        KerasLayerConfig cfg = call.cfg();
        KerasTensor x = call.input();
        if (x.rank() != rank + 2) {
            throw cfg.bad("expects an input of rank " + (rank + 2));
        }
        int[] two = new int[rank];
        java.util.Arrays.fill(two, 2);
        int[] size = cfg.tuple(rank, two, "pool_size", "pool_length");
        int[] strides = cfg.tuple(rank, size, "strides", "stride");
        Shapes.checkPositive(size, "pool size", cfg);
        Shapes.checkPositive(strides, "stride", cfg);
        int[] ones = new int[rank];
        java.util.Arrays.fill(ones, 1);
        ConvolutionLayers.Geometry g = new ConvolutionLayers.Geometry(rank,
                cfg.channelsFirst(call.context().backend()), size, strides, ones, cfg.padding());
        long[] pads = ConvolutionLayers.pads(x, g);
        List<AttributeProto> a = new ArrayList<>();
        a.add(ints("kernel_shape", size));
        a.add(ints("strides", strides));
        a.add(pads == null ? of("auto_pad", "SAME_UPPER") : ints("pads", pads));
        if (op.equals("AveragePool")) {
            a.add(of("count_include_pad", 0L));
        }
        String y = call.ops().op(op, call.name() + "_pool",
                List.of(ConvolutionLayers.toOnnxLayout(call, x, g)), a.toArray(AttributeProto[]::new));
        y = ConvolutionLayers.fromOnnxLayout(call, y, g);
        return List.of(call.out(y, ConvolutionLayers.outShape(x, g, ConvolutionLayers.channels(x, g), cfg)));
    }

    static List<KerasTensor> global(LayerCall call, int rank, String op) {
        KerasLayerConfig cfg = call.cfg();
        KerasTensor x = call.input();
        if (x.rank() != rank + 2) {
            throw cfg.bad("expects an input of rank " + (rank + 2));
        }
        boolean cf = cfg.channelsFirst(call.context().backend());
        boolean keep = cfg.bool(false, "keepdims");
        long[] axes = new long[rank];
        for (int i = 0; i < rank; i++) {
            axes[i] = cf ? 2 + i : 1 + i;
        }
        String y = call.ops().unary(op, call.name(), x.name(), ints("axes", axes), of("keepdims", keep ? 1L : 0L));
        long[] shape;
        if (keep) {
            shape = x.shape().clone();
            for (long a : axes) {
                shape[(int) a] = 1;
            }
        } else {
            shape = new long[] {x.dim(0), cf ? x.dim(1) : x.dim(-1)};
        }
        return List.of(call.out(y, shape));
    }
}
