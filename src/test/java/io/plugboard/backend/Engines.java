package io.plugboard.backend;

import io.plugboard.backend.djl.DjlRuntime;
import java.nio.file.Path;

/** One DJL runtime for all backend tests in this JVM, unpacking natives under target/. */
final class Engines {

    static final DjlRuntime DJL = new DjlRuntime(Path.of("target/engine-cache"));

    private Engines() {
    }
}
