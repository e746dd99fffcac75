package io.plugboard.format;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.List;
import java.util.Optional;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorInputStream;

/** Lists the entry names of a zip or (gzipped) tar archive without extracting anything. */
final class ArchiveListing {

    static final int MAX_ENTRIES = 100_000;

    private ArchiveListing() {
    }

    /** Entry names of a zip archive (from its central directory), or empty if it is not one. */
    static Optional<List<String>> zip(Path file) {
        try (ZipFile zip = new ZipFile(file.toFile())) {
            List<String> names = new ArrayList<>();
            Enumeration<? extends ZipEntry> entries = zip.entries();
            while (entries.hasMoreElements() && names.size() < MAX_ENTRIES) {
                names.add(entries.nextElement().getName());
            }
            return Optional.of(names);
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    /** Reads at most {@code max} bytes of one zip entry. */
    static Optional<InputStream> zipEntry(Path file, String name, int max) {
        try (ZipFile zip = new ZipFile(file.toFile())) {
            ZipEntry entry = zip.getEntry(name);
            if (entry == null) {
                return Optional.empty();
            }
            try (InputStream in = zip.getInputStream(entry)) {
                return Optional.of(new java.io.ByteArrayInputStream(in.readNBytes(max)));
            }
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    /** Entry names of a tar archive, gzipped or not, or empty if it is not one. */
    static Optional<List<String>> tar(Path file, boolean gzipped) {
        try (InputStream raw = new BufferedInputStream(Files.newInputStream(file));
                InputStream in = gzipped ? new GzipCompressorInputStream(raw) : raw;
                TarArchiveInputStream tar = new TarArchiveInputStream(in)) {
            List<String> names = new ArrayList<>();
            TarArchiveEntry entry;
            while ((entry = tar.getNextEntry()) != null && names.size() < MAX_ENTRIES) {
                names.add(entry.getName());
            }
            return names.isEmpty() ? Optional.empty() : Optional.of(names);
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }
}
