package io.plugboard.backend;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.plugboard.backend.opencv.OpenCvBackend;
import io.plugboard.format.ModelFormat;
import io.plugboard.problem.ProblemType;
import io.plugboard.problem.PlugboardException;
import io.plugboard.support.Cases;
import io.plugboard.tensor.DataType;
import io.plugboard.tensor.TensorSpec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The kit over a Darknet network (OpenCV DNN), plus a Caffe one checked against its reference. */
class OpenCvBackendTest extends BackendCompatibilityKit {

    private static final OpenCvBackend BACKEND = new OpenCvBackend(Engines.CACHE);
    private static final Path DIR = Path.of("src/test/resources/models/opencv");

    @TempDir
    static Path darknet;

    @Override
    protected Backend backend() {
        return BACKEND;
    }

    @Override
    protected ModelSource reference() {
        try {
            Files.copy(DIR.resolve("tiny.cfg"), darknet.resolve("tiny.cfg"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            Files.copy(DIR.resolve("tiny.weights"), darknet.resolve("tiny.weights"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return new ModelSource(darknet, "tiny.cfg", ModelFormat.DARKNET);
    }

    @Override
    protected Path casesFile() {
        return DIR.resolve("darknet.cases.json");
    }

    @Override
    protected ModelSignature expectedSignature() {
        // the shape the .cfg's [net] section declares, any batch; the output named after its layer
        return new ModelSignature(List.of(new TensorSpec("data", DataType.FP32, new long[] {-1, 3, 1, 1})),
                List.of(new TensorSpec("conv_0", DataType.FP32, null)));
    }

    @Test
    void caffeMatchesItsReference(@TempDir Path caffe) throws Exception {
        Files.copy(DIR.resolve("tiny.prototxt"), caffe.resolve("deploy.prototxt"));
        Files.copy(DIR.resolve("tiny.caffemodel"), caffe.resolve("tiny.caffemodel"));
        try (LoadedModel model = BACKEND.load(new ModelSource(caffe, "tiny.caffemodel", ModelFormat.CAFFE), Target.CPU);
                ModelInstance instance = model.newInstance()) {
            Cases.Case c = Cases.of(DIR.resolve("caffe.cases.json")).get(0);
            assertThat(model.signature().outputs()).extracting(TensorSpec::name).containsExactly("fc");
            var out = instance.infer(decode(c.request()).inputs(), Set.of("fc"));
            assertThat(out.get("fc").shape()).containsExactly(1, 2);
            assertThat(out.get("fc").data().getFloat(0)).isCloseTo(4.6f, org.assertj.core.data.Offset.offset(1e-5f));
            assertThat(out.get("fc").data().getFloat(4)).isCloseTo(-0.45f, org.assertj.core.data.Offset.offset(1e-5f));
        }
    }

    @Test
    void definitionsThatWouldCrashOpenCvAreRefusedBeforeItReadsThem(@TempDir Path dir) throws Exception {
        Files.copy(DIR.resolve("tiny.weights"), dir.resolve("tiny.weights"));
        Files.writeString(dir.resolve("tiny.cfg"), Files.readString(DIR.resolve("tiny.cfg")) + "groups=0\n");
        assertThatThrownBy(() -> BACKEND.load(new ModelSource(dir, "tiny.cfg", ModelFormat.DARKNET), Target.CPU))
                .isInstanceOfSatisfying(PlugboardException.class, e -> {
                    assertThat(e.type()).isEqualTo(ProblemType.MODEL_LOAD_FAILED);
                    assertThat(e.getMessage()).contains("groups 0", "line 13");
                });
        Path caffe = Files.createDirectories(dir.resolve("caffe"));
        Files.copy(DIR.resolve("tiny.caffemodel"), caffe.resolve("tiny.caffemodel"));
        Files.writeString(caffe.resolve("deploy.prototxt"),
                Files.readString(DIR.resolve("tiny.prototxt")).replace("num_output: 2", "num_output: 0"));
        assertThatThrownBy(() -> BACKEND.load(new ModelSource(caffe, "tiny.caffemodel", ModelFormat.CAFFE), Target.CPU))
                .isInstanceOfSatisfying(PlugboardException.class, e -> assertThat(e.getMessage()).contains("num_output 0"));
    }
}
