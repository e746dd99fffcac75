package io.plugboard.model;

import io.plugboard.problem.PlugboardException;
import io.plugboard.problem.ProblemType;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The models this server knows, by id, each with its versions. Ids are reserved before an upload
 * is written, so two uploads can never take the same name.
 */
public final class ModelRegistry {

    private final Map<String, ModelVersions> models = new ConcurrentHashMap<>();
    private final Map<String, Boolean> reserved = new ConcurrentHashMap<>();

    /** Claims an id for a new model's upload; false if it is taken. */
    synchronized boolean reserve(String id) {
        if (models.containsKey(id) || reserved.containsKey(id)) {
            return false;
        }
        reserved.put(id, Boolean.TRUE);
        return true;
    }

    synchronized void release(String id) {
        reserved.remove(id);
    }

    /** Adds a version, creating the model's entry on its first version. */
    synchronized ModelVersions put(ServedModel model) {
        ModelVersions versions = models.computeIfAbsent(model.id(), ModelVersions::new);
        versions.put(model);
        reserved.remove(model.id());
        return versions;
    }

    synchronized ModelVersions remove(String id) {
        return models.remove(id);
    }

    public Optional<ModelVersions> find(String id) {
        return Optional.ofNullable(models.get(id));
    }

    public ModelVersions require(String id) {
        return find(id).orElseThrow(() -> new PlugboardException(ProblemType.MODEL_NOT_FOUND,
                "No model with id '" + id + "'.", Map.of("model", id)));
    }

    public List<ModelVersions> all() {
        return models.values().stream().filter(m -> !m.isEmpty())
                .sorted(Comparator.comparing(ModelVersions::id)).toList();
    }

    public long count(ModelState state) {
        return models.values().stream().flatMap(m -> m.all().stream()).filter(m -> m.state() == state).count();
    }
}
