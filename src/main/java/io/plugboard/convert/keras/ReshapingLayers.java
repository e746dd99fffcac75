package io.plugboard.convert.keras;

import static io.plugboard.convert.onnx.OnnxAttribute.of;

import java.util.List;
import java.util.Map;

/** ZeroPadding, Cropping and UpSampling in one to three spatial dimensions. */
final class ReshapingLayers {

    private ReshapingLayers() {
    }

    static void register(Map<String, LayerConverter> m) {
        for (int r = 1; r <= 3; r++) {
            int rank = r;
            m.put("ZeroPadding" + r + "D", call -> zeroPadding(call, rank));
            m.put("Cropping" + r + "D", call -> cropping(call, rank));
            m.put("UpSampling" + r + "D", call -> upSampling(call, rank));
        }
    }

    /** The Keras axis of spatial dimension i. */
    private static int spatialAxis(LayerCall call, int rank, int i) {
        boolean cf = rank > 1 && call.cfg().channelsFirst(call.context().backend());
        return cf ? 2 + i : 1 + i;
    }

    private static void checkRank(LayerCall call, KerasTensor x, int rank) {
        if (x.rank() != rank + 2) {
            throw call.cfg().bad("expects an input of rank " + (rank + 2));
        }
    }

    static List<KerasTensor> zeroPadding(LayerCall call, int rank) {
        KerasTensor x = call.input();
        checkRank(call, x, rank);
        int[][] p = call.cfg().pairs(rank, "padding");
        long[] pads = new long[2 * x.rank()];
        long[] shape = x.shape().clone();
        for (int i = 0; i < rank; i++) {
            int a = spatialAxis(call, rank, i);
            if (p[i][0] < 0 || p[i][1] < 0) {
                throw call.cfg().bad("has negative padding");
            }
            pads[a] = p[i][0];
            pads[x.rank() + a] = p[i][1];
            shape[a] = x.dim(a) < 0 ? -1 : x.dim(a) + p[i][0] + p[i][1];
        }
        String y = call.ops().op("Pad", call.name(), List.of(x.name(),
                call.ops().builder().longs(call.name() + "_pads", pads)), of("mode", "constant"));
        return List.of(call.out(y, shape));
    }

    static List<KerasTensor> cropping(LayerCall call, int rank) {
        KerasTensor x = call.input();
        checkRank(call, x, rank);
        int[][] c = call.cfg().pairs(rank, "cropping");
        long[] starts = new long[rank];
        long[] ends = new long[rank];
        long[] axes = new long[rank];
        long[] shape = x.shape().clone();
        for (int i = 0; i < rank; i++) {
            int a = spatialAxis(call, rank, i);
            if (c[i][0] < 0 || c[i][1] < 0) {
                throw call.cfg().bad("has negative cropping");
            }
            axes[i] = a;
            starts[i] = c[i][0];
            ends[i] = c[i][1] == 0 ? Long.MAX_VALUE : -c[i][1];
            if (x.dim(a) >= 0) {
                shape[a] = x.dim(a) - c[i][0] - c[i][1];
                if (shape[a] <= 0) {
                    throw call.cfg().bad("crops away its whole input");
                }
            }
        }
        String y = call.ops().slice(call.name(), x.name(), starts, ends, axes, null);
        return List.of(call.out(y, shape));
    }

    static List<KerasTensor> upSampling(LayerCall call, int rank) {
        KerasTensor x = call.input();
        checkRank(call, x, rank);
        String interpolation = call.cfg().string("nearest", "interpolation");
        if (!interpolation.equals("nearest")) {
            throw KerasProblems.unsupported("UpSampling with " + interpolation + " interpolation is not supported (layer "
                    + call.name() + ")");
        }
        int[] two = new int[rank];
        java.util.Arrays.fill(two, 2);
        int[] size = call.cfg().tuple(rank, two, "size", "length");
        Shapes.checkPositive(size, "size", call.cfg());
        float[] scales = new float[x.rank()];
        java.util.Arrays.fill(scales, 1f);
        long[] shape = x.shape().clone();
        for (int i = 0; i < rank; i++) {
            int a = spatialAxis(call, rank, i);
            scales[a] = size[i];
            shape[a] = x.dim(a) < 0 ? -1 : x.dim(a) * size[i];
        }
        String y = call.ops().op("Resize", call.name(), List.of(x.name(), "",
                call.ops().constant(call.name() + "_scales", scales, scales.length)),
                of("mode", "nearest"), of("coordinate_transformation_mode", "asymmetric"),
                of("nearest_mode", "floor"));
        return List.of(call.out(y, shape));
    }
}
