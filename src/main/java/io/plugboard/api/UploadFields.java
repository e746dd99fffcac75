package io.plugboard.api;

import io.plugboard.backend.EngineOptions;
import io.plugboard.backend.Target;
import io.plugboard.format.ModelFormat;
import io.plugboard.ingest.UploadPart;
import io.plugboard.ingest.UploadRequest;
import io.plugboard.problem.PlugboardException;
import io.plugboard.problem.ProblemType;
import io.plugboard.settings.ModelSettings;
import io.plugboard.settings.PoolOverrides;
import io.plugboard.settings.ServingDefaults;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.springframework.web.multipart.MultipartFile;
import org.springframework.web.multipart.MultipartHttpServletRequest;

/**
 * Reads a multipart model upload into an {@link UploadRequest}: every field checked and typed here,
 * once, so an unknown field, a bad number or an unknown format or target is a 400 before anything
 * is written.
 */
final class UploadFields {

    /** Upload fields besides {@code file}; anything else is refused so typos do not pass silently. */
    static final Set<String> FIELDS = Set.of("name", "format", "target", "instances", "queueCapacity", "timeoutMs",
            "maxBatchSize", "maxQueueDelayMs", "signature", "signatureName");

    private final ServingDefaults defaults;

    UploadFields(ServingDefaults defaults) {
        this.defaults = defaults;
    }

    UploadRequest read(MultipartHttpServletRequest request) {
        for (String field : request.getParameterMap().keySet()) {
            if (!FIELDS.contains(field)) {
                throw new PlugboardException(ProblemType.INVALID_PARAMETER, "Unknown upload field '" + field
                        + "'; known fields are file, " + String.join(", ", FIELDS.stream().sorted().toList()) + ".",
                        Map.of("parameter", field));
            }
        }
        for (String part : request.getMultiFileMap().keySet()) {
            if (!part.equals("file")) {
                throw new PlugboardException(ProblemType.INVALID_PARAMETER, "Unknown file part '" + part
                        + "'; model files go in parts named 'file'.", Map.of("parameter", part));
            }
        }
        PoolOverrides pool = new PoolOverrides(integer(request, "instances"), integer(request, "queueCapacity"),
                number(request, "timeoutMs"), integer(request, "maxBatchSize"), number(request, "maxQueueDelayMs"));
        pool.over(defaults.pool()); // refuses out-of-range values now, not after the files are written
        String target = blankToNull(request.getParameter("target"));
        ModelSettings settings = new ModelSettings(pool, target == null ? null : Target.parse(target),
                new EngineOptions(request.getParameter("signature"), request.getParameter("signatureName")));
        return new UploadRequest(blankToNull(request.getParameter("name")), format(request), parts(request), settings);
    }

    private static List<UploadPart> parts(MultipartHttpServletRequest request) {
        List<MultipartFile> files = request.getFiles("file");
        List<UploadPart> parts = new ArrayList<>();
        for (int i = 0; i < files.size(); i++) {
            MultipartFile file = files.get(i);
            String name = file.getOriginalFilename();
            if (name == null || name.isBlank()) {
                name = files.size() == 1 ? "model" : "file" + i;
            }
            // Tomcat wrote the part beside the store (the multipart location): moving it with
            // transferTo(File) is a rename, so the upload sits on disk once
            parts.add(new UploadPart(name, file::getInputStream,
                    java.util.Optional.of(target -> file.transferTo(target.toFile()))));
        }
        return parts;
    }

    private static ModelFormat format(MultipartHttpServletRequest request) {
        String value = blankToNull(request.getParameter("format"));
        if (value == null) {
            return null;
        }
        return ModelFormat.fromId(value.trim()).orElseThrow(() -> new PlugboardException(
                ProblemType.INVALID_PARAMETER, "Unknown format '" + value + "'; see GET /v1/formats.",
                Map.of("parameter", "format")));
    }

    private static Integer integer(MultipartHttpServletRequest request, String name) {
        Long value = number(request, name);
        if (value != null && (value > Integer.MAX_VALUE || value < Integer.MIN_VALUE)) {
            throw notAnInteger(name, request.getParameter(name));
        }
        return value == null ? null : value.intValue();
    }

    private static Long number(MultipartHttpServletRequest request, String name) {
        String value = blankToNull(request.getParameter(name));
        if (value == null) {
            return null;
        }
        try {
            return Long.valueOf(value.trim());
        } catch (NumberFormatException e) {
            throw notAnInteger(name, value);
        }
    }

    private static PlugboardException notAnInteger(String name, String value) {
        String shown = value.length() > 40 ? value.substring(0, 40) + "…" : value;
        return new PlugboardException(ProblemType.INVALID_PARAMETER, "'" + name + "' must be an integer, not '"
                + shown + "'.", Map.of("parameter", name));
    }

    private static String blankToNull(String value) {
        return value == null || value.isBlank() ? null : value;
    }
}
