package io.plugboard.lifecycle;

import io.plugboard.metrics.InferenceMetrics;
import io.plugboard.model.ModelRegistry;
import io.plugboard.model.ModelVersions;
import io.plugboard.model.ServedModel;
import io.plugboard.problem.PlugboardException;
import io.plugboard.problem.ProblemType;
import io.plugboard.store.ModelStore;
import io.plugboard.store.SharedStore;
import io.plugboard.store.StoredModelRecord;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Deletes models and versions, and retires versions beyond the retention limit. With a shared
 * store the version's record goes first (every replica then drops it), then its files; only then
 * is it drained, unloaded, forgotten by the meters and deleted here, under its model's lock. A
 * shared store that cannot be reached leaves everything as it was ({@code store-unavailable}).
 */
public final class ModelRemoval {

    private static final Logger log = LoggerFactory.getLogger(ModelRemoval.class);

    private final ModelRegistry registry;
    private final ModelStore store;
    private final SharedStore shared;
    private final ModelLocks locks;
    private final InferenceMetrics metrics;
    private final Duration drain;
    private final int keepVersions;

    public ModelRemoval(ModelRegistry registry, ModelStore store, SharedStore shared, ModelLocks locks,
            InferenceMetrics metrics, Duration drain, int keepVersions) {
        this.registry = registry;
        this.store = store;
        this.shared = shared;
        this.locks = locks;
        this.metrics = metrics;
        this.drain = drain;
        this.keepVersions = Math.max(1, keepVersions);
    }

    /** Deletes every version of a model, everywhere, then unloads it (draining in-flight work). */
    public void delete(String id) {
        locks.withLock(id, () -> {
            ModelVersions entry = registry.require(id);
            if (shared.shared()) {
                for (int version : shared.records(id).keySet()) {
                    withdraw(id, version, entry.version(version).map(ServedModel::record));
                }
            }
            dropLocally(id);
            log.info("Model {} deleted", id);
        });
    }

    /** Deletes one version; deleting the last one deletes the model. */
    public void deleteVersion(String id, int version) {
        locks.withLock(id, () -> {
            ModelVersions entry = registry.require(id);
            ServedModel model = entry.requireVersion(version);
            if (entry.all().size() == 1) {
                delete(id);
                return;
            }
            withdraw(id, version, Optional.of(model.record()));
            dropVersionLocally(id, version);
            log.info("Model {} version {} deleted", id, version);
        });
    }

    /**
     * Keeps the newest {@code keepVersions} versions and the serving one; older ones are withdrawn
     * and dropped. One the shared store cannot withdraw now stays, here too. The caller holds the
     * model's lock.
     */
    void retire(ModelVersions entry) {
        List<ServedModel> all = entry.all();
        for (int i = 0; i < all.size() - keepVersions; i++) {
            ServedModel old = all.get(i);
            if (entry.serving().map(s -> s == old).orElse(false)) {
                continue;
            }
            try {
                withdraw(entry.id(), old.version(), Optional.of(old.record()));
            } catch (PlugboardException e) {
                if (e.type() != ProblemType.STORE_UNAVAILABLE) {
                    throw e;
                }
                log.warn("Model {} version {} not retired: {}", entry.id(), old.version(), e.getMessage());
                continue;
            }
            dropVersionLocally(entry.id(), old.version());
            log.info("Model {} version {} retired (keeping {} versions)", entry.id(), old.version(), keepVersions);
        }
    }

    /**
     * Drains, unloads and deletes every local version of a model, leaving the shared store alone
     * (another replica deleted it). The caller holds the model's lock.
     */
    void dropLocally(String id) {
        ModelVersions entry = registry.remove(id);
        if (entry != null) {
            for (ServedModel model : entry.all()) {
                model.close(drain);
            }
        }
        store.delete(id);
        metrics.forget(id);
    }

    /** As {@link #dropLocally(String)} for one version; the last one takes the model with it. */
    void dropVersionLocally(String id, int version) {
        ModelVersions entry = registry.find(id).orElse(null);
        if (entry == null) {
            store.deleteVersion(id, version);
            return;
        }
        if (entry.all().size() == 1 && entry.version(version).isPresent()) {
            dropLocally(id); // the model goes first, so no request finds it empty while it drains
            return;
        }
        ServedModel model = entry.remove(version);
        if (model != null) {
            model.close(drain);
            metrics.forgetVersion(id, Integer.toString(version));
        }
        store.deleteVersion(id, version);
        if (entry.isEmpty()) {
            dropLocally(id);
        }
    }

    /** Deletes a version's record from the shared store, then the files it names. */
    private void withdraw(String id, int version, Optional<StoredModelRecord> known) {
        if (!shared.shared()) {
            return;
        }
        Optional<StoredModelRecord> record = known.filter(r -> r.origin() != null).isPresent() ? known
                : shared.read(id, version);
        shared.deleteRecord(id, version);
        if (record.isPresent() && record.get().origin() != null) {
            shared.deleteFiles(id, record.get().origin());
        }
    }
}
