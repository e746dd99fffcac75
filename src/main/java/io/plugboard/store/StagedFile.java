package io.plugboard.store;

import java.nio.file.Path;

/** A file written into a staging folder, with its digest. */
public record StagedFile(String name, Path path, long sizeBytes, String sha256) {
}
