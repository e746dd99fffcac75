package io.plugboard.store;

import io.plugboard.problem.PlugboardException;
import io.plugboard.problem.ProblemType;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * One upload being written: files stream to disk with their digests computed on the way, never
 * held whole in memory. Closing an uncommitted staging deletes it.
 */
public final class Staging implements AutoCloseable {

    private final Path directory;
    private final Path filesDirectory;
    private final long maxBytes;
    private final List<StagedFile> files = new ArrayList<>();
    private long totalBytes;
    private boolean committed;

    Staging(Path directory, Path filesDirectory, long maxBytes) {
        this.directory = directory;
        this.filesDirectory = filesDirectory;
        this.maxBytes = maxBytes;
    }

    Path directory() {
        return directory;
    }

    /** The folder holding the staged files under their relative names. */
    public Path filesDirectory() {
        return filesDirectory;
    }

    public List<StagedFile> files() {
        return List.copyOf(files);
    }

    public long totalBytes() {
        return totalBytes;
    }

    /**
     * Streams one file in under a validated relative name.
     *
     * @throws PlugboardException {@code INVALID_FILE_NAME}, {@code MALFORMED_REQUEST} for a
     *     duplicate name, {@code PAYLOAD_TOO_LARGE} past the upload limit
     */
    public StagedFile write(String name, InputStream in) {
        String safe = FileNames.requireSafeRelative(name);
        Path target = target(name, safe);
        MessageDigest digest = sha256();
        long written = 0;
        try {
            Files.createDirectories(target.getParent());
            try (OutputStream out = new DigestOutputStream(Files.newOutputStream(target,
                    StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE), digest)) {
                byte[] buffer = new byte[1 << 16];
                int n;
                while ((n = in.read(buffer)) > 0) {
                    written += n;
                    if (totalBytes + written > maxBytes) {
                        throw new PlugboardException(ProblemType.PAYLOAD_TOO_LARGE,
                                "The upload exceeds the limit of " + maxBytes + " bytes.",
                                java.util.Map.of("limitBytes", maxBytes));
                    }
                    out.write(buffer, 0, n);
                }
            }
        } catch (IOException e) {
            throw ModelStore.storageFailure(e);
        }
        totalBytes += written;
        StagedFile file = new StagedFile(safe, target, written, HexFormat.of().formatHex(digest.digest()));
        files.add(file);
        return file;
    }

    /** What moves a file the server already holds on disk to where it is staged. */
    @FunctionalInterface
    public interface Adoption {
        void moveTo(Path target) throws IOException;
    }

    /**
     * Takes in a file the server already wrote beside the store (a multipart part) by moving it:
     * one copy on disk, never two. Its size and digest are then read from the staged file.
     *
     * @throws PlugboardException as {@link #write}
     */
    public StagedFile adopt(String name, Adoption adoption) {
        String safe = FileNames.requireSafeRelative(name);
        Path target = target(name, safe);
        try {
            Files.createDirectories(target.getParent());
            adoption.moveTo(target);
            long size = Files.size(target);
            if (totalBytes + size > maxBytes) {
                throw new PlugboardException(ProblemType.PAYLOAD_TOO_LARGE,
                        "The upload exceeds the limit of " + maxBytes + " bytes.", java.util.Map.of("limitBytes", maxBytes));
            }
            totalBytes += size;
            StagedFile file = new StagedFile(safe, target, size, sha256Of(target));
            files.add(file);
            return file;
        } catch (IOException e) {
            throw ModelStore.storageFailure(e);
        }
    }

    private Path target(String name, String safe) {
        Path target = filesDirectory.resolve(safe).normalize();
        if (!target.startsWith(filesDirectory)) {
            throw new PlugboardException(ProblemType.INVALID_FILE_NAME, "File name '" + name + "' is refused.");
        }
        if (Files.exists(target) || files.stream().anyMatch(f -> f.name().equals(safe))) {
            throw new PlugboardException(ProblemType.MALFORMED_REQUEST,
                    "The upload names the file '" + safe + "' twice.");
        }
        return target;
    }

    /**
     * Re-reads the files folder after files were added or removed in place (an archive unpacked):
     * names, sizes and digests then describe what will be stored.
     */
    public void rescan() {
        List<StagedFile> found = new ArrayList<>();
        long total = 0;
        try (java.util.stream.Stream<Path> walk = Files.walk(filesDirectory)) {
            for (Path file : walk.filter(Files::isRegularFile).sorted().toList()) {
                String name = filesDirectory.relativize(file).toString().replace('\\', '/');
                long size = Files.size(file);
                found.add(new StagedFile(name, file, size, sha256Of(file)));
                total += size;
            }
        } catch (IOException e) {
            throw ModelStore.storageFailure(e);
        }
        files.clear();
        files.addAll(found);
        totalBytes = total;
    }

    void markCommitted() {
        committed = true;
    }

    @Override
    public void close() {
        if (!committed) {
            ModelStore.deleteTree(directory);
        }
    }

    /** The SHA-256 (hex) of a file's content, read in blocks. */
    static String sha256Of(Path file) throws IOException {
        MessageDigest digest = sha256();
        try (InputStream in = Files.newInputStream(file)) {
            byte[] buffer = new byte[1 << 16];
            int n;
            while ((n = in.read(buffer)) > 0) {
                digest.update(buffer, 0, n);
            }
        }
        return HexFormat.of().formatHex(digest.digest());
    }

    static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
