package io.plugboard.backend;

import io.plugboard.format.ModelFormat;
import java.nio.file.Path;
import java.util.Map;

/**
 * Where a model's files lie: {@code directory} holds every uploaded file under its relative name;
 * {@code mainFile} is the one the detector recognised. {@code parameters} are the upload's
 * backend-specific settings (e.g. a signature name).
 */
public record ModelSource(Path directory, String mainFile, ModelFormat format, Map<String, String> parameters) {

    public ModelSource {
        parameters = Map.copyOf(parameters);
    }

    public Path mainPath() {
        return directory.resolve(mainFile);
    }
}
