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
 * Serves one loaded model: a truly bounded queue in front of {@code instances} execution slots,
 * each slot one {@link ModelInstance} running one request or batch at a time.
 *
 * <p>Queued work runs on the pool's own platform threads. A request that arrives while the queue
 * is empty and a slot is idle runs right there instead ({@link #runIfIdle}): it would not wait
 * anyway, and skipping the two thread hand-offs is most of the server's per-request overhead on a
 * small model. A native call pins a virtual thread to its carrier, so on a virtual request thread
 * this happens only for models whose calls usually take at most {@link #MAX_PINNED} (a carrier
 * held that briefly delays nobody noticeably, and {@link PinnedCalls} always leaves one carrier
 * free); longer calls from virtual threads always queue.
 * Requests that may batch always queue.
 */
public final class InstancePool implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(InstancePool.class);

    /** The longest usual engine call run on a virtual request thread rather than handed over. */
    public static final Duration MAX_PINNED = Duration.ofMillis(1);
    private static final long MAX_PINNED_NANOS = MAX_PINNED.toNanos();
    /**
     * Put in the queue once a closing pool is drained: an idle worker waits in the queue without
     * waking (no polling), and this wakes it to end; each worker passes it on to the next.
     */
    static final InferenceJob STOP = new InferenceJob(Map.of(), Set.of(), 0, Long.MAX_VALUE);
    /** How long calls get to end once their engine was asked to stop them. */
    private static final Duration STOP_GRACE = Duration.ofSeconds(5);

    private final String modelId;
    private final PoolSettings settings;
    private final NanoClock clock;
    private final PoolObserver observer;
    private final PinnedCalls pinned;
    private final Batcher batcher;
    private final BlockingQueue<InferenceJob> queue;
    private final InstanceSlots slots;
    private final List<Thread> workers = new ArrayList<>();
    private final AtomicInteger inFlight = new AtomicInteger();
    /** Moving average of one execution's duration; 0 until something ran. */
    private volatile long typicalRunNanos;
    /** Moving average of the input bytes of one execution, to scale the typical run to a request. */
    private volatile long typicalInputBytes;
    private volatile boolean accepting = true;

    public InstancePool(String modelId, LoadedModel model, PoolSettings settings, NanoClock clock,
            PoolObserver observer, PinnedCalls pinned) {
        this.modelId = modelId;
        this.pinned = pinned;
        this.settings = settings;
        this.clock = clock;
        this.observer = observer;
        this.queue = new ArrayBlockingQueue<>(settings.queueCapacity());
        this.batcher = new Batcher(model.signature(), settings, clock);
        List<ModelInstance> made = new ArrayList<>();
        for (int i = 0; i < settings.instances(); i++) {
            made.add(model.newInstance());
            workers.add(Thread.ofPlatform().name("infer-" + modelId + "-" + i).daemon(true).unstarted(this::work));
        }
        this.slots = new InstanceSlots(modelId, made);
        workers.forEach(Thread::start);
    }

    public PoolSettings settings() {
        return settings;
    }

    /** Whether requests are batched: batches of up to {@link PoolSettings#maxBatchSize()} rows along the first dimension. */
    public boolean batching() {
        return batcher.enabled();
    }

    /**
     * Runs {@code warmUp} on every instance, one after another, before the pool is handed to
     * clients: each instance that will serve has run once. Call it before the first request.
     */
    public void warm(java.util.function.Consumer<ModelInstance> warmUp) {
        slots.forEach(warmUp);
    }

    public int queueDepth() {
        return queue.size();
    }

    public int inFlight() {
        return inFlight.get();
    }

    /**
     * Runs the request on the calling thread if that is free of cost to everyone else: the pool is
     * accepting, nothing is queued, a slot is idle, batching is off, the caller is a platform thread
     * or the model's typical run is short enough to pin a virtual one ({@link #MAX_PINNED}) and the
     * server-wide {@link PinnedCalls} budget leaves a carrier free, and
     * that typical run is well inside {@code timeout} (an engine call cannot be cut
     * short, so a request that might outlive its timeout waits in the queue, where the timeout holds).
     *
     * @return the outputs, or {@code null} when the request should be {@linkplain #submit submitted}
     */
    public Map<String, Tensor> runIfIdle(Map<String, Tensor> inputs, Set<String> outputs, Duration timeout) {
        return runIfIdle(inputs, outputs, timeout, false);
    }

    /**
     * As {@link #runIfIdle(Map, Set, Duration)}; with {@code shortOnly} the call runs here only if
     * it should be short whatever the thread (a transport thread that other connections share must
     * not be held long): the model's typical run is within {@link #MAX_PINNED}, and so is that run
     * scaled by this request's input bytes over the usual (a far larger request than the usual one
     * is handed over).
     */
    public Map<String, Tensor> runIfIdle(Map<String, Tensor> inputs, Set<String> outputs, Duration timeout,
            boolean shortOnly) {
        long typical = typicalRunNanos;
        boolean virtual = Thread.currentThread().isVirtual();
        if (!accepting || batcher.enabled() || typical == 0 || typical > timeout.toNanos() / 4
                || (virtual || shortOnly) && typical > MAX_PINNED_NANOS || !queue.isEmpty()) {
            return null;
        }
        long bytes = Tensor.byteSize(inputs.values());
        if (shortOnly && (double) typical * bytes / Math.max(1, typicalInputBytes) > MAX_PINNED_NANOS) {
            return null; // far larger than the usual call: its run would not be short
        }
        if (virtual && !pinned.tryAcquire()) {
            return null;
        }
        ModelInstance instance = slots.poll();
        if (instance == null) {
            if (virtual) {
                pinned.release();
            }
            return null;
        }
        inFlight.incrementAndGet();
        long started = clock.nanoTime();
        try {
            observer.dequeued(modelId, 0);
            return instance.infer(inputs, outputs);
        } finally {
            finished(1, batcher.rows(inputs), bytes, clock.nanoTime() - started);
            slots.release(instance);
            if (virtual) {
                pinned.release();
            }
        }
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
            observer.rejected(modelId, ProblemType.QUEUE_FULL.slug());
            throw new PlugboardException(ProblemType.QUEUE_FULL, "Model '" + modelId + "' already has "
                    + settings.queueCapacity() + (settings.queueCapacity() == 1 ? " request" : " requests")
                    + " queued; retry shortly.",
                    Map.of("queueCapacity", settings.queueCapacity()));
        }
        return job;
    }

    private void work() {
        InferenceJob carried = null;
        try {
            while (accepting || !queue.isEmpty() || carried != null) {
                InferenceJob first = carried;
                carried = null;
                List<InferenceJob> batch = List.of();
                try {
                    if (first == null) {
                        first = queue.take();
                    }
                    if (first == STOP) {
                        queue.offer(STOP);
                        return;
                    }
                    batch = List.of(first);
                    Batcher.Collected collected = batcher.collect(first, queue);
                    carried = collected.leftover();
                    batch = collected.batch();
                    ModelInstance instance = slots.take();
                    if (instance == null) { // closed while this batch waited for a slot
                        throw new InterruptedException();
                    }
                    try {
                        run(instance, batch);
                    } finally {
                        slots.release(instance);
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    PlugboardException stopped = new PlugboardException(ProblemType.MODEL_NOT_READY,
                            "Model '" + modelId + "' stopped before the request ran.");
                    batch.forEach(j -> j.fail(stopped));
                    if (carried != null) {
                        carried.fail(stopped);
                    }
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
                job.expire(); // its caller answers 504 and counts it
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
        slots.running(instance, batch);
        Runnable deliver;
        try {
            deliver = batcher.execute(instance, batch);
        } catch (RuntimeException | Error e) {
            deliver = () -> batch.forEach(j -> j.fail(e));
        }
        long bytes = 0;
        for (InferenceJob job : batch) {
            bytes += Tensor.byteSize(job.inputs().values());
        }
        finished(batch.size(), batcher.rows(batch), bytes, clock.nanoTime() - started);
        deliver.run(); // counted before any answer is out, so statistics read after an answer include it
    }

    /**
     * The caller of {@code job} stops waiting (its timeout passed). A job still queued is skipped;
     * one running is stopped where the engine can, once no one waits for any job of its batch, so a
     * runaway call does not hold an instance and a core after its 504.
     */
    public void abandon(InferenceJob job) {
        if (!job.abandon()) {
            slots.stopIfUnwanted(job);
        }
    }

    private void finished(int requests, long rows, long inputBytes, long busyNanos) {
        long typical = typicalRunNanos;
        typicalRunNanos = typical == 0 ? Math.max(1, busyNanos) : Math.max(1, typical + (busyNanos - typical) / 8);
        long usual = typicalInputBytes;
        typicalInputBytes = typical == 0 ? inputBytes : usual + (inputBytes - usual) / 8;
        observer.executed(modelId, requests, rows, busyNanos);
        inFlight.decrementAndGet();
    }

    /**
     * Stops admitting and lets queued and running work finish (queued work still waiting after
     * {@code drain} is failed). Calls still running then are stopped where the engine can stop
     * them. Once every slot is idle the instances are closed and {@code then} runs (the owner closes
     * the model there), so no native session is ever closed under a running call: when an engine
     * cannot stop a call, this returns after the drain and {@code then} runs when the call ends.
     */
    public void close(Duration drain, Runnable then) {
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
        queue.offer(STOP); // wakes the idle workers, one after another, to end
        for (Thread worker : workers) { // each ends once its running call and the queue are done
            try {
                worker.join(Math.max(1, (deadline - System.nanoTime()) / 1_000_000));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        slots.closeWhenIdle(deadline, STOP_GRACE.toNanos(), then);
    }

    /** Closes the pool and its instances, draining first ({@link #close(Duration, Runnable)}). */
    public void close(Duration drain) {
        close(drain, () -> { });
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
