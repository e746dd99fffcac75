package io.plugboard.ingest;

import io.plugboard.format.ModelFormat;
import io.plugboard.settings.ModelSettings;
import java.util.List;

/**
 * A model upload as the API parsed it: files, an optional name (becomes the id), an optional format
 * the client insists on ({@code null}: detect from the bytes) and the version's settings.
 */
public record UploadRequest(String name, ModelFormat format, List<UploadPart> parts, ModelSettings settings) {

    public UploadRequest {
        parts = List.copyOf(parts);
        settings = settings == null ? ModelSettings.DEFAULTS : settings;
    }
}
