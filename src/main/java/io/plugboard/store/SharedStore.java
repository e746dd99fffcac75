package io.plugboard.store;

import java.io.InputStream;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The model repository every replica shares ({@code plugboard.store.type=s3}). A version exists
 * there once its record exists: its files are written first under a fresh origin, then the record
 * is created only if no record of that version exists yet, so two replicas racing for one version
 * get exactly one winner. Records are never rewritten; a deleted one may be created again by a
 * later upload with another origin. Every failure to reach the store is a {@code
 * store-unavailable} problem.
 */
public interface SharedStore extends AutoCloseable {

    /** Where the store is, for logs and health ({@code s3://bucket/prefix}). */
    String location();

    /** A fresh origin: the name under which one upload's files are written. */
    String newOrigin();

    /** Writes the files of one upload under {@code origin} (streamed; large files in parts). */
    void putFiles(String id, String origin, List<StagedFile> files);

    /**
     * Creates the record of a version whose files were put under its origin, unless that version
     * already has one.
     *
     * @return the new record's tag, or empty when the version was taken first
     */
    Optional<String> create(StoredModelRecord record);

    /** The tag of every record in the store. */
    Map<RecordKey, String> records();

    /** The tag of every record of one model, by version. */
    Map<Integer, String> records(String id);

    /** A record as stored (empty when there is none, or when it cannot be read as a record). */
    Optional<StoredModelRecord> read(String id, int version);

    /** Streams one file of a version's upload. */
    InputStream open(String id, String origin, String path);

    /** Deletes the record of one version (the version disappears). */
    void deleteRecord(String id, int version);

    /** Deletes the files written under one origin. */
    void deleteFiles(String id, String origin);

    /**
     * Deletes files of uploads no record names ({@code referenced} holds every origin records
     * name) written before {@code before}, and aborts multipart uploads begun before it: what
     * replicas stopped mid-upload left.
     *
     * @return how many objects and multipart uploads were removed
     */
    int sweep(Instant before, Set<String> referenced);

    @Override
    void close();

    /** Whether this store is shared with other replicas ({@link #none()} is not). */
    default boolean shared() {
        return true;
    }

    /**
     * The filesystem store's stand-in: nothing is shared, every version is free to create and
     * there is nothing to list, read or delete.
     */
    static SharedStore none() {
        return NoSharedStore.INSTANCE;
    }

    /** One version's record in the store. */
    record RecordKey(String id, int version) {
    }
}
