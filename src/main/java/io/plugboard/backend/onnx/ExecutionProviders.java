package io.plugboard.backend.onnx;

import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession.SessionOptions;
import io.plugboard.backend.Target;

/**
 * Builds ONNX Runtime session options for a target, following ONNX Runtime's Java API: TensorRT
 * sessions also register CUDA so nodes TensorRT cannot take still run on the GPU, and every
 * session keeps the CPU provider as the last fallback (ONNX Runtime adds it implicitly).
 */
final class ExecutionProviders {

    private ExecutionProviders() {
    }

    static SessionOptions options(Target target, OnnxSettings settings) throws OrtException {
        SessionOptions options = new SessionOptions();
        try {
            if (settings.intraOpThreads() > 0) {
                options.setIntraOpNumThreads(settings.intraOpThreads());
            }
            if (settings.interOpThreads() > 0) {
                options.setInterOpNumThreads(settings.interOpThreads());
            }
            options.addConfigEntry("session.intra_op.allow_spinning", settings.allowSpinning() ? "1" : "0");
            // a call that fails (bad inputs, a stopped runaway) is reported through its exception and the
            // server's own log; the session's logger would also print a line to stderr for each, outside
            // the log format, at any client's will
            options.setSessionLogLevel(ai.onnxruntime.OrtLoggingLevel.ORT_LOGGING_LEVEL_FATAL);
            options.setOptimizationLevel(switch (settings.optimizationLevel()) {
                case "none" -> SessionOptions.OptLevel.NO_OPT;
                case "basic" -> SessionOptions.OptLevel.BASIC_OPT;
                case "extended" -> SessionOptions.OptLevel.EXTENDED_OPT;
                default -> SessionOptions.OptLevel.ALL_OPT;
            });
            int device = target.deviceOrZero();
            switch (target.kind()) {
                case TENSORRT -> {
                    options.addTensorrt(device);
                    options.addCUDA(device);
                }
                case CUDA -> options.addCUDA(device);
                case OPENVINO -> options.addOpenVINO(settings.openVinoDevice());
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
