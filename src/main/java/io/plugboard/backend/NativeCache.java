package io.plugboard.backend;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The folder engines unpack their native libraries into ({@code plugboard.engines.cache-dir}):
 * {@code djl/} for the DJL engines and {@code javacpp/} for everything loaded through JavaCPP
 * (TensorFlow Lite, OpenCV, TensorFlow). Every backend that loads natives prepares it first, so the
 * natives land here whichever engine starts first, never in the user's home folder.
 */
public final class NativeCache {

    private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(NativeCache.class);

    private final Path root;
    private final NativeLibraryCheck check;
    private boolean prepared;

    public NativeCache(Path root) {
        this.root = root.toAbsolutePath().normalize();
        this.check = new NativeLibraryCheck(this.root, NativeCache.class.getClassLoader());
    }

    public Path root() {
        return root;
    }

    public Path djl() {
        return root.resolve("djl");
    }

    public Path javacpp() {
        return root.resolve("javacpp");
    }

    /**
     * Checks the cache's libraries against the build ({@link NativeLibraryCheck}: a file unchanged
     * since it was last checked costs one look at its attributes), so that a file changed while the
     * server runs is never loaded; the first call also creates the folders and points JavaCPP at
     * {@code javacpp/}. Every backend calls this before loading natives.
     */
    public synchronized void prepare() {
        loadNatives(() -> null);
    }

    /**
     * As {@link #prepare}, then runs {@code load} (an engine unpacking and loading its libraries)
     * under the same lock: a check never reads a library an engine is still unpacking.
     */
    public synchronized <T> T loadNatives(java.util.function.Supplier<T> load) {
        setUp();
        return load.get();
    }

    private void setUp() {
        NativeLibraryCheck.Result result = check.verify();
        if (!result.removed().isEmpty()) {
            log.warn("Engine cache {}: removed {} file(s) that are not the build's libraries, to be unpacked again: {}",
                    root, result.removed().size(), result.removed());
        }
        if (prepared) {
            return;
        }
        Path javacpp = javacpp();
        try {
            Files.createDirectories(djl());
            Files.createDirectories(javacpp);
        } catch (IOException e) {
            throw new UncheckedIOException("Engine cache folder " + root + " is not writable", e);
        }
        System.setProperty("org.bytedeco.javacpp.cachedir", javacpp.toString());
        prepared = true;
    }
}
