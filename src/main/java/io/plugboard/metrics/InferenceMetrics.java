package io.plugboard.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.plugboard.inference.InstancePool;
import io.plugboard.inference.PoolObserver;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Plugboard's meters, all named {@code plugboard.*} and tagged with the model id (bounded by the
 * number of stored models; a model's meters are removed when it is deleted). Latencies are
 * histograms with Prometheus buckets so percentiles aggregate across replicas.
 */
public final class InferenceMetrics implements PoolObserver {

    /**
     * Buckets sized for inference latencies, 100 µs to 60 s: 17 series per histogram, where
     * Micrometer's percentile histogram publishes about 90.
     */
    static final Duration[] LATENCY_BUCKETS = seconds(0.0001, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1,
            0.25, 0.5, 1, 2.5, 5, 10, 30, 60);
    /** Buckets for model loads, 100 ms to 10 min. */
    static final Duration[] LOAD_BUCKETS = seconds(0.1, 0.5, 1, 2, 5, 10, 30, 60, 120, 300, 600);

    private final MeterRegistry registry;
    /** Meters on the request path, looked up once per tag combination rather than built per call. */
    private final Map<List<String>, Meter> cache = new ConcurrentHashMap<>();

    public InferenceMetrics(MeterRegistry registry) {
        this.registry = registry;
    }

    @SuppressWarnings("unchecked")
    private <M extends Meter> M cached(List<String> key, java.util.function.Supplier<M> create) {
        return (M) cache.computeIfAbsent(key, k -> create.get());
    }

    /** One finished request: {@code outcome} is "success" or the problem slug. */
    public void request(String model, String protocol, String outcome, long nanos) {
        Counter counter = cached(List.of("requests", model, protocol, outcome), () -> Counter.builder("plugboard.inference.requests")
                .description("Inference requests by outcome")
                .tags("model", model, "protocol", protocol, "outcome", outcome).register(registry));
        counter.increment();
        String result = outcome.equals("success") ? "success" : "error";
        Timer timer = cached(List.of("duration", model, result), () -> Timer.builder("plugboard.inference.duration")
                .description("Inference request latency, from admission to answer")
                .tags("model", model, "outcome", result).serviceLevelObjectives(LATENCY_BUCKETS)
                .register(registry));
        timer.record(nanos, TimeUnit.NANOSECONDS);
    }

    public void modelLoaded(String model, String format, String backend, long nanos, boolean ok) {
        Timer.builder("plugboard.model.load.duration").description("Time to load a model into its engine")
                .tags("model", model, "format", format, "backend", backend, "outcome", ok ? "success" : "failure")
                .serviceLevelObjectives(LOAD_BUCKETS).register(registry).record(nanos, TimeUnit.NANOSECONDS);
    }

    /**
     * What one version's pool reports: everything {@link #executed} records, plus
     * {@code plugboard.inference.compute{model,version}}, the engine call alone (apart from queue time
     * and the whole request). Removed with the version's other meters.
     */
    public PoolObserver forVersion(String version) {
        return new PoolObserver() {
            @Override
            public void rejected(String model, String reason) {
                InferenceMetrics.this.rejected(model, reason);
            }

            @Override
            public void dequeued(String model, long queuedNanos) {
                InferenceMetrics.this.dequeued(model, queuedNanos);
            }

            @Override
            public void executed(String model, int requests, long rows, long busyNanos) {
                InferenceMetrics.this.executed(model, requests, rows, busyNanos);
                Timer compute = cached(List.of("compute", model, version), () -> Timer.builder(
                        "plugboard.inference.compute").description("The engine call alone, per executed batch")
                        .tags("model", model, "version", version).serviceLevelObjectives(LATENCY_BUCKETS)
                        .register(registry));
                compute.record(busyNanos, TimeUnit.NANOSECONDS);
            }
        };
    }

    private static Duration[] seconds(double... values) {
        Duration[] out = new Duration[values.length];
        for (int i = 0; i < values.length; i++) {
            out[i] = Duration.ofNanos(Math.round(values[i] * 1e9));
        }
        return out;
    }

    /**
     * Registers a serving version's queue gauges over {@code pool}, replacing any left from an
     * earlier pool of the same version (a reload), so a gauge never reads a closed pool. The pool
     * is held weakly: the gauges keep nothing alive. Remove them with {@link #forgetVersion}.
     */
    public void poolGauges(String model, String version, InstancePool pool) {
        forgetVersion(model, version);
        Gauge.builder("plugboard.queue.depth", pool, InstancePool::queueDepth)
                .description("Requests waiting in the model's queue")
                .tags("model", model, "version", version).register(registry);
        Gauge.builder("plugboard.instances.busy", pool, InstancePool::inFlight)
                .description("Instances running a batch now")
                .tags("model", model, "version", version).register(registry);
    }

    /** Removes the meters of one model version (its pool gauges and compute histogram). */
    public void forgetVersion(String model, String version) {
        cache.keySet().removeIf(key -> key.size() > 2 && key.get(1).equals(model) && key.get(2).equals(version));
        for (Meter meter : registry.getMeters()) {
            if (model.equals(meter.getId().getTag("model")) && version.equals(meter.getId().getTag("version"))) {
                registry.remove(meter);
            }
        }
    }

    @Override
    public void rejected(String model, String reason) {
        Counter.builder("plugboard.inference.rejections").description("Requests refused or expired, by reason")
                .tags("model", model, "reason", reason).register(registry).increment();
    }

    @Override
    public void dequeued(String model, long queuedNanos) {
        Timer timer = cached(List.of("queue", model), () -> Timer.builder("plugboard.queue.time")
                .description("Time requests wait in the queue")
                .tag("model", model).serviceLevelObjectives(LATENCY_BUCKETS)
                .register(registry));
        timer.record(queuedNanos, TimeUnit.NANOSECONDS);
    }

    @Override
    public void executed(String model, int requests, long rows, long busyNanos) {
        DistributionSummary batch = cached(List.of("batch", model), () -> DistributionSummary.builder("plugboard.batch.size")
                .description("Requests per executed batch")
                .tag("model", model).publishPercentileHistogram().minimumExpectedValue(1.0)
                .maximumExpectedValue(4096.0).register(registry));
        batch.record(requests);
        Timer busy = cached(List.of("busy", model), () -> Timer.builder("plugboard.instance.busy")
                .description("Time instances spend running batches").tag("model", model).register(registry));
        busy.record(busyNanos, TimeUnit.NANOSECONDS);
    }

    /** Removes every meter tagged with this model. */
    public void forget(String model) {
        cache.keySet().removeIf(key -> key.get(1).equals(model));
        for (Meter meter : registry.getMeters()) {
            if (model.equals(meter.getId().getTag("model"))) {
                registry.remove(meter);
            }
        }
    }

}
