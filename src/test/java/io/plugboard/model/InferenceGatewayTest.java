package io.plugboard.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.plugboard.inference.InferenceRequest;
import io.plugboard.inference.InferenceResult;
import io.plugboard.problem.PlugboardException;
import io.plugboard.support.ServerTest;
import io.plugboard.tensor.DataType;
import io.plugboard.tensor.Tensor;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import java.util.Map;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import io.plugboard.problem.ProblemType;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

/** What a transport thread may have answered at once, and what must go to a thread that waits. */
class InferenceGatewayTest extends ServerTest {

    private static final String PROTOCOL = "gateway-test";

    @Autowired
    private InferenceGateway gateway;

    @Autowired
    private MeterRegistry meters;

    @Autowired
    private io.plugboard.inference.DeadlineTimer deadlines;

    @Test
    void anIdleShortModelIsAnsweredAtOnceAndEverythingThatMayWaitIsLeftToInfer() {
        assertThat(http.upload("at-once", onnx("add_mul")).status()).isEqualTo(201);
        InferenceResult result = null;
        long deadline = System.nanoTime() + 20_000_000_000L;
        while (result == null && System.nanoTime() < deadline) {
            gateway.infer("at-once", null, addMul(List.of()), PROTOCOL); // the pool learns its typical call
            result = gateway.inferAtOnce("at-once", null, addMul(List.of("product")), PROTOCOL, null);
        }
        assertThat(result).isNotNull();
        ByteBuffer product = result.outputs().get("product").data().order(ByteOrder.LITTLE_ENDIAN);
        assertThat(product.getFloat(0)).isEqualTo(4f);
        assertThat(product.getFloat(5 * 4)).isEqualTo(6f);
        assertThat(result.outputs()).containsOnlyKeys("product");
        double answered;
        InferenceResult again;
        do { // null (a slow run raised the typical call meanwhile) counts nothing: try again
            answered = requests("at-once", "success");
            again = gateway.inferAtOnce("at-once", null, addMul(List.of()), PROTOCOL, null);
        } while (again == null && System.nanoTime() < deadline);
        assertThat(again).isNotNull();
        assertThat(requests("at-once", "success")).isEqualTo(answered + 1); // counted once, as infer() counts

        // bad requests are refused here as in infer(), and counted once under their problem type
        PlugboardException refused = catchThrowableOfType(PlugboardException.class, () -> gateway.inferAtOnce("at-once",
                null, new InferenceRequest(null, Map.of("a", floats(1, 2, 3, -1, 1, 2)), List.of(), null), PROTOCOL, null));
        assertThat(refused.type().status()).isEqualTo(400);
        assertThat(requests("at-once", refused.type().slug())).isEqualTo(1);
        assertThat(requests("at-once", "success")).isEqualTo(answered + 1);

        // handed over after an at-once attempt: the recorded duration starts where handling began
        gateway.infer("at-once", null, addMul(List.of()), PROTOCOL, null, gateway.nanoTime() - 300_000_000L);
        assertThat(meters.find("plugboard.inference.duration").tags("model", "at-once", "outcome", "success").timer()
                .max(java.util.concurrent.TimeUnit.MILLISECONDS)).isGreaterThanOrEqualTo(300);

        // unknown here: no look-up (a shared store would make it wait), no 404, nothing counted
        assertThat(gateway.inferAtOnce("not-here", null, addMul(List.of()), PROTOCOL, null)).isNull();

        // a batching model waits for company: left to infer(), and not counted twice
        assertThat(http.upload(Map.of("name", "batching", "instances", "1", "maxBatchSize", "8",
                "maxQueueDelayMs", "1"), List.of(io.plugboard.support.Http.Part.of(onnx("add_mul")))).status())
                .isEqualTo(201);
        gateway.infer("batching", null, addMul(List.of()), PROTOCOL);
        assertThat(gateway.inferAtOnce("batching", null, addMul(List.of()), PROTOCOL, null)).isNull();
        assertThat(requests("batching", "success")).isEqualTo(1);
    }

    @Test
    void aQueuedRequestCompletesItsFutureWithNoThreadWaitingAndIsCountedOnce() throws Exception {
        // batching: never run at once, always queued
        assertThat(http.upload(Map.of("name", "later", "instances", "1", "maxBatchSize", "4",
                "maxQueueDelayMs", "1"), List.of(io.plugboard.support.Http.Part.of(onnx("add_mul")))).status())
                .isEqualTo(201);
        CompletableFuture<InferenceResult> later = gateway.inferLater("later", null, addMul(List.of("product")),
                PROTOCOL, null, gateway.nanoTime());
        InferenceResult result = later.get(20, TimeUnit.SECONDS);
        assertThat(result.outputs()).containsOnlyKeys("product");
        assertThat(result.outputs().get("product").data().order(ByteOrder.LITTLE_ENDIAN).getFloat(0)).isEqualTo(4f);
        assertThat(requests("later", "success")).isEqualTo(1);
        assertThat(deadlines.pending()).isZero(); // its deadline left the timer with the answer

        // unknown here: null, nothing counted, nothing thrown (a thread that may wait looks it up)
        assertThat(gateway.inferLater("not-here-either", null, addMul(List.of()), PROTOCOL, null, gateway.nanoTime()))
                .isNull();

        // refused before queueing: thrown at once, counted once
        PlugboardException refused = catchThrowableOfType(PlugboardException.class, () -> gateway.inferLater("later",
                null, new InferenceRequest(null, Map.of("a", floats(1, 2, 3, -1, 1, 2)), List.of(), null), PROTOCOL,
                null, gateway.nanoTime()));
        assertThat(refused.type().status()).isEqualTo(400);
        assertThat(requests("later", refused.type().slug())).isEqualTo(1);

        // the caller's deadline passes while the request waits for company: a timeout problem, counted once
        assertThat(http.upload(Map.of("name", "later-slow", "instances", "1", "maxBatchSize", "4",
                "maxQueueDelayMs", "5000"), List.of(io.plugboard.support.Http.Part.of(onnx("add_mul")))).status())
                .isEqualTo(201);
        long start = System.nanoTime();
        CompletableFuture<InferenceResult> late = gateway.inferLater("later-slow", null, addMul(List.of()), PROTOCOL,
                Duration.ofMillis(100), gateway.nanoTime());
        Throwable failure = catchThrowableOfType(ExecutionException.class, () -> late.get(20, TimeUnit.SECONDS))
                .getCause();
        assertThat(failure).isInstanceOfSatisfying(PlugboardException.class,
                p -> assertThat(p.type()).isEqualTo(ProblemType.TIMEOUT));
        assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).isLessThan(4_000);
        assertThat(requests("later-slow", ProblemType.TIMEOUT.slug())).isEqualTo(1);
        assertThat(requests("later-slow", "success")).isZero();
        assertThat(deadlines.pending()).isZero();
    }

    private double requests(String model, String outcome) {
        Counter c = meters.find("plugboard.inference.requests").tags("model", model, "protocol", PROTOCOL,
                "outcome", outcome).counter();
        return c == null ? 0 : c.count();
    }

    private static InferenceRequest addMul(List<String> outputs) {
        return new InferenceRequest(null, Map.of("a", floats(1, 2, 3, -1, 1, 2), "b", floats(4, 5, 6, 4, -1, 3)),
                outputs, null);
    }

    private static Tensor floats(float... v) {
        ByteBuffer data = ByteBuffer.allocate(v.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (float f : v) {
            data.putFloat(f);
        }
        return Tensor.of(DataType.FP32, new long[] {2, 3}, data.flip());
    }
}
