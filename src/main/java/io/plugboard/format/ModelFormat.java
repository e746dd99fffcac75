package io.plugboard.format;

import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;

/**
 * Every model format Plugboard recognises, with what to tell a user whose build cannot serve it.
 * {@link #id()} is the stable name used in the API ({@code format} field and override).
 */
public enum ModelFormat {
    ONNX("onnx", "ONNX", "an .onnx file (plus its external-data files, if any)", null,
            "This build has no ONNX Runtime backend."),
    TORCHSCRIPT("torchscript", "TorchScript", "the archive written by torch.jit.save", null,
            "Export the model to ONNX with torch.onnx.export, or use a build with the PyTorch engine."),
    TF_SAVEDMODEL("tf-savedmodel", "TensorFlow SavedModel",
            "the SavedModel folder as one .zip/.tar.gz, or its files as parts with relative names", null,
            "Convert it with tf2onnx (python -m tf2onnx.convert --saved-model DIR --output model.onnx), "
                    + "or use a build with the TensorFlow engine."),
    TF_GRAPHDEF("tf-graphdef", "TensorFlow frozen GraphDef", "a frozen .pb graph (inputs: its Placeholder "
            + "nodes; outputs: the nodes nothing consumes, or those the signature field names)", null,
            "Use a build with the TensorFlow engine, or convert it with tf2onnx (python -m tf2onnx.convert "
                    + "--graphdef model.pb --inputs IN:0 --outputs OUT:0 --output model.onnx)."),
    TF_CHECKPOINT("tf-checkpoint", "TensorFlow checkpoint", "ckpt.index + ckpt.data-*",
            "A checkpoint holds variable values without the graph that uses them.",
            "Export a SavedModel (tf.saved_model.save) or ONNX (tf2onnx)."),
    KERAS_H5("keras-h5", "Keras HDF5 (.h5)", "a whole-model .h5 (model.save(\"model.h5\")), converted to ONNX "
            + "at upload", null,
            "Save the whole model (model.save(\"model.h5\")), not only its weights; layers the converter does "
                    + "not know are listed in the answer: export those models to ONNX with tf2onnx."),
    KERAS_V3("keras-v3", "Keras 3 (.keras)", "a .keras archive (model.save(\"model.keras\")), converted to ONNX "
            + "at upload", null,
            "Layers the converter does not know are listed in the answer: export those models to ONNX with "
                    + "tf2onnx, or save them with model.export() as a SavedModel."),
    PYTORCH_PICKLE("pytorch-pickle", "PyTorch torch.save checkpoint", "a .pt/.pth/.bin/.ckpt file",
            "torch.save files are Python pickles: loading one runs arbitrary code, so they are never "
                    + "unpickled here, and a state_dict holds weights without the model's code.",
            "Export TorchScript (torch.jit.script/trace + torch.jit.save) or ONNX (torch.onnx.export), "
                    + "or send safetensors weights together with an ONNX graph."),
    PICKLE("pickle", "Python pickle (scikit-learn, joblib, Theano, …)", "a .pkl file",
            "Python pickles run arbitrary code when loaded; they are never unpickled here.",
            "Export the model to ONNX (skl2onnx for scikit-learn, torch.onnx.export for PyTorch)."),
    SAFETENSORS("safetensors", "SafeTensors weights", "a .safetensors file beside an ONNX graph",
            "SafeTensors files hold weights only, with no graph to run.",
            "Upload them together with the ONNX graph whose initializers they replace (two file parts), or "
                    + "as a new version of an ONNX model (POST /v1/models/{id}/versions with only the weights)."),
    TFLITE("tflite", "TensorFlow Lite", "a .tflite flatbuffer",
            "No TensorFlow Lite runtime is included in this build.",
            "Serve the original model (SavedModel or ONNX), or convert with tf2onnx --tflite model.tflite."),
    TENSORRT_PLAN("tensorrt-plan", "TensorRT engine plan", "a .plan/.engine file",
            "A TensorRT plan is compiled for one TensorRT version and one GPU model; it cannot be moved "
                    + "between hosts.",
            "Upload the ONNX model instead and choose target=tensorrt: the TensorRT execution provider "
                    + "builds the engine on the serving GPU."),
    OPENVINO_IR("openvino-ir", "OpenVINO IR", "model.xml + model.bin",
            "OpenVINO has no Java runtime on Maven Central.",
            "Upload the ONNX model instead; choose target=openvino where an OpenVINO-enabled ONNX Runtime "
                    + "is configured."),
    COREML("coreml", "Core ML", "a .mlmodel file or .mlpackage folder",
            "Core ML runs only on Apple's operating systems.",
            "Export the source model to ONNX (coremltools cannot convert back; export from the "
                    + "training framework)."),
    CAFFE("caffe", "Caffe", "deploy.prototxt + weights.caffemodel",
            "No Caffe runtime is included in this build.",
            "Convert to ONNX (e.g. with caffe2onnx) or use a build with the OpenCV backend."),
    DARKNET("darknet", "Darknet", "model.cfg + model.weights",
            "No Darknet runtime is included in this build.",
            "Convert to ONNX (e.g. darknet2onnx) or use a build with the OpenCV backend."),
    MXNET("mxnet", "Apache MXNet", "model-symbol.json + model-0000.params",
            "No MXNet runtime is included in this build (MXNet is retired).",
            "Export to ONNX with mxnet.onnx.export_model."),
    PADDLE("paddle", "PaddlePaddle", "inference.pdmodel + inference.pdiparams",
            "PaddlePaddle's Java runtime does not work with the engines of this server.",
            "Convert to ONNX with paddle2onnx."),
    H2O_MOJO("h2o-mojo", "H2O MOJO", "the MOJO .zip",
            "No H2O runtime is included in this build.",
            "Use a build with the H2O backend, or export the model to ONNX where H2O supports it."),
    H2O_POJO("h2o-pojo", "H2O POJO (Java source)", "a .java file",
            "Compiling uploaded source code would run it: Java sources are refused.",
            "Download the MOJO instead (model.download_mojo()) and upload that."),
    DL4J("dl4j", "Deeplearning4j model zip", "a .zip with configuration.json + coefficients.bin",
            "No Deeplearning4j runtime is included in this build.",
            "Export the model to ONNX or Keras from its source."),
    TVM("tvm", "Apache TVM compiled module", "model.so + model.json + model.params",
            "A compiled TVM module is native code: loading it would run arbitrary machine code.",
            "Upload the ONNX model the module was compiled from."),
    NATIVE_LIBRARY("native-library", "Native shared library", "an ELF .so file",
            "Native libraries are machine code; loading one would run it.",
            "Upload the model in ONNX format."),
    GGUF("gguf", "GGUF (llama.cpp)", "a .gguf file",
            "GGUF holds language-model weights for a text-generation runtime, not a tensor-in/tensor-out "
                    + "model.",
            "Serve it with a text-generation server (llama.cpp), or export the network to ONNX.");

    private final String id;
    private final String displayName;
    private final String upload;
    private final String reason;
    private final String hint;

    ModelFormat(String id, String displayName, String upload, String reason, String hint) {
        this.id = id;
        this.displayName = displayName;
        this.upload = upload;
        this.reason = reason;
        this.hint = hint;
    }

    public String id() {
        return id;
    }

    public String displayName() {
        return displayName;
    }

    /** What a user uploads for this format. */
    public String upload() {
        return upload;
    }

    /**
     * Why no backend of any build serves this format, or empty when a backend can serve it and only
     * this build lacks one.
     */
    public Optional<String> intrinsicReason() {
        return Optional.ofNullable(reason);
    }

    /** What to do instead: how to convert, or which build to use. */
    public String hint() {
        return hint;
    }

    public static Optional<ModelFormat> fromId(String id) {
        if (id == null) {
            return Optional.empty();
        }
        String wanted = id.trim().toLowerCase(Locale.ROOT);
        return Arrays.stream(values()).filter(f -> f.id.equals(wanted)).findFirst();
    }
}
