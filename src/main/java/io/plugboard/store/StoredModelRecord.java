package io.plugboard.store;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import io.plugboard.settings.ModelSettings;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * The metadata file ({@code model.json}) written beside a stored model's files. {@code sha256} is
 * the file's digest for a single-file model, otherwise the digest of the sorted
 * "path sha256" lines of its files. {@code settings} are the version's serving settings as
 * uploaded, replayed on restore. {@code origin} names the upload whose files a shared store holds
 * for this version (unique per upload, absent with the filesystem store): two records of one
 * version with different origins are different uploads.
 */
public record StoredModelRecord(String id, int version, String format, String mainFile, String sha256,
        long sizeBytes, Instant createdAt, List<StoredFile> files, ModelSettings settings,
        @JsonInclude(JsonInclude.Include.NON_NULL) String origin) {

    public StoredModelRecord {
        files = List.copyOf(files);
        settings = settings == null ? ModelSettings.DEFAULTS : settings;
    }

    /** A record of the filesystem store (no origin). */
    public StoredModelRecord(String id, int version, String format, String mainFile, String sha256,
            long sizeBytes, Instant createdAt, List<StoredFile> files, ModelSettings settings) {
        this(id, version, format, mainFile, sha256, sizeBytes, createdAt, files, settings, null);
    }

    /** This record under another version number. */
    public StoredModelRecord withVersion(int newVersion) {
        return new StoredModelRecord(id, newVersion, format, mainFile, sha256, sizeBytes, createdAt, files, settings,
                origin);
    }

    /** This record with its files held by the shared store under {@code newOrigin}. */
    public StoredModelRecord withOrigin(String newOrigin) {
        return new StoredModelRecord(id, version, format, mainFile, sha256, sizeBytes, createdAt, files, settings,
                newOrigin);
    }

    /** Reads a record, including those written before settings were typed ({@code parameters}). */
    @JsonCreator
    static StoredModelRecord read(@JsonProperty("id") String id, @JsonProperty("version") int version,
            @JsonProperty("format") String format, @JsonProperty("mainFile") String mainFile,
            @JsonProperty("sha256") String sha256, @JsonProperty("sizeBytes") long sizeBytes,
            @JsonProperty("createdAt") Instant createdAt, @JsonProperty("files") List<StoredFile> files,
            @JsonProperty("settings") ModelSettings settings,
            @JsonProperty("parameters") Map<String, String> parameters, @JsonProperty("origin") String origin) {
        return new StoredModelRecord(id, version, format, mainFile, sha256, sizeBytes, createdAt,
                files == null ? List.of() : files,
                settings != null || parameters == null ? settings : LegacySettings.read(parameters), origin);
    }
}
