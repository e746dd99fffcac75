package io.plugboard.grpc;

import io.grpc.BindableService;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallExecutorSupplier;
import io.grpc.Server;
import io.grpc.ServerInterceptors;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.protobuf.services.HealthStatusManager;
import io.grpc.protobuf.services.ProtoReflectionService;
import io.grpc.protobuf.services.ProtoReflectionServiceV1;
import io.plugboard.grpc.proto.GRPCInferenceServiceGrpc;
import io.plugboard.model.InferenceGateway;
import io.plugboard.model.ModelRegistry;
import io.plugboard.security.Scope;
import io.plugboard.security.TokenRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;

/**
 * The gRPC endpoint ({@code plugboard.grpc.port}, on the HTTP port's address): the inference
 * service, {@code grpc.health.v1.Health} (SERVING once the server is ready, for the whole server
 * and for {@code inference.GRPCInferenceService}) and server reflection, so grpcurl and
 * Kubernetes gRPC probes work. Inference, liveness, readiness, server metadata and health checks
 * begin on the transport thread (an inference that cannot be answered at once is queued without a
 * thread waiting for it, or moves to a virtual thread when it may wait for a look-up); other
 * calls run on virtual threads. It starts with the web server, before models are restored, and
 * stops after it, letting running calls finish.
 */
public final class GrpcServer implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(GrpcServer.class);
    /** The system property that sets the gRPC transport's (shaded Netty's) buffer leak tracking. */
    static final String LEAK_DETECTION = "io.grpc.netty.shaded.io.netty.leakDetection.level";

    static {
        defaultLeakDetection(System.getProperties());
    }
    private static final String SERVICE = GRPCInferenceServiceGrpc.SERVICE_NAME;
    /** Calls one connection may have open at once; more wait in the client (HTTP/2 stream limit). */
    private static final int MAX_CALLS_PER_CONNECTION = 128;

    /** What the server is built from. */
    public record Settings(boolean enabled, InetAddress address, int port, int maxMessageBytes,
            java.time.Duration drain) {
    }

    /**
     * Methods that begin on the transport thread when their message is not compressed: grpc-java
     * parses the message there, and they answer at once or hand over what may wait themselves
     * ({@link InferenceGrpcService#modelInfer}, for each message of a {@link StreamedInference}
     * too). Every other method (model look-ups that may fetch from a shared store, reflection,
     * health watches) and every compressed call runs on a call thread.
     */
    private static final Set<String> AT_ONCE = Set.of(
            GRPCInferenceServiceGrpc.getModelInferMethod().getFullMethodName(),
            ExtensionCalls.fullName(StreamedInference.METHOD),
            GRPCInferenceServiceGrpc.getServerLiveMethod().getFullMethodName(),
            GRPCInferenceServiceGrpc.getServerReadyMethod().getFullMethodName(),
            GRPCInferenceServiceGrpc.getServerMetadataMethod().getFullMethodName(),
            io.grpc.health.v1.HealthGrpc.getCheckMethod().getFullMethodName());

    private final Settings settings;
    private final InferenceGrpcService inference;
    private final ExtensionCalls extensions;
    private final io.plugboard.api.RequestMemory memory;
    private final GrpcAuthorization authorization;
    private final BooleanSupplier ready;
    private final HealthStatusManager health = new HealthStatusManager();
    private volatile ExecutorService calls;
    private ScheduledExecutorService healthUpdates;
    private volatile Server server;

    public GrpcServer(Settings settings, ModelRegistry registry, InferenceGateway gateway, BooleanSupplier ready,
            String version, List<String> extensions, TokenRegistry tokens, Set<Scope> anonymousScopes,
            io.plugboard.api.RequestMemory memory, io.plugboard.lifecycle.ModelResidency residency) {
        this.settings = settings;
        this.ready = ready;
        this.inference = new InferenceGrpcService(registry, gateway, ready, version, extensions, memory,
                task -> calls.execute(task));
        this.memory = memory;
        this.extensions = new ExtensionCalls(registry, residency, new StreamedInference(inference, memory));
        this.authorization = new GrpcAuthorization(tokens, anonymousScopes);
    }

    @Override
    public synchronized void start() {
        if (server != null || !settings.enabled()) {
            return;
        }
        calls = Executors.newVirtualThreadPerTaskExecutor();
        InetSocketAddress address = settings.address() == null ? new InetSocketAddress(settings.port())
                : new InetSocketAddress(settings.address(), settings.port());
        List<BindableService> open = List.of(health.getHealthService(), ProtoReflectionServiceV1.newInstance(),
                legacyReflection());
        ExecutorService blocking = calls;
        NettyServerBuilder builder = NettyServerBuilder.forAddress(address)
                .directExecutor()
                .callExecutor(new ServerCallExecutorSupplier() {
                    @Override
                    public <Q, R> Executor getExecutor(ServerCall<Q, R> call, Metadata headers) {
                        // a compressed message is inflated while it is parsed, on the call's executor:
                        // never on the transport thread
                        return AT_ONCE.contains(call.getMethodDescriptor().getFullMethodName())
                                && uncompressed(headers) ? null : blocking;
                    }
                })
                .decompressorRegistry(io.grpc.DecompressorRegistry.getDefaultInstance()
                        .with(new HeldCodec(new io.grpc.Codec.Gzip()), true).with(new HeldCodec(new DeflateCodec()), true))
                .maxInboundMessageSize(settings.maxMessageBytes())
                .maxInboundMetadataSize(64 << 10)
                .maxConcurrentCallsPerConnection(MAX_CALLS_PER_CONNECTION)
                .addService(ServerInterceptors.intercept(
                        extensions.addTo(ModelInferParsing.tolerant(inference.bindService(), inference, memory)),
                        authorization));
        open.forEach(builder::addService);
        try {
            server = builder.build().start();
        } catch (IOException e) {
            calls.shutdownNow();
            throw new UncheckedIOException("gRPC could not listen on " + address, e);
        }
        updateHealth();
        healthUpdates = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "plugboard-grpc-health");
            t.setDaemon(true);
            return t;
        });
        healthUpdates.scheduleWithFixedDelay(this::updateHealth, 250, 250, TimeUnit.MILLISECONDS);
        log.info("gRPC (Open Inference Protocol) listening on port {}", server.getPort());
    }

    @SuppressWarnings("deprecation")
    private static BindableService legacyReflection() {
        return ProtoReflectionService.newInstance(); // v1alpha, for older grpcurl and clients
    }

    private void updateHealth() {
        ServingStatus status = ready.getAsBoolean() ? ServingStatus.SERVING : ServingStatus.NOT_SERVING;
        health.setStatus(HealthStatusManager.SERVICE_NAME_ALL_SERVICES, status);
        health.setStatus(SERVICE, status);
    }

    private static final Metadata.Key<String> ENCODING = Metadata.Key.of("grpc-encoding",
            Metadata.ASCII_STRING_MARSHALLER);

    private static boolean uncompressed(Metadata headers) {
        String encoding = headers.get(ENCODING);
        return encoding == null || encoding.equals("identity");
    }

    /**
     * Turns the transport's buffer leak tracking off unless the property is set: at Netty's default
     * level it records a stack trace for about one buffer in 128, on every busy connection (a fifth
     * of the calls, measured with JFR), which cost up to a third of a small call's server CPU.
     * {@code -Dio.grpc.netty.shaded.io.netty.leakDetection.level=simple} (or {@code paranoid})
     * brings it back for diagnosing. Must run before the transport's classes are loaded.
     *
     * @return the level in effect
     */
    static String defaultLeakDetection(java.util.Properties properties) {
        return (String) properties.computeIfAbsent(LEAK_DETECTION, k -> "disabled");
    }

    /** The port it listens on (the configured one, or the one picked for port 0). */
    public int port() {
        Server s = server;
        return s == null ? -1 : s.getPort();
    }

    @Override
    public synchronized void stop() {
        Server s = server;
        if (s == null) {
            return;
        }
        healthUpdates.shutdownNow();
        health.enterTerminalState();
        s.shutdown();
        try {
            if (!s.awaitTermination(settings.drain().toMillis(), TimeUnit.MILLISECONDS)) {
                s.shutdownNow();
            }
        } catch (InterruptedException e) {
            s.shutdownNow();
            Thread.currentThread().interrupt();
        }
        calls.shutdownNow();
        server = null;
    }

    @Override
    public boolean isRunning() {
        return server != null;
    }

    /** Stops after the web server's graceful shutdown began (phase below it) and starts with it. */
    @Override
    public int getPhase() {
        return SmartLifecycle.DEFAULT_PHASE - 2048;
    }
}
