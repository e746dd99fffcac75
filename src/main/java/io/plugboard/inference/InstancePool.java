package io.plugboard.inference;

import io.plugboard.backend.LoadedModel;
import io.plugboard.backend.ModelInstance;
import io.plugboard.problem.PlugboardException;
import io.plugboard.problem.ProblemType;
import io.plugboard.tensor.Tensor;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves one loaded model: a truly bounded queue in front of {@code instances} platform threads,
 * each owning one {@link ModelInstance} and running one request or batch at a time. Native calls
 * pin virtual threads, so engine work never runs on them.
 */
public final class InstancePool implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(InstancePool.class);

    private final String modelId;
    private final LoadedModel model;
    private final PoolSettings settings;
    private final NanoClock clock;
    private final PoolObserver observer;
    private final Batcher batcher;
    private final BlockingQueue<InferenceJob> queue;
    private final List<Thread> workers = new ArrayList<>();
    private final AtomicInteger inFlight = new AtomicInteger();
    private volatile boolean accepting = true;

    public InstancePool(String modelId, LoadedModel model, PoolSettings settings, NanoClock clock,
            PoolObserver observer) {
        this.modelId = modelId;
        this.model = model;
        this.settings = settings;
        this.clock = clock;
        this.observer = observer;
        this.queue = new ArrayBlockingQueue<>(settings.queueCapacity());
        this.batcher = new Batcher(model.signature(), settings, clock);
        for (int i = 0; i < settings.instances(); i++) {
            ModelInstance instance = model.newInstance();
            Thread worker = Thread.ofPlatform().name("infer-" + modelId + "-" + i).daemon(true)
                    .unstarted(() -> work(instance));
            workers.add(worker);
        }
        workers.forEach(Thread::start);
    }

    public PoolSettings settings() {
        return settings;
    }

    public int queueDepth() {
        return queue.size();
    }

    public int inFlight() {
        return inFlight.get();
    }

    /**
     * Admits a request or refuses it at once.
     *
     * @throws PlugboardException {@code QUEUE_FULL} when the queue is at capacity,
     *     {@code MODEL_NOT_READY} once the pool is closing
     */
    public InferenceJob submit(Map<String, Tensor> inputs, Set<String> outputs, Duration timeout) {
        if (!accepting) {
            throw new PlugboardException(ProblemType.MODEL_NOT_READY, "Model '" + modelId + "' is being unloaded.");
        }
        InferenceJob job = new InferenceJob(inputs, outputs, clock.nanoTime(), clock.nanoTime() + timeout.toNanos());
        if (!queue.offer(job)) {
            observer.rejected(modelId, "queue_full");
            throw new PlugboardException(ProblemType.QUEUE_FULL, "Model '" + modelId + "' already has "
                    + settings.queueCapacity() + " requests queued; retry shortly.",
                    Map.of("queueCapacity", settings.queueCapacity()));
        }
        return job;
    }

    private void work(ModelInstance instance) {
        InferenceJob carried = null;
        try (instance) {
            while (accepting || !queue.isEmpty() || carried != null) {
                InferenceJob first = carried;
                carried = null;
                try {
                    if (first == null) {
                        first = queue.poll(50, TimeUnit.MILLISECONDS);
                    }
                    if (first == null) {
                        continue;
                    }
                    Batcher.Collected collected = batcher.collect(first, queue);
                    carried = collected.leftover();
                    run(instance, collected.batch());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        } catch (RuntimeException e) {
            log.error("Worker of model {} stopped", modelId, e);
        }
    }

    private void run(ModelInstance instance, List<InferenceJob> candidates) {
        long now = clock.nanoTime();
        List<InferenceJob> batch = new ArrayList<>(candidates.size());
        for (InferenceJob job : candidates) {
            if (now > job.deadlineNanos()) {
                job.expire();
                observer.rejected(modelId, "timeout");
            } else if (job.start()) {
                observer.dequeued(modelId, now - job.enqueuedNanos());
                batch.add(job);
            }
        }
        if (batch.isEmpty()) {
            return;
        }
        inFlight.incrementAndGet();
        long started = clock.nanoTime();
        try {
            batcher.execute(instance, batch);
        } catch (RuntimeException | Error e) {
            batch.forEach(j -> j.fail(e));
        } finally {
            observer.executed(modelId, batch.size(), batcher.rows(batch), clock.nanoTime() - started);
            inFlight.decrementAndGet();
        }
    }

    /**
     * Stops admitting, lets queued and running work finish (queued work still waiting after
     * {@code drain} is failed), then closes the instances. The model itself is closed by its owner
     * after this returns, so no native session is closed under a running call.
     */
    public void close(Duration drain) {
        accepting = false;
        long deadline = System.nanoTime() + drain.toNanos();
        while ((!queue.isEmpty()) && System.nanoTime() < deadline) {
            sleep();
        }
        InferenceJob left;
        while ((left = queue.poll()) != null) {
            left.fail(new PlugboardException(ProblemType.MODEL_NOT_READY,
                    "Model '" + modelId + "' was unloaded before the request ran."));
        }
        for (Thread worker : workers) {
            try {
                worker.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    @Override
    public void close() {
        close(Duration.ofSeconds(30));
    }

    private static void sleep() {
        try {
            Thread.sleep(5);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
