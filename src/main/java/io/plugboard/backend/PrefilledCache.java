package io.plugboard.backend;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URL;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * An engine cache filled ahead of time and only read ({@code plugboard.engines.prefilled-dir}: the
 * image's {@code /opt/plugboard/engines}, filled when the image was built). Engines never load from
 * it directly, because JavaCPP needs a writable cache folder (it refuses one it cannot write and
 * takes a lock file there) and DJL extracts missing pieces beside the ones it finds. Instead, the
 * first time an engine needs its natives, each of its units here (a DJL engine's folder, or the
 * folder of one JavaCPP jar) is checked file by file against the build's jars, and a unit that
 * passes is linked into the writable cache: a symbolic link per library, pointing here. The engine
 * then finds its libraries already in place and unpacks nothing; a unit that is missing, incomplete
 * or not the build's is left out and the engine unpacks that part into the writable cache as usual.
 *
 * <p>Nothing is ever written here. What was checked (with each file's size, inode and change time)
 * is handed to {@link NativeLibraryCheck}, which keeps a link only while its target is unchanged.
 */
final class PrefilledCache {

    private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(PrefilledCache.class);

    /** The DJL engines that unpack all or nothing, with the file listing the libraries of each build. */
    private static final Map<String, String> DJL_LIBRARY_LISTS = Map.of(
            "pytorch", "native/lib/pytorch.properties",
            "mxnet", "native/lib/mxnet.properties");

    /** What became of one unit. */
    record Unit(String name, boolean linked, int libraries, String reason) {
    }

    private final Path root;
    private final ClassLoader loader;
    /** Units already handled in this process, by name. */
    private final Map<String, Unit> done = new LinkedHashMap<>();

    PrefilledCache(Path root, ClassLoader loader) {
        this.root = realPath(root);
        this.loader = loader;
    }

    /** The path with every link in it resolved where it exists (links made here lead to real paths). */
    static Path realPath(Path path) {
        Path absolute = path.toAbsolutePath().normalize();
        try {
            return absolute.toRealPath();
        } catch (IOException e) {
            return absolute;
        }
    }

    Path root() {
        return root;
    }

    /** Every unit handled so far, in order. */
    synchronized List<Unit> units() {
        return List.copyOf(done.values());
    }

    /**
     * Checks the units whose names start with one of {@code prefixes} (those not handled yet) and
     * links the ones that pass into {@code cache}, telling {@code check} which targets it may keep.
     */
    synchronized List<Unit> link(List<String> prefixes, Path cache, NativeLibraryCheck check) {
        List<Unit> result = new ArrayList<>();
        for (String name : unitNames()) {
            if (done.containsKey(name) || prefixes.stream().noneMatch(name::startsWith)) {
                continue;
            }
            long start = System.nanoTime();
            Unit unit = linkUnit(name, cache, check);
            done.put(name, unit);
            result.add(unit);
            long millis = (System.nanoTime() - start) / 1_000_000;
            if (unit.linked()) {
                log.info("Engine cache: {} from the pre-filled cache {} ({} libraries checked against the build "
                        + "in {} ms)", name, root, unit.libraries(), millis);
            } else {
                log.warn("Engine cache: {} in the pre-filled cache {} is not used ({}); the engine unpacks it into {}",
                        name, root, unit.reason(), cache);
            }
        }
        return result;
    }

    /** {@code djl/<engine>/<folder>} and {@code javacpp/<jar>}: the folders present here. */
    private List<String> unitNames() {
        List<String> names = new ArrayList<>();
        for (Path engine : folders(root.resolve("djl"))) {
            for (Path folder : folders(engine)) {
                names.add("djl/" + engine.getFileName() + "/" + folder.getFileName());
            }
        }
        for (Path jar : folders(root.resolve("javacpp"))) {
            names.add("javacpp/" + jar.getFileName());
        }
        Collections.sort(names);
        return names;
    }

    private static boolean holdsFiles(Path dir) {
        if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
            return Files.exists(dir, LinkOption.NOFOLLOW_LINKS);
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            return walk.anyMatch(p -> !Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS));
        } catch (IOException | UncheckedIOException e) {
            return true;
        }
    }

    private static List<Path> folders(Path dir) {
        if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
            return List.of();
        }
        try (Stream<Path> list = Files.list(dir)) {
            return list.filter(p -> Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)).sorted().toList();
        } catch (IOException e) {
            return List.of();
        }
    }

    private Unit linkUnit(String name, Path cache, NativeLibraryCheck check) {
        Path unit = root.resolve(name);
        Map<String, Path> files = new TreeMap<>(); // relative to root -> the checked file
        Map<String, String> stamps = new HashMap<>();
        Map<String, String> digests = new HashMap<>();
        Map<String, Path> links = new TreeMap<>(); // relative to root -> relative target
        List<Path> copies = new ArrayList<>();
        List<Path> entries;
        try (Stream<Path> walk = Files.walk(unit)) {
            entries = walk.filter(p -> !Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)).sorted().toList();
        } catch (IOException | UncheckedIOException e) {
            return new Unit(name, false, 0, "unreadable: " + e.getMessage());
        }
        for (Path entry : entries) {
            String relative = root.relativize(entry).toString().replace('\\', '/');
            if (Files.isSymbolicLink(entry)) {
                try {
                    Path target = Files.readSymbolicLink(entry);
                    // a link to a sibling (libopencv_core.so -> libopencv_core.so.413) is kept; JavaCPP's
                    // links to other jars' libraries are not needed where it links nothing
                    if (!target.isAbsolute() && target.getNameCount() == 1) {
                        links.put(relative, target);
                    }
                } catch (IOException e) {
                    return new Unit(name, false, 0, "unreadable link " + relative);
                }
                continue;
            }
            if (!Files.isRegularFile(entry, LinkOption.NOFOLLOW_LINKS)) {
                return new Unit(name, false, 0, relative + " is not a regular file");
            }
            Optional<String> resource = NativeLibraryCheck.resourceFor(relative);
            if (resource.isEmpty()) {
                return new Unit(name, false, 0, "no library of the build unpacks to " + relative);
            }
            String stamp = NativeLibraryCheck.stamp(entry);
            Optional<String> digest = matchingDigest(entry, resource.get());
            if (digest.isPresent()) {
                files.put(relative, entry);
                stamps.put(relative, stamp);
                digests.put(relative, digest.get());
            } else if (loader.getResource(resource.get()) == null) {
                copies.add(entry); // JavaCPP's copy of a library under a second name
            } else {
                return new Unit(name, false, 0, relative + " differs from " + resource.get() + " in the build");
            }
        }
        for (Path copy : copies) {
            String relative = root.relativize(copy).toString().replace('\\', '/');
            String stamp = NativeLibraryCheck.stamp(copy);
            String digest = NativeLibraryCheck.digestOf(copy);
            String folder = relative.substring(0, relative.lastIndexOf('/') + 1);
            boolean same = digest != null && digests.entrySet().stream().anyMatch(e -> e.getKey().startsWith(folder)
                    && e.getKey().indexOf('/', folder.length()) < 0 && e.getValue().equals(digest));
            if (!same) {
                return new Unit(name, false, 0, "no library of the build has the bytes of " + relative);
            }
            files.put(relative, copy);
            stamps.put(relative, stamp);
        }
        if (files.isEmpty()) {
            return new Unit(name, false, 0, "it holds no library");
        }
        Optional<String> missing = missingDjlLibrary(name, files.keySet());
        if (missing.isPresent()) {
            return new Unit(name, false, files.size(), "incomplete: " + missing.get() + " is missing");
        }
        // Every file checked: link it into the writable cache, unless the engine already unpacked there.
        Path writable = cache.resolve(name);
        if (name.startsWith("djl/") && holdsFiles(writable)) {
            return new Unit(name, false, files.size(), "already unpacked in " + cache);
        }
        try {
            for (Map.Entry<String, Path> file : files.entrySet()) {
                Path target = file.getValue().toRealPath();
                Path link = cache.resolve(file.getKey());
                if (Files.exists(link, LinkOption.NOFOLLOW_LINKS)) {
                    continue; // unpacked earlier: the engine's own copy stays
                }
                check.trust(target, stamps.get(file.getKey()));
                Files.createDirectories(link.getParent());
                try {
                    Files.createSymbolicLink(link, target);
                } catch (FileAlreadyExistsException e) {
                    // made meanwhile: fine
                }
            }
            for (Map.Entry<String, Path> sibling : links.entrySet()) {
                Path link = cache.resolve(sibling.getKey());
                String target = sibling.getKey().substring(0, sibling.getKey().lastIndexOf('/') + 1)
                        + sibling.getValue();
                if (files.containsKey(target) && !Files.exists(link, LinkOption.NOFOLLOW_LINKS)) {
                    try {
                        Files.createSymbolicLink(link, sibling.getValue());
                    } catch (FileAlreadyExistsException e) {
                        // made meanwhile: fine
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot link " + name + " from the pre-filled cache " + root + " into "
                    + cache, e);
        }
        return new Unit(name, true, files.size(), null);
    }

    /**
     * A DJL engine finds its folder by one library and then expects all of them: the folder must
     * hold every library the build's list names for the version it is named after.
     */
    private Optional<String> missingDjlLibrary(String name, Set<String> present) {
        String[] parts = name.split("/");
        if (parts.length != 3 || !parts[0].equals("djl")) {
            return Optional.empty();
        }
        String listing = DJL_LIBRARY_LISTS.get(parts[1]);
        if (listing == null) {
            return Optional.of("a list of the libraries of engine " + parts[1]);
        }
        Optional<String> missing = Optional.of("the build's " + listing + " for " + parts[2]);
        try {
            for (URL url : Collections.list(loader.getResources(listing))) {
                Properties properties = new Properties();
                try (InputStream in = url.openStream()) {
                    properties.load(in);
                }
                String version = properties.getProperty("version", "");
                if (version.isEmpty() || !parts[2].startsWith(version + "-")) {
                    continue;
                }
                for (String library : properties.getProperty("libraries", "").split(",")) {
                    if (!library.isBlank() && !present.contains(name + "/" + library.strip())) {
                        return Optional.of(library.strip());
                    }
                }
                return Optional.empty();
            }
        } catch (IOException e) {
            return missing;
        }
        return missing;
    }

    private Optional<String> matchingDigest(Path file, String resource) {
        return NativeLibraryCheck.matchingDigest(loader, file, resource);
    }
}
