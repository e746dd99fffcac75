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
                .tags("model", model, "outcome", result)
                .publishPercentileHistogram().minimumExpectedValue(Duration.ofMillis(1).dividedBy(10))
                .maximumExpectedValue(Duration.ofSeconds(60))
                .register(registry));
        timer.record(nanos, TimeUnit.NANOSECONDS);
    }

    public void modelLoaded(String model, String format, String backend, long nanos, boolean ok) {
        Timer.builder("plugboard.model.load.duration").description("Time to load a model into its engine")
                .tags("model", model, "format", format, "backend", backend, "outcome", ok ? "success" : "failure")
                .register(registry).record(nanos, TimeUnit.NANOSECONDS);
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

    /** Removes the meters of one model version (its pool gauges). */
    public void forgetVersion(String model, String version) {
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
                .tag("model", model).publishPercentileHistogram()
                .minimumExpectedValue(Duration.ofNanos(10_000)).maximumExpectedValue(Duration.ofSeconds(60))
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
