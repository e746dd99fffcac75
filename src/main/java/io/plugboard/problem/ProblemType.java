package io.plugboard.problem;

import java.net.URI;

/**
 * Every failure the API reports, with a stable RFC 9457 {@code type} URI, its HTTP status and
 * title. The slugs are part of the API contract: clients switch on them.
 */
public enum ProblemType {
    MALFORMED_REQUEST("malformed-request", 400, "Malformed request"),
    INVALID_PARAMETER("invalid-parameter", 400, "Invalid parameter"),
    INVALID_MODEL_NAME("invalid-model-name", 400, "Invalid model name"),
    INVALID_FILE_NAME("invalid-file-name", 400, "Invalid file name in upload"),
    MISSING_FILE("missing-file", 400, "No model file in upload"),
    INVALID_TENSOR("invalid-tensor", 400, "Invalid tensor"),
    UNKNOWN_INPUT("unknown-input", 400, "Unknown input"),
    MISSING_INPUT("missing-input", 400, "Missing input"),
    UNKNOWN_OUTPUT("unknown-output", 400, "Unknown output"),
    DATATYPE_MISMATCH("datatype-mismatch", 400, "Wrong datatype"),
    SHAPE_MISMATCH("shape-mismatch", 400, "Wrong shape"),
    TARGET_UNAVAILABLE("target-unavailable", 400, "Hardware target not available"),
    UNAUTHORIZED("unauthorized", 401, "Authentication required"),
    FORBIDDEN("forbidden", 403, "Forbidden"),
    CROSS_ORIGIN("cross-origin", 403, "Cross-site request refused"),
    MODEL_NOT_FOUND("model-not-found", 404, "Model not found"),
    VERSION_NOT_FOUND("version-not-found", 404, "Model version not found"),
    NOT_FOUND("not-found", 404, "Not found"),
    METHOD_NOT_ALLOWED("method-not-allowed", 405, "Method not allowed"),
    NOT_ACCEPTABLE("not-acceptable", 406, "Not acceptable"),
    MODEL_EXISTS("model-exists", 409, "Model name already taken"),
    CAPACITY_REACHED("capacity-reached", 409, "Server limit reached"),
    PAYLOAD_TOO_LARGE("payload-too-large", 413, "Payload too large"),
    ARCHIVE_TOO_LARGE("archive-too-large", 413, "Archive expands beyond the limit"),
    UNSUPPORTED_MEDIA_TYPE("unsupported-media-type", 415, "Unsupported media type"),
    UNSUPPORTED_FORMAT("unsupported-format", 415, "Model format not servable here"),
    UNSUPPORTED_DATATYPE("unsupported-datatype", 415, "Element type not supported by the engine"),
    NOT_A_MODEL("not-a-model", 422, "Not a recognised model"),
    MODEL_LOAD_FAILED("model-load-failed", 422, "Model could not be loaded"),
    UNSAFE_ARCHIVE("unsafe-archive", 422, "Archive refused"),
    UNSAFE_MODEL("unsafe-model", 422, "Model would reach outside itself"),
    INFERENCE_FAILED("inference-failed", 422, "The engine rejected the inputs"),
    QUEUE_FULL("queue-full", 429, "Too many requests queued for this model"),
    TOO_MANY_UPLOADS("too-many-uploads", 429, "Too many uploads at once"),
    MODEL_NOT_READY("model-not-ready", 503, "Model not ready"),
    INSUFFICIENT_MEMORY("insufficient-memory", 503, "Not enough memory for the request now"),
    STORE_UNAVAILABLE("store-unavailable", 503, "Shared model store unavailable"),
    TIMEOUT("timeout", 504, "Inference timed out"),
    INSUFFICIENT_STORAGE("insufficient-storage", 507, "Not enough storage for the model"),
    INTERNAL_ERROR("internal-error", 500, "Internal server error");

    /** Base of every problem type URI; each type is listed in the README's Errors section. */
    public static final String BASE = "https://plugboard.io/problems/";

    private final String slug;
    private final int status;
    private final String title;

    ProblemType(String slug, int status, String title) {
        this.slug = slug;
        this.status = status;
        this.title = title;
    }

    public String slug() {
        return slug;
    }

    public int status() {
        return status;
    }

    public String title() {
        return title;
    }

    public URI uri() {
        return URI.create(BASE + slug);
    }
}
