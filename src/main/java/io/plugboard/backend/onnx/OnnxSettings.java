package io.plugboard.backend.onnx;

/**
 * ONNX Runtime session settings. Zero thread counts leave ONNX Runtime's defaults;
 * {@code optimizationLevel} is one of {@code none, basic, extended, all}. {@code allowSpinning} lets
 * ONNX Runtime's idle intra-op threads spin (lower latency alone, but they burn cores other
 * requests and instances need).
 */
public record OnnxSettings(int intraOpThreads, int interOpThreads, String optimizationLevel,
        String openVinoDevice, boolean allowSpinning) {

    public static OnnxSettings defaults() {
        return new OnnxSettings(0, 0, "all", "CPU", false);
    }
}
