package io.plugboard.grpc;

import io.grpc.MethodDescriptor;
import io.grpc.ServerMethodDefinition;
import io.grpc.ServerServiceDefinition;
import io.grpc.ServiceDescriptor;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ServerCalls;
import io.plugboard.grpc.proto.GRPCInferenceServiceGrpc;
import io.plugboard.grpc.proto.ModelInferRequest;
import io.plugboard.grpc.proto.ModelInferResponse;
import io.plugboard.problem.PlugboardException;
import io.plugboard.problem.ProblemType;
import java.io.InputStream;

/**
 * {@code ModelInfer} with a message that cannot be parsed (bytes that are no protobuf, a
 * compressed message that inflates past the size limit) answered as a client's mistake:
 * {@code INVALID_ARGUMENT} or {@code RESOURCE_EXHAUSTED} with the problem type, as any other bad
 * request. grpc-java itself would end such a call with {@code UNKNOWN} and log an error with a stack
 * trace for each, which a hostile client could repeat at will. The method keeps its name, messages
 * and schema, so clients and reflection see no difference.
 */
final class ModelInferParsing {

    /** A parsed request, or why it could not be parsed. */
    record Parsed(ModelInferRequest request, StatusRuntimeException failure) {
    }

    private ModelInferParsing() {
    }

    /** {@code bound} (the inference service) with {@code ModelInfer} parsed as above and run by {@code service}. */
    static ServerServiceDefinition tolerant(ServerServiceDefinition bound, InferenceGrpcService service) {
        MethodDescriptor<ModelInferRequest, ModelInferResponse> original = GRPCInferenceServiceGrpc.getModelInferMethod();
        MethodDescriptor<Parsed, ModelInferResponse> infer = original.toBuilder(marshaller(original.getRequestMarshaller()),
                original.getResponseMarshaller()).build();
        ServiceDescriptor descriptor = bound.getServiceDescriptor();
        ServiceDescriptor.Builder methods = ServiceDescriptor.newBuilder(descriptor.getName())
                .setSchemaDescriptor(descriptor.getSchemaDescriptor());
        for (MethodDescriptor<?, ?> method : descriptor.getMethods()) {
            methods.addMethod(method.getFullMethodName().equals(original.getFullMethodName()) ? infer : method);
        }
        ServerServiceDefinition.Builder definition = ServerServiceDefinition.builder(methods.build());
        for (ServerMethodDefinition<?, ?> method : bound.getMethods()) {
            if (!method.getMethodDescriptor().getFullMethodName().equals(original.getFullMethodName())) {
                definition.addMethod(method);
            }
        }
        definition.addMethod(infer, ServerCalls.asyncUnaryCall((Parsed call, io.grpc.stub.StreamObserver<ModelInferResponse> out) -> {
            if (call.failure() != null) {
                out.onError(call.failure());
            } else {
                service.modelInfer(call.request(), out);
            }
        }));
        return definition.build();
    }

    /** {@code proto} made tolerant: a message it cannot parse becomes a {@link Parsed} failure. */
    static MethodDescriptor.Marshaller<Parsed> marshaller(MethodDescriptor.Marshaller<ModelInferRequest> proto) {
        return new MethodDescriptor.Marshaller<>() {
            @Override
            public InputStream stream(Parsed value) {
                return proto.stream(value.request());
            }

            @Override
            public Parsed parse(InputStream stream) {
                try {
                    return new Parsed(proto.parse(stream), null);
                } catch (StatusRuntimeException e) {
                    boolean tooLarge = e.getStatus().getCode() == Status.Code.RESOURCE_EXHAUSTED;
                    return new Parsed(null, GrpcProblems.status(new PlugboardException(
                            tooLarge ? ProblemType.PAYLOAD_TOO_LARGE : ProblemType.MALFORMED_REQUEST,
                            (tooLarge ? "The message is too large (plugboard.grpc.max-message-size, or inflating "
                                    + "past its ratio): " : "The message is not a valid ModelInferRequest: ")
                                    + e.getStatus().getDescription())));
                }
            }
        };
    }
}
