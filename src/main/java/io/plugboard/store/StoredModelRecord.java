package io.plugboard.store;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * The metadata file ({@code model.json}) written beside a stored model's files. {@code sha256} is
 * the file's digest for a single-file model, otherwise the digest of the sorted
 * "path sha256" lines of its files. {@code parameters} are the upload settings, replayed on restore.
 */
public record StoredModelRecord(String id, int version, String format, String mainFile, String sha256,
        long sizeBytes, Instant createdAt, List<StoredFile> files, Map<String, String> parameters) {

    public StoredModelRecord {
        files = List.copyOf(files);
        parameters = Map.copyOf(parameters);
    }
}
