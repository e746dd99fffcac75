package io.plugboard.grpc;

import io.grpc.Context;
import io.grpc.Deadline;
import io.grpc.stub.ServerCallStreamObserver;
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
    /** The largest message decoded and answered on the transport thread; larger ones are handed over. */
    static final int AT_ONCE_MAX_BYTES = 1 << 20;
    /**
     * Outputs above this many bytes are answered from a call thread rather than the engine's own,
     * which would otherwise copy them into the message while its instance waits.
     */
    static final int LARGE_ANSWER_BYTES = 256 << 10;

    private final ModelRegistry registry;
    private final InferenceGateway gateway;
    private final BooleanSupplier ready;
    private final String version;
    private final List<String> extensions;
    private final io.plugboard.api.RequestMemory memory;
    private final java.util.concurrent.Executor waiting;

    /**
     * @param waiting runs the calls that may wait (see {@link #modelInfer})
     */
    InferenceGrpcService(ModelRegistry registry, InferenceGateway gateway, BooleanSupplier ready, String version,
            List<String> extensions, io.plugboard.api.RequestMemory memory, java.util.concurrent.Executor waiting) {
        this.memory = memory;
        this.waiting = waiting;
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
     * One inference, begun on the transport thread that received it. A call the model can answer
     * at once (known here, idle, a short typical run, a message of at most {@link #AT_ONCE_MAX_BYTES})
     * is answered there, without a thread hand-off. Another call of at most that size for a model
     * known here joins the model's queue with no thread waiting for it, and is answered by the
     * thread that completes it ({@link #answerLater}). The rest (larger messages, models loaded
     * from a shared store on demand) go to a call thread that may wait. The message and the tensors decoded from it
     * are charged to the request-memory budget REST requests share
     * ({@code plugboard.limits.request-memory}) until the answer is built: past it,
     * {@code RESOURCE_EXHAUSTED}.
     */
    @Override
    public void modelInfer(ModelInferRequest request, StreamObserver<ModelInferResponse> out) {
        modelInfer(request, null, out);
    }

    /**
     * As {@link #modelInfer(ModelInferRequest, StreamObserver)}, for a message already charged to
     * {@code charged} as it was parsed ({@link ModelInferParsing}); null to charge it here.
     */
    void modelInfer(ModelInferRequest request, io.plugboard.api.RequestMemory.Lease charged,
            StreamObserver<ModelInferResponse> out) {
        io.plugboard.api.RequestMemory.Lease lease = charged != null ? charged : memory.open();
        boolean handedOver = false;
        ModelInferResponse atOnce = null;
        try {
            long started = gateway.nanoTime();
            int size = request.getSerializedSize();
            if (charged == null) {
                lease.charge(2L * size);
            }
            Call decoded = null;
            if (size <= AT_ONCE_MAX_BYTES) {
                decoded = decode(request);
                InferenceResult result = gateway.inferAtOnce(request.getModelName(), decoded.version(),
                        decoded.inference(), PROTOCOL, deadline());
                if (result != null) {
                    atOnce = response(request, result);
                    return;
                }
            }
            if (decoded != null) {
                java.util.concurrent.CompletableFuture<InferenceResult> later = gateway.inferLater(
                        request.getModelName(), decoded.version(), decoded.inference(), PROTOCOL, deadline(), started);
                if (later != null) {
                    handedOver = true; // the lease closes once the answer is sent
                    if (out instanceof ServerCallStreamObserver<ModelInferResponse> call) {
                        call.setOnCancelHandler(() -> later.cancel(false)); // the client went away: abandoned
                    } else if (out instanceof Abandonable answer) {
                        answer.whenAbandoned(() -> later.cancel(false));
                    }
                    later.whenComplete((result, failure) -> answerLater(out, request, lease, result, failure));
                    return;
                }
            }
            Call early = decoded;
            Runnable rest = Context.current().wrap(() -> {
                try (lease) {
                    answer(out, () -> {
                        Call call = early != null ? early : decode(request);
                        return response(request, gateway.infer(request.getModelName(), call.version(),
                                call.inference(), PROTOCOL, deadline(), started));
                    });
                }
            });
            try {
                waiting.execute(rest);
                handedOver = true;
            } catch (java.util.concurrent.RejectedExecutionException e) {
                out.onError(io.grpc.Status.UNAVAILABLE.withDescription("The server is shutting down.")
                        .asRuntimeException());
            }
        } catch (RuntimeException | Error e) { // an Error too: this thread is the transport's, shared by every connection
            out.onError(GrpcProblems.status(e));
        } finally {
            try {
                if (atOnce != null) {
                    reply(out, atOnce); // serialised while still charged
                }
            } finally {
                if (!handedOver) {
                    lease.close();
                }
            }
        }
    }

    /**
     * Answers a queued call on the thread that completed it (the engine's, normally): no thread
     * waits for it meanwhile. An answer of more than {@link #LARGE_ANSWER_BYTES} of outputs is built
     * and sent on a call thread instead, so the engine's thread (and the instance it holds) moves
     * on to the next call.
     */
    private void answerLater(StreamObserver<ModelInferResponse> out, ModelInferRequest request,
            io.plugboard.api.RequestMemory.Lease lease, InferenceResult result, Throwable failure) {
        if (failure instanceof java.util.concurrent.CancellationException) {
            lease.close(); // cancelled by the client: nobody to answer
            return;
        }
        if (failure == null && Tensor.byteSize(result.outputs().values()) > LARGE_ANSWER_BYTES) {
            try {
                waiting.execute(() -> send(out, request, lease, result, null));
                return;
            } catch (java.util.concurrent.RejectedExecutionException e) {
                // shutting down: answer here
            }
        }
        send(out, request, lease, result, failure);
    }

    private static void send(StreamObserver<ModelInferResponse> out, ModelInferRequest request,
            io.plugboard.api.RequestMemory.Lease lease, InferenceResult result, Throwable failure) {
        try (lease) {
            if (failure != null) {
                out.onError(GrpcProblems.status(failure instanceof java.util.concurrent.CompletionException c
                        && c.getCause() != null ? c.getCause() : failure));
            } else {
                answer(out, () -> response(request, result));
            }
        }
    }

    /** Where an answer goes that is not a call of its own (a stream's): it says when nobody will take it. */
    interface Abandonable {

        /** Runs {@code abandon} once nobody will take this answer (at once if that is so already). */
        void whenAbandoned(Runnable abandon);
    }

    /** A decoded call: the version asked for (null for the newest) and the request. */
    private record Call(Integer version, InferenceRequest inference) {
    }

    private static Call decode(ModelInferRequest request) {
        Map<String, Tensor> inputs = GrpcTensors.inputs(request);
        InferenceRequest.requireAtMostMaxTensors(request.getOutputsCount(), "outputs");
        List<String> outputs = request.getOutputsList().stream().map(InferenceGrpcService::outputName).toList();
        return new Call(version(request.getModelVersion()), new InferenceRequest(
                request.getId().isEmpty() ? null : request.getId(), inputs, outputs,
                timeout(request.getParametersMap())));
    }

    /** A requested output's name; Triton's classification and shared-memory parameters are refused. */
    private static String outputName(ModelInferRequest.InferRequestedOutputTensor output) {
        output.getParametersMap().keySet().forEach(io.plugboard.api.codec.RequestParameters::refuseUnsupportedOutputParameter);
        return output.getName();
    }

    private static ModelInferResponse response(ModelInferRequest request, InferenceResult result) {
        ModelInferResponse.Builder response = ModelInferResponse.newBuilder()
                .setModelName(result.modelName()).setModelVersion(result.modelVersion());
        if (!request.getId().isEmpty()) {
            response.setId(request.getId());
        }
        GrpcTensors.outputs(result.outputs(), request.getRawInputContentsCount() > 0, response);
        return response.build();
    }

    /**
     * The request's {@code timeout} parameter (microseconds, as Triton's clients send it), if any;
     * 0 means the server's default. Triton's sequence parameters are refused when they name a
     * sequence, as over REST.
     */
    private static Duration timeout(Map<String, InferParameter> parameters) {
        parameters.forEach((name, value) -> {
            if (name.startsWith("sequence_") && !noSequence(value)) {
                throw io.plugboard.api.codec.RequestParameters.sequenceRefused(name);
            }
        });
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
        if (micros < 0) {
            throw new PlugboardException(ProblemType.INVALID_PARAMETER,
                    "The 'timeout' parameter must be positive, or 0 for the server's default.",
                    Map.of("parameter", "timeout"));
        }
        if (micros == 0) {
            return null;
        }
        return Duration.ofNanos(Math.multiplyExact(Math.min(micros, Long.MAX_VALUE / 1000), 1000L));
    }

    private static boolean noSequence(InferParameter value) {
        return switch (value.getParameterChoiceCase()) {
            case BOOL_PARAM -> !value.getBoolParam();
            case INT64_PARAM -> value.getInt64Param() == 0;
            case UINT64_PARAM -> value.getUint64Param() == 0;
            case STRING_PARAM -> value.getStringParam().isEmpty();
            case DOUBLE_PARAM -> value.getDoubleParam() == 0;
            case PARAMETERCHOICE_NOT_SET -> true;
        };
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

    /** A request's version: null when empty, {@code VERSION_NOT_FOUND} when not a number. */
    static Integer version(String version) {
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

    /** Answers with {@code work}'s response, or ends the call with the status of what it threw. */
    static <T> void answer(StreamObserver<T> out, Supplier<T> work) {
        T response;
        try {
            response = work.get();
        } catch (RuntimeException | Error e) { // the call is closed whatever went wrong, never left open
            out.onError(GrpcProblems.status(e));
            return;
        }
        reply(out, response);
    }

    private static <T> void reply(StreamObserver<T> out, T response) {
        out.onNext(response);
        out.onCompleted();
    }
}
