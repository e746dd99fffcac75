package io.plugboard.store;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import io.plugboard.settings.ModelSettings;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * The metadata file ({@code model.json}) written beside a stored model's files. {@code sha256} is
 * the file's digest for a single-file model, otherwise the digest of the sorted
 * "path sha256" lines of its files. {@code settings} are the version's serving settings as
 * uploaded, replayed on restore.
 */
public record StoredModelRecord(String id, int version, String format, String mainFile, String sha256,
        long sizeBytes, Instant createdAt, List<StoredFile> files, ModelSettings settings) {

    public StoredModelRecord {
        files = List.copyOf(files);
        settings = settings == null ? ModelSettings.DEFAULTS : settings;
    }

    /** Reads a record, including those written before settings were typed ({@code parameters}). */
    @JsonCreator
    static StoredModelRecord read(@JsonProperty("id") String id, @JsonProperty("version") int version,
            @JsonProperty("format") String format, @JsonProperty("mainFile") String mainFile,
            @JsonProperty("sha256") String sha256, @JsonProperty("sizeBytes") long sizeBytes,
            @JsonProperty("createdAt") Instant createdAt, @JsonProperty("files") List<StoredFile> files,
            @JsonProperty("settings") ModelSettings settings,
            @JsonProperty("parameters") Map<String, String> parameters) {
        return new StoredModelRecord(id, version, format, mainFile, sha256, sizeBytes, createdAt,
                files == null ? List.of() : files,
                settings != null || parameters == null ? settings : LegacySettings.read(parameters));
    }
}
