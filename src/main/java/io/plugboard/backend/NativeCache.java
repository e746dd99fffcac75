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

    private final Path root;
    private boolean prepared;

    public NativeCache(Path root) {
        this.root = root.toAbsolutePath().normalize();
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

    /** Creates the folders and points JavaCPP at {@code javacpp/}; later calls do nothing. */
    public synchronized void prepare() {
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
