package io.plugboard.store;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * What must hold before a stored version loads again: every file still has the size and SHA-256
 * recorded when it was committed (nothing changed it on disk), and no earlier load of it was cut
 * short by the process dying (a version whose load or warm-up killed the server is quarantined
 * instead of crash-looping it).
 */
public final class StoredModelCheck {

    /** Marker written in a version's folder while it loads; left behind only by a process that died. */
    static final String LOADING_MARKER = "loading";

    private StoredModelCheck() {
    }

    /** Why the version must not load, or empty when it may. */
    public static Optional<String> problem(StoredModel stored) {
        if (Files.exists(marker(stored))) {
            return Optional.of("quarantined: the server stopped while this version was loading or warming up, "
                    + "so it is not loaded again automatically; load it explicitly (POST /v2/repository/models/"
                    + stored.record().id() + "/load), upload it again or delete it");
        }
        return changedFile(stored);
    }

    /** The first file whose size or digest differs from its record, described; empty when all match. */
    public static Optional<String> changedFile(StoredModel stored) {
        for (StoredFile file : stored.record().files()) {
            Path path = stored.filesDirectory().resolve(file.path());
            try {
                if (!Files.isRegularFile(path) || Files.size(path) != file.sizeBytes()
                        || !Staging.sha256Of(path).equals(file.sha256())) {
                    return Optional.of("stored file '" + file.path() + "' no longer matches its recorded size and "
                            + "sha256 " + file.sha256() + ": it was changed on disk, so this version is not served");
                }
            } catch (IOException e) {
                return Optional.of("stored file '" + file.path() + "' cannot be read: " + e.getMessage());
            }
        }
        return Optional.empty();
    }

    /** Marks the version as loading (durably) until {@link #loaded} clears the mark. */
    public static void loading(StoredModel stored) {
        try {
            Files.deleteIfExists(marker(stored));
            Files.createFile(marker(stored));
            ModelStore.fsync(marker(stored).getParent());
        } catch (IOException e) {
            throw ModelStore.storageFailure(e);
        }
    }

    /** Clears the loading mark: the load ended, in success or in an answered failure. */
    public static void loaded(StoredModel stored) {
        try {
            Files.deleteIfExists(marker(stored));
        } catch (IOException e) {
            throw ModelStore.storageFailure(e);
        }
    }

    private static Path marker(StoredModel stored) {
        return stored.filesDirectory().getParent().resolve(LOADING_MARKER);
    }
}
