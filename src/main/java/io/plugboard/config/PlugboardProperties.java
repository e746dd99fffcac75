package io.plugboard.config;

import io.plugboard.confinement.ConfinementMode;
import java.nio.file.Path;
import java.util.List;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;

/** Every {@code plugboard.*} setting; see the configuration table in README.md. */
@ConfigurationProperties("plugboard")
public record PlugboardProperties(@DefaultValue Store store, @DefaultValue Upload upload,
        @DefaultValue Inference inference, @DefaultValue Serving serving, @DefaultValue Onnx onnx,
        @DefaultValue Engines engines, @DefaultValue Archive archive, @DefaultValue Security security,
        @DefaultValue Cors cors, @DefaultValue AccessLog accessLog, @DefaultValue Limits limits,
        @DefaultValue Confinement confinement, @DefaultValue Grpc grpc) {

    /**
     * The Open Inference Protocol over gRPC: on {@code port} (0 picks a free one), messages up to
     * {@code maxMessageSize}; {@code enabled=false} serves HTTP only.
     */
    public record Grpc(@DefaultValue("true") boolean enabled, @DefaultValue("8081") int port,
            @DefaultValue("256MB") DataSize maxMessageSize) {
    }

    /**
     * Process confinement (Linux Landlock): {@code mode} auto, required or off; {@code readPaths}
     * and {@code writePaths} are paths beyond the ones Plugboard knows it needs (e.g. TLS key
     * stores, a log folder set outside Spring's logging properties).
     */
    public record Confinement(@DefaultValue("auto") ConfinementMode mode, @DefaultValue List<Path> readPaths,
            @DefaultValue List<Path> writePaths) {
    }

    /**
     * Server-wide caps: models (ids), instances across every loaded version (each is a pool thread
     * and an execution slot), uploads received at once (each streams to disk and loads an engine), and
     * the memory inference request buffers in flight may take (unset: half the maximum heap).
     */
    public record Limits(@DefaultValue("1000") int maxModels, @DefaultValue("64") int maxInstances,
            @DefaultValue("2") int maxConcurrentUploads, DataSize requestMemory) {
    }

    /**
     * Bearer tokens, stored as SHA-256 digests only. {@code anonymousScopes} is what a request
     * without a token gets: unset, every scope when no token is configured and none otherwise.
     * {@code protectMetrics} makes {@code /actuator/prometheus} need {@code read}.
     */
    public record Security(@DefaultValue List<Token> tokens, List<String> anonymousScopes,
            @DefaultValue("false") boolean protectMetrics) {

        /** One token: a name for logs, the lowercase hex SHA-256 of the token, its scopes. */
        public record Token(String name, String sha256, @DefaultValue List<String> scopes) {
        }
    }

    /** Browser origins (scheme://host[:port]) allowed to call the API across sites, CORS included. */
    public record Cors(@DefaultValue List<String> allowedOrigins) {
    }

    /** A line per request on the {@code plugboard.access} logger. */
    public record AccessLog(@DefaultValue("false") boolean enabled) {
    }

    /**
     * Where models are stored: {@code type} filesystem (the local folder {@code path} only) or s3
     * (a bucket every replica shares; {@code path} is then this replica's cache of its files),
     * reconciled every {@code pollInterval}. Files of uploads stopped midway are swept from the
     * bucket once older than {@code leftoverAge}.
     */
    public record Store(@DefaultValue("filesystem") StoreType type, @DefaultValue("./data") Path path,
            @DefaultValue("2") int keepVersions, @DefaultValue S3 s3, @DefaultValue("5s") Duration pollInterval,
            @DefaultValue("1h") Duration leftoverAge) {
    }

    /** The kinds of model store. */
    public enum StoreType { FILESYSTEM, S3 }

    /**
     * The shared store's bucket. Credentials come from the AWS SDK's default chain (environment,
     * web identity / IRSA, instance profile), never from these properties.
     */
    public record S3(String bucket, @DefaultValue("") String prefix, java.net.URI endpoint,
            @DefaultValue("us-east-1") String region, @DefaultValue("false") boolean pathStyle) {
    }

    /** Limits on model uploads (the number of parts is Tomcat's {@code server.tomcat.max-part-count}). */
    public record Upload(@DefaultValue("2GB") DataSize maxSize) {
    }

    /** Limits on inference requests. */
    public record Inference(@DefaultValue("256MB") DataSize maxRequestSize) {
    }

    /** Serving defaults, each overridable per model at upload. */
    public record Serving(@DefaultValue("auto") String target, @DefaultValue("1") int instances,
            @DefaultValue("64") int queueCapacity, @DefaultValue("30s") Duration timeout,
            @DefaultValue("1") int maxBatchSize, @DefaultValue("0ms") Duration maxQueueDelay,
            @DefaultValue("30s") Duration drainTimeout) {
    }

    /**
     * Where engines unpack their native libraries (never the working directory); unset means
     * {@code <java.io.tmpdir>/plugboard-engines}. {@code prefilledDir}: a cache filled ahead of time
     * (the image's, filled when it was built) that is only read: what of it matches the build is
     * linked into {@code cacheDir} the first time an engine needs it, and only the rest is unpacked.
     */
    public record Engines(Path cacheDir, Path prefilledDir, @DefaultValue Tensorflow tensorflow) {

        /**
         * TensorFlow op types trusted beyond the built-in list of inference ops. Each one is allowed
         * anywhere in an uploaded SavedModel's graph: list only ops you know cannot reach files,
         * processes or the network, in deployments whose uploaders you trust.
         */
        public record Tensorflow(@DefaultValue List<String> trustedOps) {
        }


        public Path cacheDirOrDefault() {
            return cacheDir != null ? cacheDir : Path.of(System.getProperty("java.io.tmpdir"), "plugboard-engines");
        }
    }

    /** Caps on uploaded archives (SavedModel .zip/.tar.gz). */
    public record Archive(@DefaultValue("10000") int maxEntries, @DefaultValue("8GB") DataSize maxExpandedSize) {
    }

    /** ONNX Runtime session settings. */
    public record Onnx(@DefaultValue("0") int intraOpThreads, @DefaultValue("0") int interOpThreads,
            @DefaultValue("all") String optimizationLevel, @DefaultValue("CPU") String openvinoDevice,
            @DefaultValue("false") boolean allowSpinning) {
    }
}
