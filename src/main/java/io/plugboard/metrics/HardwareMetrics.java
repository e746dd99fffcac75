package io.plugboard.metrics;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.plugboard.backend.Backend;
import io.plugboard.backend.BackendRegistry;
import io.plugboard.backend.Target;

/**
 * The hardware inventory as gauges: per backend, the targets it can place models on and how many
 * of them are accelerators (read at each scrape, so an engine that starts later shows its GPUs).
 */
public final class HardwareMetrics implements MeterBinder {

    private final BackendRegistry backends;

    public HardwareMetrics(BackendRegistry backends) {
        this.backends = backends;
    }

    @Override
    public void bindTo(MeterRegistry registry) {
        for (Backend backend : backends.backends()) {
            Gauge.builder("plugboard.hardware.targets", backend, b -> b.unavailableReason().isPresent() ? 0
                    : b.knownTargets().size()).description("Targets the backend can place models on (cpu included)")
                    .tag("backend", backend.name()).register(registry);
            Gauge.builder("plugboard.hardware.accelerators", backend, b -> b.unavailableReason().isPresent() ? 0
                    : b.knownTargets().stream().filter(t -> t.kind() != Target.Kind.CPU).count())
                    .description("Accelerator targets (cuda:N, tensorrt:N, openvino) the backend can use")
                    .tag("backend", backend.name()).register(registry);
        }
    }
}
