package io.plugboard.convert.keras;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Enumeration;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipFile;

/**
 * The parts of a Keras 3 {@code .keras} zip: {@code config.json}, {@code metadata.json} and
 * {@code model.weights.h5}, the latter copied to a temporary file deleted on {@link #close()}.
 * Entry sizes are counted while reading, not taken from the zip's own headers.
 */
final class KerasArchive implements AutoCloseable {

    private static final long MAX_JSON_BYTES = H5Values.MAX_STRING_BYTES;
    private static final int MAX_ENTRIES = 10_000;
    /** Room for HDF5's own structures beyond the weight data. */
    private static final long WEIGHTS_FILE_OVERHEAD = 256L * 1024 * 1024;

    private final String config;
    private final String metadata;
    private final Path weightsFile;

    private KerasArchive(String config, String metadata, Path weightsFile) {
        this.config = config;
        this.metadata = metadata;
        this.weightsFile = weightsFile;
    }

    static KerasArchive open(Path zip, long maxWeightBytes) {
        Path temp = null;
        try (ZipFile zf = new ZipFile(zip.toFile())) {
            String config = null;
            String metadata = null;
            int count = 0;
            for (Enumeration<? extends ZipEntry> en = zf.entries(); en.hasMoreElements();) {
                ZipEntry e = en.nextElement();
                if (++count > MAX_ENTRIES) {
                    throw KerasProblems.notAModel("the .keras archive has too many entries");
                }
                switch (e.getName()) {
                    case "config.json" -> config = text(zf, e);
                    case "metadata.json" -> metadata = text(zf, e);
                    case "model.weights.h5" -> {
                        if (temp == null) {
                            temp = Files.createTempFile("keras-weights", ".h5");
                            copy(zf, e, temp, maxWeightBytes + WEIGHTS_FILE_OVERHEAD);
                        }
                    }
                    default -> {
                    }
                }
            }
            if (config == null) {
                throw KerasProblems.notAModel("the .keras archive has no config.json");
            }
            if (temp == null) {
                throw KerasProblems.notAModel("the .keras archive has no model.weights.h5");
            }
            KerasArchive archive = new KerasArchive(config, metadata, temp);
            temp = null;
            return archive;
        } catch (ZipException e) {
            throw KerasProblems.notAModel("the .keras archive is not a valid zip", e);
        } catch (IOException e) {
            throw KerasProblems.notAModel("the .keras archive could not be read", e);
        } finally {
            deleteQuietly(temp);
        }
    }

    String config() {
        return config;
    }

    /** metadata.json, or null when the archive has none. */
    String metadata() {
        return metadata;
    }

    Path weightsFile() {
        return weightsFile;
    }

    @Override
    public void close() {
        deleteQuietly(weightsFile);
    }

    private static String text(ZipFile zf, ZipEntry e) throws IOException {
        try (InputStream in = zf.getInputStream(e)) {
            byte[] bytes = in.readNBytes((int) MAX_JSON_BYTES + 1);
            if (bytes.length > MAX_JSON_BYTES) {
                throw KerasProblems.notAModel(e.getName() + " is too large");
            }
            return new String(bytes, StandardCharsets.UTF_8);
        }
    }

    private static void copy(ZipFile zf, ZipEntry e, Path target, long max) throws IOException {
        try (InputStream in = zf.getInputStream(e); OutputStream out = Files.newOutputStream(target)) {
            byte[] buf = new byte[1 << 16];
            long total = 0;
            int n;
            while ((n = in.read(buf)) > 0) {
                total += n;
                if (total > max) {
                    throw KerasProblems.notAModel("model.weights.h5 exceeds the weight limit");
                }
                out.write(buf, 0, n);
            }
        }
    }

    private static void deleteQuietly(Path p) {
        if (p != null) {
            try {
                Files.deleteIfExists(p);
            } catch (IOException ignored) {
                // a leftover temporary file is harmless
            }
        }
    }
}
