package io.plugboard.backend.opencv;

import io.plugboard.backend.Backend;
import io.plugboard.backend.EngineMessages;
import io.plugboard.backend.LoadedModel;
import io.plugboard.backend.ModelSignature;
import io.plugboard.backend.ModelSource;
import io.plugboard.backend.NativeCache;
import io.plugboard.format.ModelFormat;
import io.plugboard.problem.PlugboardException;
import io.plugboard.problem.ProblemType;
import io.plugboard.tensor.DataType;
import io.plugboard.tensor.TensorSpec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.Loader;
import org.bytedeco.opencv.global.opencv_dnn;
import org.bytedeco.opencv.opencv_dnn.Net;

/**
 * Serves Caffe ({@code deploy.prototxt} + {@code .caffemodel}) and Darknet ({@code .cfg} +
 * {@code .weights}) networks with OpenCV's DNN module (bytedeco OpenCV 4.13). One input
 * {@code data} (FP32, NCHW with the shape the definition declares, any batch) and one FP32 output
 * per unconnected output layer, named after it (Caffe's {@code prob}, Darknet's {@code yolo_…}).
 * OpenCV nets run one call at a time, so each instance holds its own net.
 */
public final class OpenCvBackend implements Backend {

    private final NativeCache cache;

    public OpenCvBackend(NativeCache cache) {
        this.cache = cache;
    }

    @Override
    public String name() {
        return "opencv-dnn";
    }

    @Override
    public Set<ModelFormat> formats() {
        return Set.of(ModelFormat.CAFFE, ModelFormat.DARKNET);
    }

    @Override
    public Optional<String> unavailableReason() {
        return getClass().getClassLoader().getResource("org/bytedeco/opencv/linux-x86_64/") == null
                ? Optional.of("this build has no OpenCV native library (org.bytedeco:opencv:linux-x86_64)")
                : Optional.empty();
    }

    @Override
    public void warmUp() {
        cache.loadNatives(NativeCache.Natives.OPENCV,
                () -> Loader.load(org.bytedeco.opencv.global.opencv_dnn.class));
    }

    @Override
    public LoadedModel load(ModelSource source, io.plugboard.backend.Target target) {
        warmUp();
        Path[] files = files(source);
        long[] inputShape = inputShape(source.format(), files[0]);
        // the files are held in native memory: instances made later never read the upload's folder again
        BytePointer definition = bytes(files[0]);
        BytePointer weights = bytes(files[1]);
        List<String> outputs;
        try {
            // read once now: fails fast, as a 422, when OpenCV cannot read the network, and names its outputs
            outputs = outputNames(read(source.format(), definition, weights));
        } catch (RuntimeException e) {
            definition.close();
            weights.close();
            throw e;
        }
        return new OpenCvModel(() -> read(source.format(), definition, weights), signature(inputShape, outputs),
                outputs, target,
                () -> {
                    definition.close();
                    weights.close();
                });
    }

    /**
     * {@code data} of the network's declared input shape, any batch (the warm-up runs zeros of it);
     * an output per layer whose result nothing consumes, named after it.
     */
    private static ModelSignature signature(long[] inputShape, List<String> outputs) {
        return new ModelSignature(List.of(new TensorSpec("data", DataType.FP32, inputShape)),
                outputs.stream().map(name -> new TensorSpec(publicName(name), DataType.FP32, null)).toList());
    }

    /** A layer name as clients use it: without the terminating NUL the native string may carry. */
    private static String publicName(String layer) {
        return layer.replaceAll("\\p{Cntrl}", "").strip();
    }

    /** The names of the net's unconnected output layers, as OpenCV spells them (the net is closed). */
    private static List<String> outputNames(Net net) {
        try (net; org.bytedeco.opencv.opencv_core.StringVector names = net.getUnconnectedOutLayersNames()) {
            List<String> found = new java.util.ArrayList<>();
            for (long i = 0; i < names.size(); i++) {
                found.add(names.get(i).getString());
            }
            if (found.isEmpty()) {
                throw new PlugboardException(ProblemType.MODEL_LOAD_FAILED, "The network has no output layer.");
            }
            return List.copyOf(found);
        }
    }

    /**
     * Checks the definition's numbers before OpenCV parses them ({@link NetworkDefinitionCheck}) and
     * reads its input shape: a network that declares none cannot be warmed up, so it is refused.
     */
    private static long[] inputShape(ModelFormat format, Path definition) {
        String text;
        try {
            if (Files.size(definition) > (16L << 20)) {
                throw new PlugboardException(ProblemType.MODEL_LOAD_FAILED, "The network definition is larger than 16 MB.");
            }
            text = Files.readString(definition, java.nio.charset.StandardCharsets.ISO_8859_1);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        long[] shape = format == ModelFormat.DARKNET ? NetworkDefinitionCheck.darknet(text)
                : NetworkDefinitionCheck.caffe(text);
        if (shape == null) {
            throw new PlugboardException(ProblemType.MODEL_LOAD_FAILED, "The Caffe network declares no input shape "
                    + "(input_shape, input_dim or an Input layer's shape): it cannot be warmed up before it serves.");
        }
        shape[0] = -1; // any batch: OpenCV nets take as many rows as the blob holds
        return shape;
    }

    /** {definition, weights} for the format, found among the uploaded files by their contents' role. */
    private static Path[] files(ModelSource source) {
        List<Path> all;
        try (Stream<Path> walk = Files.walk(source.directory())) {
            all = walk.filter(Files::isRegularFile).sorted().toList();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        Path main = source.mainPath();
        Optional<Path> other = all.stream().filter(p -> !p.equals(main)).findFirst();
        if (source.format() == ModelFormat.DARKNET) {
            return new Path[] {main, other.orElseThrow(() -> missing("Darknet", "the .weights file beside the .cfg"))};
        }
        boolean mainIsText = main.getFileName().toString().endsWith(".prototxt");
        Path text = mainIsText ? main : other.orElseThrow(() -> missing("Caffe", "the deploy.prototxt beside the .caffemodel"));
        Path weights = mainIsText ? other.orElseThrow(() -> missing("Caffe", "the .caffemodel beside the deploy.prototxt")) : main;
        return new Path[] {text, weights};
    }

    private static BytePointer bytes(Path file) {
        try {
            byte[] content = Files.readAllBytes(file);
            return new BytePointer(content.length).put(content);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static Net read(ModelFormat format, BytePointer definition, BytePointer weights) {
        Net net;
        try {
            net = format == ModelFormat.DARKNET
                    ? opencv_dnn.readNetFromDarknet(definition, definition.capacity(), weights, weights.capacity())
                    : opencv_dnn.readNetFromCaffe(definition, definition.capacity(), weights, weights.capacity());
        } catch (RuntimeException e) {
            throw new PlugboardException(ProblemType.MODEL_LOAD_FAILED, "OpenCV could not read the "
                    + format.displayName() + " network: " + EngineMessages.firstLine(e.getMessage()), e);
        }
        if (net == null || net.empty()) {
            throw new PlugboardException(ProblemType.MODEL_LOAD_FAILED, "OpenCV read an empty "
                    + format.displayName() + " network.");
        }
        return net;
    }

    private static PlugboardException missing(String format, String what) {
        return new PlugboardException(ProblemType.MODEL_LOAD_FAILED, "A " + format + " model needs two files: upload "
                + what + " in the same request.");
    }

    @Override
    public void close() {
        // nets are released with their models
    }
}
