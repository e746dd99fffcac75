package io.plugboard.model;

import io.plugboard.problem.PlugboardException;
import io.plugboard.problem.ProblemType;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The models this server knows, by id. Ids are reserved before an upload is written, so two
 * uploads can never take the same name.
 */
public final class ModelRegistry {

    private final Map<String, ServedModel> models = new ConcurrentHashMap<>();
    private final Map<String, Boolean> reserved = new ConcurrentHashMap<>();

    /** Claims an id for an upload in progress; false if it is taken. */
    boolean reserve(String id) {
        synchronized (this) {
            if (models.containsKey(id) || reserved.containsKey(id)) {
                return false;
            }
            reserved.put(id, Boolean.TRUE);
            return true;
        }
    }

    void release(String id) {
        reserved.remove(id);
    }

    void put(ServedModel model) {
        synchronized (this) {
            models.put(model.id(), model);
            reserved.remove(model.id());
        }
    }

    ServedModel remove(String id) {
        return models.remove(id);
    }

    public Optional<ServedModel> find(String id) {
        return Optional.ofNullable(models.get(id));
    }

    public ServedModel require(String id) {
        return find(id).orElseThrow(() -> new PlugboardException(ProblemType.MODEL_NOT_FOUND,
                "No model with id '" + id + "'.", Map.of("model", id)));
    }

    public List<ServedModel> all() {
        return models.values().stream().sorted(Comparator.comparing(ServedModel::id)).toList();
    }

    public long count(ModelState state) {
        return models.values().stream().filter(m -> m.state() == state).count();
    }

    Collection<ServedModel> values() {
        return models.values();
    }
}
