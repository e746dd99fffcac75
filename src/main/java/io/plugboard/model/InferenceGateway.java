package io.plugboard.model;

import io.plugboard.backend.ModelSignature;
import io.plugboard.inference.InferenceJob;
import io.plugboard.inference.InferenceRequest;
import io.plugboard.inference.InferenceResult;
import io.plugboard.inference.InputValidator;
import io.plugboard.inference.InstancePool;
import io.plugboard.inference.NanoClock;
import io.plugboard.metrics.InferenceMetrics;
import io.plugboard.problem.PlugboardException;
import io.plugboard.problem.ProblemType;
import io.plugboard.tensor.Tensor;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** The one inference path every protocol uses: look up, validate, queue, wait, count. */
public final class InferenceGateway {

    private final ModelRegistry registry;
    private final InferenceMetrics metrics;
    private final NanoClock clock;

    public InferenceGateway(ModelRegistry registry, InferenceMetrics metrics, NanoClock clock) {
        this.registry = registry;
        this.metrics = metrics;
        this.clock = clock;
    }

    /** A READY version and the pool it had when looked up (read once: an unload may clear it any time). */
    private record Ready(ServedModel model, InstancePool pool, ModelSignature signature) {
    }

    /** Checks that a model (or a pinned version) exists and is READY: 404 / 503 otherwise. */
    public void requireReady(String modelId, Integer version) {
        ready(modelId, version);
    }

    /** Runs the newest READY version, or the pinned {@code version} when not null. */
    public InferenceResult infer(String modelId, Integer version, InferenceRequest request, String protocol) {
        return infer(modelId, version, request, protocol, null);
    }

    /**
     * As {@link #infer(String, Integer, InferenceRequest, String)}, within the client's {@code deadline}
     * too (the time it will wait, or null): the shorter of it and the request's own timeout applies.
     */
    public InferenceResult infer(String modelId, Integer version, InferenceRequest request, String protocol,
            Duration deadline) {
        return run(modelId, version, request, protocol, deadline, true, clock.nanoTime());
    }

    /**
     * As {@link #infer(String, Integer, InferenceRequest, String, Duration)} for a request whose
     * handling began at {@code startedNanos} ({@link #nanoTime()}): after an
     * {@link #inferAtOnce} that returned null, so the request's recorded duration includes the
     * hand-over to a thread that may wait.
     */
    public InferenceResult infer(String modelId, Integer version, InferenceRequest request, String protocol,
            Duration deadline, long startedNanos) {
        return run(modelId, version, request, protocol, deadline, true, startedNanos);
    }

    /** This gateway's clock, on which request durations are measured. */
    public long nanoTime() {
        return clock.nanoTime();
    }

    /**
     * Answers at once on the calling thread, or returns null: for a thread that must not wait or
     * be held long (a transport's event loop). It answers only when the model is known here, READY,
     * idle, not batching and its typical call is short ({@link InstancePool#MAX_PINNED}); null
     * means nothing ran and nothing was counted, and the request goes to {@link #infer} on a thread
     * that may wait. Bad requests are refused here as there.
     */
    public InferenceResult inferAtOnce(String modelId, Integer version, InferenceRequest request, String protocol,
            Duration deadline) {
        return run(modelId, version, request, protocol, deadline, false, clock.nanoTime());
    }

    private InferenceResult run(String modelId, Integer version, InferenceRequest request, String protocol,
            Duration deadline, boolean mayWait, long start) {
        String outcome = "success";
        boolean ran = true;
        try {
            Ready ready = mayWait ? ready(modelId, version) : ready(known(modelId), modelId, version);
            if (ready == null) {
                ran = false;
                return null;
            }
            ServedModel model = ready.model();
            InstancePool pool = ready.pool();
            ModelSignature signature = ready.signature();
            Set<String> outputs = InputValidator.validate(signature, request.inputs(), request.outputs());
            Duration timeout = request.timeout() != null ? request.timeout() : pool.settings().timeout();
            if (deadline != null && deadline.compareTo(timeout) < 0) {
                timeout = deadline;
            }
            Map<String, Tensor> produced = pool.runIfIdle(request.inputs(), outputs, timeout, !mayWait);
            if (produced == null && !mayWait) {
                ran = false;
                return null;
            }
            if (produced == null) {
                InferenceJob job;
                try {
                    job = pool.submit(request.inputs(), outputs, timeout);
                } catch (PlugboardException e) {
                    if (e.type() != ProblemType.MODEL_NOT_READY || version != null) {
                        throw e;
                    }
                    // the version retired between lookup and submit: the newest READY one takes it
                    ready = ready(modelId, null);
                    model = ready.model();
                    pool = ready.pool();
                    job = pool.submit(request.inputs(), outputs, timeout);
                }
                produced = await(modelId, pool, job, timeout);
            }
            Map<String, Tensor> ordered = new LinkedHashMap<>();
            if (outputs.isEmpty()) {
                ordered.putAll(produced); // outputs known only once the model ran (TorchScript without signature)
            }
            for (String name : outputs) {
                Tensor t = produced.get(name);
                if (t != null) {
                    ordered.put(name, t);
                }
            }
            return new InferenceResult(modelId, Integer.toString(model.version()), request.id(), ordered);
        } catch (PlugboardException e) {
            outcome = e.type().slug();
            if (e.type() == ProblemType.TIMEOUT) {
                metrics.rejected(modelId, outcome); // once per 504, wherever the wait ran out
            }
            throw e;
        } catch (RuntimeException e) {
            outcome = ProblemType.INTERNAL_ERROR.slug();
            throw e;
        } finally {
            if (ran && registry.find(modelId).isPresent()) {
                metrics.request(modelId, protocol, outcome, clock.nanoTime() - start);
            }
        }
    }

    /** The model's versions if this server knows it, without asking a shared store; else null. */
    private ModelVersions known(String modelId) {
        ModelVersions found = registry.find(modelId).orElse(null);
        return found == null || found.isEmpty() ? null : found;
    }

    private Ready ready(String modelId, Integer version) {
        return ready(registry.require(modelId), modelId, version);
    }

    /** As {@link #ready(String, Integer)} for {@code entry}; null when it is null. */
    private Ready ready(ModelVersions entry, String modelId, Integer version) {
        if (entry == null) {
            return null;
        }
        ServedModel model;
        if (version != null) {
            model = entry.requireVersion(version);
        } else {
            model = entry.serving().orElse(null);
            if (model == null) {
                ModelState state = entry.state();
                String why = entry.all().stream().filter(m -> m.error() != null).map(ServedModel::error).findFirst()
                        .map(e -> " It failed to load: " + e).orElse("");
                throw new PlugboardException(ProblemType.MODEL_NOT_READY, "Model '" + modelId + "' has no READY version ("
                        + state + ")." + why, Map.of("model", modelId, "state", state.name()));
            }
        }
        InstancePool pool = model.pool();
        ModelSignature signature = model.signature();
        if (model.state() != ModelState.READY || pool == null || signature == null) {
            ModelState state = model.state() == ModelState.READY ? ModelState.UNLOADED : model.state();
            String why = state == ModelState.FAILED ? " It failed to load: " + model.error() : "";
            throw new PlugboardException(ProblemType.MODEL_NOT_READY, "Model '" + modelId + "' is "
                    + state + "." + why, Map.of("model", modelId, "state", state.name()));
        }
        return new Ready(model, pool, signature);
    }

    private Map<String, Tensor> await(String modelId, InstancePool pool, InferenceJob job, Duration timeout) {
        try {
            return job.result().get(timeout.toNanos(), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            pool.abandon(job); // a call already running is stopped where the engine can
            String within = timeout.toMillis() > 0 ? timeout.toMillis() + " ms" : timeout.toNanos() / 1000 + " µs";
            throw new PlugboardException(ProblemType.TIMEOUT, "Model '" + modelId + "' did not answer within "
                    + within + ".", Map.of("timeoutMs", timeout.toMillis(), "timeoutMicros", timeout.toNanos() / 1000));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            pool.abandon(job);
            throw new PlugboardException(ProblemType.MODEL_NOT_READY, "Interrupted while waiting.");
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof PlugboardException p) {
                throw new PlugboardException(p.type(), p.getMessage(), p.properties(), p);
            }
            if (cause instanceof RuntimeException r) {
                throw r;
            }
            if (cause instanceof OutOfMemoryError) {
                throw new PlugboardException(ProblemType.INSUFFICIENT_MEMORY, "The server ran out of memory running "
                        + "this request; retry later or send a smaller one.");
            }
            throw new IllegalStateException(cause);
        }
    }
}
