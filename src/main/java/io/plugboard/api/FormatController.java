package io.plugboard.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.plugboard.backend.BackendRegistry;
import io.plugboard.backend.FormatSupport;
import io.plugboard.backend.Target;
import io.plugboard.format.ModelFormat;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import java.util.Arrays;
import java.util.List;
import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/** {@code GET /v1/formats}: every recognised format and whether this build serves it. */
@RestController
@Tag(name = "Formats", description = "What can be uploaded")
public class FormatController {

    private final BackendRegistry backends;

    public FormatController(BackendRegistry backends) {
        this.backends = backends;
    }

    /** One format: how to upload it, which engine serves it here, or why none does. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record FormatInfo(String id, String name, String upload, boolean served, String backend,
            List<Target> targets, String reason, String hint) {
    }

    /** The table wrapper. */
    public record FormatList(List<FormatInfo> formats) {
    }

    @Operation(summary = "List model formats", description = "Every format the detector recognises, whether this "
            + "build serves it, by which engine on which targets, and for the others the exact reason and what to "
            + "upload instead.")
    @GetMapping(path = "/v1/formats", produces = MediaType.APPLICATION_JSON_VALUE)
    public FormatList formats() {
        return new FormatList(Arrays.stream(ModelFormat.values()).map(this::info).toList());
    }

    /** Answers from what the build contains: no engine is started to list formats. */
    private FormatInfo info(ModelFormat format) {
        return switch (backends.status(format)) {
            case FormatSupport.Served served -> new FormatInfo(format.id(), format.displayName(), format.upload(), true,
                    served.backend().name(), served.backend().knownTargets(), null, null);
            case FormatSupport.NotServed refused -> new FormatInfo(format.id(), format.displayName(), format.upload(),
                    false, null, null, refused.reason(), refused.hint());
        };
    }
}
