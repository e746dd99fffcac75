package io.plugboard.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.ServerInterceptors;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.MetadataUtils;
import io.plugboard.grpc.proto.GRPCInferenceServiceGrpc;
import io.plugboard.grpc.proto.ModelConfigRequest;
import io.plugboard.grpc.proto.ModelInferRequest;
import io.plugboard.grpc.proto.ModelMetadataRequest;
import io.plugboard.grpc.proto.RepositoryIndexRequest;
import io.plugboard.grpc.proto.RepositoryIndexResponse;
import io.plugboard.grpc.proto.ServerLiveRequest;
import io.plugboard.model.ModelRegistry;
import io.plugboard.security.Scope;
import io.plugboard.security.TokenRegistry;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The REST API's bearer tokens and scopes on gRPC, through a real server and client. */
class GrpcAuthorizationTest {

    // SHA-256 of "reader-token" and "infer-token"
    private static final String READER = "reader-token";
    private static final String INFERRER = "infer-token";

    private Server server;
    private ManagedChannel channel;

    @BeforeEach
    void start() throws Exception {
        TokenRegistry tokens = new TokenRegistry(List.of(
                TokenRegistry.entry("reader", sha256(READER), List.of("read")),
                TokenRegistry.entry("inferrer", sha256(INFERRER), List.of("infer"))));
        io.plugboard.api.RequestMemory memory = new io.plugboard.api.RequestMemory(1 << 20);
        InferenceGrpcService service = new InferenceGrpcService(new ModelRegistry(), null, () -> true, "test",
                List.of(), memory, Runnable::run);
        server = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
                .addService(ServerInterceptors.intercept(new ExtensionCalls(new ModelRegistry(), null, new StreamedInference(service, memory))
                        .addTo(service.bindService()), new GrpcAuthorization(tokens, Set.<Scope>of())))
                .build().start();
        channel = NettyChannelBuilder.forAddress("127.0.0.1", server.getPort()).usePlaintext().build();
    }

    @AfterEach
    void stop() throws InterruptedException {
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }

    private GRPCInferenceServiceGrpc.GRPCInferenceServiceBlockingStub as(String token) {
        var stub = GRPCInferenceServiceGrpc.newBlockingStub(channel);
        if (token == null) {
            return stub;
        }
        return stub.withInterceptors(MetadataUtils.newAttachHeadersInterceptor(bearerHeaders(token)));
    }

    @Test
    void livenessIsOpenEverythingElseNeedsItsScope() {
        assertThat(as(null).serverLive(ServerLiveRequest.getDefaultInstance()).getLive()).isTrue();
        ModelMetadataRequest metadata = ModelMetadataRequest.newBuilder().setName("absent").build();
        ModelInferRequest infer = ModelInferRequest.newBuilder().setModelName("absent").build();

        assertCode(() -> as(null).modelMetadata(metadata), Status.Code.UNAUTHENTICATED);
        assertCode(() -> as("wrong").modelMetadata(metadata), Status.Code.UNAUTHENTICATED);
        // authorised: the call reaches the service, which knows no such model
        assertCode(() -> as(READER).modelMetadata(metadata), Status.Code.NOT_FOUND);
        assertCode(() -> as(READER).modelInfer(infer), Status.Code.PERMISSION_DENIED);
        assertCode(() -> as(INFERRER).modelMetadata(metadata), Status.Code.NOT_FOUND);
    }

    @Test
    void tritonsExtensionsNeedReadAndLoadingNeedsAdmin() {
        for (String method : List.of("ModelConfig", "ModelStatistics", "RepositoryIndex")) {
            assertCode(() -> triton(null, method, ModelConfigRequest.newBuilder().setName("absent").build()),
                    Status.Code.UNAUTHENTICATED);
        }
        assertCode(() -> triton(READER, "ModelConfig", ModelConfigRequest.newBuilder().setName("absent").build()),
                Status.Code.NOT_FOUND);
        assertCode(() -> triton(INFERRER, "ModelStatistics", ModelConfigRequest.newBuilder().setName("absent").build()),
                Status.Code.NOT_FOUND);
        assertThat(TritonCalls.call(channel, io.grpc.CallOptions.DEFAULT.withCallCredentials(bearer(READER)),
                "RepositoryIndex", RepositoryIndexRequest.getDefaultInstance(),
                RepositoryIndexResponse.getDefaultInstance()).getModelsCount()).isZero();
        for (String method : List.of("RepositoryModelLoad", "RepositoryModelUnload")) {
            assertCode(() -> triton(null, method, ModelConfigRequest.getDefaultInstance()), Status.Code.UNAUTHENTICATED);
            assertCode(() -> triton(READER, method, ModelConfigRequest.getDefaultInstance()),
                    Status.Code.PERMISSION_DENIED);
            assertCode(() -> triton(INFERRER, method, ModelConfigRequest.getDefaultInstance()),
                    Status.Code.PERMISSION_DENIED);
        }
    }

    @Test
    void tritonsStreamNeedsInfer() throws Exception {
        assertThat(streamEnds(null)).isEqualTo(Status.Code.UNAUTHENTICATED);
        assertThat(streamEnds("wrong")).isEqualTo(Status.Code.UNAUTHENTICATED);
        assertThat(streamEnds(READER)).isEqualTo(Status.Code.PERMISSION_DENIED);
        assertThat(streamEnds(INFERRER)).isEqualTo(Status.Code.OK);
    }

    /** How a stream opened with {@code token} and closed at once without requests ends. */
    private Status.Code streamEnds(String token) throws Exception {
        java.util.concurrent.CompletableFuture<Status.Code> ended = new java.util.concurrent.CompletableFuture<>();
        io.grpc.Channel authorised = token == null ? channel : io.grpc.ClientInterceptors.intercept(channel,
                MetadataUtils.newAttachHeadersInterceptor(bearerHeaders(token)));
        var requests = TritonCalls.stream(authorised, new io.grpc.stub.StreamObserver<>() {
            @Override
            public void onNext(io.plugboard.grpc.proto.ModelStreamInferResponse value) {
            }

            @Override
            public void onError(Throwable t) {
                ended.complete(Status.fromThrowable(t).getCode());
            }

            @Override
            public void onCompleted() {
                ended.complete(Status.Code.OK);
            }
        });
        requests.onCompleted();
        return ended.get(10, TimeUnit.SECONDS);
    }

    private static Metadata bearerHeaders(String token) {
        Metadata headers = new Metadata();
        headers.put(GrpcAuthorization.AUTHORIZATION, "Bearer " + token);
        return headers;
    }

    /** An extension method called with {@code request} (its fields are read by number, as any client's). */
    private void triton(String token, String method, com.google.protobuf.Message request) {
        io.grpc.CallOptions options = token == null ? io.grpc.CallOptions.DEFAULT
                : io.grpc.CallOptions.DEFAULT.withCallCredentials(bearer(token));
        TritonCalls.call(channel, options, method, request, com.google.protobuf.Empty.getDefaultInstance());
    }

    private static io.grpc.CallCredentials bearer(String token) {
        return new io.grpc.CallCredentials() {
            @Override
            public void applyRequestMetadata(RequestInfo info, java.util.concurrent.Executor executor, MetadataApplier apply) {
                apply.apply(bearerHeaders(token));
            }
        };
    }

    private static void assertCode(Runnable call, Status.Code code) {
        assertThatThrownBy(call::run).isInstanceOfSatisfying(StatusRuntimeException.class,
                e -> assertThat(e.getStatus().getCode()).isEqualTo(code));
    }

    private static String sha256(String token) throws Exception {
        return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256")
                .digest(token.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
    }
}
