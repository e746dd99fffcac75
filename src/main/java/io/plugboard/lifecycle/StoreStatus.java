package io.plugboard.lifecycle;

import java.time.Instant;

/**
 * How this replica stands with the shared store: whether its first reconciliation is done (it is
 * ready only then), whether the store answered last time, and why not.
 *
 * @param shared false with the filesystem store (always ready)
 * @param location where the store is
 * @param reconciled whether the first reconciliation finished
 * @param reachable whether the last exchange with the store succeeded
 * @param lastSync when the last reconciliation finished, or null
 * @param error why the store could not be used last time, or null
 */
public record StoreStatus(boolean shared, String location, boolean reconciled, boolean reachable, Instant lastSync,
        String error) {

    /** Whether the replica may report ready. */
    public boolean ready() {
        return !shared || reconciled;
    }
}
