package io.plugboard.model;

import io.plugboard.archive.SafeExtractor;
import io.plugboard.backend.Backend;
import io.plugboard.backend.BackendRegistry;
import io.plugboard.backend.LoadedModel;
import io.plugboard.backend.ModelSource;
import io.plugboard.format.CandidateFile;
import io.plugboard.format.Detection;
import io.plugboard.format.FormatDetector;
import io.plugboard.format.ModelFormat;
import io.plugboard.inference.InstancePool;
import io.plugboard.inference.NanoClock;
import io.plugboard.inference.PinnedCalls;
import io.plugboard.inference.PoolSettings;
import io.plugboard.metrics.InferenceMetrics;
import io.plugboard.problem.PlugboardException;
import io.plugboard.problem.ProblemType;
import io.plugboard.store.ModelStore;
import io.plugboard.store.StagedFile;
import io.plugboard.store.Staging;
import io.plugboard.store.StoredFile;
import io.plugboard.store.StoredModel;
import io.plugboard.store.StoredModelRecord;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Uploads, restores and deletes models. An upload is staged, recognised, loaded and only then
 * committed to the store: a model that fails to load leaves nothing behind and never touches
 * another model.
 */
public final class ModelLifecycle implements AutoCloseable {

    public static final Pattern NAME = Pattern.compile("^[a-z0-9][a-z0-9._-]{0,62}$");

    /** Formats refused whatever the client claims, because reading them would run their code. */
    private static final Set<ModelFormat> NEVER_LOADED = Set.of(ModelFormat.PYTORCH_PICKLE, ModelFormat.PICKLE,
            ModelFormat.NATIVE_LIBRARY, ModelFormat.TVM, ModelFormat.H2O_POJO);

    private static final Logger log = LoggerFactory.getLogger(ModelLifecycle.class);

    private final ModelStore store;
    private final FormatDetector detector;
    private final BackendRegistry backends;
    private final ModelRegistry registry;
    private final InferenceMetrics metrics;
    private final ServingDefaults defaults;
    private final long maxUploadBytes;
    private final Duration drain;
    private final Clock clock;
    private final NanoClock nanoClock;
    private final SafeExtractor extractor;
    private final int keepVersions;
    /** One budget for every pool this lifecycle creates: calls pinning virtual threads leave a carrier free. */
    private final PinnedCalls pinnedCalls;

    public ModelLifecycle(ModelStore store, FormatDetector detector, BackendRegistry backends,
            ModelRegistry registry, InferenceMetrics metrics, ServingDefaults defaults, long maxUploadBytes,
            Duration drain, Clock clock, NanoClock nanoClock, SafeExtractor extractor, int keepVersions,
            PinnedCalls pinnedCalls) {
        this.store = store;
        this.detector = detector;
        this.backends = backends;
        this.registry = registry;
        this.metrics = metrics;
        this.defaults = defaults;
        this.maxUploadBytes = maxUploadBytes;
        this.drain = drain;
        this.clock = clock;
        this.nanoClock = nanoClock;
        this.extractor = extractor;
        this.keepVersions = Math.max(1, keepVersions);
        this.pinnedCalls = pinnedCalls;
        for (ModelState state : ModelState.values()) {
            metrics.modelsGauge(state.name().toLowerCase(Locale.ROOT), () -> registry.count(state));
        }
    }

    /**
     * Stores and loads an uploaded model.
     *
     * @return the READY model's description
     */
    public ModelDescription upload(UploadRequest request) {
        requireFiles(request);
        String id = request.name() == null || request.name().isBlank()
                ? generatedId(request.parts().get(0).name()) : validName(request.name());
        if (!registry.reserve(id)) {
            throw new PlugboardException(ProblemType.MODEL_EXISTS, "A model named '" + id
                    + "' already exists; delete it first, add a version (POST /v1/models/" + id
                    + "/versions) or choose another name.", Map.of("model", id));
        }
        try {
            return addVersion(id, 1, request, null);
        } finally {
            registry.release(id);
        }
    }

    /**
     * Adds version N+1 of an existing model. The plain infer URL switches to it once it is READY; a
     * version that fails to load leaves the model as it was. Older versions beyond the retention
     * limit are then drained and deleted.
     */
    public ModelDescription uploadVersion(String id, UploadRequest request) {
        requireFiles(request);
        ModelVersions entry = registry.require(id);
        if (request.name() != null && !request.name().isBlank() && !request.name().equals(id)) {
            throw new PlugboardException(ProblemType.INVALID_PARAMETER, "'name' must be absent or '" + id
                    + "' when adding a version.", Map.of("parameter", "name"));
        }
        int version = entry.reserveNext();
        ModelDescription added;
        try {
            added = addVersion(id, version, request, entry);
        } catch (RuntimeException e) {
            entry.release(version);
            throw e;
        }
        applyRetention(entry);
        return added;
    }

    private static void requireFiles(UploadRequest request) {
        if (request.parts().isEmpty()) {
            throw new PlugboardException(ProblemType.MISSING_FILE, "The upload has no 'file' part.");
        }
    }

    private ModelDescription addVersion(String id, int version, UploadRequest request, ModelVersions base) {
        Map<String, String> parameters = new HashMap<>(request.settings());
        PoolSettings poolSettings = defaults.resolve(parameters);
        try (Staging staging = store.stage(maxUploadBytes)) {
            for (UploadPart part : request.parts()) {
                try (InputStream in = part.opener().open()) {
                    staging.write(part.name(), in);
                } catch (IOException e) {
                    throw new PlugboardException(ProblemType.MALFORMED_REQUEST,
                            "The upload of '" + part.name() + "' broke off: " + e.getMessage(), e);
                }
            }
            if (base != null && staging.files().stream().allMatch(f -> f.name().endsWith(".safetensors"))) {
                addGraphOf(base, staging);
            }
            List<CandidateFile> candidates = staging.files().stream()
                    .map(f -> new CandidateFile(f.name(), f.path(), f.sizeBytes())).toList();
            Detection detection = detect(candidates, request.format());
            Backend backend = backends.require(detection.format());
            String uploadDigest = digest(staging.files());
            detection = unpackIfArchived(staging, detection);
            TargetPlacement.Placement placement = TargetPlacement.place(
                    request.target() == null ? defaults.target() : request.target(), backend.targets(),
                    backend.unavailableTargets());
            parameters.put("target", request.target() == null ? defaults.target() : request.target());
            if (request.format() != null && !request.format().isBlank()) {
                parameters.put("format", request.format());
            }
            ModelSource source = new ModelSource(staging.filesDirectory(), detection.mainFile(),
                    detection.format(), parameters);
            Placed placed = loadPlaced(id, backend, source, placement);
            LoadedModel loaded = placed.model();
            StoredModelRecord record = new StoredModelRecord(id, version, detection.format().id(),
                    detection.mainFile(), uploadDigest, staging.totalBytes(), clock.instant(),
                    staging.files().stream().map(f -> new StoredFile(f.name(), f.sizeBytes(), f.sha256())).toList(),
                    parameters);
            ServedModel model = new ServedModel(record, backend.name(), ModelState.LOADING);
            try {
                serve(model, loaded, poolSettings, placed.reason());
                store.commit(staging, record);
            } catch (RuntimeException e) {
                if (model.state() == ModelState.READY) {
                    model.close(Duration.ZERO);
                } else {
                    loaded.close();
                }
                throw e;
            }
            ModelVersions entry = registry.put(model);
            log.info("Model {} version {} stored and READY ({} via {} on {})", id, version, detection.format().id(),
                    backend.name(), loaded.target());
            return model.describe().withVersions(entry.all().stream().map(ServedModel::summary).toList());
        }
    }

    /**
     * New weights for an existing ONNX model: a version upload of only .safetensors files takes the
     * serving version's graph (and its other files) and overrides its initializers.
     */
    private void addGraphOf(ModelVersions base, Staging staging) {
        ServedModel serving = base.serving().orElseThrow(() -> new PlugboardException(ProblemType.MODEL_NOT_READY,
                "Model '" + base.id() + "' has no READY version whose graph the new weights could use."));
        if (!serving.record().format().equals(ModelFormat.ONNX.id())) {
            throw new PlugboardException(ProblemType.UNSUPPORTED_FORMAT, "SafeTensors weights can replace the "
                    + "initializers of an ONNX model; '" + base.id() + "' is " + serving.record().format() + ".",
                    Map.of("format", ModelFormat.SAFETENSORS.id()));
        }
        Path files = store.filesDirectory(base.id(), serving.version());
        for (StoredFile file : serving.record().files()) {
            if (!file.path().endsWith(".safetensors")) {
                try (InputStream in = Files.newInputStream(files.resolve(file.path()))) {
                    staging.write(file.path(), in);
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }
        }
    }

    /** Keeps the newest {@code keepVersions} versions; older ones are drained, unloaded and deleted. */
    private void applyRetention(ModelVersions entry) {
        List<ServedModel> all = entry.all();
        for (int i = 0; i < all.size() - keepVersions; i++) {
            ServedModel old = all.get(i);
            if (entry.serving().map(s -> s == old).orElse(false)) {
                continue;
            }
            removeVersion(entry, old);
            log.info("Model {} version {} retired (keeping {} versions)", entry.id(), old.version(), keepVersions);
        }
    }

    /**
     * A SavedModel sent as one .zip/.tar.gz is unpacked (safely) into the staging folder, and the
     * archive replaced by its files: the store keeps the SavedModel folder.
     */
    private Detection unpackIfArchived(Staging staging, Detection detection) {
        if (detection.format() != ModelFormat.TF_SAVEDMODEL) {
            return detection;
        }
        Path archive = staging.filesDirectory().resolve(detection.mainFile());
        if (!SafeExtractor.isArchive(archive)) {
            return detection;
        }
        Path target = staging.filesDirectory().resolve("savedmodel");
        try {
            Files.createDirectories(target);
            extractor.extract(archive, target);
            Files.delete(archive);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        staging.rescan();
        String pb = staging.files().stream().map(f -> f.name())
                .filter(n -> n.equals("saved_model.pb") || n.endsWith("/saved_model.pb"))
                .min(Comparator.comparingInt(n -> n.split("/").length))
                .orElseThrow(() -> new PlugboardException(ProblemType.NOT_A_MODEL,
                        "The archive holds no saved_model.pb."));
        return new Detection(ModelFormat.TF_SAVEDMODEL, pb, detection.evidence());
    }

    private Detection detect(List<CandidateFile> candidates, String override) {
        Detection detected = null;
        PlugboardException notRecognised = null;
        try {
            detected = detector.detect(candidates);
        } catch (PlugboardException e) {
            if (e.type() != ProblemType.NOT_A_MODEL || override == null || override.isBlank()) {
                throw e;
            }
            notRecognised = e;
        }
        if (detected != null && NEVER_LOADED.contains(detected.format())) {
            throw backendsRefusal(detected);
        }
        if (override == null || override.isBlank()) {
            return detected;
        }
        ModelFormat format = ModelFormat.fromId(override).orElseThrow(() -> new PlugboardException(
                ProblemType.INVALID_PARAMETER, "Unknown format '" + override + "'; see GET /v1/formats.",
                Map.of("parameter", "format")));
        String main = detected != null ? detected.mainFile()
                : candidates.stream().max(Comparator.comparingLong(CandidateFile::size)).orElseThrow().name();
        log.debug("Format override {} (detector: {})", format, notRecognised == null ? detected : "nothing");
        return new Detection(format, main, "format given by the client");
    }

    private PlugboardException backendsRefusal(Detection detection) {
        try {
            backends.require(detection.format());
        } catch (PlugboardException e) {
            Map<String, Object> props = new HashMap<>(e.properties());
            props.put("evidence", detection.evidence());
            return new PlugboardException(e.type(), e.getMessage() + " (Found: " + detection.evidence() + ".)", props);
        }
        return new PlugboardException(ProblemType.UNSUPPORTED_FORMAT, detection.format().displayName()
                + " is never loaded: " + detection.format().intrinsicReason().orElse(""));
    }

    /** A loaded model and why it runs where it does. */
    private record Placed(LoadedModel model, String reason) {
    }

    /**
     * Loads on the first candidate target that works. With {@code auto}, an accelerator whose
     * session cannot be created is skipped (the reason is recorded) and the next one tried; the
     * last candidate (cpu) reports its own failure.
     */
    private Placed loadPlaced(String id, Backend backend, ModelSource source, TargetPlacement.Placement placement) {
        StringBuilder skipped = new StringBuilder();
        List<String> candidates = placement.candidates();
        for (int i = 0; i < candidates.size(); i++) {
            String target = candidates.get(i);
            try {
                LoadedModel loaded = load(id, backend, source, target);
                return new Placed(loaded, placement.reason() + skipped);
            } catch (PlugboardException e) {
                boolean last = i == candidates.size() - 1;
                if (last || e.type() != ProblemType.MODEL_LOAD_FAILED) {
                    throw e;
                }
                skipped.append("; ").append(target).append(" failed (").append(e.getMessage()).append("), fell back");
                log.warn("Model {} could not load on {}: {}; trying {}", id, target, e.getMessage(), candidates.get(i + 1));
            }
        }
        throw new IllegalStateException("no target candidates");
    }

    private LoadedModel load(String id, Backend backend, ModelSource source, String target) {
        long start = nanoClock.nanoTime();
        try {
            LoadedModel loaded = backend.load(source, target);
            metrics.modelLoaded(id, source.format().id(), backend.name(), nanoClock.nanoTime() - start, true);
            return loaded;
        } catch (RuntimeException e) {
            metrics.modelLoaded(id, source.format().id(), backend.name(), nanoClock.nanoTime() - start, false);
            throw e;
        }
    }

    private void serve(ServedModel model, LoadedModel loaded, PoolSettings settings, String placement) {
        Warmup.run(model.id(), loaded);
        InstancePool pool = new InstancePool(model.id(), loaded, settings, nanoClock, metrics, pinnedCalls);
        metrics.poolGauges(model.id(), Integer.toString(model.version()), pool::queueDepth, pool::inFlight);
        model.ready(loaded, pool, placement);
    }

    /** Loads every stored model version; one that fails is kept on disk and shown FAILED. */
    public void restoreAll() {
        for (StoredModel stored : store.list()) {
            restore(stored);
        }
    }

    private void restore(StoredModel stored) {
        StoredModelRecord record = stored.record();
        ModelFormat format = ModelFormat.fromId(record.format()).orElse(null);
        Backend backend = format == null ? null : backends.find(format).orElse(null);
        ServedModel model = new ServedModel(record, backend == null ? null : backend.name(), ModelState.LOADING);
        registry.put(model);
        try {
            if (format == null) {
                throw new PlugboardException(ProblemType.UNSUPPORTED_FORMAT, "Unknown stored format " + record.format());
            }
            if (backend == null) {
                backends.require(format);
            }
            PoolSettings settings = defaults.resolve(record.parameters());
            TargetPlacement.Placement placement = TargetPlacement.place(record.parameters().get("target"),
                    backend.targets(), backend.unavailableTargets());
            Placed placed = loadPlaced(record.id(), backend, new ModelSource(stored.filesDirectory(),
                    record.mainFile(), format, record.parameters()), placement);
            serve(model, placed.model(), settings, placed.reason());
            log.info("Restored model {} version {} ({})", record.id(), record.version(), record.format());
        } catch (RuntimeException e) {
            log.error("Stored model {} version {} could not be restored: {}", record.id(), record.version(),
                    e.getMessage());
            model.failed(e.getMessage());
        }
    }

    /** Unloads a model (draining in-flight work) and deletes all its versions' files. */
    public void delete(String id) {
        registry.require(id);
        ModelVersions entry = registry.remove(id);
        if (entry == null) {
            return;
        }
        for (ServedModel model : entry.all()) {
            model.close(drain);
        }
        store.delete(id);
        metrics.forget(id);
        log.info("Model {} deleted", id);
    }

    /** Deletes one version; deleting the last one deletes the model. */
    public void deleteVersion(String id, int version) {
        ModelVersions entry = registry.require(id);
        ServedModel model = entry.requireVersion(version);
        if (entry.all().size() == 1) {
            delete(id);
            return;
        }
        removeVersion(entry, model);
        log.info("Model {} version {} deleted", id, version);
    }

    private void removeVersion(ModelVersions entry, ServedModel model) {
        entry.remove(model.version());
        model.close(drain);
        store.deleteVersion(entry.id(), model.version());
        metrics.forgetVersion(entry.id(), Integer.toString(model.version()));
    }

    /** Releases every version of a model from memory, keeping its files (model repository unload). */
    public void unload(String id) {
        ModelVersions entry = registry.require(id);
        for (ServedModel model : entry.all()) {
            model.close(drain);
            model.unloaded();
        }
        log.info("Model {} unloaded", id);
    }

    /** Loads again every version of a model that is not READY (model repository load). */
    public void load(String id) {
        ModelVersions entry = registry.require(id);
        for (StoredModel stored : store.list()) {
            if (stored.record().id().equals(id)) {
                ServedModel current = entry.version(stored.record().version()).orElse(null);
                if (current == null || current.state() != ModelState.READY) {
                    restore(stored);
                }
            }
        }
    }

    @Override
    public void close() {
        for (ModelVersions entry : registry.all()) {
            for (ServedModel model : entry.all()) {
                model.close(drain);
            }
        }
    }

    private static String validName(String name) {
        if (!NAME.matcher(name).matches()) {
            throw new PlugboardException(ProblemType.INVALID_MODEL_NAME, "Model name '" + name
                    + "' must match " + NAME.pattern() + " (lower-case letters, digits, '.', '_' and '-', "
                    + "at most 63 characters, starting with a letter or digit).", Map.of("name", name));
        }
        return name;
    }

    private static String generatedId(String fileName) {
        String base = fileName == null ? "" : fileName.replace('\\', '/');
        base = base.substring(base.lastIndexOf('/') + 1);
        int dot = base.indexOf('.');
        if (dot > 0) {
            base = base.substring(0, dot);
        }
        base = base.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9._-]+", "-").replaceAll("^[^a-z0-9]+", "");
        if (base.length() > 48) {
            base = base.substring(0, 48);
        }
        String suffix = HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt()).substring(0, 8);
        return (base.isEmpty() ? "model" : base) + "-" + suffix;
    }

    private static String digest(List<StagedFile> files) {
        if (files.size() == 1) {
            return files.get(0).sha256();
        }
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            files.stream().sorted(Comparator.comparing(StagedFile::name))
                    .forEach(f -> sha.update((f.name() + " " + f.sha256() + "\n").getBytes(java.nio.charset.StandardCharsets.UTF_8)));
            return HexFormat.of().formatHex(sha.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
