package io.plugboard.backend;

import static org.assertj.core.api.Assertions.assertThat;

import io.plugboard.backend.tflite.TfLiteBackend;
import io.plugboard.format.ModelFormat;
import io.plugboard.tensor.DataType;
import io.plugboard.tensor.Tensor;
import io.plugboard.tensor.TensorSpec;
import java.io.File;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.bytedeco.javacpp.Loader;
import org.junit.jupiter.api.Test;

/** The kit over a TFLite model written here (FP32 and INT32), plus a real third-party model. */
class TfLiteBackendTest extends BackendCompatibilityKit {

    private static final TfLiteBackend BACKEND = new TfLiteBackend(Engines.CACHE);
    private static final Path DIR = Path.of("src/test/resources/models/tflite");

    @Override
    protected Backend backend() {
        return BACKEND;
    }

    @Override
    protected ModelSource reference() {
        return new ModelSource(DIR, "arith.tflite", ModelFormat.TFLITE);
    }

    @Override
    protected Path casesFile() {
        return DIR.resolve("arith.cases.json");
    }

    @Override
    protected ModelSignature expectedSignature() {
        long[] m = {2, 3};
        return new ModelSignature(List.of(new TensorSpec("x", DataType.FP32, m), new TensorSpec("y", DataType.FP32, m),
                new TensorSpec("a", DataType.INT32, new long[] {2}), new TensorSpec("b", DataType.INT32, new long[] {2})),
                List.of(new TensorSpec("sum", DataType.FP32, m), new TensorSpec("product", DataType.FP32, m),
                        new TensorSpec("total", DataType.INT32, new long[] {2})));
    }

    /** Fixed shapes: no batch dimension. */
    @Override
    protected Set<Capability> capabilities() {
        return EnumSet.noneOf(Capability.class);
    }

    /** 196 KB of input per call: a leaked input tensor shows. */
    @Override
    protected ModelSource memoryCheckModel() {
        return new ModelSource(DIR, "face_detection_short_range.tflite", ModelFormat.TFLITE);
    }

    @Test
    void mediapipeFaceDetectionRuns() {
        ModelSource face = new ModelSource(DIR, "face_detection_short_range.tflite", ModelFormat.TFLITE);
        try (LoadedModel model = BACKEND.load(face, Target.CPU); ModelInstance instance = model.newInstance()) {
            TensorSpec input = model.signature().inputs().get(0);
            assertThat(input.datatype()).isEqualTo(DataType.FP32);
            assertThat(input.shape()).containsExactly(1, 128, 128, 3);
            assertThat(model.signature().outputs()).extracting(s -> s.shape()[1]).containsOnly(896L);
            ByteBuffer image = ByteBuffer.allocate(128 * 128 * 3 * 4).order(ByteOrder.LITTLE_ENDIAN);
            for (int i = 0; i < 128 * 128 * 3; i++) {
                image.putFloat((i % 255) / 127.5f - 1f);
            }
            Tensor in = Tensor.of(DataType.FP32, new long[] {1, 128, 128, 3}, image.flip());
            Map<String, Tensor> first = instance.infer(Map.of(input.name(), in), Set.of());
            Map<String, Tensor> second = instance.infer(Map.of(input.name(), in), Set.of());
            assertThat(first.keySet()).hasSize(2);
            for (String name : first.keySet()) {
                ByteBuffer a = first.get(name).data();
                ByteBuffer b = second.get(name).data();
                assertThat(a).isEqualTo(b);
                while (a.hasRemaining()) {
                    assertThat(Float.isFinite(a.getFloat())).isTrue();
                }
            }
        }
    }

    @Test
    void warmUpUnpacksIntoTheEngineCacheNotTheHomeFolder() throws Exception {
        BACKEND.warmUp();
        // a read-only root filesystem has no writable home folder; JavaCPP's default cache is there
        assertThat(Loader.getCacheDir().getCanonicalPath())
                .doesNotStartWith(new File(System.getProperty("user.home"), ".javacpp").getCanonicalPath());
    }
}
