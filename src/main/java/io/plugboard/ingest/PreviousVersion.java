package io.plugboard.ingest;

import io.plugboard.store.StoredFile;
import java.nio.file.Path;
import java.util.List;

/**
 * The model a new version is added to, and its serving version's format and stored files; the
 * format is {@code null} (and there are no files) when no version of it is READY.
 */
public record PreviousVersion(String id, String format, Path filesDirectory, List<StoredFile> files) {

    public PreviousVersion {
        files = List.copyOf(files);
    }

    /** A model with no READY version. */
    public static PreviousVersion noneServing(String id) {
        return new PreviousVersion(id, null, null, List.of());
    }
}
