package io.plugboard.model;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.plugboard.backend.Target;
import io.plugboard.tensor.TensorSpec;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/** The description of a model the API returns. Shapes use -1 for dynamic dimensions. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ModelDescription(String id, int version, String format, String backend, Target target,
        String placement, ModelState state, String error, long sizeBytes, String sha256, Instant createdAt,
        List<String> files, List<TensorSpec> inputs, List<TensorSpec> outputs, Boolean positionalInputs,
        Map<String, Object> settings, List<VersionSummary> versions) {

    /** One version of a model, as listed in its description. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record VersionSummary(int version, ModelState state, String error, Target target, Instant createdAt,
            String sha256) {
    }

    public ModelDescription withVersions(List<VersionSummary> all) {
        return new ModelDescription(id, version, format, backend, target, placement, state, error, sizeBytes, sha256,
                createdAt, files, inputs, outputs, positionalInputs, settings, all);
    }
}
