package io.plugboard.store;

import java.nio.file.Path;

/** A committed model version on disk: its metadata and the folder holding its files. */
public record StoredModel(StoredModelRecord record, Path filesDirectory) {
}
