package io.plugboard.backend;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.plugboard.backend.onnx.OnnxBackend;
import io.plugboard.backend.onnx.OnnxSettings;
import io.plugboard.format.ModelFormat;
import io.plugboard.tensor.DataType;
import io.plugboard.tensor.TensorSpec;
import io.plugboard.problem.PlugboardException;
import io.plugboard.problem.ProblemType;
import io.plugboard.tensor.Tensor;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class OnnxBackendTest extends BackendCompatibilityKit {

    private static final OnnxBackend BACKEND = new OnnxBackend(OnnxSettings.defaults());
    private static final Path DIR = Path.of("src/test/resources/models/onnx");

    @Override
    protected Backend backend() {
        return BACKEND;
    }

    @Override
    protected ModelSource reference() {
        return new ModelSource(DIR, "add_mul.onnx", ModelFormat.ONNX);
    }

    @Override
    protected Path casesFile() {
        return DIR.resolve("add_mul.cases.json");
    }

    @Override
    protected ModelSignature expectedSignature() {
        long[] shape = {-1, 3};
        return new ModelSignature(
                List.of(new TensorSpec("a", DataType.FP32, shape), new TensorSpec("b", DataType.FP32, shape)),
                List.of(new TensorSpec("sum", DataType.FP32, shape), new TensorSpec("product", DataType.FP32, shape)));
    }

    private static Tensor longs(long... values) {
        ByteBuffer data = ByteBuffer.allocate(values.length * 8).order(ByteOrder.LITTLE_ENDIAN);
        for (long v : values) {
            data.putLong(v);
        }
        return Tensor.of(DataType.INT64, new long[] {values.length}, data.flip());
    }

    @Test
    void aRunawayCallStopsWhenCancelled() throws Exception {
        try (LoadedModel model = BACKEND.load(new ModelSource(DIR, "runaway_loop.onnx", ModelFormat.ONNX), Target.CPU);
                ModelInstance instance = model.newInstance()) {
            Tensor counted = instance.infer(Map.of("n", longs(1000)), Set.of("count")).get("count");
            assertThat(counted.data().getLong(0)).isEqualTo(1000);
            ExecutorService thread = Executors.newSingleThreadExecutor();
            try {
                Future<?> runaway = thread.submit(() -> instance.infer(Map.of("n", longs(1L << 50)), Set.of("count")));
                Thread.sleep(300);
                assertThat(runaway).isNotDone();
                assertThat(instance.cancel()).isTrue();
                assertThatThrownBy(() -> runaway.get(10, TimeUnit.SECONDS)).hasCauseInstanceOf(PlugboardException.class)
                        .cause().satisfies(e -> assertThat(((PlugboardException) e).type())
                                .isEqualTo(ProblemType.MODEL_NOT_READY));
            } finally {
                thread.shutdownNow();
            }
            // the instance serves again after a stopped call
            assertThat(instance.infer(Map.of("n", longs(7)), Set.of("count")).get("count").data().getLong(0)).isEqualTo(7);
        }
    }

    @Test
    void memoryARequestMadeTheEngineAllocateGoesBack() {
        try (LoadedModel model = BACKEND.load(new ModelSource(DIR, "expand_sum.onnx", ModelFormat.ONNX), Target.CPU);
                ModelInstance instance = model.newInstance()) {
            instance.infer(Map.of("shape", longs(1000)), Set.of("total"));
            long before = nativeBytes();
            // a 16-byte input that makes ONNX Runtime fill 1 GiB
            Tensor total = instance.infer(Map.of("shape", longs(1L << 28)), Set.of("total")).get("total");
            assertThat(total.data().getFloat(0)).isGreaterThan(1L << 24); // float32 sums lose the exact count
            long after = nativeBytes();
            System.out.printf("native memory around a 1 GiB intermediate: %d MB -> %d MB%n", before >> 20, after >> 20);
            assertThat(after - before).as("native bytes still held after the call").isLessThan(256L << 20);
        }
    }
}
