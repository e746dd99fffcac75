package io.plugboard.model;

import io.plugboard.backend.ModelSignature;
import io.plugboard.inference.DeadlineTimer;
import io.plugboard.inference.InferenceJob;
import io.plugboard.inference.InferenceRequest;
import io.plugboard.inference.InferenceResult;
import io.plugboard.inference.InputValidator;
import io.plugboard.inference.InstancePool;
import io.plugboard.inference.NanoClock;
import io.plugboard.inference.VersionStatistics;
import io.plugboard.metrics.InferenceMetrics;
import io.plugboard.problem.PlugboardException;
import io.plugboard.problem.ProblemType;
import io.plugboard.tensor.Tensor;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** The one inference path every protocol uses: look up, validate, queue, wait, count. */
public final class InferenceGateway {

    /** The outcome counted for a queued call its caller cancelled (the client went away). */
    public static final String CANCELLED = "cancelled";

    private final ModelRegistry registry;
    private final InferenceMetrics metrics;
    private final NanoClock clock;
    private final DeadlineTimer deadlines;

    /**
     * @param deadlines ends the requests queued by {@link #inferLater} at their timeout
     */
    public InferenceGateway(ModelRegistry registry, InferenceMetrics metrics, NanoClock clock,
            DeadlineTimer deadlines) {
        this.registry = registry;
        this.metrics = metrics;
        this.clock = clock;
        this.deadlines = deadlines;
    }

    /** A READY version and the pool it had when looked up (read once: an unload may clear it any time). */
    private record Ready(ServedModel model, InstancePool pool, ModelSignature signature, VersionStatistics statistics) {

        /** The version that took the request: another when this one retired as it was submitted. */
        Ready taken(Admission admitted) {
            return admitted.statistics() == statistics ? this
                    : new Ready(admitted.model(), admitted.pool(), signature, admitted.statistics());
        }
    }

    private static VersionStatistics statistics(Ready ready) {
        return ready == null ? null : ready.statistics();
    }

    /**
     * Checks that a model (or a pinned version) exists and is READY: 404 / 503 otherwise. Returns
     * what that version takes, for a request that leaves its inputs for the server to tell.
     */
    public Inputs requireReady(String modelId, Integer version) {
        Ready ready = ready(modelId, version);
        return new Inputs(ready.signature().inputs(), ready.pool().batching());
    }

    /** The inputs a READY version takes, and whether its pool batches requests (then their first dimension). */
    public record Inputs(java.util.List<io.plugboard.tensor.TensorSpec> specs, boolean batching) {
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

    /**
     * Submits to the model's queue without waiting: for a thread that must not block (a
     * transport's event loop) once {@link #inferAtOnce} returned null. The future completes on the
     * thread that ran the engine call (or, past the timeout, the {@link DeadlineTimer}'s), with a
     * {@link PlugboardException} as {@link #infer} throws it, wrapped in a
     * {@link java.util.concurrent.CompletionException}. Returns null when the model is not known
     * here (nothing counted: the request goes to {@link #infer} on a thread that may wait); a
     * refusal (bad request, full queue) is thrown at once and counted. Durations are recorded from
     * {@code startedNanos} ({@link #nanoTime()}).
     */
    public CompletableFuture<InferenceResult> inferLater(String modelId, Integer version, InferenceRequest request,
            String protocol, Duration deadline, long startedNanos) {
        Ready ready = null;
        Admission admitted;
        try {
            ready = lookUp(modelId, version, Mode.QUEUE);
            if (ready == null) {
                return null;
            }
            admitted = admit(ready, modelId, version, request, deadline, Mode.QUEUE);
        } catch (RuntimeException e) {
            count(modelId, statistics(ready), protocol, outcome(e), startedNanos);
            throw e;
        }
        return later(modelId, admitted, request, protocol, startedNanos);
    }

    /**
     * For a thread that can pass its request's answer on to whichever thread completes it (an HTTP
     * request in asynchronous mode): looks the model up as {@link #infer} does (a shared store's
     * too), runs the call here when the model is idle, and otherwise queues it without waiting.
     * The future is complete on return when the call ran here; otherwise it completes as
     * {@link #inferLater}'s does. A refusal is thrown at once and counted. Cancelling the future
     * (the client went away) abandons the queued call.
     */
    public CompletableFuture<InferenceResult> inferHereOrLater(String modelId, Integer version,
            InferenceRequest request, String protocol, long startedNanos) {
        Ready ready = null;
        Admission admitted;
        try {
            ready = lookUp(modelId, version, Mode.WAIT);
            admitted = admit(ready, modelId, version, request, null, Mode.WAIT);
            if (admitted.produced() != null) {
                InferenceResult result = result(modelId, admitted, request, admitted.produced());
                count(modelId, admitted.statistics(), protocol, "success", startedNanos);
                return CompletableFuture.completedFuture(result);
            }
        } catch (RuntimeException e) {
            count(modelId, statistics(ready), protocol, outcome(e), startedNanos);
            throw e;
        }
        return later(modelId, admitted, request, protocol, startedNanos);
    }

    /** The answer of a queued call, ended at its timeout by the {@link DeadlineTimer}; counted once. */
    private CompletableFuture<InferenceResult> later(String modelId, Admission admitted, InferenceRequest request,
            String protocol, long startedNanos) {
        CompletableFuture<Map<String, Tensor>> watched = new CompletableFuture<>();
        DeadlineTimer.Pending timeout = deadlines.schedule(clock.nanoTime() + admitted.timeout().toNanos(),
                () -> watched.completeExceptionally(new TimeoutException()));
        admitted.job().result().whenComplete((outputs, failure) -> {
            timeout.cancel();
            if (failure != null) {
                watched.completeExceptionally(failure);
            } else {
                watched.complete(outputs);
            }
        });
        CompletableFuture<InferenceResult> answer = watched.handle((produced, failure) -> {
            String outcome = "success";
            try {
                if (failure != null) {
                    throw failed(modelId, admitted, failure); // completed directly: never wrapped
                }
                return result(modelId, admitted, request, produced);
            } catch (RuntimeException e) {
                outcome = outcome(e);
                throw e;
            } finally {
                count(modelId, admitted.statistics(), protocol, outcome, startedNanos);
            }
        });
        answer.whenComplete((result, failure) -> {
            if (failure instanceof CancellationException) { // cancelled by the caller: the answer is not built
                timeout.cancel();
                watched.cancel(false);
                admitted.pool().abandon(admitted.job());
                count(modelId, admitted.statistics(), protocol, CANCELLED, startedNanos);
            }
        });
        return answer;
    }

    private InferenceResult run(String modelId, Integer version, InferenceRequest request, String protocol,
            Duration deadline, boolean mayWait, long start) {
        String outcome = "success";
        boolean ran = true;
        Ready ready = null;
        try {
            Mode mode = mayWait ? Mode.WAIT : Mode.AT_ONCE;
            ready = lookUp(modelId, version, mode);
            Admission admitted = ready == null ? null : admit(ready, modelId, version, request, deadline, mode);
            if (admitted == null) {
                ran = false;
                return null;
            }
            ready = ready.taken(admitted);
            Map<String, Tensor> produced = admitted.produced() != null ? admitted.produced() : await(modelId, admitted);
            return result(modelId, admitted, request, produced);
        } catch (RuntimeException e) {
            outcome = outcome(e);
            throw e;
        } finally {
            if (ran) {
                count(modelId, statistics(ready), protocol, outcome, start);
            }
        }
    }

    /** How a request may be admitted: whether it may wait for a look-up, run here, or only queue. */
    private enum Mode {
        /** Looked up anywhere (a shared store too), run here if the pool is idle, else queued. */
        WAIT,
        /** Known here only, and run here if the pool is idle and the call short; else nothing. */
        AT_ONCE,
        /** Known here only, and queued. */
        QUEUE
    }

    /** A request a pool took: its outputs already ({@code produced}) or its queued {@code job}. */
    private record Admission(ServedModel model, InstancePool pool, Set<String> outputs, Duration timeout,
            Map<String, Tensor> produced, InferenceJob job, VersionStatistics statistics) {
    }

    /** The version a request goes to: null when {@code mode} looks only here and the model is not known here. */
    private Ready lookUp(String modelId, Integer version, Mode mode) {
        return mode == Mode.WAIT ? ready(modelId, version) : ready(known(modelId), modelId, version);
    }

    /** Validates the request and runs or queues it on {@code ready}; null when {@code mode} says nothing. */
    private Admission admit(Ready ready, String modelId, Integer version, InferenceRequest request, Duration deadline,
            Mode mode) {
        ServedModel model = ready.model();
        InstancePool pool = ready.pool();
        Set<String> outputs = InputValidator.validate(ready.signature(), request.inputs(), request.outputs());
        Duration timeout = request.timeout() != null ? request.timeout() : pool.settings().timeout();
        if (deadline != null && deadline.compareTo(timeout) < 0) {
            timeout = deadline;
        }
        if (mode != Mode.QUEUE) {
            Map<String, Tensor> produced = pool.runIfIdle(request.inputs(), outputs, timeout, mode == Mode.AT_ONCE);
            if (produced != null || mode == Mode.AT_ONCE) {
                return produced == null ? null : new Admission(model, pool, outputs, timeout, produced, null, ready.statistics());
            }
        }
        InferenceJob job;
        try {
            job = pool.submit(request.inputs(), outputs, timeout);
        } catch (PlugboardException e) {
            if (e.type() != ProblemType.MODEL_NOT_READY || version != null) {
                throw e;
            }
            // the version retired between lookup and submit: the newest READY one takes it
            ready = lookUp(modelId, null, mode);
            if (ready == null) {
                throw e;
            }
            model = ready.model();
            pool = ready.pool();
            job = pool.submit(request.inputs(), outputs, timeout);
        }
        return new Admission(model, pool, outputs, timeout, null, job, ready.statistics());
    }

    private static InferenceResult result(String modelId, Admission admitted, InferenceRequest request,
            Map<String, Tensor> produced) {
        Map<String, Tensor> ordered = new LinkedHashMap<>();
        if (admitted.outputs().isEmpty()) {
            ordered.putAll(produced); // outputs known only once the model ran (TorchScript without signature)
        }
        for (String name : admitted.outputs()) {
            Tensor t = produced.get(name);
            if (t != null) {
                ordered.put(name, t);
            }
        }
        return new InferenceResult(modelId, Integer.toString(admitted.model().version()), request.id(), ordered);
    }

    private static String outcome(RuntimeException e) {
        return e instanceof PlugboardException p ? p.type().slug() : ProblemType.INTERNAL_ERROR.slug();
    }

    /**
     * Counts one answered request (a 504 also as rejected, once, wherever the wait ran out), and in
     * the {@code statistics} of the version it went to, when it got that far (and that version had not
     * been unloaded as it was looked up).
     */
    private void count(String modelId, VersionStatistics statistics, String protocol, String outcome, long start) {
        long nanos = clock.nanoTime() - start;
        if (ProblemType.TIMEOUT.slug().equals(outcome)) {
            metrics.rejected(modelId, outcome);
        }
        if (registry.find(modelId).isPresent()) {
            metrics.request(modelId, protocol, outcome, nanos);
        }
        if (statistics != null) {
            statistics.answered("success".equals(outcome), nanos);
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
        return new Ready(model, pool, signature, model.statistics());
    }

    private Map<String, Tensor> await(String modelId, Admission admitted) {
        try {
            return admitted.job().result().get(admitted.timeout().toNanos(), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            admitted.pool().abandon(admitted.job());
            throw new PlugboardException(ProblemType.MODEL_NOT_READY, "Interrupted while waiting.");
        } catch (TimeoutException e) {
            throw failed(modelId, admitted, e);
        } catch (ExecutionException e) {
            throw failed(modelId, admitted, e.getCause());
        }
    }

    /**
     * What the client is told when its queued request did not produce outputs: past the timeout
     * ({@link TimeoutException}: the job is abandoned, a call already running is stopped where the
     * engine can), or the engine's failure.
     */
    private static RuntimeException failed(String modelId, Admission admitted, Throwable cause) {
        if (cause instanceof TimeoutException) {
            admitted.pool().abandon(admitted.job());
            Duration timeout = admitted.timeout();
            String within = timeout.toMillis() > 0 ? timeout.toMillis() + " ms" : timeout.toNanos() / 1000 + " µs";
            return new PlugboardException(ProblemType.TIMEOUT, "Model '" + modelId + "' did not answer within "
                    + within + ".", Map.of("timeoutMs", timeout.toMillis(), "timeoutMicros", timeout.toNanos() / 1000));
        }
        if (cause instanceof PlugboardException p) {
            return new PlugboardException(p.type(), p.getMessage(), p.properties(), p);
        }
        if (cause instanceof RuntimeException r) {
            return r;
        }
        if (cause instanceof OutOfMemoryError) {
            return new PlugboardException(ProblemType.INSUFFICIENT_MEMORY, "The server ran out of memory running "
                    + "this request; retry later or send a smaller one.");
        }
        return new IllegalStateException(cause);
    }
}
