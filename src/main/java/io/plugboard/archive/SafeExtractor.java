package io.plugboard.archive;

import io.plugboard.problem.PlugboardException;
import io.plugboard.problem.ProblemType;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Map;
import org.apache.commons.compress.archivers.ArchiveEntry;
import org.apache.commons.compress.archivers.ArchiveInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.archivers.zip.ZipArchiveEntry;
import org.apache.commons.compress.archivers.zip.ZipArchiveInputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorInputStream;

/**
 * Unpacks a zip or (gzipped) tar upload into a folder, refusing anything that could escape it or
 * fill the disk: absolute paths, {@code ..} segments, symbolic and hard links, device files, more
 * than {@code maxEntries} entries, more than {@code maxExpandedBytes} bytes in all (counted as they
 * are written, so a lying header does not help).
 */
public final class SafeExtractor {

    private final ArchiveLimits limits;

    /** The most an archive may expand to, as a multiple of its own size. */
    static final long MAX_RATIO = 100;
    /** Small archives may always expand this far. */
    private static final long MIN_ALLOWANCE = 64L << 20;
    /** Room the disk keeps free after an extraction. */
    private static final long DISK_RESERVE = 256L << 20;

    public SafeExtractor(ArchiveLimits limits) {
        this.limits = limits;
    }

    /** Whether the file starts like an archive this extractor reads. */
    public static boolean isArchive(Path file) {
        try (InputStream in = Files.newInputStream(file)) {
            byte[] head = in.readNBytes(262);
            return (head.length >= 4 && head[0] == 'P' && head[1] == 'K' && head[2] == 3 && head[3] == 4)
                    || (head.length >= 2 && (head[0] & 0xff) == 0x1f && (head[1] & 0xff) == 0x8b)
                    || (head.length >= 262 && new String(head, 257, 5, java.nio.charset.StandardCharsets.US_ASCII).equals("ustar"));
        } catch (IOException e) {
            return false;
        }
    }

    /**
     * Extracts {@code archive} into {@code target} (which must exist and be empty). It may expand to
     * at most {@code plugboard.archive.max-expanded-size}, {@value #MAX_RATIO} times its own size,
     * and what the disk has free less a reserve; links, devices and escaping paths are refused.
     */
    public void extract(Path archive, Path target) {
        Path root = target.toAbsolutePath().normalize();
        refuseZipLinks(archive, limits);
        int entries = 0;
        long total = 0;
        long limit;
        long free;
        try {
            free = Files.getFileStore(root).getUsableSpace() - DISK_RESERVE;
            limit = Math.min(limits.maxExpandedBytes(), Math.max(MIN_ALLOWANCE, Files.size(archive) * MAX_RATIO));
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        try (InputStream raw = new BufferedInputStream(Files.newInputStream(archive));
                ArchiveInputStream<?> in = open(raw)) {
            ArchiveEntry entry;
            byte[] buffer = new byte[1 << 16];
            while ((entry = in.getNextEntry()) != null) {
                if (++entries > limits.maxEntries()) {
                    throw new PlugboardException(ProblemType.ARCHIVE_TOO_LARGE, "The archive has more than "
                            + limits.maxEntries() + " entries (plugboard.archive.max-entries).",
                            Map.of("limitEntries", limits.maxEntries()));
                }
                String name = entry.getName();
                refuseLinks(entry, name);
                Path out = resolve(root, name);
                if (entry.isDirectory()) {
                    Files.createDirectories(out);
                    continue;
                }
                Files.createDirectories(out.getParent());
                try (OutputStream os = Files.newOutputStream(out, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                    int n;
                    while ((n = in.read(buffer)) > 0) {
                        total += n;
                        if (total > free) {
                            throw new PlugboardException(ProblemType.INSUFFICIENT_STORAGE, "The model store has no "
                                    + "room for what the archive expands to.");
                        }
                        if (total > limit) {
                            throw new PlugboardException(ProblemType.ARCHIVE_TOO_LARGE, "The archive expands past "
                                    + limit + " bytes (at most " + MAX_RATIO + " times its size, and "
                                    + limits.maxExpandedBytes() + " bytes: plugboard.archive.max-expanded-size).",
                                    Map.of("limitBytes", limit));
                        }
                        os.write(buffer, 0, n);
                    }
                } catch (java.nio.file.FileAlreadyExistsException e) {
                    throw unsafe("it holds the entry '" + name + "' twice");
                }
            }
        } catch (IOException e) {
            throw new PlugboardException(ProblemType.UNSAFE_ARCHIVE, "The archive could not be read: " + e.getMessage(), e);
        }
        if (entries == 0) {
            throw new PlugboardException(ProblemType.NOT_A_MODEL, "The archive is empty.");
        }
    }

    /**
     * A zip stream shows only local headers, where a symbolic link looks like a file holding its
     * target: links are read from the central directory first.
     */
    private static void refuseZipLinks(Path archive, ArchiveLimits limits) {
        try (InputStream in = Files.newInputStream(archive)) {
            byte[] magic = in.readNBytes(2);
            if (magic.length < 2 || magic[0] != 'P' || magic[1] != 'K') {
                return;
            }
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        CentralDirectory.requireWithin(archive, limits.maxEntries());
        try (org.apache.commons.compress.archivers.zip.ZipFile zip =
                org.apache.commons.compress.archivers.zip.ZipFile.builder().setPath(archive).get()) {
            for (ZipArchiveEntry entry : java.util.Collections.list(zip.getEntries())) {
                if (entry.isUnixSymlink()) {
                    throw unsafe("the entry '" + entry.getName() + "' is a symbolic link");
                }
            }
        } catch (IOException e) {
            throw new PlugboardException(ProblemType.UNSAFE_ARCHIVE, "The archive could not be read: " + e.getMessage(), e);
        }
    }

    private static ArchiveInputStream<?> open(InputStream raw) throws IOException {
        raw.mark(4);
        int b0 = raw.read();
        int b1 = raw.read();
        raw.reset();
        if (b0 == 'P' && b1 == 'K') {
            return new ZipArchiveInputStream(raw);
        }
        InputStream in = (b0 == 0x1f && b1 == 0x8b) ? new GzipCompressorInputStream(new BufferedInputStream(raw)) : raw;
        return new TarArchiveInputStream(in);
    }

    private static void refuseLinks(ArchiveEntry entry, String name) {
        if (entry instanceof TarArchiveEntry tar) {
            if (tar.isSymbolicLink() || tar.isLink()) {
                throw unsafe("the entry '" + name + "' is a link (to '" + tar.getLinkName() + "')");
            }
            if (tar.isCharacterDevice() || tar.isBlockDevice() || tar.isFIFO()) {
                throw unsafe("the entry '" + name + "' is a device or pipe");
            }
        }
        if (entry instanceof ZipArchiveEntry zip && zip.isUnixSymlink()) {
            throw unsafe("the entry '" + name + "' is a symbolic link");
        }
    }

    private static Path resolve(Path root, String name) {
        String n = name.replace('\\', '/');
        if (n.startsWith("/") || n.matches("^[A-Za-z]:.*") || n.contains("\0")) {
            throw unsafe("the entry '" + name + "' has an absolute path");
        }
        for (String segment : n.split("/")) {
            if (segment.equals("..")) {
                throw unsafe("the entry '" + name + "' climbs out of the archive with '..'");
            }
        }
        Path out = root.resolve(n).normalize();
        if (!out.startsWith(root)) {
            throw unsafe("the entry '" + name + "' points outside the archive");
        }
        return out;
    }

    private static PlugboardException unsafe(String why) {
        return new PlugboardException(ProblemType.UNSAFE_ARCHIVE, "The archive is refused: " + why + ".");
    }
}
