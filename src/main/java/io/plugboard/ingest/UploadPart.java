package io.plugboard.ingest;

import java.io.IOException;
import java.io.InputStream;

/** One uploaded file: its relative name and a way to read it once. */
public record UploadPart(String name, Opener opener) {

    /** Opens the part's content. */
    @FunctionalInterface
    public interface Opener {
        InputStream open() throws IOException;
    }
}
