package io.plugboard.lifecycle;

import io.plugboard.ingest.IngestedUpload;
import io.plugboard.ingest.PreviousVersion;
import io.plugboard.ingest.UploadIngest;
import io.plugboard.ingest.UploadRequest;
import io.plugboard.model.ModelDescription;
import io.plugboard.model.ModelRegistry;
import io.plugboard.model.ModelVersions;
import io.plugboard.model.ServedModel;
import io.plugboard.problem.PlugboardException;
import io.plugboard.problem.ProblemType;
import io.plugboard.serving.ModelServing;
import io.plugboard.store.StoredModelRecord;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/**
 * Uploads of new models and of new versions. An upload is ingested, served from its staging folder
 * and only then committed to the store and shown: one that fails leaves nothing behind and never
 * touches another model or version.
 */
public final class ModelUploads {

    private final UploadIngest ingest;
    private final ModelServing serving;
    private final ModelRegistry registry;
    private final ModelLocks locks;
    private final ModelRemoval removal;
    private final Clock clock;

    public ModelUploads(UploadIngest ingest, ModelServing serving, ModelRegistry registry, ModelLocks locks,
            ModelRemoval removal, Clock clock) {
        this.ingest = ingest;
        this.serving = serving;
        this.registry = registry;
        this.locks = locks;
        this.removal = removal;
        this.clock = clock;
    }

    /**
     * Stores and serves a new model.
     *
     * @return the READY model's description
     * @throws PlugboardException {@code MODEL_EXISTS} when the id is taken, or why the upload failed
     */
    public ModelDescription upload(UploadRequest request) {
        String firstFile = request.parts().isEmpty() ? null : request.parts().get(0).name();
        String id = ModelIds.forUpload(request.name(), firstFile);
        return locks.withLock(id, () -> {
            if (registry.find(id).isPresent()) {
                throw new PlugboardException(ProblemType.MODEL_EXISTS, "A model named '" + id
                        + "' already exists; delete it first, add a version (POST /v1/models/" + id
                        + "/versions) or choose another name.", Map.of("model", id));
            }
            registry.requireRoomForAnother();
            ServedModel model = add(id, 1, request, Optional.empty());
            return describe(registry.require(id), model);
        });
    }

    /**
     * Adds version N+1 of an existing model. The plain infer URL switches to it once it is READY; a
     * version that fails to load leaves the model as it was. Older versions beyond the retention
     * limit are then drained and deleted.
     */
    public ModelDescription uploadVersion(String id, UploadRequest request) {
        if (request.name() != null && !request.name().isBlank() && !request.name().equals(id)) {
            throw new PlugboardException(ProblemType.INVALID_PARAMETER, "'name' must be absent or '" + id
                    + "' when adding a version.", Map.of("parameter", "name"));
        }
        return locks.withLock(id, () -> {
            ModelVersions entry = registry.require(id);
            int version = entry.reserveNext();
            ServedModel added;
            try {
                added = add(id, version, request, Optional.of(previous(entry)));
            } catch (RuntimeException e) {
                entry.release(version);
                throw e;
            }
            removal.retire(entry);
            return describe(entry, added);
        });
    }

    private ServedModel add(String id, int version, UploadRequest request, Optional<PreviousVersion> previous) {
        try (IngestedUpload upload = ingest.ingest(request, previous)) {
            StoredModelRecord record = upload.record(id, version, clock.instant(), request.settings());
            ServedModel model = new ServedModel(record);
            serving.serve(model, upload.source(request.settings()), request.settings());
            try {
                upload.commit(record);
            } catch (RuntimeException e) {
                model.close(Duration.ZERO);
                throw e;
            }
            registry.put(model);
            return model;
        }
    }

    private PreviousVersion previous(ModelVersions entry) {
        return entry.serving().map(s -> ingest.previous(s.record()))
                .orElseGet(() -> PreviousVersion.noneServing(entry.id()));
    }

    private static ModelDescription describe(ModelVersions entry, ServedModel model) {
        return model.describe().withVersions(entry.describe().versions());
    }
}
