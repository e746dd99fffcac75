package io.plugboard.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.plugboard.backend.Backend;
import io.plugboard.backend.LoadedModel;
import io.plugboard.backend.ModelInstance;
import io.plugboard.backend.ModelSource;
import io.plugboard.backend.Target;
import io.plugboard.backend.djl.DjlRuntime;
import io.plugboard.backend.djl.MxNetBackend;
import io.plugboard.backend.h2o.MojoBackend;
import io.plugboard.backend.opencv.OpenCvBackend;
import io.plugboard.backend.tflite.TfLiteBackend;
import io.plugboard.backend.NativeCache;
import io.plugboard.format.ModelFormat;
import io.plugboard.problem.PlugboardException;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * Fuzz harnesses over the files Plugboard hands to native or allocating parsers after checking
 * them: a Darknet {@code .cfg}, a Caffe {@code .prototxt} and a MOJO {@code model.ini}. Whatever the
 * bytes, a load either fails as a client error or gives a model that runs: never another
 * exception, never a crash. Without {@code JAZZER_FUZZ} these run the committed regression inputs
 * (under {@code ParserFuzzTestInputs/}); with {@code JAZZER_FUZZ=1} they fuzz (see README).
 */
class ParserFuzzTest {

    private static final Path MODELS = Path.of("src/test/resources/models");
    private static final NativeCache CACHE = new NativeCache(Path.of("target/engine-cache"));
    private static final Backend OPENCV = new OpenCvBackend(CACHE);
    private static final Backend MOJO = new MojoBackend();
    private static final Backend TFLITE = new TfLiteBackend(CACHE);
    private static final Backend MXNET = new MxNetBackend(new DjlRuntime(CACHE));

    @FuzzTest(maxDuration = "10m")
    void darknetDefinitions(byte[] cfg) throws IOException {
        loadAndRun(OPENCV, ModelFormat.DARKNET, "net.cfg", cfg, "tiny.weights");
    }

    @FuzzTest(maxDuration = "10m")
    void caffeDefinitions(byte[] prototxt) throws IOException {
        loadAndRun(OPENCV, ModelFormat.CAFFE, "deploy.prototxt", prototxt, "tiny.caffemodel");
    }

    @FuzzTest(maxDuration = "10m")
    void mojoDeclarations(byte[] ini) throws IOException {
        Path dir = Files.createTempDirectory("fuzz-mojo");
        try (OutputStream file = Files.newOutputStream(dir.resolve("model.zip"));
                ZipOutputStream zip = new ZipOutputStream(file)) {
            zip.putNextEntry(new ZipEntry("model.ini"));
            zip.write(ini);
            zip.putNextEntry(new ZipEntry("domains/d000.txt"));
            zip.write("red\nblue\n".getBytes());
            zip.closeEntry();
        }
        load(MOJO, new ModelSource(dir, "model.zip", ModelFormat.H2O_MOJO), dir);
    }

    @FuzzTest(maxDuration = "10m")
    void tfliteModels(byte[] flatbuffer) throws IOException {
        Path dir = Files.createTempDirectory("fuzz-tflite");
        Files.write(dir.resolve("model.tflite"), flatbuffer);
        load(TFLITE, new ModelSource(dir, "model.tflite", ModelFormat.TFLITE), dir);
    }

    /** A symbol over the tiny model's parameters, run on its test input's shape (MXNet declares none). */
    @FuzzTest(maxDuration = "10m")
    void mxnetSymbols(byte[] symbol) throws IOException {
        Path dir = Files.createTempDirectory("fuzz-mxnet");
        Files.write(dir.resolve("tiny-symbol.json"), symbol);
        Files.copy(MODELS.resolve("mxnet/tiny-0000.params"), dir.resolve("tiny-0000.params"));
        load(MXNET, new ModelSource(dir, "tiny-symbol.json", ModelFormat.MXNET), dir,
                signature -> Warmups.withShapes(signature, new long[] {2, 3}));
    }

    private static void loadAndRun(Backend backend, ModelFormat format, String name, byte[] definition, String weights)
            throws IOException {
        Path dir = Files.createTempDirectory("fuzz-net");
        Files.write(dir.resolve(name), definition);
        Files.copy(MODELS.resolve("opencv").resolve(weights), dir.resolve(weights));
        load(backend, new ModelSource(dir, name, format), dir);
    }

    private static void load(Backend backend, ModelSource source, Path dir) throws IOException {
        load(backend, source, dir, signature -> signature);
    }

    /**
     * A load refused as a client error is fine; one that succeeds must also run its warm-up shape
     * ({@code shapes} gives one to an engine that declares none).
     */
    private static void load(Backend backend, ModelSource source, Path dir,
            java.util.function.UnaryOperator<io.plugboard.backend.ModelSignature> shapes) throws IOException {
        try (LoadedModel model = backend.load(source, Target.CPU); ModelInstance instance = model.newInstance()) {
            Warmups.run(shapes.apply(model.signature()), instance);
        } catch (PlugboardException e) {
            if (e.type().status() >= 500) {
                throw e;
            }
        } finally {
            try (var files = Files.walk(dir)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }
}
