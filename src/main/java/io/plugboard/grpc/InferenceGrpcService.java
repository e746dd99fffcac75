package io.plugboard.grpc;

import io.grpc.Context;
import io.grpc.Deadline;
import io.grpc.stub.StreamObserver;
import io.plugboard.grpc.proto.GRPCInferenceServiceGrpc;
import io.plugboard.grpc.proto.InferParameter;
import io.plugboard.grpc.proto.ModelInferRequest;
import io.plugboard.grpc.proto.ModelInferResponse;
import io.plugboard.grpc.proto.ModelMetadataRequest;
import io.plugboard.grpc.proto.ModelMetadataResponse;
import io.plugboard.grpc.proto.ModelReadyRequest;
import io.plugboard.grpc.proto.ModelReadyResponse;
import io.plugboard.grpc.proto.ServerLiveRequest;
import io.plugboard.grpc.proto.ServerLiveResponse;
import io.plugboard.grpc.proto.ServerMetadataRequest;
import io.plugboard.grpc.proto.ServerMetadataResponse;
import io.plugboard.grpc.proto.ServerReadyRequest;
import io.plugboard.grpc.proto.ServerReadyResponse;
import io.plugboard.inference.InferenceRequest;
import io.plugboard.inference.InferenceResult;
import io.plugboard.model.InferenceGateway;
import io.plugboard.model.ModelRegistry;
import io.plugboard.model.ModelState;
import io.plugboard.model.ModelVersions;
import io.plugboard.model.Platforms;
import io.plugboard.model.ServedModel;
import io.plugboard.problem.PlugboardException;
import io.plugboard.problem.ProblemType;
import io.plugboard.tensor.Tensor;
import io.plugboard.tensor.TensorSpec;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * {@code inference.GRPCInferenceService}: the same models, pools, batching, versions, metrics
 * (protocol {@code grpc}) and limits as the REST API, with problems mapped to gRPC status codes.
 * A call's deadline bounds its inference as the server's own timeout does.
 */
final class InferenceGrpcService extends GRPCInferenceServiceGrpc.GRPCInferenceServiceImplBase {

    static final String PROTOCOL = "grpc";

    private final ModelRegistry registry;
    private final InferenceGateway gateway;
    private final BooleanSupplier ready;
    private final String version;
    private final List<String> extensions;
    private final io.plugboard.api.RequestMemory memory;

    InferenceGrpcService(ModelRegistry registry, InferenceGateway gateway, BooleanSupplier ready, String version,
            List<String> extensions, io.plugboard.api.RequestMemory memory) {
        this.memory = memory;
        this.registry = registry;
        this.gateway = gateway;
        this.ready = ready;
        this.version = version;
        this.extensions = List.copyOf(extensions);
    }

    @Override
    public void serverLive(ServerLiveRequest request, StreamObserver<ServerLiveResponse> out) {
        answer(out, () -> ServerLiveResponse.newBuilder().setLive(true).build());
    }

    @Override
    public void serverReady(ServerReadyRequest request, StreamObserver<ServerReadyResponse> out) {
        answer(out, () -> ServerReadyResponse.newBuilder().setReady(ready.getAsBoolean()).build());
    }

    @Override
    public void serverMetadata(ServerMetadataRequest request, StreamObserver<ServerMetadataResponse> out) {
        answer(out, () -> ServerMetadataResponse.newBuilder().setName("plugboard").setVersion(version)
                .addAllExtensions(extensions).build());
    }

    @Override
    public void modelReady(ModelReadyRequest request, StreamObserver<ModelReadyResponse> out) {
        answer(out, () -> {
            ModelVersions entry = registry.require(request.getName());
            Integer v = version(request.getVersion());
            boolean isReady = v == null ? entry.serving().isPresent()
                    : entry.requireVersion(v).state() == ModelState.READY;
            return ModelReadyResponse.newBuilder().setReady(isReady).build();
        });
    }

    @Override
    public void modelMetadata(ModelMetadataRequest request, StreamObserver<ModelMetadataResponse> out) {
        answer(out, () -> {
            ModelVersions entry = registry.require(request.getName());
            ServedModel model = entry.shown(version(request.getVersion()));
            ModelMetadataResponse.Builder metadata = ModelMetadataResponse.newBuilder().setName(request.getName())
                    .setPlatform(Platforms.of(model.record().format()));
            entry.all().forEach(m -> metadata.addVersions(Integer.toString(m.version())));
            var signature = model.signature();
            if (signature != null) {
                signature.inputs().forEach(s -> metadata.addInputs(tensor(s)));
                signature.outputs().forEach(s -> metadata.addOutputs(tensor(s)));
            }
            return metadata.build();
        });
    }

    /**
     * One inference. The message (already received) and the tensors decoded from it are charged to
     * the request-memory budget REST requests share ({@code plugboard.limits.request-memory}) until
     * the answer is built: past it, {@code RESOURCE_EXHAUSTED}.
     */
    @Override
    public void modelInfer(ModelInferRequest request, StreamObserver<ModelInferResponse> out) {
        try (io.plugboard.api.RequestMemory.Lease lease = memory.open()) {
            answer(out, () -> {
                lease.charge(2L * request.getSerializedSize());
                return infer(request);
            });
        }
    }

    private ModelInferResponse infer(ModelInferRequest request) {
        {
            Map<String, Tensor> inputs = GrpcTensors.inputs(request);
            List<String> outputs = request.getOutputsList().stream()
                    .map(ModelInferRequest.InferRequestedOutputTensor::getName).toList();
            InferenceRequest inference = new InferenceRequest(request.getId().isEmpty() ? null : request.getId(),
                    inputs, outputs, timeout(request.getParametersMap()));
            InferenceResult result = gateway.infer(request.getModelName(), version(request.getModelVersion()),
                    inference, PROTOCOL, deadline());
            ModelInferResponse.Builder response = ModelInferResponse.newBuilder()
                    .setModelName(result.modelName()).setModelVersion(result.modelVersion());
            if (!request.getId().isEmpty()) {
                response.setId(request.getId());
            }
            GrpcTensors.outputs(result.outputs(), request.getRawInputContentsCount() > 0, response);
            return response.build();
        }
    }

    /** The request's {@code timeout} parameter (microseconds, as Triton's clients send it), if any. */
    private static Duration timeout(Map<String, InferParameter> parameters) {
        InferParameter timeout = parameters.get("timeout");
        if (timeout == null) {
            return null;
        }
        long micros = switch (timeout.getParameterChoiceCase()) {
            case INT64_PARAM -> timeout.getInt64Param();
            case UINT64_PARAM -> timeout.getUint64Param();
            default -> throw new PlugboardException(ProblemType.INVALID_PARAMETER,
                    "The 'timeout' parameter must be an integer number of microseconds.", Map.of("parameter", "timeout"));
        };
        if (micros <= 0) {
            throw new PlugboardException(ProblemType.INVALID_PARAMETER, "The 'timeout' parameter must be positive.",
                    Map.of("parameter", "timeout"));
        }
        return Duration.ofNanos(Math.multiplyExact(Math.min(micros, Long.MAX_VALUE / 1000), 1000L));
    }

    /** What is left of the call's deadline, or null without one. */
    private static Duration deadline() {
        Deadline deadline = Context.current().getDeadline();
        if (deadline == null) {
            return null;
        }
        long left = deadline.timeRemaining(TimeUnit.NANOSECONDS);
        if (left <= 0) {
            throw new PlugboardException(ProblemType.TIMEOUT, "The call's deadline passed before inference began.");
        }
        return Duration.ofNanos(left);
    }

    private static Integer version(String version) {
        if (version == null || version.isEmpty()) {
            return null;
        }
        try {
            return Integer.parseInt(version);
        } catch (NumberFormatException e) {
            throw new PlugboardException(ProblemType.VERSION_NOT_FOUND, "Version '" + version
                    + "' is not a version number.");
        }
    }

    private static ModelMetadataResponse.TensorMetadata tensor(TensorSpec spec) {
        ModelMetadataResponse.TensorMetadata.Builder t = ModelMetadataResponse.TensorMetadata.newBuilder()
                .setName(spec.name()).setDatatype(spec.datatype() == null ? "" : spec.datatype().name());
        long[] shape = spec.shape();
        if (shape != null) {
            for (long d : shape) {
                t.addShape(d);
            }
        }
        return t.build();
    }

    private static <T> void answer(StreamObserver<T> out, Supplier<T> work) {
        T response;
        try {
            response = work.get();
        } catch (RuntimeException e) {
            out.onError(GrpcProblems.status(e));
            return;
        }
        out.onNext(response);
        out.onCompleted();
    }
}
