package io.plugboard.ingest;

import io.plugboard.format.ModelFormat;
import io.plugboard.problem.PlugboardException;
import io.plugboard.problem.ProblemType;
import io.plugboard.store.StagedFile;
import io.plugboard.store.StoredFile;
import io.plugboard.store.Staging;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.util.Map;
import java.util.Optional;

/**
 * New weights for an existing ONNX model: a version upload of only .safetensors files takes the
 * serving version's graph (and its other files), whose initializers the weights then override.
 */
public final class WeightsOverGraph implements FormatPreparation {

    private static final String SUFFIX = ".safetensors";

    @Override
    public void beforeDetection(Staging staging, Optional<PreviousVersion> previous) {
        if (previous.isEmpty() || !staging.files().stream().map(StagedFile::name).allMatch(n -> n.endsWith(SUFFIX))) {
            return;
        }
        PreviousVersion base = previous.get();
        if (base.format() == null) {
            throw new PlugboardException(ProblemType.MODEL_NOT_READY, "Model '" + base.id()
                    + "' has no READY version whose graph the new weights could use.");
        }
        if (!base.format().equals(ModelFormat.ONNX.id())) {
            throw new PlugboardException(ProblemType.UNSUPPORTED_FORMAT, "SafeTensors weights can replace the "
                    + "initializers of an ONNX model; '" + base.id() + "' is " + base.format() + ".",
                    Map.of("format", ModelFormat.SAFETENSORS.id()));
        }
        for (StoredFile file : base.files()) {
            if (!file.path().endsWith(SUFFIX)) {
                try (InputStream in = Files.newInputStream(base.filesDirectory().resolve(file.path()))) {
                    staging.write(file.path(), in);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
        }
    }
}
