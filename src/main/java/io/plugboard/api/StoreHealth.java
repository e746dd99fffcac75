package io.plugboard.api;

import io.plugboard.lifecycle.StoreStatus;
import io.plugboard.lifecycle.StoreSync;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;

/**
 * The model store's part of readiness ({@code /actuator/health/readiness}): out of service until the
 * first reconciliation with a shared store is done, up afterwards (models already loaded keep
 * serving while the store cannot be reached), with the store's state as details.
 */
public final class StoreHealth implements HealthIndicator {

    private final StoreSync sync;

    public StoreHealth(StoreSync sync) {
        this.sync = sync;
    }

    @Override
    public Health health() {
        StoreStatus status = sync.status();
        Health.Builder health = status.ready() ? Health.up() : Health.outOfService();
        health.withDetail("type", status.shared() ? "s3" : "filesystem");
        if (status.shared()) {
            health.withDetail("location", status.location())
                    .withDetail("reconciled", status.reconciled())
                    .withDetail("reachable", status.reachable());
            if (status.lastSync() != null) {
                health.withDetail("lastSync", status.lastSync().toString());
            }
            if (status.error() != null) {
                health.withDetail("error", status.error());
            }
            if (!status.reconciled()) {
                health.withDetail("reason", "the first reconciliation with the shared store has not finished"
                        + (status.reachable() ? "" : ": the store cannot be reached"));
            }
        }
        return health.build();
    }
}
