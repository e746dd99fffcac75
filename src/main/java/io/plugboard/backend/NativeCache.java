package io.plugboard.backend;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.function.Supplier;

/**
 * The folder engines unpack their native libraries into ({@code plugboard.engines.cache-dir}):
 * {@code djl/} for the DJL engines and {@code javacpp/} for everything loaded through JavaCPP
 * (TensorFlow Lite, OpenCV, TensorFlow). Every backend that loads natives prepares it first, so the
 * natives land here whichever engine starts first, never in the user's home folder.
 *
 * <p>With a pre-filled cache ({@code plugboard.engines.prefilled-dir}, read-only, see
 * {@link PrefilledCache}), the parts an engine needs are checked and linked in from there the first
 * time it loads, and the engine unpacks only what the pre-filled cache lacks. This folder then holds
 * links, JavaCPP's lock file and whatever had to be unpacked.
 */
public final class NativeCache {

    private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(NativeCache.class);

    /** The natives of one engine: the units of a pre-filled cache it loads from, by name prefix. */
    public enum Natives {
        PYTORCH("djl/pytorch/"),
        MXNET("djl/mxnet/"),
        TENSORFLOW("javacpp/javacpp-", "javacpp/tensorflow-core-native-"),
        TENSORFLOW_LITE("javacpp/javacpp-", "javacpp/tensorflow-lite-"),
        OPENCV("javacpp/javacpp-", "javacpp/openblas-", "javacpp/opencv-");

        private final List<String> units;

        Natives(String... units) {
            this.units = List.of(units);
        }

        List<String> units() {
            return units;
        }
    }

    private final Path root;
    private final PrefilledCache prefilled;
    private final NativeLibraryCheck check;
    private boolean prepared;

    public NativeCache(Path root) {
        this(root, null);
    }

    /**
     * @param root      the writable cache
     * @param prefilled a read-only cache filled ahead of time, or null; ignored when it is missing
     *                  or is {@code root} itself
     */
    public NativeCache(Path root, Path prefilled) {
        this.root = root.toAbsolutePath().normalize();
        this.prefilled = usablePrefilled(this.root, prefilled);
        this.check = new NativeLibraryCheck(this.root, this.prefilled == null ? null : this.prefilled.root(),
                NativeCache.class.getClassLoader());
    }

    private static PrefilledCache usablePrefilled(Path root, Path prefilled) {
        if (prefilled == null) {
            return null;
        }
        Path real = PrefilledCache.realPath(prefilled);
        if (real.equals(PrefilledCache.realPath(root))) {
            log.info("Engine cache {}: the pre-filled cache is the cache itself; nothing to link", root);
            return null;
        }
        if (!Files.isDirectory(real)) {
            log.info("Engine cache {}: no pre-filled cache at {}; engines unpack their natives here", root, prefilled);
            return null;
        }
        return new PrefilledCache(real, NativeCache.class.getClassLoader());
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

    /** The pre-filled cache in use, or null. */
    public Path prefilled() {
        return prefilled == null ? null : prefilled.root();
    }

    /** What became of the pre-filled cache's units checked so far (empty without one). */
    public List<String> prefilledUnits() {
        return prefilled == null ? List.of() : prefilled.units().stream()
                .map(u -> u.name() + (u.linked() ? ": linked" : ": not used, " + u.reason())).toList();
    }

    /**
     * Checks the cache's libraries against the build ({@link NativeLibraryCheck}: a file unchanged
     * since it was last checked costs one look at its attributes), so that a file changed while the
     * server runs is never loaded; the first call also creates the folders and points JavaCPP at
     * {@code javacpp/}.
     */
    public synchronized void prepare() {
        setUp();
    }

    /**
     * As {@link #prepare}, links in the pre-filled natives of every engine, then runs {@code load}
     * under the same lock.
     */
    public synchronized <T> T loadNatives(Supplier<T> load) {
        return loadNatives(Arrays.asList(Natives.values()), load);
    }

    /**
     * As {@link #prepare}, links in what the pre-filled cache holds of {@code natives} (checked
     * against the build the first time), then runs {@code load} (an engine unpacking and loading
     * its libraries) under the same lock: a check never reads a library an engine is still
     * unpacking. Every backend calls this before loading natives.
     */
    public synchronized <T> T loadNatives(Natives natives, Supplier<T> load) {
        return loadNatives(List.of(natives), load);
    }

    private <T> T loadNatives(List<Natives> natives, Supplier<T> load) {
        setUp();
        if (prefilled != null) {
            prefilled.link(natives.stream().flatMap(n -> n.units().stream()).distinct().toList(), root, check);
        }
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
        if (prefilled != null) {
            // JavaCPP takes a linked library only when it does not insist on the library's folder being
            // the cache's own (what it checks before it makes links of its own); it copies instead
            System.setProperty("org.bytedeco.javacpp.canCreateSymbolicLink", "false");
        }
        prepared = true;
    }
}
