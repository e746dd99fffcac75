package io.plugboard.ingest;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.Optional;

/**
 * One uploaded file: its relative name, a way to read it once, and, when the server already holds
 * it on disk beside the store, a way to move it into place instead of copying it.
 */
public record UploadPart(String name, Opener opener, Optional<Mover> mover) {

    public UploadPart(String name, Opener opener) {
        this(name, opener, Optional.empty());
    }

    /** Opens the part's content. */
    @FunctionalInterface
    public interface Opener {
        InputStream open() throws IOException;
    }

    /** Moves the part's file to {@code target} (which does not exist yet). */
    @FunctionalInterface
    public interface Mover {
        void moveTo(Path target) throws IOException;
    }
}
