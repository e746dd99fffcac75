package io.plugboard.model;

import java.util.List;
import java.util.Map;

/**
 * A model upload: files, an optional name (becomes the id), an optional format override, the
 * wanted target ("auto" when null) and serving settings as given by the client (validated when
 * applied).
 */
public record UploadRequest(String name, String format, String target, List<UploadPart> parts,
        Map<String, String> settings) {

    public UploadRequest {
        parts = List.copyOf(parts);
        settings = Map.copyOf(settings);
    }
}
