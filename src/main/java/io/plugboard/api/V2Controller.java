package io.plugboard.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.plugboard.lifecycle.ModelResidency;
import io.plugboard.model.ModelConfiguration;
import io.plugboard.model.ModelRegistry;
import io.plugboard.model.ModelState;
import io.plugboard.model.ModelVersions;
import io.plugboard.model.ServedModel;
import io.plugboard.problem.PlugboardException;
import io.plugboard.problem.ProblemType;
import io.plugboard.tensor.TensorSpec;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.springframework.beans.factory.ObjectProvider;
import io.plugboard.lifecycle.StoreSync;
import org.springframework.boot.availability.ApplicationAvailability;
import org.springframework.boot.availability.ReadinessState;
import org.springframework.boot.info.BuildProperties;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RestController;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The Open Inference Protocol (KServe V2) REST API, so Triton and KServe clients work unchanged.
 * Inference shares the {@code /v1} path (queue, batching, metrics); errors use the protocol's
 * {@code {"error": "..."}} body with the matching status.
 */
@RestController
@Tag(name = "Open Inference Protocol (V2)", description = "KServe V2 / Triton-compatible endpoints")
public class V2Controller {

    /** Extensions listed in server metadata: only what is implemented. */
    public static final List<String> EXTENSIONS = List.of("binary_tensor_data", "model_repository",
            "model_configuration", "statistics");

    /** The largest repository index request read: its only member is a flag. */
    static final int MAX_INDEX_REQUEST_BYTES = 4096;

    /** The inference URL patterns, shared with {@link InferenceHandlerMapping}. */
    static final String INFER = "/v2/models/{name}/infer";
    static final String INFER_VERSION = "/v2/models/{name}/versions/{version}/infer";

    private final ModelRegistry registry;
    private final ModelResidency residency;
    private final InferenceExchange exchange;
    private final ApplicationAvailability availability;
    private final StoreSync sync;
    private final String version;
    private final JsonMapper json;

    public V2Controller(ModelRegistry registry, ModelResidency residency, InferenceExchange exchange,
            ApplicationAvailability availability, StoreSync sync, ObjectProvider<BuildProperties> build,
            JsonMapper json) {
        this.json = json;
        this.sync = sync;
        this.registry = registry;
        BuildProperties properties = build.getIfAvailable();
        this.version = properties != null ? properties.getVersion() : "unknown";
        this.residency = residency;
        this.exchange = exchange;
        this.availability = availability;
    }

    /** Server metadata. */
    public record ServerMetadata(String name, String version, List<String> extensions) {
    }

    /** A tensor in model metadata. */
    public record TensorMetadata(String name, String datatype, long[] shape) {
    }

    /** Model metadata. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record ModelMetadata(String name, List<String> versions, String platform, List<TensorMetadata> inputs,
            List<TensorMetadata> outputs) {
    }

    /** Model readiness. */
    public record ModelReady(String name, boolean ready) {
    }

    /** One entry of the repository index. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record IndexEntry(String name, String version, String state, String reason) {
    }

    @Operation(summary = "Server metadata")
    @GetMapping(path = {"/v2", "/v2/"}, produces = MediaType.APPLICATION_JSON_VALUE)
    public ServerMetadata server() {
        return new ServerMetadata("plugboard", version, EXTENSIONS);
    }

    /** Server liveness, as the protocol's {@code $live_server_response}. */
    public record Live(boolean live) {
    }

    /** Server readiness, as the protocol's {@code $ready_server_response}. */
    public record Ready(boolean ready) {
    }

    @Operation(summary = "Server liveness", description = "200 with {\"live\": true}.")
    @GetMapping(path = "/v2/health/live", produces = MediaType.APPLICATION_JSON_VALUE)
    public Live live() {
        return new Live(true);
    }

    @Operation(summary = "Server readiness", description = "200 with {\"ready\": true} once every stored model has "
            + "been restored (with a shared store: once the first reconciliation with it is done); 503 with "
            + "{\"ready\": false} before.")
    @GetMapping(path = "/v2/health/ready", produces = MediaType.APPLICATION_JSON_VALUE)
    public ResponseEntity<Ready> ready() {
        boolean ready = availability.getReadinessState() == ReadinessState.ACCEPTING_TRAFFIC && sync.status().ready();
        return ResponseEntity.status(ready ? HttpStatus.OK : HttpStatus.SERVICE_UNAVAILABLE).body(new Ready(ready));
    }

    @Operation(summary = "Model metadata")
    @GetMapping(path = {"/v2/models/{name}", "/v2/models/{name}/versions/{version}"}, produces = MediaType.APPLICATION_JSON_VALUE)
    public ModelMetadata metadata(@PathVariable("name") String name,
            @PathVariable(name = "version", required = false) String version) {
        ModelVersions entry = registry.require(name);
        ServedModel model = entry.shown(version == null ? null : parseVersion(version));
        List<String> versions = entry.all().stream().map(m -> Integer.toString(m.version())).toList();
        var signature = model.signature();
        return new ModelMetadata(name, versions, io.plugboard.model.Platforms.of(model.record().format()),
                signature == null ? List.of() : tensors(signature.inputs()),
                signature == null ? List.of() : tensors(signature.outputs()));
    }

    @Operation(summary = "Model configuration", description = "Triton's model configuration extension: a loaded "
            + "version's inputs, outputs, batching and instances, as model_config.proto's JSON.")
    @GetMapping(path = {"/v2/models/{name}/config", "/v2/models/{name}/versions/{version}/config"},
            produces = MediaType.APPLICATION_JSON_VALUE)
    public ModelConfiguration config(@PathVariable("name") String name,
            @PathVariable(name = "version", required = false) String version) {
        return ModelConfiguration.of(registry.require(name).shown(version == null ? null : parseVersion(version)));
    }

    @Operation(summary = "Model statistics", description = "Triton's statistics extension: per loaded version, "
            + "requests answered, queue and engine time, inferences and executions since it was loaded. Without a "
            + "name, every model's.")
    @GetMapping(path = {"/v2/models/stats", "/v2/models/{name}/stats", "/v2/models/{name}/versions/{version}/stats"},
            produces = MediaType.APPLICATION_JSON_VALUE)
    public V2Statistics statistics(@PathVariable(name = "name", required = false) String name,
            @PathVariable(name = "version", required = false) String version) {
        return new V2Statistics(registry.statistics(name, version == null ? null : parseVersion(version)).stream()
                .map(V2Statistics::of).toList());
    }

    @Operation(summary = "Model readiness", description = "200 when READY, 400 otherwise (as Triton).")
    @GetMapping(path = {"/v2/models/{name}/ready", "/v2/models/{name}/versions/{version}/ready"},
            produces = MediaType.APPLICATION_JSON_VALUE)
    public ResponseEntity<Object> modelReady(@PathVariable("name") String name,
            @PathVariable(name = "version", required = false) String version) {
        ModelVersions entry = registry.require(name);
        boolean ready = version == null ? entry.serving().isPresent()
                : entry.requireVersion(parseVersion(version)).state() == ModelState.READY;
        if (!ready) {
            return ResponseEntity.badRequest().contentType(MediaType.APPLICATION_JSON)
                    .body(Map.of("error", "Model '" + name + "' is not ready."));
        }
        return ResponseEntity.ok(new ModelReady(name, true));
    }

    @Operation(summary = "Run inference", description = "The protocol's JSON, or the binary tensor data extension "
            + "(with Inference-Header-Content-Length; 0 for Triton's raw binary request, the body a one-input model's "
            + "input bytes alone). As Triton, any Content-Type is taken: a body without that header is JSON; the "
            + "answer is JSON, or octet-stream when outputs are asked for in binary.")
    @PostMapping(path = {INFER, INFER_VERSION})
    public void infer(@PathVariable("name") String name, @PathVariable(name = "version", required = false) String version,
            HttpServletRequest request, HttpServletResponse response) throws IOException {
        exchange.handle(name, version == null ? null : parseVersion(version), request, response, "v2");
    }

    @Operation(summary = "Repository index", description = "Every stored model version and its state. Body: "
            + "nothing, or {\"ready\": true} for READY versions only (at most 4096 bytes, any Content-Type).")
    @PostMapping(path = "/v2/repository/index", produces = MediaType.APPLICATION_JSON_VALUE)
    public List<IndexEntry> index(HttpServletRequest request) throws IOException {
        return registry.index(onlyReady(small(request, "An index request"))).stream()
                .map(v -> new IndexEntry(v.id(), Integer.toString(v.version()), v.state().name(), v.reason())).toList();
    }

    @Operation(summary = "Load a model", description = "Loads every stored version that is not READY.")
    @PostMapping(path = "/v2/repository/models/{name}/load", produces = MediaType.APPLICATION_JSON_VALUE)
    public Map<String, Object> load(@PathVariable("name") String name, HttpServletRequest request) throws IOException {
        ModelResidency.checkParameters(false, parameters(small(request, "A load request")));
        residency.load(name);
        return Map.of();
    }

    @Operation(summary = "Unload a model", description = "Drains and releases every version from memory; the files "
            + "stay stored (a restart loads them again).")
    @PostMapping(path = "/v2/repository/models/{name}/unload", produces = MediaType.APPLICATION_JSON_VALUE)
    public Map<String, Object> unload(@PathVariable("name") String name, HttpServletRequest request)
            throws IOException {
        ModelResidency.checkParameters(true, parameters(small(request, "An unload request")));
        residency.unload(name);
        return Map.of();
    }

    /** The body of a repository request, which holds a flag or two: at most {@link #MAX_INDEX_REQUEST_BYTES}. */
    private static byte[] small(HttpServletRequest request, String what) throws IOException {
        byte[] body = request.getInputStream().readNBytes(MAX_INDEX_REQUEST_BYTES + 1);
        if (body.length > MAX_INDEX_REQUEST_BYTES) {
            throw new PlugboardException(ProblemType.PAYLOAD_TOO_LARGE, what + " is at most "
                    + MAX_INDEX_REQUEST_BYTES + " bytes.", Map.of("limitBytes", MAX_INDEX_REQUEST_BYTES));
        }
        return body;
    }

    /** The names in a load or unload request's {@code "parameters"} (Triton's form); none for an empty body. */
    private java.util.Set<String> parameters(byte[] body) {
        JsonNode request = object(body, "load or unload");
        JsonNode parameters = request == null ? null : request.get("parameters");
        if (parameters == null || parameters.isNull()) {
            return java.util.Set.of();
        }
        if (!parameters.isObject()) {
            throw new PlugboardException(ProblemType.INVALID_PARAMETER, "'parameters' must be a JSON object.",
                    Map.of("parameter", "parameters"));
        }
        JsonNode dependents = parameters.get(ModelResidency.UNLOAD_DEPENDENTS);
        if (dependents != null && !dependents.isBoolean()) {
            throw new PlugboardException(ProblemType.INVALID_PARAMETER, "'" + ModelResidency.UNLOAD_DEPENDENTS
                    + "' must be true or false.", Map.of("parameter", ModelResidency.UNLOAD_DEPENDENTS));
        }
        return new java.util.LinkedHashSet<>(parameters.propertyNames());
    }

    /** A repository request's JSON object; null for an empty body (clients send any Content-Type). */
    private JsonNode object(byte[] body, String what) {
        if (new String(body, StandardCharsets.UTF_8).isBlank()) {
            return null;
        }
        JsonNode request;
        try {
            request = json.readTree(body);
        } catch (JacksonException e) {
            throw new PlugboardException(ProblemType.MALFORMED_REQUEST, "The " + what + " request is not valid JSON: "
                    + e.getOriginalMessage());
        }
        if (!request.isObject()) {
            throw new PlugboardException(ProblemType.MALFORMED_REQUEST, "The " + what
                    + " request must be a JSON object.");
        }
        return request;
    }

    /**
     * The index request's {@code "ready"} filter. Clients send it with any Content-Type, or an
     * empty body (Triton's C++ client: form-encoded; its asyncio client: octet-stream).
     */
    private boolean onlyReady(byte[] body) {
        JsonNode request = object(body, "index");
        if (request == null) {
            return false;
        }
        JsonNode ready = request.get("ready");
        if (ready != null && !ready.isBoolean() && !ready.isNull()) {
            throw new PlugboardException(ProblemType.INVALID_PARAMETER, "'ready' must be true or false.",
                    Map.of("parameter", "ready"));
        }
        return ready != null && ready.asBoolean(false);
    }

    static int parseVersion(String version) {
        try {
            return Integer.parseInt(version);
        } catch (NumberFormatException e) {
            throw new PlugboardException(ProblemType.VERSION_NOT_FOUND, "Version '" + version
                    + "' is not a version number.");
        }
    }

    /**
     * The protocol's tensor metadata, whose datatype and shape are required: what the model file
     * does not declare (a TorchScript input's type, some outputs' shapes) is given as {@code ""}
     * and {@code []}, as over gRPC.
     */
    private static List<TensorMetadata> tensors(List<TensorSpec> specs) {
        return specs.stream().map(s -> new TensorMetadata(s.name(), s.datatype() == null ? "" : s.datatype().name(),
                s.shape() == null ? new long[0] : s.shape())).toList();
    }
}
