package io.plugboard.backend;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** What clients see of engine messages: the first line, no machine paths. */
class EngineMessagesTest {

    @Test
    void buildMachineAndServerPathsAreReducedToFileNames() {
        assertThat(EngineMessages.firstLine("OpenCV(4.13.0) /home/runner/work/javacpp-presets/javacpp-presets/opencv/"
                + "cppbuild/linux-x86_64/opencv-4.13.0/modules/dnn/src/layers/convolution_layer.cpp:420: error: "
                + "(-215:Assertion failed) blobs.size() != 0 in function 'getMemoryShapes'\nstack"))
                .isEqualTo("OpenCV(4.13.0) convolution_layer.cpp:420: error: (-215:Assertion failed) blobs.size() != 0 "
                        + "in function 'getMemoryShapes'");
        assertThat(EngineMessages.firstLine("Load model from /var/lib/plugboard/staging/0b1c/files/model.onnx failed"))
                .isEqualTo("Load model from model.onnx failed");
        assertThat(EngineMessages.firstLine("[ONNXRuntimeError] : 2 : INVALID_ARGUMENT : /onnxruntime_src/onnxruntime/"
                + "core/framework/tensor.cc:97 bad"))
                .isEqualTo("[ONNXRuntimeError] : 2 : INVALID_ARGUMENT : tensor.cc:97 bad");
    }

    @Test
    void ratiosUrlsAndShortPathsAreLeftAlone() {
        assertThat(EngineMessages.firstLine("expected 3/4 of https://example.org/a/b and /dev"))
                .isEqualTo("expected 3/4 of https://example.org/a/b and /dev");
    }
}
