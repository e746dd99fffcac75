package io.plugboard.backend;

import io.plugboard.format.ModelFormat;
import java.nio.file.Path;

/**
 * Where a model's files lie: {@code directory} holds every uploaded file under its relative name;
 * {@code mainFile} is the one the detector recognised. {@code options} are the backend-specific
 * settings given at upload (e.g. a signature name).
 */
public record ModelSource(Path directory, String mainFile, ModelFormat format, EngineOptions options) {

    public ModelSource {
        options = options == null ? EngineOptions.NONE : options;
    }

    public ModelSource(Path directory, String mainFile, ModelFormat format) {
        this(directory, mainFile, format, EngineOptions.NONE);
    }

    public Path mainPath() {
        return directory.resolve(mainFile);
    }
}
