package io.plugboard.inference;

import static org.assertj.core.api.Assertions.assertThat;

import io.plugboard.backend.ModelInstance;
import io.plugboard.backend.ModelSignature;
import io.plugboard.tensor.DataType;
import io.plugboard.tensor.Tensor;
import io.plugboard.tensor.TensorSpec;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The dynamic batcher's decisions, with an injected clock: nothing here sleeps. */
class BatcherTest {

    private static final ModelSignature BATCHED = new ModelSignature(
            List.of(new TensorSpec("x", DataType.FP32, new long[] {-1, 2})),
            List.of(new TensorSpec("y", DataType.FP32, new long[] {-1, 2})));

    private final AtomicLong now = new AtomicLong(1_000_000);
    private final NanoClock clock = now::get;

    private static Tensor rows(float... values) {
        ByteBuffer b = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (float v : values) {
            b.putFloat(v);
        }
        return Tensor.of(DataType.FP32, new long[] {values.length / 2, 2}, b.flip());
    }

    private InferenceJob job(Tensor x) {
        return new InferenceJob(Map.of("x", x), Set.of("y"), now.get(), now.get() + 1_000_000_000L);
    }

    private Batcher batcher(int max, long delayMs) {
        return new Batcher(BATCHED, new PoolSettings(1, 16, Duration.ofSeconds(1), max, Duration.ofMillis(delayMs)), clock);
    }

    @Test
    void offWhenMaxBatchSizeIsOneOrNoBatchDimension() throws Exception {
        assertThat(batcher(1, 5).enabled()).isFalse();
        ModelSignature fixed = new ModelSignature(List.of(new TensorSpec("x", DataType.FP32, new long[] {2, 2})),
                List.of(new TensorSpec("y", DataType.FP32, new long[] {2, 2})));
        Batcher b = new Batcher(fixed, new PoolSettings(1, 4, Duration.ofSeconds(1), 8, Duration.ofMillis(5)), clock);
        assertThat(b.enabled()).isFalse();
        ArrayBlockingQueue<InferenceJob> queue = new ArrayBlockingQueue<>(4);
        queue.add(job(rows(1, 2)));
        Batcher.Collected c = b.collect(job(rows(3, 4)), queue);
        assertThat(c.batch()).hasSize(1);
        assertThat(queue).hasSize(1);
    }

    @Test
    void delayIsMeasuredFromTheOldestRequestWithTheInjectedClock() {
        Batcher b = batcher(8, 5);
        InferenceJob head = job(rows(1, 2));
        assertThat(b.remainingDelay(head, now.get())).isEqualTo(5_000_000);
        now.addAndGet(3_000_000);
        assertThat(b.remainingDelay(head, now.get())).isEqualTo(2_000_000);
        now.addAndGet(10_000_000);
        assertThat(b.remainingDelay(head, now.get())).isZero();
    }

    @Test
    void collectsCompatibleRequestsUpToMaxRowsAndCarriesTheRest() throws Exception {
        Batcher b = batcher(4, 0);
        ArrayBlockingQueue<InferenceJob> queue = new ArrayBlockingQueue<>(8);
        queue.add(job(rows(3, 4)));                 // 1 row
        queue.add(job(rows(5, 6, 7, 8)));           // 2 rows -> 1 + 1 + 2 = 4
        queue.add(job(rows(9, 10)));                // would make 5: carried over
        Batcher.Collected c = b.collect(job(rows(1, 2)), queue);
        assertThat(c.batch()).hasSize(3);
        assertThat(b.rows(c.batch())).isEqualTo(4);
        assertThat(c.leftover()).isNull();
        Batcher.Collected next = b.collect(queue.poll(), queue);
        assertThat(next.batch()).hasSize(1);
    }

    @Test
    void incompatibleShapesStartTheirOwnBatch() throws Exception {
        Batcher b = batcher(8, 0);
        ArrayBlockingQueue<InferenceJob> queue = new ArrayBlockingQueue<>(8);
        Tensor threeWide = Tensor.of(DataType.FP32, new long[] {1, 3}, ByteBuffer.allocate(12).order(ByteOrder.LITTLE_ENDIAN));
        InferenceJob odd = new InferenceJob(Map.of("x", threeWide), Set.of("y"), now.get(), now.get() + 1_000_000_000L);
        queue.add(odd);
        Batcher.Collected c = b.collect(job(rows(1, 2)), queue);
        assertThat(c.batch()).hasSize(1);
        assertThat(c.leftover()).isSameAs(odd);
    }

    @Test
    void executesOnceAndGivesEachCallerItsOwnRows() throws Exception {
        Batcher b = batcher(8, 0);
        List<Integer> calls = new ArrayList<>();
        ModelInstance doubler = new ModelInstance() {
            @Override
            public Map<String, Tensor> infer(Map<String, Tensor> inputs, Set<String> outputs) {
                Tensor x = inputs.get("x");
                calls.add((int) x.dim(0));
                ByteBuffer in = x.data();
                ByteBuffer out = ByteBuffer.allocate(in.remaining()).order(ByteOrder.LITTLE_ENDIAN);
                while (in.hasRemaining()) {
                    out.putFloat(in.getFloat() * 2);
                }
                Map<String, Tensor> result = new LinkedHashMap<>();
                result.put("y", Tensor.of(DataType.FP32, x.shape(), out.flip()));
                return result;
            }

            @Override
            public void close() {
            }
        };
        InferenceJob a = job(rows(1, 2));
        InferenceJob c = job(rows(3, 4, 5, 6));
        a.start();
        c.start();
        Runnable deliver = b.execute(doubler, List.of(a, c));
        assertThat(calls).containsExactly(3);
        assertThat(a.result()).as("answers wait until the engine's time is counted").isNotDone();
        deliver.run();
        Tensor ya = a.result().get(5, java.util.concurrent.TimeUnit.SECONDS).get("y");
        Tensor yc = c.result().get(5, java.util.concurrent.TimeUnit.SECONDS).get("y");
        assertThat(ya.shape()).containsExactly(1, 2);
        assertThat(yc.shape()).containsExactly(2, 2);
        assertThat(ya.data().getFloat(0)).isEqualTo(2f);
        assertThat(yc.data().getFloat(12)).isEqualTo(12f);
    }
}
