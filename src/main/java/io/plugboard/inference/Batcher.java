package io.plugboard.inference;

import io.plugboard.backend.ModelInstance;
import io.plugboard.backend.ModelSignature;
import io.plugboard.problem.PlugboardException;
import io.plugboard.problem.ProblemType;
import io.plugboard.tensor.DataType;
import io.plugboard.tensor.Tensor;
import io.plugboard.tensor.TensorSpec;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Dynamic batching: requests whose first dimension is the model's dynamic batch dimension and
 * whose other dimensions, datatypes and wanted outputs match are concatenated along that
 * dimension, run once and split back, so each caller gets exactly its own rows. A batch closes
 * when it holds {@code maxBatchSize} rows or its oldest request has waited {@code maxQueueDelay}.
 * Off when {@code maxBatchSize} is 1 or the model has no batch dimension.
 */
final class Batcher {

    /** What to run now, and a request that could not join and starts the next batch. */
    record Collected(List<InferenceJob> batch, InferenceJob leftover) {
    }

    private final ModelSignature signature;
    private final int maxBatchSize;
    private final long maxDelayNanos;
    private final NanoClock clock;
    private final boolean enabled;

    Batcher(ModelSignature signature, PoolSettings settings, NanoClock clock) {
        this.signature = signature;
        this.maxBatchSize = settings.maxBatchSize();
        this.maxDelayNanos = settings.maxQueueDelay().toNanos();
        this.clock = clock;
        this.enabled = maxBatchSize > 1 && !signature.inputs().isEmpty() && hasBatchDimension(signature);
    }

    /** Whether every input and output has a dynamic first dimension. */
    static boolean hasBatchDimension(ModelSignature signature) {
        return signature.inputs().stream().allMatch(Batcher::batchedSpec)
                && signature.outputs().stream().allMatch(Batcher::batchedSpec);
    }

    private static boolean batchedSpec(TensorSpec spec) {
        long[] shape = spec.shape();
        return shape != null && shape.length >= 1 && shape[0] == -1;
    }

    boolean enabled() {
        return enabled;
    }

    /** Rows a request contributes (its first dimension). */
    long rows(InferenceJob job) {
        return rows(job.inputs());
    }

    /** Rows a request with these inputs contributes. */
    long rows(Map<String, Tensor> inputs) {
        if (!enabled) {
            return 1;
        }
        Tensor any = inputs.values().iterator().next();
        return any.rank() == 0 ? 1 : any.dim(0);
    }

    long rows(List<InferenceJob> jobs) {
        long total = 0;
        for (InferenceJob job : jobs) {
            total += rows(job);
        }
        return total;
    }

    /** Whether {@code job} may join a batch that starts with {@code head}. */
    boolean compatible(InferenceJob head, InferenceJob job) {
        if (!job.outputs().equals(head.outputs()) || !job.inputs().keySet().equals(head.inputs().keySet())) {
            return false;
        }
        long headRows = -1;
        long jobRows = -1;
        for (Map.Entry<String, Tensor> e : head.inputs().entrySet()) {
            Tensor a = e.getValue();
            Tensor b = job.inputs().get(e.getKey());
            if (a.datatype() != b.datatype() || a.rank() != b.rank() || a.rank() == 0) {
                return false;
            }
            long[] sa = a.shape();
            long[] sb = b.shape();
            if (!Arrays.equals(sa, 1, sa.length, sb, 1, sb.length)) {
                return false;
            }
            if (headRows >= 0 && (sa[0] != headRows || sb[0] != jobRows)) {
                return false; // inputs of one request disagree on the batch size
            }
            headRows = sa[0];
            jobRows = sb[0];
        }
        return true;
    }

    /** Nanoseconds the batch may still wait for more requests. */
    long remainingDelay(InferenceJob head, long now) {
        return Math.max(0, head.enqueuedNanos() + maxDelayNanos - now);
    }

    /** Takes further compatible requests from the queue until the batch is full or its delay ends. */
    Collected collect(InferenceJob first, BlockingQueue<InferenceJob> queue) throws InterruptedException {
        if (!enabled || !compatible(first, first)) {
            return new Collected(List.of(first), null);
        }
        List<InferenceJob> batch = new ArrayList<>();
        batch.add(first);
        long rows = rows(first);
        while (rows < maxBatchSize) {
            long wait = remainingDelay(first, clock.nanoTime());
            InferenceJob next = wait == 0 ? queue.poll() : queue.poll(wait, TimeUnit.NANOSECONDS);
            if (next == null) {
                break;
            }
            if (next == InstancePool.STOP) {
                return new Collected(batch, next); // the pool is closing: run this batch, then stop
            }
            long nextRows = rows(next);
            if (!compatible(first, next) || rows + nextRows > maxBatchSize) {
                return new Collected(batch, next);
            }
            batch.add(next);
            rows += nextRows;
        }
        return new Collected(batch, null);
    }

    /**
     * Runs the batch on the engine and returns what completes every job with its own rows (or its
     * failure): the caller records the engine's time first, then runs it, so that time never
     * includes the answers the completions may write.
     */
    Runnable execute(ModelInstance instance, List<InferenceJob> batch) {
        if (batch.size() == 1) {
            InferenceJob job = batch.get(0);
            Map<String, Tensor> out;
            try {
                out = instance.infer(job.inputs(), job.outputs());
            } catch (RuntimeException e) {
                return () -> job.fail(e);
            }
            return () -> job.complete(out);
        }
        Map<String, Tensor> merged = new HashMap<>();
        for (String name : batch.get(0).inputs().keySet()) {
            List<Tensor> parts = batch.stream().map(j -> j.inputs().get(name)).toList();
            merged.put(name, concat(parts));
        }
        Map<String, Tensor> out;
        try {
            out = instance.infer(merged, batch.get(0).outputs());
        } catch (RuntimeException e) {
            // One request may have poisoned the batch: run each alone so only it fails.
            return eachAlone(instance, batch);
        }
        long total = rows(batch);
        for (Tensor t : out.values()) {
            if (t.rank() == 0 || t.dim(0) != total) {
                return eachAlone(instance, batch);
            }
        }
        List<Map<String, Tensor>> own = new ArrayList<>(batch.size());
        long offset = 0;
        for (InferenceJob job : batch) {
            long rows = rows(job);
            Map<String, Tensor> slices = new LinkedHashMap<>();
            for (Map.Entry<String, Tensor> e : out.entrySet()) {
                slices.put(e.getKey(), slice(e.getValue(), offset, rows));
            }
            own.add(slices);
            offset += rows;
        }
        return () -> {
            for (int i = 0; i < batch.size(); i++) {
                batch.get(i).complete(own.get(i));
            }
        };
    }

    private Runnable eachAlone(ModelInstance instance, List<InferenceJob> batch) {
        List<Runnable> completions = batch.stream().map(job -> execute(instance, List.of(job))).toList();
        return () -> completions.forEach(Runnable::run);
    }

    static Tensor concat(List<Tensor> parts) {
        Tensor head = parts.get(0);
        long[] shape = head.shape();
        long rows = 0;
        for (Tensor t : parts) {
            rows += t.dim(0);
        }
        shape[0] = rows;
        if (head.datatype() == DataType.BYTES) {
            List<byte[]> elements = new ArrayList<>();
            parts.forEach(t -> elements.addAll(t.elements()));
            return Tensor.ofBytes(shape, elements);
        }
        long bytes = Tensor.byteSize(parts);
        if (bytes > Integer.MAX_VALUE - 16) {
            throw new PlugboardException(ProblemType.INVALID_TENSOR, "Batched tensor exceeds 2 GiB");
        }
        ByteBuffer data = ByteBuffer.allocate((int) bytes).order(ByteOrder.LITTLE_ENDIAN);
        parts.forEach(t -> data.put(t.data()));
        return Tensor.of(head.datatype(), shape, data.flip());
    }

    static Tensor slice(Tensor tensor, long offset, long rows) {
        long[] shape = tensor.shape();
        long rowElements = tensor.dim(0) == 0 ? 0 : tensor.elementCount() / tensor.dim(0);
        shape[0] = rows;
        if (tensor.datatype() == DataType.BYTES) {
            return Tensor.ofBytes(shape, tensor.elements().subList((int) (offset * rowElements),
                    (int) ((offset + rows) * rowElements)));
        }
        int width = tensor.datatype().byteSize();
        ByteBuffer all = tensor.data();
        all.position((int) (offset * rowElements * width));
        all.limit((int) ((offset + rows) * rowElements * width));
        return Tensor.of(tensor.datatype(), shape, all.slice());
    }
}
