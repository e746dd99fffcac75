package io.plugboard.grpc;

import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import io.plugboard.security.Caller;
import io.plugboard.security.Scope;
import io.plugboard.security.TokenRegistry;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The REST API's bearer tokens on gRPC: the {@code authorization} metadata carries
 * {@code Bearer <token>}. Liveness, readiness, health and reflection are open; model readiness and
 * metadata, configuration, statistics and the repository index need {@code read}; inference needs
 * {@code infer}; loading and unloading need {@code admin}, as over REST. A call without a token gets the
 * anonymous scopes.
 */
final class GrpcAuthorization implements ServerInterceptor {

    static final Metadata.Key<String> AUTHORIZATION = Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);
    private static final String PREFIX = "Bearer ";
    private static final String SERVICE = "inference.GRPCInferenceService/";
    private static final Map<String, Scope> REQUIRED = Map.of(
            SERVICE + "ModelReady", Scope.READ,
            SERVICE + "ServerMetadata", Scope.READ,
            SERVICE + "ModelMetadata", Scope.READ,
            SERVICE + "ModelInfer", Scope.INFER,
            SERVICE + "ModelStreamInfer", Scope.INFER,
            SERVICE + "ModelConfig", Scope.READ,
            SERVICE + "ModelStatistics", Scope.READ,
            SERVICE + "RepositoryIndex", Scope.READ,
            SERVICE + "RepositoryModelLoad", Scope.ADMIN,
            SERVICE + "RepositoryModelUnload", Scope.ADMIN);

    private final TokenRegistry tokens;
    private final Set<Scope> anonymous;

    GrpcAuthorization(TokenRegistry tokens, Set<Scope> anonymous) {
        this.tokens = tokens;
        this.anonymous = Set.copyOf(anonymous);
    }

    @Override
    public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers,
            ServerCallHandler<Q, R> next) {
        Scope required = REQUIRED.get(call.getMethodDescriptor().getFullMethodName());
        if (required == null) {
            return next.startCall(call, headers);
        }
        String header = headers.get(AUTHORIZATION);
        Set<Scope> granted;
        if (header == null) {
            granted = anonymous;
        } else {
            Optional<Caller> caller = header.regionMatches(true, 0, PREFIX, 0, PREFIX.length())
                    ? tokens.find(header.substring(PREFIX.length()).strip()) : Optional.empty();
            if (caller.isEmpty()) {
                call.close(Status.UNAUTHENTICATED.withDescription(
                        "The authorization metadata does not carry a known bearer token."), new Metadata());
                return new ServerCall.Listener<>() { };
            }
            granted = caller.get().scopes();
        }
        if (!granted.contains(required)) {
            Status status = header == null
                    ? Status.UNAUTHENTICATED.withDescription("This call needs a bearer token with the '" + required.id()
                            + "' scope in the authorization metadata.")
                    : Status.PERMISSION_DENIED.withDescription("The token lacks the '" + required.id() + "' scope.");
            call.close(status, new Metadata());
            return new ServerCall.Listener<>() { };
        }
        return next.startCall(call, headers);
    }
}
