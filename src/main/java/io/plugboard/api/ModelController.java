package io.plugboard.api;

import io.plugboard.model.ModelDescription;
import io.plugboard.lifecycle.ModelRemoval;
import io.plugboard.lifecycle.ModelUploads;
import io.plugboard.model.ModelRegistry;
import io.plugboard.model.ModelVersions;
import io.plugboard.settings.ServingDefaults;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Encoding;
import io.swagger.v3.oas.annotations.media.ExampleObject;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;
import java.net.URI;
import java.util.List;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.multipart.MultipartHttpServletRequest;

/** Model upload, listing, description and deletion. */
@RestController
@RequestMapping("/v1/models")
@Tag(name = "Models", description = "Upload, list, describe and delete models")
public class ModelController {

    private final ModelUploads uploads;
    private final ModelRemoval removal;
    private final ModelRegistry registry;
    private final UploadFields fields;

    public ModelController(ModelUploads uploads, ModelRemoval removal, ModelRegistry registry,
            ServingDefaults defaults) {
        this.uploads = uploads;
        this.removal = removal;
        this.registry = registry;
        this.fields = new UploadFields(defaults);
    }

    /**
     * The upload form, for the OpenAPI document. Optional fields carry no example here: Swagger UI's
     * "Try it out" sends a field's example, else a made-up one ("string", 0), as if the user had
     * typed it, so {@code OpenApiSchemas} gives each optional field one empty example.
     */
    @Schema(name = "ModelUpload")
    record UploadForm(
            @io.swagger.v3.oas.annotations.media.ArraySchema(arraySchema = @Schema(description = "Model file(s): "
                    + "one, or several parts (SavedModel folders, Caffe prototxt + weights) whose filenames keep "
                    + "their relative paths", requiredMode = Schema.RequiredMode.REQUIRED),
                    schema = @Schema(type = "string", format = "binary")) List<String> file,
            @Schema(description = "Model id: ^[a-z0-9][a-z0-9._-]{0,62}$ (generated when absent)")
            String name,
            @Schema(description = "Format override (see GET /v1/formats); detected from the bytes when absent") String format,
            @Schema(description = "auto | cpu | cuda | cuda:N | tensorrt | tensorrt:N | openvino") String target,
            @Schema(description = "Execution instances (default plugboard.serving.instances)") Integer instances,
            @Schema(description = "Bounded queue size; a full queue answers 429") Integer queueCapacity,
            @Schema(description = "Default per-request timeout in ms; past it 504") Integer timeoutMs,
            @Schema(description = "Dynamic batching: most rows per batch (1 = off)") Integer maxBatchSize,
            @Schema(description = "Dynamic batching: longest wait for a batch to fill, ms")
            Integer maxQueueDelayMs,
            @Schema(description = "TorchScript: JSON signature naming and typing inputs/outputs by position, e.g. "
                    + "{\"inputs\":[{\"name\":\"input0\",\"datatype\":\"FP32\",\"shape\":[-1,4]}],"
                    + "\"outputs\":[{\"name\":\"output0\",\"datatype\":\"FP32\",\"shape\":[-1,3]}]}")
            String signature,
            @Schema(description = "SavedModel: the signature to serve")
            String signatureName) {
    }

    @Operation(summary = "Upload a model",
            description = "Stores the model, recognises its format from the bytes, loads it and answers its "
                    + "description. Example: curl -F file=@model.onnx -F name=mymodel http://localhost:8080/v1/models",
            requestBody = @io.swagger.v3.oas.annotations.parameters.RequestBody(content = @Content(
                    mediaType = MediaType.MULTIPART_FORM_DATA_VALUE, schema = @Schema(implementation = UploadForm.class),
                    encoding = @Encoding(name = "file", contentType = "application/octet-stream"))))
    @ApiResponse(responseCode = "201", description = "Stored and READY",
            content = @Content(mediaType = MediaType.APPLICATION_JSON_VALUE,
                    schema = @Schema(implementation = ModelDescription.class),
                    examples = @ExampleObject(value = ApiExamples.DESCRIPTION)))
    @ApiResponse(responseCode = "400", description = "Bad field or file name", content = @Content(
            mediaType = "application/problem+json", examples = @ExampleObject(value = ApiExamples.PROBLEM_400)))
    @ApiResponse(responseCode = "409", description = "Name taken", content = @Content(mediaType = "application/problem+json"))
    @ApiResponse(responseCode = "413", description = "Upload over plugboard.upload.max-size",
            content = @Content(mediaType = "application/problem+json"))
    @ApiResponse(responseCode = "415", description = "Format recognised but not servable here",
            content = @Content(mediaType = "application/problem+json",
                    examples = @ExampleObject(value = ApiExamples.PROBLEM_415)))
    @ApiResponse(responseCode = "422", description = "Not a loadable model", content = @Content(
            mediaType = "application/problem+json"))
    @PostMapping(consumes = MediaType.MULTIPART_FORM_DATA_VALUE, produces = MediaType.APPLICATION_JSON_VALUE)
    public ResponseEntity<ModelDescription> upload(@Parameter(hidden = true) MultipartHttpServletRequest request) {
        ModelDescription description = uploads.upload(fields.read(request));
        return ResponseEntity.created(URI.create("/v1/models/" + description.id())).body(description);
    }

    @Operation(summary = "Add a version", description = "Same fields as the first upload. The new version serves the plain "
            + "infer URL once READY; one that fails to load never replaces a working one. Older versions beyond "
            + "plugboard.store.keep-versions are drained and deleted.",
            requestBody = @io.swagger.v3.oas.annotations.parameters.RequestBody(content = @Content(
                    mediaType = MediaType.MULTIPART_FORM_DATA_VALUE, schema = @Schema(implementation = UploadForm.class))))
    @ApiResponse(responseCode = "201", description = "Stored and READY", content = @Content(
            mediaType = MediaType.APPLICATION_JSON_VALUE, schema = @Schema(implementation = ModelDescription.class)))
    @ApiResponse(responseCode = "404", description = "Unknown model", content = @Content(mediaType = "application/problem+json"))
    @PostMapping(path = "/{id}/versions", consumes = MediaType.MULTIPART_FORM_DATA_VALUE,
            produces = MediaType.APPLICATION_JSON_VALUE)
    public ResponseEntity<ModelDescription> addVersion(@PathVariable("id") String id,
            @Parameter(hidden = true) MultipartHttpServletRequest request) {
        ModelDescription description = uploads.uploadVersion(id, fields.read(request));
        return ResponseEntity.created(URI.create("/v1/models/" + id + "/versions/" + description.version()))
                .body(description);
    }

    @Operation(summary = "Describe a version")
    @GetMapping(path = "/{id}/versions/{version}", produces = MediaType.APPLICATION_JSON_VALUE)
    public ModelDescription describeVersion(@PathVariable("id") String id, @PathVariable("version") int version) {
        return registry.require(id).requireVersion(version).describe();
    }

    @Operation(summary = "Delete a version", description = "Drains it, unloads it and deletes its files; deleting the "
            + "last version deletes the model.")
    @ApiResponse(responseCode = "204", description = "Deleted")
    @ApiResponse(responseCode = "404", description = "Unknown model or version",
            content = @Content(mediaType = "application/problem+json"))
    @DeleteMapping(path = "/{id}/versions/{version}")
    public ResponseEntity<Void> deleteVersion(@PathVariable("id") String id, @PathVariable("version") int version) {
        removal.deleteVersion(id, version);
        return ResponseEntity.noContent().build();
    }

    /** The list wrapper: {@code {"models": [...]}}. */
    public record ModelList(List<ModelDescription> models) {
    }

    @Operation(summary = "List models")
    @GetMapping(produces = MediaType.APPLICATION_JSON_VALUE)
    public ModelList list() {
        return new ModelList(registry.all().stream().map(ModelVersions::describe).toList());
    }

    @Operation(summary = "Describe a model")
    @ApiResponse(responseCode = "200", content = @Content(mediaType = MediaType.APPLICATION_JSON_VALUE,
            schema = @Schema(implementation = ModelDescription.class),
            examples = @ExampleObject(value = ApiExamples.DESCRIPTION)))
    @ApiResponse(responseCode = "404", description = "Unknown model", content = @Content(
            mediaType = "application/problem+json", examples = @ExampleObject(value = ApiExamples.PROBLEM_404)))
    @GetMapping(path = "/{id}", produces = MediaType.APPLICATION_JSON_VALUE)
    public ModelDescription describe(@PathVariable("id") String id) {
        return registry.require(id).describe();
    }

    @Operation(summary = "Delete a model", description = "Drains in-flight requests, unloads it and deletes its files.")
    @ApiResponse(responseCode = "204", description = "Deleted")
    @ApiResponse(responseCode = "404", description = "Unknown model", content = @Content(mediaType = "application/problem+json"))
    @DeleteMapping(path = "/{id}")
    public ResponseEntity<Void> delete(@PathVariable("id") String id) {
        removal.delete(id);
        return ResponseEntity.noContent().build();
    }
}
