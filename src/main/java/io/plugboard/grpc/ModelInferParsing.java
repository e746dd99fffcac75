package io.plugboard.grpc;

import io.grpc.Context;
import io.grpc.KnownLength;
import io.grpc.MethodDescriptor;
import io.grpc.ServerMethodDefinition;
import io.grpc.ServerServiceDefinition;
import io.grpc.ServiceDescriptor;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ServerCalls;
import io.plugboard.api.ChargedInputStream;
import io.plugboard.api.RequestMemory;
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

    /** A parsed request and the lease its message is charged to, or why it could not be parsed. */
    record Parsed(ModelInferRequest request, StatusRuntimeException failure, RequestMemory.Lease lease) {
    }

    private ModelInferParsing() {
    }

    /**
     * {@code bound} (the inference service) with {@code ModelInfer} parsed as above, charged to
     * {@code memory}, and run by {@code service}.
     */
    static ServerServiceDefinition tolerant(ServerServiceDefinition bound, InferenceGrpcService service,
            RequestMemory memory) {
        MethodDescriptor<ModelInferRequest, ModelInferResponse> original = GRPCInferenceServiceGrpc.getModelInferMethod();
        MethodDescriptor<Parsed, ModelInferResponse> infer = original.toBuilder(
                marshaller(original.getRequestMarshaller(), memory), original.getResponseMarshaller()).build();
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
                service.modelInfer(call.request(), call.lease(), out);
            }
        }));
        return definition.build();
    }

    /**
     * {@code proto} made tolerant: a message it cannot parse becomes a {@link Parsed} failure. Each
     * message is charged to {@code memory} before it is parsed, twice its size (the parsed message
     * and the tensors decoded from it; a compressed one as it inflates), so that messages waiting
     * for their call to go on (a unary call not yet half-closed, a stream's next request) hold no
     * more of the heap than the budget: past it, {@code RESOURCE_EXHAUSTED} without parsing. The
     * charge is given back by the call that answers it, or when the call ends.
     */
    static MethodDescriptor.Marshaller<Parsed> marshaller(MethodDescriptor.Marshaller<ModelInferRequest> proto,
            RequestMemory memory) {
        return new MethodDescriptor.Marshaller<>() {
            @Override
            public InputStream stream(Parsed value) {
                return proto.stream(value.request());
            }

            @Override
            public Parsed parse(InputStream stream) {
                RequestMemory.Lease lease = memory.open();
                try {
                    InputStream charged = stream;
                    if (stream instanceof KnownLength) {
                        lease.charge(2L * stream.available());
                    } else {
                        charged = new ChargedInputStream(stream, lease, 2);
                    }
                    ModelInferRequest request = proto.parse(charged);
                    givenBackWhenTheCallEnds(lease);
                    return new Parsed(request, null, lease);
                } catch (StatusRuntimeException e) {
                    lease.close();
                    boolean tooLarge = e.getStatus().getCode() == Status.Code.RESOURCE_EXHAUSTED;
                    return new Parsed(null, GrpcProblems.status(new PlugboardException(
                            tooLarge ? ProblemType.PAYLOAD_TOO_LARGE : ProblemType.MALFORMED_REQUEST,
                            (tooLarge ? "The message is too large (plugboard.grpc.max-message-size, or inflating "
                                    + "past its ratio): " : "The message is not a valid ModelInferRequest: ")
                                    + e.getStatus().getDescription())), null);
                } catch (PlugboardException e) { // the request-memory budget
                    lease.close();
                    return new Parsed(null, GrpcProblems.status(e), null);
                } catch (java.io.IOException e) {
                    lease.close();
                    return new Parsed(null, GrpcProblems.status(new PlugboardException(ProblemType.MALFORMED_REQUEST,
                            "The message could not be read: " + e.getMessage())), null);
                }
            }
        };
    }

    /**
     * Gives {@code lease} back when the call whose message it charged ends (the call's context is
     * cancelled then, answered or not), unless it was given back before: a unary call cancelled
     * before its handler ran never closes it otherwise.
     */
    private static void givenBackWhenTheCallEnds(RequestMemory.Lease lease) {
        Context call = Context.current();
        Context.CancellationListener giveBack = ended -> lease.close();
        call.addListener(giveBack, Runnable::run);
        lease.whenClosed(() -> call.removeListener(giveBack));
    }
}
