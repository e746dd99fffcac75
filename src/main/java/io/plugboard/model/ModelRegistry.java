package io.plugboard.model;

import io.plugboard.problem.PlugboardException;
import io.plugboard.problem.ProblemType;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;

/**
 * The models this server knows, by id, each with its versions. Changes to one id are serialized by
 * the caller (one lock per model id); lookups never wait.
 */
public final class ModelRegistry {

    private final Map<String, ModelVersions> models = new ConcurrentHashMap<>();
    private final int maxModels;
    private volatile Predicate<String> onMissing = id -> false;
    private volatile Predicate<String> whileLoading = id -> false;

    /** A registry of at most {@code maxModels} models ({@code plugboard.limits.max-models}). */
    public ModelRegistry(int maxModels) {
        this.maxModels = maxModels;
    }

    public ModelRegistry() {
        this(Integer.MAX_VALUE);
    }

    /**
     * @throws PlugboardException {@code CAPACITY_REACHED} when a new model would pass the cap
     */
    public void requireRoomForAnother() {
        if (models.size() >= maxModels) {
            throw new PlugboardException(ProblemType.CAPACITY_REACHED, "The server holds its maximum of " + maxModels
                    + " models (plugboard.limits.max-models); delete one first.", Map.of("limit", maxModels));
        }
    }

    /** Adds (or replaces) a version, creating the model's entry on its first version. */
    public ModelVersions put(ServedModel model) {
        ModelVersions versions = models.computeIfAbsent(model.id(), ModelVersions::new);
        versions.put(model);
        return versions;
    }

    public ModelVersions remove(String id) {
        return models.remove(id);
    }

    public Optional<ModelVersions> find(String id) {
        return Optional.ofNullable(models.get(id));
    }

    /**
     * What {@link #require} asks when it does not know an id: a shared store loads a model another
     * replica stored before this one heard of it, and answers whether it did.
     */
    public void onMissing(Predicate<String> fetch) {
        this.onMissing = fetch;
    }

    /**
     * What {@link #require} asks when it knows an id that has no READY version yet: a shared
     * store waits for its on-demand load of that id, if one is under way, and answers whether it
     * waited. Requests racing the first one for a model fetched on demand then share its load
     * instead of finding it still LOADING.
     */
    public void whileLoading(Predicate<String> awaitLoad) {
        this.whileLoading = awaitLoad;
    }

    /**
     * The model {@code id}, fetched on demand when it is stored elsewhere but not known here.
     *
     * @throws PlugboardException {@code MODEL_NOT_FOUND}
     */
    public ModelVersions require(String id) {
        ModelVersions found = models.get(id);
        if ((found == null || found.isEmpty()) && onMissing.test(id)
                || found != null && found.serving().isEmpty() && whileLoading.test(id)) {
            found = models.get(id);
        }
        if (found == null || found.isEmpty()) { // an entry whose last version is being dropped is gone
            throw new PlugboardException(ProblemType.MODEL_NOT_FOUND, "No model with id '" + id + "'.",
                    Map.of("model", id));
        }
        return found;
    }

    public List<ModelVersions> all() {
        return models.values().stream().filter(m -> !m.isEmpty())
                .sorted(Comparator.comparing(ModelVersions::id)).toList();
    }

    /** Every stored version as the repository index lists it, by model id; only READY ones with {@code onlyReady}. */
    public List<ModelVersions.Listed> index(boolean onlyReady) {
        return all().stream().flatMap(m -> m.listed(onlyReady).stream()).toList();
    }

    /**
     * What loaded versions have done: every model's when {@code id} is null or empty (then
     * {@code version} must be null), else that model's, or its one {@code version}
     * ({@link ModelVersions#statistics}).
     */
    public List<ModelVersions.Counted> statistics(String id, Integer version) {
        if (id == null || id.isEmpty()) {
            if (version != null) {
                throw new PlugboardException(ProblemType.MALFORMED_REQUEST, "A version is asked for without a model.");
            }
            return all().stream().flatMap(m -> m.statistics(null).stream()).toList();
        }
        return require(id).statistics(version);
    }

    public long count(ModelState state) {
        return models.values().stream().flatMap(m -> m.all().stream()).filter(m -> m.state() == state).count();
    }
}
