package io.plugboard.ingest;

import io.plugboard.archive.SafeExtractor;
import io.plugboard.format.Detection;
import io.plugboard.format.ModelFormat;
import io.plugboard.problem.PlugboardException;
import io.plugboard.problem.ProblemType;
import io.plugboard.store.StagedFile;
import io.plugboard.store.Staging;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;

/**
 * A SavedModel sent as one .zip/.tar.gz is unpacked (safely) into the staging folder and the
 * archive replaced by its files: the store keeps the SavedModel folder.
 */
public final class SavedModelArchive implements FormatPreparation {

    private final SafeExtractor extractor;

    public SavedModelArchive(SafeExtractor extractor) {
        this.extractor = extractor;
    }

    @Override
    public Detection afterDetection(Staging staging, Detection detection) {
        if (detection.format() != ModelFormat.TF_SAVEDMODEL) {
            return detection;
        }
        Path archive = staging.filesDirectory().resolve(detection.mainFile());
        if (!SafeExtractor.isArchive(archive)) {
            return detection;
        }
        Path target = staging.filesDirectory().resolve("savedmodel");
        try {
            Files.createDirectories(target);
            extractor.extract(archive, target);
            Files.delete(archive);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        staging.rescan();
        String pb = staging.files().stream().map(StagedFile::name)
                .filter(n -> n.equals("saved_model.pb") || n.endsWith("/saved_model.pb"))
                .min(Comparator.comparingInt(n -> n.split("/").length))
                .orElseThrow(() -> new PlugboardException(ProblemType.NOT_A_MODEL,
                        "The archive holds no saved_model.pb."));
        return new Detection(ModelFormat.TF_SAVEDMODEL, pb, detection.evidence());
    }
}
