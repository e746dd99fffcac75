package io.plugboard.model;

/** Model platform names as the Open Inference Protocol's examples spell them, by format id. */
public final class Platforms {

    private Platforms() {
    }

    public static String of(String format) {
        return switch (format) {
            case "onnx" -> "onnx_onnxv1";
            case "torchscript" -> "pytorch_torchscript";
            case "tf-savedmodel" -> "tensorflow_savedmodel";
            case "tf-graphdef" -> "tensorflow_graphdef";
            case "h2o-mojo" -> "h2o_mojo";
            case "tflite" -> "tensorflow_lite";
            case "mxnet" -> "mxnet_mxnet";
            default -> format;
        };
    }
}
