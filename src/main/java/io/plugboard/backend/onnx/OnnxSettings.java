package io.plugboard.backend.onnx;

/**
 * ONNX Runtime session settings. Zero thread counts leave ONNX Runtime's defaults;
 * {@code optimizationLevel} is one of {@code none, basic, extended, all}.
 */
public record OnnxSettings(int intraOpThreads, int interOpThreads, String optimizationLevel,
        String openVinoDevice) {

    public static OnnxSettings defaults() {
        return new OnnxSettings(0, 0, "all", "CPU");
    }
}
