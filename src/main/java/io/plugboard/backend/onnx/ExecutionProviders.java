package io.plugboard.backend.onnx;

import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession.SessionOptions;

/**
 * Builds ONNX Runtime session options for a target, following ONNX Runtime's Java API: TensorRT
 * sessions also register CUDA so nodes TensorRT cannot take still run on the GPU, and every
 * session keeps the CPU provider as the last fallback (ONNX Runtime adds it implicitly).
 */
final class ExecutionProviders {

    private ExecutionProviders() {
    }

    static SessionOptions options(String target, OnnxSettings settings) throws OrtException {
        SessionOptions options = new SessionOptions();
        try {
            if (settings.intraOpThreads() > 0) {
                options.setIntraOpNumThreads(settings.intraOpThreads());
            }
            if (settings.interOpThreads() > 0) {
                options.setInterOpNumThreads(settings.interOpThreads());
            }
            options.addConfigEntry("session.intra_op.allow_spinning", settings.allowSpinning() ? "1" : "0");
            options.setOptimizationLevel(switch (settings.optimizationLevel()) {
                case "none" -> SessionOptions.OptLevel.NO_OPT;
                case "basic" -> SessionOptions.OptLevel.BASIC_OPT;
                case "extended" -> SessionOptions.OptLevel.EXTENDED_OPT;
                default -> SessionOptions.OptLevel.ALL_OPT;
            });
            String kind = target.contains(":") ? target.substring(0, target.indexOf(':')) : target;
            int device = target.contains(":") ? Integer.parseInt(target.substring(target.indexOf(':') + 1)) : 0;
            switch (kind) {
                case "tensorrt" -> {
                    options.addTensorrt(device);
                    options.addCUDA(device);
                }
                case "cuda" -> options.addCUDA(device);
                case "openvino" -> options.addOpenVINO(settings.openVinoDevice());
                default -> {
                    // CPU execution provider only.
                }
            }
            return options;
        } catch (OrtException | RuntimeException e) {
            options.close();
            throw e;
        }
    }
}
