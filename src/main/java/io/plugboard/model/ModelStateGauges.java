package io.plugboard.model;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.util.Locale;

/** {@code plugboard.models{state}}: how many model versions are in each state, read at each scrape. */
public final class ModelStateGauges implements MeterBinder {

    private final ModelRegistry models;

    public ModelStateGauges(ModelRegistry models) {
        this.models = models;
    }

    @Override
    public void bindTo(MeterRegistry registry) {
        for (ModelState state : ModelState.values()) {
            Gauge.builder("plugboard.models", models, m -> m.count(state))
                    .description("Models known to the server, by state")
                    .tag("state", state.name().toLowerCase(Locale.ROOT)).strongReference(true).register(registry);
        }
    }
}
