package io.plugboard.model;

import io.plugboard.backend.LoadedModel;
import io.plugboard.backend.ModelSignature;
import io.plugboard.inference.InstancePool;
import io.plugboard.inference.VersionStatistics;
import io.plugboard.problem.PlugboardException;
import io.plugboard.problem.ProblemType;
import io.plugboard.store.StoredFile;
import io.plugboard.store.StoredModelRecord;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A stored model version and, when READY, the engine model and instance pool serving it. Its state
 * moves {@code LOADING → WARMING → READY | FAILED}, and to {@code UNLOADED} when released. Closing
 * drains the pool before the engine model is closed.
 */
public final class ServedModel {

    private final StoredModelRecord record;
    private volatile ModelState state = ModelState.LOADING;
    private volatile String backend;
    private volatile String error;
    private volatile LoadedModel loaded;
    private volatile InstancePool pool;
    private volatile VersionStatistics statistics;
    private volatile String placement;
    private volatile Runnable released = () -> { };
    /** The signature it had when last loaded: its files do not change, so neither does it. */
    private volatile ModelSignature lastSignature;

    public ServedModel(StoredModelRecord record) {
        this.record = record;
    }

    public String id() {
        return record.id();
    }

    public int version() {
        return record.version();
    }

    public StoredModelRecord record() {
        return record;
    }

    public ModelState state() {
        return state;
    }

    public String error() {
        return error;
    }

    public InstancePool pool() {
        return pool;
    }

    /** What it has done since it was last loaded; null unless READY. */
    public VersionStatistics statistics() {
        return statistics;
    }

    /** Where its engine runs; null unless loaded. */
    public io.plugboard.backend.Target target() {
        LoadedModel model = loaded;
        return model == null ? null : model.target();
    }

    /** The backend that loads it (named when a load began), or null. */
    public String backend() {
        return backend;
    }

    /**
     * Its inputs and outputs: the loaded engine's, or those it had when last loaded (an UNLOADED
     * version still describes itself); null if it never loaded.
     */
    public ModelSignature signature() {
        LoadedModel model = loaded;
        return model == null ? lastSignature : model.signature();
    }

    /**
     * The refusal for asking a version that is not loaded for what only a loaded one has
     * ({@code MODEL_NOT_READY}, naming its state: READY without a pool reads as UNLOADED).
     */
    public PlugboardException notLoaded(String what) {
        ModelState shown = state == ModelState.READY ? ModelState.UNLOADED : state;
        return new PlugboardException(ProblemType.MODEL_NOT_READY, "Model '" + id() + "' version " + version()
                + " is " + shown + ": only a loaded version has " + what + ".",
                Map.of("model", id(), "state", shown.name()));
    }

    /** Loading (again): the engine is reading the files. */
    public void loading(String backendName) {
        this.backend = backendName;
        this.error = null;
        this.state = ModelState.LOADING;
    }

    /** Loaded; its instances are running their first request. */
    public void warming() {
        this.state = ModelState.WARMING;
    }

    /** Serving: the pool's instances are warm; {@code counted} is what the pool reports to. */
    public void ready(LoadedModel model, InstancePool instancePool, VersionStatistics counted, String placementNote,
            Runnable onReleased) {
        this.released = onReleased;
        this.statistics = counted;
        this.lastSignature = model.signature();
        this.loaded = model;
        this.pool = instancePool;
        this.placement = placementNote;
        this.state = ModelState.READY;
    }

    public void failed(String message) {
        this.error = message;
        this.state = ModelState.FAILED;
    }

    /** Drains and releases it, keeping its files: {@code UNLOADED}. */
    public void unload(Duration drain) {
        close(drain);
        this.state = ModelState.UNLOADED;
    }

    /**
     * Drains in-flight work, stops calls still running past {@code drain} where the engine can,
     * then releases the engine's native memory, never under a running call (a call its engine
     * cannot stop keeps the model until it ends).
     */
    public void close(Duration drain) {
        InstancePool p = pool;
        LoadedModel m = loaded;
        Runnable r = released;
        pool = null;
        statistics = null;
        loaded = null;
        released = () -> { };
        Runnable closeModel = () -> {
            if (m != null) {
                m.close();
            }
            r.run();
        };
        if (p != null) {
            p.close(drain, closeModel);
        } else {
            closeModel.run();
        }
    }

    ModelDescription.VersionSummary summary() {
        LoadedModel model = loaded;
        return new ModelDescription.VersionSummary(record.version(), state, error,
                model == null ? null : model.target(), record.createdAt(), record.sha256());
    }

    public ModelDescription describe() {
        LoadedModel model = loaded;
        ModelSignature signature = model == null ? lastSignature : model.signature();
        InstancePool p = pool;
        Map<String, Object> settings = new LinkedHashMap<>();
        if (p != null) {
            settings.put("instances", p.settings().instances());
            settings.put("queueCapacity", p.settings().queueCapacity());
            settings.put("timeoutMs", p.settings().timeout().toMillis());
            settings.put("maxBatchSize", p.settings().maxBatchSize());
            settings.put("maxQueueDelayMs", p.settings().maxQueueDelay().toMillis());
        }
        return new ModelDescription(record.id(), record.version(), record.format(), backend,
                model == null ? null : model.target(), placement, state, error, record.sizeBytes(),
                record.sha256(), record.createdAt(), record.files().stream().map(StoredFile::path).toList(),
                signature == null ? List.of() : signature.inputs(),
                signature == null ? List.of() : signature.outputs(),
                signature != null && signature.positionalInputs() ? Boolean.TRUE : null, settings, null);
    }
}
