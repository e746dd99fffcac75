package io.plugboard.lifecycle;

import io.plugboard.metrics.InferenceMetrics;
import io.plugboard.model.ModelRegistry;
import io.plugboard.model.ModelVersions;
import io.plugboard.model.ServedModel;
import io.plugboard.store.ModelStore;
import java.time.Duration;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Deletes models and versions, and retires versions beyond the retention limit: each is drained,
 * unloaded, forgotten by the meters and deleted from the store, under its model's lock.
 */
public final class ModelRemoval {

    private static final Logger log = LoggerFactory.getLogger(ModelRemoval.class);

    private final ModelRegistry registry;
    private final ModelStore store;
    private final ModelLocks locks;
    private final InferenceMetrics metrics;
    private final Duration drain;
    private final int keepVersions;

    public ModelRemoval(ModelRegistry registry, ModelStore store, ModelLocks locks, InferenceMetrics metrics,
            Duration drain, int keepVersions) {
        this.registry = registry;
        this.store = store;
        this.locks = locks;
        this.metrics = metrics;
        this.drain = drain;
        this.keepVersions = Math.max(1, keepVersions);
    }

    /** Unloads a model (draining in-flight work) and deletes all its versions' files. */
    public void delete(String id) {
        locks.withLock(id, () -> {
            registry.require(id);
            ModelVersions entry = registry.remove(id);
            for (ServedModel model : entry.all()) {
                model.close(drain);
            }
            store.delete(id);
            metrics.forget(id);
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
            remove(entry, model);
            log.info("Model {} version {} deleted", id, version);
        });
    }

    /**
     * Keeps the newest {@code keepVersions} versions and the serving one; older ones are drained,
     * unloaded and deleted. The caller holds the model's lock.
     */
    void retire(ModelVersions entry) {
        List<ServedModel> all = entry.all();
        for (int i = 0; i < all.size() - keepVersions; i++) {
            ServedModel old = all.get(i);
            if (entry.serving().map(s -> s == old).orElse(false)) {
                continue;
            }
            remove(entry, old);
            log.info("Model {} version {} retired (keeping {} versions)", entry.id(), old.version(), keepVersions);
        }
    }

    private void remove(ModelVersions entry, ServedModel model) {
        entry.remove(model.version());
        model.close(drain);
        store.deleteVersion(entry.id(), model.version());
        metrics.forgetVersion(entry.id(), Integer.toString(model.version()));
    }
}
