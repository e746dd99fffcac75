package io.plugboard.backend;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * What a backend is told about a model beyond its files: a TorchScript signature (JSON naming and
 * typing inputs and outputs by position) and the SavedModel signature to serve. Absent fields
 * leave the backend's own defaults.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record EngineOptions(String signature, String signatureName) {

    public static final EngineOptions NONE = new EngineOptions(null, null);

    public EngineOptions {
        signature = blankToNull(signature);
        signatureName = blankToNull(signatureName);
    }

    private static String blankToNull(String value) {
        return value == null || value.isBlank() ? null : value;
    }
}
