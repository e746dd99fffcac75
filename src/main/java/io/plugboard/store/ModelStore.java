package io.plugboard.store;

import io.plugboard.problem.PlugboardException;
import io.plugboard.problem.ProblemType;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.json.JsonMapper;

/**
 * The local model store. Layout under the root:
 * <pre>
 *   models/&lt;id&gt;/&lt;version&gt;/model.json    metadata ({@link StoredModelRecord})
 *   models/&lt;id&gt;/&lt;version&gt;/files/…       the uploaded files under their relative names
 *   staging/&lt;random&gt;/                   uploads in progress (cleared at start)
 *   trash/&lt;random&gt;/                     deletions in progress (cleared at start)
 * </pre>
 * A version appears only by an atomic rename of a fully written, fsynced staging folder, so a crash
 * at any moment leaves either the whole model or nothing. Leftovers of a crash (model folders with
 * no complete version) are removed at start only: reading the store never deletes anything.
 */
public final class ModelStore {

    public static final String RECORD_FILE = "model.json";
    static final String FILES_DIR = "files";

    private static final Logger log = LoggerFactory.getLogger(ModelStore.class);

    private final Path root;
    private final Path models;
    private final Path staging;
    private final Path trash;
    private final JsonMapper json;

    public ModelStore(Path root, JsonMapper json) {
        this.root = root.toAbsolutePath().normalize();
        this.models = this.root.resolve("models");
        this.staging = this.root.resolve("staging");
        this.trash = this.root.resolve("trash");
        this.json = json;
        try {
            Files.createDirectories(models);
            Files.createDirectories(staging);
            Files.createDirectories(trash);
            clear(staging);
            clear(trash);
            sweepIncomplete();
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot prepare the model store at " + this.root, e);
        }
    }

    public Path root() {
        return root;
    }

    /** A new staging folder for one upload; close it to discard what was not committed. */
    public Staging stage(long maxBytes) {
        try {
            Path dir = Files.createDirectory(staging.resolve(UUID.randomUUID().toString()));
            Files.createDirectory(dir.resolve(FILES_DIR));
            return new Staging(dir, dir.resolve(FILES_DIR), maxBytes);
        } catch (IOException e) {
            throw storageFailure(e);
        }
    }

    /**
     * Makes a staged upload a stored model version: writes its metadata, fsyncs everything and
     * renames the folder into place atomically.
     */
    public StoredModel commit(Staging staged, StoredModelRecord record) {
        Path modelDir = models.resolve(record.id());
        Path versionDir = modelDir.resolve(Integer.toString(record.version()));
        try {
            Path recordFile = staged.directory().resolve(RECORD_FILE);
            Files.write(recordFile, json.writerWithDefaultPrettyPrinter().writeValueAsBytes(record));
            fsyncTree(staged.directory());
            Files.createDirectories(modelDir);
            fsync(models);
            if (Files.exists(versionDir)) {
                throw new IllegalStateException("Version folder already exists: " + versionDir);
            }
            move(staged.directory(), versionDir);
            fsync(modelDir);
            staged.markCommitted();
            return new StoredModel(record, versionDir.resolve(FILES_DIR));
        } catch (IOException e) {
            throw storageFailure(e);
        }
    }

    /**
     * Replaces the record of a committed version by {@code record} (same id and version): written
     * beside it, fsynced and renamed over it.
     */
    public StoredModel rewrite(StoredModelRecord record) {
        Path versionDir = models.resolve(record.id()).resolve(Integer.toString(record.version()));
        try {
            Path next = versionDir.resolve(RECORD_FILE + ".next");
            Files.write(next, json.writerWithDefaultPrettyPrinter().writeValueAsBytes(record));
            try (FileChannel channel = FileChannel.open(next, StandardOpenOption.WRITE)) {
                channel.force(true);
            }
            Files.move(next, versionDir.resolve(RECORD_FILE), StandardCopyOption.ATOMIC_MOVE,
                    StandardCopyOption.REPLACE_EXISTING);
            fsync(versionDir);
            return new StoredModel(record, versionDir.resolve(FILES_DIR));
        } catch (IOException e) {
            throw storageFailure(e);
        }
    }

    /** Where a committed version's files lie. */
    public Path filesDirectory(String id, int version) {
        return models.resolve(id).resolve(Integer.toString(version)).resolve(FILES_DIR);
    }

    /** Every committed model version, by id, oldest version first within a model. */
    public List<StoredModel> list() {
        List<StoredModel> found = new ArrayList<>();
        try (DirectoryStream<Path> ids = Files.newDirectoryStream(models)) {
            for (Path modelDir : ids) {
                found.addAll(versions(modelDir));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        found.sort(Comparator.comparing((StoredModel m) -> m.record().id())
                .thenComparingInt(m -> m.record().version()));
        return found;
    }

    /** The committed versions of one model, oldest first. */
    public List<StoredModel> list(String id) {
        try {
            List<StoredModel> found = versions(models.resolve(id));
            found.sort(Comparator.comparingInt(m -> m.record().version()));
            return found;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Removes model folders left with no complete version by a crash (run at start, before any upload). */
    private void sweepIncomplete() throws IOException {
        try (DirectoryStream<Path> ids = Files.newDirectoryStream(models)) {
            for (Path modelDir : ids) {
                if (!holdsAnyRecord(modelDir)) {
                    log.warn("Removing {}: it holds no complete model version", modelDir);
                    deleteTree(modelDir);
                }
            }
        }
    }

    /** Removes every version of a model: renamed out of sight atomically, then deleted. */
    public void delete(String id) {
        Path modelDir = models.resolve(id);
        if (!Files.exists(modelDir)) {
            return;
        }
        try {
            Path doomed = trash.resolve(id + "-" + UUID.randomUUID());
            move(modelDir, doomed);
            fsync(models);
            deleteTree(doomed);
        } catch (IOException e) {
            throw storageFailure(e);
        }
    }

    /** Removes one version of a model. */
    public void deleteVersion(String id, int version) {
        Path versionDir = models.resolve(id).resolve(Integer.toString(version));
        if (!Files.exists(versionDir)) {
            return;
        }
        try {
            Path doomed = trash.resolve(id + "-" + version + "-" + UUID.randomUUID());
            move(versionDir, doomed);
            deleteTree(doomed);
        } catch (IOException e) {
            throw storageFailure(e);
        }
    }

    private List<StoredModel> versions(Path modelDir) throws IOException {
        List<StoredModel> versions = new ArrayList<>();
        if (!Files.isDirectory(modelDir)) {
            return versions;
        }
        try (DirectoryStream<Path> dirs = Files.newDirectoryStream(modelDir)) {
            for (Path versionDir : dirs) {
                readRecord(versionDir).ifPresent(r -> versions.add(new StoredModel(r, versionDir.resolve(FILES_DIR))));
            }
        }
        return versions;
    }

    private static boolean holdsAnyRecord(Path modelDir) throws IOException {
        if (!Files.isDirectory(modelDir)) {
            return false;
        }
        try (DirectoryStream<Path> dirs = Files.newDirectoryStream(modelDir)) {
            for (Path versionDir : dirs) {
                if (Files.exists(versionDir.resolve(RECORD_FILE))) {
                    return true;
                }
            }
        }
        return false;
    }

    private Optional<StoredModelRecord> readRecord(Path versionDir) {
        Path file = versionDir.resolve(RECORD_FILE);
        if (!Files.isRegularFile(file)) {
            return Optional.empty();
        }
        try {
            return Optional.of(json.readValue(file.toFile(), StoredModelRecord.class));
        } catch (RuntimeException e) {
            log.error("Skipping {}: unreadable metadata ({})", versionDir, e.getMessage());
            return Optional.empty();
        }
    }

    private static void move(Path from, Path to) throws IOException {
        try {
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            throw new IOException("The store needs atomic renames within " + from.getParent(), e);
        }
    }

    static RuntimeException storageFailure(IOException e) {
        String message = String.valueOf(e.getMessage());
        if (message.contains("No space left") || message.contains("Disk quota")) {
            return new PlugboardException(ProblemType.INSUFFICIENT_STORAGE,
                    "The model store has no room for this upload.", e);
        }
        return new UncheckedIOException("Model store failure: " + message, e);
    }

    static void fsync(Path path) throws IOException {
        try (FileChannel channel = FileChannel.open(path, StandardOpenOption.READ)) {
            channel.force(true);
        }
    }

    private static void fsyncTree(Path dir) throws IOException {
        Files.walkFileTree(dir, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                if (attrs.isRegularFile()) {
                    try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
                        channel.force(true);
                    }
                }
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path d, IOException exc) throws IOException {
                fsync(d);
                return FileVisitResult.CONTINUE;
            }
        });
    }

    private static void clear(Path dir) throws IOException {
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
            for (Path entry : entries) {
                deleteTree(entry);
            }
        }
    }

    static void deleteTree(Path dir) {
        try {
            Files.walkFileTree(dir, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                    Files.deleteIfExists(file);
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult postVisitDirectory(Path d, IOException exc) throws IOException {
                    Files.deleteIfExists(d);
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (NoSuchFileException e) {
            // already gone
        } catch (IOException e) {
            log.warn("Could not delete {}: {}", dir, e.getMessage());
        }
    }
}
