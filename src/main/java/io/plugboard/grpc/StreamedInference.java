package io.plugboard.grpc;

import io.grpc.MethodDescriptor;
import io.grpc.ServerMethodDefinition;
import io.grpc.Status;
import io.grpc.protobuf.ProtoUtils;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.ServerCalls;
import io.grpc.stub.StreamObserver;
import io.plugboard.grpc.proto.GRPCInferenceServiceGrpc;
import io.plugboard.grpc.proto.InferParameter;
import io.plugboard.grpc.proto.ModelInferRequest;
import io.plugboard.grpc.proto.ModelInferResponse;
import io.plugboard.grpc.proto.ModelStreamInferResponse;
import java.util.List;

/**
 * Triton's {@code ModelStreamInfer}: a bidirectional stream of {@code ModelInferRequest}s, each
 * answered as {@code ModelInfer} answers it (same pools, limits, statistics and metrics), in the
 * order the answers complete. A request that fails does not end the stream: its answer carries the
 * failure in {@code error_message}, with the request's model, version and id, as tritonclient's
 * stream callbacks expect. At most {@link #IN_FLIGHT} requests of one stream are read ahead of
 * their answers, and no more are read while the client is not taking answers, so a stream holds
 * no more than that whatever the client sends. Requests still queued when the client cancels the
 * stream are abandoned, as a cancelled {@code ModelInfer} is. With the request parameter
 * {@code triton_enable_empty_final_response}, each answer carries {@code triton_final_response}
 * (every model here gives one answer per request).
 */
final class StreamedInference {

    /** Requests of one stream read and not yet answered, at most. */
    static final int IN_FLIGHT = 64;
    static final String METHOD = "ModelStreamInfer";

    private final InferenceGrpcService inference;
    private final io.plugboard.api.RequestMemory memory;

    StreamedInference(InferenceGrpcService inference, io.plugboard.api.RequestMemory memory) {
        this.inference = inference;
        this.memory = memory;
    }

    /** The method, with requests parsed as {@code ModelInfer}'s are ({@link ModelInferParsing}). */
    ServerMethodDefinition<ModelInferParsing.Parsed, ModelStreamInferResponse> method() {
        MethodDescriptor<ModelInferParsing.Parsed, ModelStreamInferResponse> descriptor =
                MethodDescriptor.<ModelInferParsing.Parsed, ModelStreamInferResponse>newBuilder()
                        .setType(MethodDescriptor.MethodType.BIDI_STREAMING)
                        .setFullMethodName(ExtensionCalls.fullName(METHOD))
                        .setRequestMarshaller(ModelInferParsing.marshaller(
                                GRPCInferenceServiceGrpc.getModelInferMethod().getRequestMarshaller(), memory))
                        .setResponseMarshaller(ProtoUtils.marshaller(ModelStreamInferResponse.getDefaultInstance()))
                        .build();
        return ServerMethodDefinition.create(descriptor, ServerCalls.asyncBidiStreamingCall(
                out -> new Stream((ServerCallStreamObserver<ModelStreamInferResponse>) out)));
    }

    /** One client's stream: what it has read ahead, and whether it may end. */
    private final class Stream implements StreamObserver<ModelInferParsing.Parsed> {

        private final ServerCallStreamObserver<ModelStreamInferResponse> out;
        /** How to abandon each queued request, until its answer comes. */
        private final java.util.Set<Runnable> abandons = new java.util.HashSet<>();
        private int pending;
        private int owed;
        private boolean halfClosed;
        private boolean ended;

        Stream(ServerCallStreamObserver<ModelStreamInferResponse> out) {
            this.out = out;
            out.disableAutoRequest();
            out.setOnCancelHandler(this::abandon);
            out.setOnReadyHandler(this::readMore);
            out.request(IN_FLIGHT);
        }

        @Override
        public void onNext(ModelInferParsing.Parsed parsed) {
            synchronized (this) {
                pending++;
            }
            if (parsed.failure() != null) {
                answer(ModelStreamInferResponse.newBuilder().setErrorMessage(message(parsed.failure().getStatus())).build());
                return;
            }
            ModelInferRequest request = parsed.request();
            inference.modelInfer(request, parsed.lease(), new Answer(request));
        }

        @Override
        public void onError(Throwable t) {
            abandon(); // the client cancelled or the transport failed
        }

        /** Nobody will take the answers: queued requests are abandoned, answers still running dropped. */
        private void abandon() {
            List<Runnable> queued;
            synchronized (this) {
                ended = true;
                queued = List.copyOf(abandons);
                abandons.clear();
            }
            queued.forEach(Runnable::run);
        }

        @Override
        public void onCompleted() {
            synchronized (this) {
                halfClosed = true;
                if (pending == 0 && !ended) {
                    ended = true;
                    out.onCompleted();
                }
            }
        }

        /** Sends one request's answer; the stream ends after the last one once the client has half-closed. */
        synchronized void answer(ModelStreamInferResponse response) {
            pending--;
            if (ended) {
                return;
            }
            out.onNext(response);
            if (halfClosed && pending == 0) {
                ended = true;
                out.onCompleted();
            } else if (out.isReady()) {
                out.request(1);
            } else {
                owed++; // read once the client takes answers again
            }
        }

        private synchronized void readMore() {
            if (owed > 0 && !ended) {
                out.request(owed);
                owed = 0;
            }
        }

        /** One request's answer, as {@code ModelInfer} gives it, turned into a stream message. */
        private final class Answer implements StreamObserver<ModelInferResponse>, InferenceGrpcService.Abandonable {

            private final ModelInferRequest request;
            private ModelInferResponse response;
            private Runnable abandon;

            Answer(ModelInferRequest request) {
                this.request = request;
            }

            @Override
            public void whenAbandoned(Runnable abandon) {
                synchronized (Stream.this) {
                    if (!ended) {
                        this.abandon = abandon;
                        abandons.add(abandon);
                        return;
                    }
                }
                abandon.run();
            }

            private void answered(ModelStreamInferResponse message) {
                synchronized (Stream.this) {
                    if (abandon != null) {
                        abandons.remove(abandon);
                    }
                    answer(message);
                }
            }

            @Override
            public void onNext(ModelInferResponse value) {
                response = finalFlagged(request, value);
            }

            @Override
            public void onError(Throwable t) {
                ModelInferResponse.Builder which = ModelInferResponse.newBuilder().setModelName(request.getModelName())
                        .setModelVersion(request.getModelVersion()).setId(request.getId());
                answered(ModelStreamInferResponse.newBuilder().setErrorMessage(message(Status.fromThrowable(t)))
                        .setInferResponse(finalFlagged(request, which.build())).build());
            }

            @Override
            public void onCompleted() {
                answered(ModelStreamInferResponse.newBuilder().setInferResponse(response).build());
            }
        }
    }

    private static String message(Status status) {
        return status.getDescription() != null ? status.getDescription() : status.getCode().name();
    }

    /** {@code response}, marked final when the request asked for Triton's final-response flag. */
    private static ModelInferResponse finalFlagged(ModelInferRequest request, ModelInferResponse response) {
        InferParameter asked = request.getParametersMap().get("triton_enable_empty_final_response");
        if (asked == null || !asked.getBoolParam()) {
            return response;
        }
        return response.toBuilder().putParameters("triton_final_response",
                InferParameter.newBuilder().setBoolParam(true).build()).build();
    }
}
