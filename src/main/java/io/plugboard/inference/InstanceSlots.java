package io.plugboard.inference;

import io.plugboard.backend.ModelInstance;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingDeque;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The execution slots of one pool: which instances are idle (most recently used first, so a warm
 * one is reused), what each busy one runs, stopping calls nobody waits for, and closing the
 * instances only once none runs.
 */
final class InstanceSlots {

    private static final Logger log = LoggerFactory.getLogger(InstanceSlots.class);

    private final String modelId;
    private final List<ModelInstance> instances;
    private final LinkedBlockingDeque<ModelInstance> idle = new LinkedBlockingDeque<>();
    /** What each busy instance runs now (queued work; a call on a request thread is not listed). */
    private final Map<ModelInstance, List<InferenceJob>> running = new ConcurrentHashMap<>();
    /** Runs once every slot is idle again, after a close that could not wait for a call. */
    private final AtomicReference<Runnable> whenIdle = new AtomicReference<>();
    private volatile boolean closing;
    private volatile boolean closed;

    InstanceSlots(String modelId, List<ModelInstance> instances) {
        this.modelId = modelId;
        this.instances = List.copyOf(instances);
        idle.addAll(instances);
    }

    void forEach(Consumer<ModelInstance> action) {
        instances.forEach(action);
    }

    /** An idle slot, or null. */
    ModelInstance poll() {
        return idle.pollFirst();
    }

    /** An idle slot, waiting for one; null once the instances are closed. */
    ModelInstance take() throws InterruptedException {
        ModelInstance instance = idle.takeFirst();
        if (closed) {
            idle.addFirst(instance);
            return null;
        }
        return instance;
    }

    /** Records what a taken slot runs, until {@link #release}. */
    void running(ModelInstance instance, List<InferenceJob> batch) {
        running.put(instance, batch);
    }

    /** Gives a slot back; the last one back after a close that could not wait closes the instances. */
    void release(ModelInstance instance) {
        running.remove(instance);
        idle.addFirst(instance);
        if (closing && idle.size() == instances.size()) {
            Runnable then = whenIdle.getAndSet(null);
            if (then != null) {
                closeInstances();
                then.run();
            }
        }
    }

    /** Stops the call running {@code job} where the engine can, once no one waits for any job of its batch. */
    void stopIfUnwanted(InferenceJob job) {
        running.forEach((instance, batch) -> {
            if (batch.contains(job) && batch.stream().allMatch(InferenceJob::unwanted) && instance.cancel()) {
                log.info("Stopped a call of model {} whose callers gave up waiting", modelId);
            }
        });
    }

    /**
     * Closes the instances and runs {@code then} once no slot is busy: now if every call ends by
     * {@code deadlineNanos} or stops within {@code graceNanos} of being asked to, else when the last
     * one ends (an engine that cannot stop a call).
     *
     * @return whether the instances were closed now
     */
    boolean closeWhenIdle(long deadlineNanos, long graceNanos, Runnable then) {
        closing = true;
        if (!awaitIdle(deadlineNanos)) {
            running.keySet().forEach(ModelInstance::cancel);
            if (!awaitIdle(System.nanoTime() + graceNanos)) {
                whenIdle.set(then);
                // the last call may have ended in between: whoever takes the action closes
                if (idle.size() < instances.size() || whenIdle.getAndSet(null) == null) {
                    log.warn("Model {} has a call its engine cannot stop; it is closed when that call ends", modelId);
                    return false;
                }
            }
        }
        closeInstances();
        then.run();
        return true;
    }

    int size() {
        return instances.size();
    }

    private boolean awaitIdle(long deadlineNanos) {
        while (idle.size() < instances.size()) {
            if (System.nanoTime() > deadlineNanos) {
                return false;
            }
            try {
                Thread.sleep(5);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return true;
    }

    private void closeInstances() {
        closed = true;
        for (ModelInstance instance : instances) {
            try {
                instance.close();
            } catch (RuntimeException e) {
                log.warn("Closing an instance of model {} failed", modelId, e);
            }
        }
    }
}
