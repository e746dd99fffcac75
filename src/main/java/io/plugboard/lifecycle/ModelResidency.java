package io.plugboard.lifecycle;

import io.plugboard.backend.ModelSource;
import io.plugboard.format.ModelFormat;
import io.plugboard.model.ModelRegistry;
import io.plugboard.model.ModelState;
import io.plugboard.model.ModelVersions;
import io.plugboard.model.ServedModel;
import io.plugboard.problem.PlugboardException;
import io.plugboard.problem.ProblemType;
import io.plugboard.serving.ModelServing;
import io.plugboard.store.ModelStore;
import io.plugboard.store.StoredModel;
import io.plugboard.store.StoredModelCheck;
import io.plugboard.store.StoredModelRecord;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Which stored versions are in memory: all of them after a restart, and those a model repository
 * {@code load} or {@code unload} asks for. Loading goes through the same serving path as an upload;
 * a version that fails stays stored and shows FAILED while everything else serves.
 */
public final class ModelResidency implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(ModelResidency.class);

    private final ModelStore store;
    private final ModelRegistry registry;
    private final ModelServing serving;
    private final ModelLocks locks;
    private final Duration drain;

    public ModelResidency(ModelStore store, ModelRegistry registry, ModelServing serving, ModelLocks locks,
            Duration drain) {
        this.store = store;
        this.registry = registry;
        this.serving = serving;
        this.locks = locks;
        this.drain = drain;
    }

    /**
     * Triton's parameter of an unload, which its clients always send: there are no ensembles, so a
     * model has no dependents and either value unloads the model alone.
     */
    public static final String UNLOAD_DEPENDENTS = "unload_dependents";

    /**
     * Refuses parameters of a repository load or unload other than {@link #UNLOAD_DEPENDENTS} on an
     * unload ({@code MALFORMED_REQUEST}): Triton's load parameters carry a configuration or a model's
     * files, and a model comes to this server by upload, with its settings.
     */
    public static void checkParameters(boolean unload, java.util.Collection<String> names) {
        List<String> refused = names.stream().filter(n -> !(unload && n.equals(UNLOAD_DEPENDENTS))).sorted().limit(8)
                .toList();
        if (!refused.isEmpty()) {
            throw new PlugboardException(ProblemType.MALFORMED_REQUEST, (unload ? "Unloading takes only '"
                    + UNLOAD_DEPENDENTS + "'" : "Loading takes no parameters") + " (got " + String.join(", ", refused)
                    + "): a model is stored by uploading it (POST /v1/models), with its settings, and a load names "
                    + "a stored model.", Map.of("parameters", refused));
        }
    }

    /** Loads every stored model version (at start, before the server reports ready), newest first. */
    public void restoreAll() {
        java.util.List<StoredModel> all = new java.util.ArrayList<>(store.list());
        all.sort(java.util.Comparator.comparing((StoredModel m) -> m.record().id())
                .thenComparing(m -> -m.record().version()));
        for (StoredModel stored : all) {
            locks.withLock(stored.record().id(), () -> restore(stored));
        }
    }

    /**
     * Loads one stored version unless it is known already; a failure leaves it FAILED. The caller
     * holds the model's lock.
     */
    void restore(StoredModel stored) {
        StoredModelRecord record = stored.record();
        if (registry.find(record.id()).flatMap(e -> e.version(record.version())).isPresent()) {
            return;
        }
        ServedModel model = new ServedModel(record);
        registry.put(model);
        serveQuietly(model, stored, StoredModelCheck.problem(stored));
    }

    /**
     * Loads again every version of a model that is not READY (model repository load).
     *
     * @throws PlugboardException the last failure when no version serves afterwards
     */
    public void load(String id) {
        locks.withLock(id, () -> {
            ModelVersions entry = registry.require(id);
            RuntimeException failure = null;
            for (StoredModel stored : store.list(id).reversed()) { // the newest serves first
                ServedModel model = entry.version(stored.record().version()).orElse(null);
                if (model != null && model.state() == ModelState.READY) {
                    continue;
                }
                if (model == null) {
                    model = new ServedModel(stored.record());
                    registry.put(model);
                }
                // an explicit load also retries a quarantined version; changed files never load
                failure = serveQuietly(model, stored, StoredModelCheck.changedFile(stored));
            }
            if (entry.serving().isEmpty() && failure != null) {
                throw failure;
            }
        });
    }

    /** Releases every version of a model from memory, keeping its files (model repository unload). */
    public void unload(String id) {
        locks.withLock(id, () -> {
            ModelVersions entry = registry.require(id);
            for (ServedModel model : entry.all()) {
                serving.unload(model, drain);
            }
            log.info("Model {} unloaded", id);
        });
    }

    /**
     * Serves a stored version unless {@code refusal} says why it must not load; a failure is logged,
     * recorded on the model and answered. While it loads, the version is marked so that a process
     * dying in the engine leaves it quarantined for the next start.
     */
    private RuntimeException serveQuietly(ServedModel model, StoredModel stored, Optional<String> refusal) {
        StoredModelRecord record = stored.record();
        try {
            if (refusal.isPresent()) {
                throw new PlugboardException(ProblemType.MODEL_LOAD_FAILED, refusal.get(),
                        Map.of("model", record.id(), "version", record.version()));
            }
            ModelFormat format = ModelFormat.fromId(record.format()).orElseThrow(() -> new PlugboardException(
                    ProblemType.UNSUPPORTED_FORMAT, "Unknown stored format " + record.format(),
                    Map.of("format", record.format())));
            ModelSource source = new ModelSource(stored.filesDirectory(), record.mainFile(), format,
                    record.settings().engine());
            StoredModelCheck.loading(stored);
            try {
                serving.serve(model, source, record.settings());
            } finally {
                StoredModelCheck.loaded(stored);
            }
            return null;
        } catch (RuntimeException e) {
            model.failed(e.getMessage());
            log.error("Stored model {} version {} could not be loaded: {}", record.id(), record.version(),
                    e.getMessage());
            return e;
        }
    }

    /** Drains and releases every model (server shutdown). */
    @Override
    public void close() {
        for (ModelVersions entry : registry.all()) {
            for (ServedModel model : entry.all()) {
                model.close(drain);
            }
        }
    }
}
