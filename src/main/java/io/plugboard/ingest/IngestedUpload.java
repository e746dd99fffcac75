package io.plugboard.ingest;

import io.plugboard.backend.ModelSource;
import io.plugboard.format.Detection;
import io.plugboard.settings.ModelSettings;
import io.plugboard.store.ModelStore;
import io.plugboard.store.StoredFile;
import io.plugboard.store.StoredModel;
import io.plugboard.store.StoredModelRecord;
import io.plugboard.store.Staging;
import java.time.Instant;

/**
 * An upload staged, recognised and prepared: ready to load from its staging folder, and to be
 * committed to the store once it serves. Closing it discards whatever was not committed.
 */
public final class IngestedUpload implements AutoCloseable {

    private final ModelStore store;
    private final Staging staging;
    private final Detection detection;
    private final String digest;

    IngestedUpload(ModelStore store, Staging staging, Detection detection, String digest) {
        this.store = store;
        this.staging = staging;
        this.detection = detection;
        this.digest = digest;
    }

    public Detection detection() {
        return detection;
    }

    /** Where the engine reads the model from, told {@code settings}' engine options. */
    public ModelSource source(ModelSettings settings) {
        return new ModelSource(staging.filesDirectory(), detection.mainFile(), detection.format(), settings.engine());
    }

    /** The staged files, with their sizes and digests. */
    public java.util.List<io.plugboard.store.StagedFile> files() {
        return staging.files();
    }

    /** The record this upload is stored under as {@code version} of {@code id}. */
    public StoredModelRecord record(String id, int version, Instant createdAt, ModelSettings settings) {
        return new StoredModelRecord(id, version, detection.format().id(), detection.mainFile(), digest,
                staging.totalBytes(), createdAt,
                staging.files().stream().map(f -> new StoredFile(f.name(), f.sizeBytes(), f.sha256())).toList(),
                settings);
    }

    /** Makes the upload a stored version under {@code record}: all of it, durably, or nothing. */
    public StoredModel commit(StoredModelRecord record) {
        return store.commit(staging, record);
    }

    @Override
    public void close() {
        staging.close();
    }
}
