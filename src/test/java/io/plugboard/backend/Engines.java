package io.plugboard.backend;

import io.plugboard.backend.djl.DjlRuntime;
import java.nio.file.Path;

/** One engine cache and DJL runtime for all backend tests in this JVM, unpacking natives under target/. */
final class Engines {

    static final NativeCache CACHE = new NativeCache(Path.of("target/engine-cache"));
    static final DjlRuntime DJL = new DjlRuntime(CACHE);

    private Engines() {
    }
}
