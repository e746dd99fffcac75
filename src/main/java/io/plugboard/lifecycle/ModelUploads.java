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
import io.plugboard.store.SharedStore;
import io.plugboard.store.StoredModelRecord;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Uploads of new models and of new versions. An upload is ingested, served from its staging folder
 * and only then committed and shown: one that fails leaves nothing behind and never touches another
 * model or version. With a shared store, committing means its files first, then its record, created
 * only if no replica created that version first; the answer comes once both are durable there.
 */
public final class ModelUploads {

    private static final Logger log = LoggerFactory.getLogger(ModelUploads.class);

    private final UploadIngest ingest;
    private final ModelServing serving;
    private final ModelRegistry registry;
    private final ModelLocks locks;
    private final ModelRemoval removal;
    private final SharedStore shared;
    private final StoreSync sync;
    private final Clock clock;

    /** How often a version number another replica took at the same moment is tried again with the next one. */
    private static final int VERSION_ATTEMPTS = 5;

    public ModelUploads(UploadIngest ingest, ModelServing serving, ModelRegistry registry, ModelLocks locks,
            ModelRemoval removal, SharedStore shared, StoreSync sync, Clock clock) {
        this.ingest = ingest;
        this.serving = serving;
        this.registry = registry;
        this.locks = locks;
        this.removal = removal;
        this.shared = shared;
        this.sync = sync;
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
            if (registry.find(id).isPresent() || (shared.shared() && !shared.records(id).isEmpty())) {
                throw exists(id);
            }
            registry.requireRoomForAnother();
            ServedModel model = add(id, null, request, Optional.empty());
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
            sync.catchUp(id);
            ServedModel added = add(id, entry, request, Optional.of(previous(entry)));
            removal.retire(entry);
            return describe(entry, added);
        });
    }

    private static PlugboardException exists(String id) {
        return new PlugboardException(ProblemType.MODEL_EXISTS, "A model named '" + id
                + "' already exists; delete it first, add a version (POST /v1/models/" + id
                + "/versions) or choose another name.", Map.of("model", id));
    }

    /**
     * Ingests, serves and commits an upload: version 1 of a new model ({@code entry} null) or the
     * next version of {@code entry}. When another replica takes that version number first, the
     * model catches up with the store and the next number is tried.
     */
    private ServedModel add(String id, ModelVersions entry, UploadRequest request,
            Optional<PreviousVersion> previous) {
        try (IngestedUpload upload = ingest.ingest(request, previous)) {
            String origin = shared.newOrigin();
            boolean filesShared = false;
            for (int attempt = 1; ; attempt++) {
                int version = entry == null ? 1 : entry.reserveNext();
                StoredModelRecord record = upload.record(id, version, clock.instant(), request.settings())
                        .withOrigin(origin);
                ServedModel model = new ServedModel(record);
                boolean created = false;
                try {
                    serving.serve(model, upload.source(request.settings()), request.settings());
                    if (!filesShared) {
                        shared.putFiles(id, origin, upload.files());
                        filesShared = true;
                    }
                    created = shared.create(record).isPresent();
                    if (created) {
                        upload.commit(record);
                        registry.put(model);
                        return model;
                    }
                } catch (RuntimeException e) {
                    model.close(Duration.ZERO);
                    release(entry, version);
                    if (created) {
                        withdrawQuietly(record);
                    } else if (filesShared) {
                        deleteFilesQuietly(id, origin);
                    }
                    throw e;
                }
                model.close(Duration.ZERO);
                release(entry, version);
                if (entry == null || attempt == VERSION_ATTEMPTS) {
                    deleteFilesQuietly(id, origin);
                    throw entry == null ? exists(id) : new PlugboardException(ProblemType.MODEL_EXISTS,
                            "Other replicas kept adding versions of model '" + id + "' at the same time; try again.",
                            Map.of("model", id));
                }
                sync.catchUp(id); // another replica took this number: learn its version, take the next
            }
        }
    }

    private static void release(ModelVersions entry, int version) {
        if (entry != null) {
            entry.release(version);
        }
    }

    /** Undoes a record created for an upload that then failed here (its local commit). */
    private void withdrawQuietly(StoredModelRecord record) {
        try {
            shared.deleteRecord(record.id(), record.version());
            shared.deleteFiles(record.id(), record.origin());
        } catch (RuntimeException e) {
            log.warn("Model {} version {}: its shared record could not be withdrawn after a local failure: {}",
                    record.id(), record.version(), e.getMessage());
        }
    }

    private void deleteFilesQuietly(String id, String origin) {
        try {
            shared.deleteFiles(id, origin);
        } catch (RuntimeException e) {
            log.debug("Files of an upload of {} left for the sweep: {}", id, e.getMessage());
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
