package io.plugboard.model;

import io.plugboard.inference.VersionStatistics;
import io.plugboard.problem.PlugboardException;
import io.plugboard.problem.ProblemType;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Optional;
import java.util.concurrent.ConcurrentSkipListMap;

/**
 * The versions of one model. The plain infer URL is served by the newest READY version: a version
 * that is loading or failed never replaces a working one, and the switch is one volatile read per
 * request, so no request mixes versions.
 */
public final class ModelVersions {

    private final String id;
    private final NavigableMap<Integer, ServedModel> versions = new ConcurrentSkipListMap<>();
    private int reservedUpTo;

    ModelVersions(String id) {
        this.id = id;
    }

    public String id() {
        return id;
    }

    /** Claims the next version number (1 for a new model). */
    public synchronized int reserveNext() {
        int last = versions.isEmpty() ? 0 : versions.lastKey();
        reservedUpTo = Math.max(reservedUpTo, last) + 1;
        return reservedUpTo;
    }

    /** Gives back a number whose upload failed, so failed uploads leave no gap. */
    public synchronized void release(int version) {
        if (reservedUpTo == version) {
            reservedUpTo--;
        }
    }

    void put(ServedModel model) {
        versions.put(model.record().version(), model);
    }

    public ServedModel remove(int version) {
        return versions.remove(version);
    }

    public boolean isEmpty() {
        return versions.isEmpty();
    }

    public List<ServedModel> all() {
        return new ArrayList<>(versions.values());
    }

    /** The newest READY version, if any. */
    public Optional<ServedModel> serving() {
        for (ServedModel model : versions.descendingMap().values()) {
            if (model.state() == ModelState.READY) {
                return Optional.of(model);
            }
        }
        return Optional.empty();
    }

    public Optional<ServedModel> version(int version) {
        return Optional.ofNullable(versions.get(version));
    }

    public ServedModel requireVersion(int version) {
        return version(version).orElseThrow(() -> new PlugboardException(ProblemType.VERSION_NOT_FOUND,
                "Model '" + id + "' has no version " + version + "; it has " + versions.keySet() + ".",
                Map.of("model", id, "version", version)));
    }

    /** What a loaded version of model {@code id} has done ({@link VersionStatistics}). */
    public record Counted(String id, int version, VersionStatistics.Snapshot statistics) {
    }

    /** One version as the repository index lists it: {@code reason} is why it failed, or null. */
    public record Listed(String id, int version, ModelState state, String reason) {
    }

    /** Its versions as the repository index lists them, oldest first; only READY ones with {@code onlyReady}. */
    public List<Listed> listed(boolean onlyReady) {
        return all().stream().filter(m -> !onlyReady || m.state() == ModelState.READY)
                .map(m -> new Listed(id, m.version(), m.state(), m.error())).toList();
    }

    /**
     * The statistics of its READY versions, oldest first, or of {@code version} alone
     * ({@code VERSION_NOT_FOUND} if absent, {@code MODEL_NOT_READY} unless READY).
     */
    public List<Counted> statistics(Integer version) {
        List<Counted> counted = new ArrayList<>();
        for (ServedModel model : version == null ? all() : List.of(requireVersion(version))) {
            VersionStatistics statistics = model.statistics();
            if (statistics != null && model.state() == ModelState.READY) {
                counted.add(new Counted(id, model.version(), statistics.snapshot()));
            } else if (version != null) {
                throw model.notLoaded("statistics");
            }
        }
        return counted;
    }

    /** The state of the model as a whole: READY if a version serves, else that of the newest version. */
    public ModelState state() {
        if (serving().isPresent()) {
            return ModelState.READY;
        }
        return versions.isEmpty() ? ModelState.UNLOADED : versions.lastEntry().getValue().state();
    }

    /**
     * The version to show: the one asked for ({@code VERSION_NOT_FOUND} if absent), else the
     * serving one, else the newest.
     */
    public ServedModel shown(Integer version) {
        if (version != null) {
            return requireVersion(version);
        }
        return serving().orElseGet(() -> versions.lastEntry().getValue());
    }

    /** The serving version's description (or the newest's), with every version listed. */
    public ModelDescription describe() {
        ServedModel shown = shown(null);
        List<ModelDescription.VersionSummary> summaries = versions.values().stream()
                .map(ServedModel::summary).toList();
        return shown.describe().withVersions(summaries);
    }
}
