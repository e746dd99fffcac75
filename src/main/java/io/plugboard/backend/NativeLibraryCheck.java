package io.plugboard.backend;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Checks the engine cache ({@link NativeCache}) before any engine loads from it: every file there
 * must be byte for byte the native library it was unpacked from, read again from the build's own
 * jars. A file that differs, or that no jar holds, is deleted (with its engine's folder, for the
 * DJL engines, which unpack all or nothing), so the engine unpacks a fresh copy when a model needs
 * it. What was checked is recorded in {@value #RECORD} at the cache's root with each file's size,
 * inode, change time and SHA-256; a file whose size, inode and change time (which no process can
 * set back) are as recorded is not read again. The confined server cannot write the record: only
 * {@code djl/} and {@code javacpp/} are writable to it.
 *
 * <p>Links leading out of the cache are removed too, except links to files of a pre-filled cache
 * ({@link PrefilledCache}) that were checked in this process and are unchanged since (same size,
 * inode and change time).
 */
public final class NativeLibraryCheck {

    public static final String RECORD = "verified-natives.properties";
    private static final Pattern DJL_FOLDER = Pattern.compile(".*-(cpu|cu[0-9][^-]*|mkl|[a-z0-9]+)-(linux-(x86_64|aarch64))");
    private static final Pattern DJL_JNI = Pattern.compile("[0-9][0-9.]*-(libdjl_torch\\.so)");

    /** What a check found. */
    public record Result(int files, int readAgain, List<String> removed, long millis) {
    }

    private final Path root;
    private final Path prefilled;
    private final ClassLoader loader;
    /** What this process checked itself, beside the record (which it may not be allowed to write). */
    private final Map<String, String> checked = new TreeMap<>();
    /** Checked files of a pre-filled cache that links here may lead to, with their stamps when checked. */
    private final Map<Path, String> trusted = new java.util.HashMap<>();

    public NativeLibraryCheck(Path root, ClassLoader loader) {
        this(root, null, loader);
    }

    /**
     * A check of the cache at {@code root}, whose links into {@code prefilled} (may be null) are
     * removed quietly unless trusted: links made in an earlier run, made again once checked.
     */
    public NativeLibraryCheck(Path root, Path prefilled, ClassLoader loader) {
        this.root = root.toAbsolutePath().normalize();
        this.prefilled = prefilled == null ? null : PrefilledCache.realPath(prefilled);
        this.loader = loader;
    }

    /** Checks every file under the cache; removes what does not match; rewrites the record where it may. */
    public synchronized Result verify() {
        long start = System.nanoTime();
        if (!Files.isDirectory(root)) {
            return new Result(0, 0, List.of(), 0);
        }
        Properties recorded = readRecord();
        Map<String, String> verified = new TreeMap<>();
        List<String> removed = new ArrayList<>();
        List<Path> unmatched = new ArrayList<>();
        int files = 0;
        int readAgain = 0;
        List<Path> all;
        try (Stream<Path> walk = Files.walk(root)) {
            all = walk.filter(p -> !p.equals(root) && !Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)).toList();
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read the engine cache " + root, e);
        }
        // links into the pre-filled cache not checked in this process go first, all decided before any
        // is removed (a sibling link leads there through another link)
        List<Path> unchecked = all.stream().filter(this::linksToUncheckedPrefilled).toList();
        for (Path link : unchecked) {
            if (Files.exists(link, LinkOption.NOFOLLOW_LINKS)) {
                remove(link, root.relativize(link).toString().replace('\\', '/'), null, null);
            }
        }
        for (Path file : all) {
            String relative = root.relativize(file).toString().replace('\\', '/');
            if (relative.equals(RECORD) || relative.endsWith("/.lock") || relative.equals(".lock")) {
                continue;
            }
            if (!Files.exists(file, LinkOption.NOFOLLOW_LINKS)) {
                continue; // went with a removed engine folder
            }
            files++;
            if (Files.isSymbolicLink(file)) {
                if (!linksInside(file) && !linksToTrusted(file)) {
                    remove(file, relative, trusted.containsKey(finalTarget(file))
                            ? "the pre-filled library it leads to changed since it was checked"
                            : "a link leading out of the cache", removed);
                }
                continue;
            }
            String stamp = stamp(file);
            String previous = checked.getOrDefault(relative, recorded.getProperty(relative));
            if (previous != null && previous.startsWith(stamp + ",")) {
                verified.put(relative, previous);
                continue;
            }
            readAgain++;
            Optional<String> resource = resourceFor(relative);
            Optional<String> digest = resource.flatMap(r -> matchingDigest(file, r));
            if (digest.isPresent()) {
                verified.put(relative, stamp + "," + digest.get());
            } else if (resource.isPresent() && !exists(resource.get())) {
                unmatched.add(file);
            } else {
                remove(file, relative, resource.isEmpty() ? "no library of the build unpacks there"
                        : "it differs from " + resource.get() + " in the build", removed);
            }
        }
        // JavaCPP copies a library under a second name the build does not hold (libopenblas_nolapack.so.0
        // is libopenblas.so.0): such a file must be a checked file of its own folder, byte for byte
        for (Path file : unmatched) {
            String relative = root.relativize(file).toString().replace('\\', '/');
            String digest = digestOf(file);
            String folder = relative.substring(0, relative.lastIndexOf('/') + 1);
            boolean copy = digest != null && verified.entrySet().stream().anyMatch(e -> e.getKey().startsWith(folder)
                    && e.getKey().indexOf('/', folder.length()) < 0 && e.getValue().endsWith("," + digest));
            if (copy) {
                verified.put(relative, stamp(file) + "," + digest);
            } else {
                remove(file, relative, "no library of the build has its bytes", removed);
            }
        }
        checked.clear();
        checked.putAll(verified);
        writeRecord(verified);
        return new Result(files, readAgain, removed, (System.nanoTime() - start) / 1_000_000);
    }

    /**
     * The class-path resource a cache file was unpacked from: {@code javacpp/<jar>/<resource>};
     * {@code djl/pytorch/<version>-<flavor>-<os>/<file>} from {@code pytorch/<flavor>/<os>/} or, for
     * DJL's own bridge, {@code jnilib/<os>/<flavor>/}; {@code djl/mxnet/<version>/<file>} from
     * {@code native/lib/}.
     */
    static Optional<String> resourceFor(String relative) {
        String[] parts = relative.split("/");
        if (parts.length >= 3 && parts[0].equals("javacpp")) {
            return Optional.of(String.join("/", List.of(parts).subList(2, parts.length)));
        }
        if (parts.length == 4 && parts[0].equals("djl")) {
            Matcher folder = DJL_FOLDER.matcher(parts[2]);
            if (!folder.matches()) {
                return Optional.empty();
            }
            String flavor = folder.group(1);
            String os = folder.group(2);
            return switch (parts[1]) {
                case "pytorch" -> {
                    Matcher jni = DJL_JNI.matcher(parts[3]);
                    yield Optional.of(jni.matches() ? "jnilib/" + os + "/" + flavor + "/" + jni.group(1)
                            : "pytorch/" + flavor + "/" + os + "/" + parts[3]);
                }
                case "mxnet" -> Optional.of("native/lib/" + parts[3]);
                default -> Optional.empty();
            };
        }
        return Optional.empty();
    }

    /**
     * Lets links lead to {@code target} (a real path outside the cache) while its size, inode and
     * change time stay {@code stamp}: a file of a pre-filled cache, checked against the build.
     */
    synchronized void trust(Path target, String stamp) {
        trusted.put(target, stamp);
    }

    private boolean linksToTrusted(Path link) {
        try {
            Path target = link.toRealPath();
            String stamp = trusted.get(target);
            return stamp != null && stamp.equals(stamp(target)) && Files.isRegularFile(target);
        } catch (IOException e) {
            return false;
        }
    }

    /**
     * A link into the pre-filled cache, directly or through other links, to a file this process has
     * not checked: made by an earlier run, and made again once its target is checked.
     */
    private boolean linksToUncheckedPrefilled(Path link) {
        if (prefilled == null || !Files.isSymbolicLink(link)) {
            return false;
        }
        Path target = finalTarget(link);
        return target.startsWith(prefilled) && !trusted.containsKey(target);
    }

    /** Where a chain of links ends, followed by name only (the end need not exist). */
    private static Path finalTarget(Path link) {
        Path current = link.toAbsolutePath().normalize();
        try {
            for (int hops = 0; hops < 40 && Files.isSymbolicLink(current); hops++) {
                current = current.getParent().resolve(Files.readSymbolicLink(current)).normalize();
            }
        } catch (IOException e) {
            return link;
        }
        return current;
    }

    private Optional<String> matchingDigest(Path file, String resource) {
        return matchingDigest(loader, file, resource);
    }

    /** The file's SHA-256 when some copy of {@code resource} in the build has exactly its bytes. */
    static Optional<String> matchingDigest(ClassLoader loader, Path file, String resource) {
        String fileDigest = null;
        try {
            for (URL url : java.util.Collections.list(loader.getResources(resource))) {
                if (fileDigest == null) {
                    try (InputStream in = Files.newInputStream(file)) {
                        fileDigest = sha256(in);
                    }
                }
                try (InputStream in = url.openStream()) {
                    if (fileDigest.equals(sha256(in))) {
                        return Optional.of(fileDigest);
                    }
                }
            }
        } catch (IOException e) {
            return Optional.empty();
        }
        return Optional.empty();
    }

    private boolean exists(String resource) {
        return loader.getResource(resource) != null;
    }

    static String digestOf(Path file) {
        try (InputStream in = Files.newInputStream(file)) {
            return sha256(in);
        } catch (IOException e) {
            return null;
        }
    }

    private boolean linksInside(Path link) {
        try {
            Path target = link.toRealPath();
            return target.startsWith(root.toRealPath()) && Files.isRegularFile(target);
        } catch (IOException e) {
            return false;
        }
    }

    /**
     * Removes a bad file; under {@code djl/}, its engine's whole folder (the engine unpacks all or
     * nothing). Reported in {@code removed} unless that is null.
     */
    private void remove(Path file, String relative, String why, List<String> removed) {
        String[] parts = relative.split("/");
        Path target = parts.length >= 3 && parts[0].equals("djl") ? root.resolve(parts[0]).resolve(parts[1])
                .resolve(parts[2]) : file;
        try {
            if (Files.isDirectory(target, LinkOption.NOFOLLOW_LINKS)) {
                try (Stream<Path> walk = Files.walk(target)) {
                    for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
                        Files.deleteIfExists(p);
                    }
                }
            } else {
                Files.deleteIfExists(target);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot remove " + target + " from the engine cache", e);
        }
        if (removed != null) {
            removed.add(relative + " (" + why + ")");
        }
    }

    static String stamp(Path file) {
        try {
            Map<String, Object> unix = Files.readAttributes(file, "unix:size,ino,ctime", LinkOption.NOFOLLOW_LINKS);
            FileTime ctime = (FileTime) unix.get("ctime");
            return unix.get("size") + "," + unix.get("ino") + "," + ctime.to(java.util.concurrent.TimeUnit.NANOSECONDS);
        } catch (UnsupportedOperationException | IllegalArgumentException | IOException e) {
            return "unstamped-" + System.nanoTime(); // never matches: read again
        }
    }

    private static String sha256(InputStream in) throws IOException {
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            byte[] buffer = new byte[1 << 16];
            for (int n; (n = in.read(buffer)) > 0; ) {
                digest.update(buffer, 0, n);
            }
            return HexFormat.of().formatHex(digest.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private Properties readRecord() {
        Properties properties = new Properties();
        Path record = root.resolve(RECORD);
        if (Files.isRegularFile(record, LinkOption.NOFOLLOW_LINKS)) {
            try (InputStream in = Files.newInputStream(record)) {
                properties.load(in);
            } catch (IOException | IllegalArgumentException e) {
                properties.clear(); // an unreadable record only means reading every file again
            }
        }
        return properties;
    }

    /** Writes the record; a process that may not (the confined server) keeps what it checked in memory. */
    private void writeRecord(Map<String, String> verified) {
        Path record = root.resolve(RECORD);
        Path temporary = root.resolve(RECORD + ".tmp");
        if (!Files.isWritable(root)) {
            return;
        }
        Properties properties = new Properties();
        properties.putAll(verified);
        try {
            try (OutputStream out = Files.newOutputStream(temporary)) {
                properties.store(out, "size,inode,ctime-ns,sha256 of each engine library checked against the build");
            }
            Files.move(temporary, record, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            // confined, the cache's root is read-only (Files.isWritable cannot see Landlock)
            try {
                Files.deleteIfExists(temporary);
            } catch (IOException ignored) {
                // nothing was written
            }
        }
    }
}
