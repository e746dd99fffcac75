package io.plugboard.grpc;

import com.google.protobuf.Message;
import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.MethodDescriptor;
import io.grpc.protobuf.ProtoUtils;
import io.grpc.stub.ClientCalls;

/** A client of Triton's extension methods, built as tritonclient builds them: by name and messages. */
final class TritonCalls {

    private TritonCalls() {
    }

    static <Q extends Message, R extends Message> R call(Channel channel, CallOptions options, String method,
            Q request, R response) {
        MethodDescriptor<Q, R> descriptor = MethodDescriptor.<Q, R>newBuilder()
                .setType(MethodDescriptor.MethodType.UNARY)
                .setFullMethodName("inference.GRPCInferenceService/" + method)
                .setRequestMarshaller(ProtoUtils.marshaller(request))
                .setResponseMarshaller(ProtoUtils.marshaller(response)).build();
        return ClientCalls.blockingUnaryCall(channel, descriptor, options, request);
    }

    /** Opens Triton's {@code ModelStreamInfer}, as tritonclient's stream does; answers go to {@code answers}. */
    static io.grpc.stub.StreamObserver<io.plugboard.grpc.proto.ModelInferRequest> stream(Channel channel,
            io.grpc.stub.StreamObserver<io.plugboard.grpc.proto.ModelStreamInferResponse> answers) {
        MethodDescriptor<io.plugboard.grpc.proto.ModelInferRequest, io.plugboard.grpc.proto.ModelStreamInferResponse>
                descriptor = MethodDescriptor.<io.plugboard.grpc.proto.ModelInferRequest,
                        io.plugboard.grpc.proto.ModelStreamInferResponse>newBuilder()
                .setType(MethodDescriptor.MethodType.BIDI_STREAMING)
                .setFullMethodName("inference.GRPCInferenceService/ModelStreamInfer")
                .setRequestMarshaller(ProtoUtils.marshaller(io.plugboard.grpc.proto.ModelInferRequest.getDefaultInstance()))
                .setResponseMarshaller(ProtoUtils.marshaller(
                        io.plugboard.grpc.proto.ModelStreamInferResponse.getDefaultInstance())).build();
        return ClientCalls.asyncBidiStreamingCall(channel.newCall(descriptor, CallOptions.DEFAULT), answers);
    }
}
