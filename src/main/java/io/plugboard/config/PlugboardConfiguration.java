package io.plugboard.config;

import io.micrometer.core.instrument.MeterRegistry;
import io.plugboard.api.DecodeThreads;
import io.plugboard.api.InferenceController;
import io.plugboard.api.InferenceExchange;
import io.plugboard.api.InferenceHandlerMapping;
import io.plugboard.api.InferenceResponses;
import io.plugboard.api.RequestMemory;
import io.plugboard.api.V2Controller;
import io.plugboard.api.codec.JsonRequestDecoder;
import io.plugboard.api.codec.JsonResponseEncoder;
import io.plugboard.archive.ArchiveLimits;
import io.plugboard.archive.SafeExtractor;
import io.plugboard.backend.Backend;
import io.plugboard.backend.djl.DjlRuntime;
import io.plugboard.backend.djl.MxNetBackend;
import io.plugboard.backend.djl.SavedModelBackend;
import io.plugboard.backend.djl.TorchScriptBackend;
import io.plugboard.backend.h2o.MojoBackend;
import io.plugboard.backend.opencv.OpenCvBackend;
import io.plugboard.backend.tflite.TfLiteBackend;
import io.plugboard.backend.BackendRegistry;
import io.plugboard.backend.NativeCache;
import io.plugboard.confinement.ConfinementStatus;
import io.plugboard.backend.onnx.AcceleratorProbe;
import io.plugboard.backend.onnx.OnnxBackend;
import io.plugboard.backend.onnx.SystemAcceleratorProbe;
import io.plugboard.backend.onnx.OnnxSettings;
import io.plugboard.format.FormatDetector;
import io.plugboard.inference.NanoClock;
import io.plugboard.inference.PinnedCalls;
import io.plugboard.inference.PoolSettings;
import io.plugboard.metrics.HardwareMetrics;
import io.plugboard.metrics.InferenceMetrics;
import io.plugboard.model.InferenceGateway;
import io.plugboard.model.ModelRegistry;
import io.plugboard.model.ModelStateGauges;
import io.plugboard.ingest.FormatPolicy;
import io.plugboard.ingest.SavedModelArchive;
import io.plugboard.ingest.UploadIngest;
import io.plugboard.ingest.WeightsOverGraph;
import io.plugboard.lifecycle.ModelLocks;
import io.plugboard.lifecycle.ModelRemoval;
import io.plugboard.lifecycle.ModelResidency;
import io.plugboard.lifecycle.ModelUploads;
import io.plugboard.serving.ModelServing;
import io.plugboard.settings.ServingDefaults;
import io.plugboard.backend.Target;
import io.plugboard.lifecycle.StoreSync;
import io.plugboard.store.ModelStore;
import io.plugboard.store.SharedStore;
import io.plugboard.store.s3.S3Location;
import io.plugboard.store.s3.S3SharedStore;
import jakarta.servlet.MultipartConfigElement;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.ApplicationRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;
import tools.jackson.databind.json.JsonMapper;

/** Wires Plugboard's parts together; the only place that knows every package. */
@Configuration(proxyBeanMethods = false)
public class PlugboardConfiguration {

    private static final Logger log = LoggerFactory.getLogger(PlugboardConfiguration.class);

    @Bean
    Clock clock() {
        return Clock.systemUTC();
    }

    @Bean
    NanoClock nanoClock() {
        return NanoClock.system();
    }

    @Bean
    ModelStore modelStore(PlugboardProperties properties, JsonMapper json) {
        return new ModelStore(properties.store().path(), json);
    }

    @Bean(destroyMethod = "close")
    SharedStore sharedStore(PlugboardProperties properties, JsonMapper json) {
        PlugboardProperties.Store store = properties.store();
        if (store.type() != PlugboardProperties.StoreType.S3) {
            return SharedStore.none();
        }
        PlugboardProperties.S3 s3 = store.s3();
        return new S3SharedStore(new S3Location(s3.bucket(), s3.prefix(), s3.endpoint(), s3.region(), s3.pathStyle()),
                json);
    }

    @Bean(destroyMethod = "close")
    StoreSync storeSync(SharedStore shared, ModelStore store, ModelRegistry registry, ModelResidency residency,
            ModelRemoval removal, ModelLocks locks, Clock clock, PlugboardProperties properties,
            MeterRegistry meters) {
        StoreSync sync = new StoreSync(shared, store, registry, residency, removal, locks, clock,
                properties.store().pollInterval(), properties.store().leftoverAge(), 4);
        if (shared.shared()) {
            io.micrometer.core.instrument.Gauge.builder("plugboard.store.reachable", sync,
                            s -> s.status().reachable() ? 1 : 0)
                    .description("1 while the shared model store answers, 0 while it cannot be reached")
                    .register(meters);
        }
        return sync;
    }

    /** The store's part of readiness: the {@code store} health component. */
    @Bean
    io.plugboard.api.StoreHealth storeHealthIndicator(StoreSync sync) {
        return new io.plugboard.api.StoreHealth(sync);
    }

    @Bean
    FormatDetector formatDetector() {
        return new FormatDetector();
    }

    @Bean
    OnnxSettings onnxSettings(PlugboardProperties properties) {
        PlugboardProperties.Onnx onnx = properties.onnx();
        return new OnnxSettings(onnx.intraOpThreads(), onnx.interOpThreads(), onnx.optimizationLevel(),
                onnx.openvinoDevice(), onnx.allowSpinning());
    }

    @Bean
    AcceleratorProbe acceleratorProbe(OnnxSettings settings) {
        return new SystemAcceleratorProbe(settings);
    }

    @Bean
    OnnxBackend onnxBackend(OnnxSettings settings, AcceleratorProbe probe) {
        return new OnnxBackend(settings, probe);
    }

    @Bean
    ConfinementStatus confinementStatus(PlugboardProperties properties, Environment environment) {
        ConfinementStatus status = ConfinementStatus.detect(properties.confinement().mode(), System.getenv(),
                environment.getProperty(ConfinementStatus.UNSUPPORTED_PROPERTY));
        if (status.confined()) {
            log.info("Confined with Landlock ABI {}: {}", status.abi(), status.detail());
        } else if (!"off".equals(status.state())) {
            log.info("Not confined ({}): {}", status.state(), status.detail());
        }
        return status;
    }

    @Bean
    NativeCache nativeCache(PlugboardProperties properties) {
        return new NativeCache(properties.engines().cacheDirOrDefault(), properties.engines().prefilledDir());
    }

    @Bean
    DjlRuntime djlRuntime(NativeCache cache) {
        return new DjlRuntime(cache);
    }

    @Bean
    TorchScriptBackend torchScriptBackend(DjlRuntime runtime) {
        return new TorchScriptBackend(runtime);
    }

    @Bean
    SavedModelBackend savedModelBackend(DjlRuntime runtime, PlugboardProperties properties) {
        return new SavedModelBackend(runtime, java.util.Set.copyOf(properties.engines().tensorflow().trustedOps()));
    }

    @Bean
    MxNetBackend mxNetBackend(DjlRuntime runtime) {
        return new MxNetBackend(runtime);
    }

    @Bean
    TfLiteBackend tfLiteBackend(NativeCache cache) {
        return new TfLiteBackend(cache);
    }

    @Bean
    OpenCvBackend openCvBackend(NativeCache cache) {
        return new OpenCvBackend(cache);
    }

    @Bean
    MojoBackend mojoBackend() {
        return new MojoBackend();
    }

    @Bean
    SafeExtractor safeExtractor(PlugboardProperties properties) {
        return new SafeExtractor(new ArchiveLimits(properties.archive().maxEntries(),
                properties.archive().maxExpandedSize().toBytes()));
    }

    @Bean(destroyMethod = "close")
    BackendRegistry backendRegistry(List<Backend> backends) {
        return new BackendRegistry(backends);
    }

    @Bean
    HardwareMetrics hardwareMetrics(BackendRegistry backends) {
        return new HardwareMetrics(backends);
    }

    @Bean
    ModelRegistry modelRegistry(PlugboardProperties properties) {
        return new ModelRegistry(properties.limits().maxModels());
    }

    @Bean
    InferenceMetrics inferenceMetrics(MeterRegistry registry) {
        return new InferenceMetrics(registry);
    }

    @Bean
    ModelStateGauges modelStateGauges(ModelRegistry registry) {
        return new ModelStateGauges(registry);
    }

    @Bean
    ServingDefaults servingDefaults(PlugboardProperties properties) {
        PlugboardProperties.Serving s = properties.serving();
        return new ServingDefaults(new PoolSettings(s.instances(), s.queueCapacity(), s.timeout(), s.maxBatchSize(),
                s.maxQueueDelay()), Target.parse(s.target()));
    }

    @Bean
    ModelServing modelServing(BackendRegistry backends, ServingDefaults defaults, InferenceMetrics metrics,
            NanoClock nanoClock, Clock clock, PlugboardProperties properties) {
        return new ModelServing(backends, defaults, metrics, nanoClock, clock, PinnedCalls.forThisJvm(),
                new io.plugboard.serving.InstanceBudget(properties.limits().maxInstances()));
    }

    @Bean
    UploadIngest uploadIngest(ModelStore store, FormatDetector detector, BackendRegistry backends,
            SafeExtractor extractor, PlugboardProperties properties) {
        return new UploadIngest(store, new FormatPolicy(detector, backends),
                List.of(new WeightsOverGraph(), new SavedModelArchive(extractor),
                        new io.plugboard.ingest.KerasToOnnx(new io.plugboard.convert.keras.KerasConverter(
                                io.plugboard.convert.keras.KerasLimits.DEFAULTS))),
                properties.upload().maxSize().toBytes());
    }

    @Bean
    ModelLocks modelLocks() {
        return new ModelLocks();
    }

    @Bean
    ModelRemoval modelRemoval(ModelRegistry registry, ModelStore store, SharedStore shared, ModelLocks locks,
            InferenceMetrics metrics, PlugboardProperties properties) {
        return new ModelRemoval(registry, store, shared, locks, metrics, properties.serving().drainTimeout(),
                properties.store().keepVersions());
    }

    @Bean
    ModelUploads modelUploads(UploadIngest ingest, ModelServing serving, ModelRegistry registry, ModelLocks locks,
            ModelRemoval removal, SharedStore shared, StoreSync sync, Clock clock) {
        return new ModelUploads(ingest, serving, registry, locks, removal, shared, sync, clock);
    }

    @Bean(destroyMethod = "close")
    ModelResidency modelResidency(ModelStore store, ModelRegistry registry, ModelServing serving, ModelLocks locks,
            PlugboardProperties properties) {
        return new ModelResidency(store, registry, serving, locks, properties.serving().drainTimeout());
    }

    @Bean(destroyMethod = "close")
    io.plugboard.inference.DeadlineTimer deadlineTimer(NanoClock nanoClock) {
        return new io.plugboard.inference.DeadlineTimer("plugboard-deadlines", nanoClock);
    }

    @Bean
    InferenceGateway inferenceGateway(ModelRegistry registry, InferenceMetrics metrics, NanoClock nanoClock,
            io.plugboard.inference.DeadlineTimer deadlineTimer) {
        return new InferenceGateway(registry, metrics, nanoClock, deadlineTimer);
    }

    /**
     * Every JSON document the server reads (requests, load bodies, its own records) refuses a name
     * given twice in one object, rather than letting the last silently win.
     */
    @Bean
    org.springframework.boot.jackson.autoconfigure.JsonMapperBuilderCustomizer strictJsonNames() {
        return builder -> builder.enable(tools.jackson.core.StreamReadFeature.STRICT_DUPLICATE_DETECTION);
    }

    @Bean
    JsonRequestDecoder jsonRequestDecoder(JsonMapper json) {
        return new JsonRequestDecoder(json);
    }

    @Bean
    JsonResponseEncoder jsonResponseEncoder(JsonMapper json) {
        return new JsonResponseEncoder(json);
    }

    @Bean
    RequestMemory requestMemory(PlugboardProperties properties, io.micrometer.core.instrument.MeterRegistry meters) {
        var configured = properties.limits().requestMemory();
        RequestMemory memory = new RequestMemory(configured != null ? configured.toBytes()
                : Math.max(64L << 20, Runtime.getRuntime().maxMemory() / 2));
        io.micrometer.core.instrument.Gauge.builder("plugboard.request.memory", memory, RequestMemory::used)
                .baseUnit("bytes").description("Request buffers in flight, charged against plugboard.limits.request-memory")
                .register(meters);
        return memory;
    }

    @Bean(destroyMethod = "close")
    DecodeThreads decodeThreads() {
        int cores = Runtime.getRuntime().availableProcessors();
        return new DecodeThreads(cores, 16 * cores);
    }

    @Bean
    InferenceExchange inferenceExchange(InferenceGateway gateway, JsonRequestDecoder decoder,
            JsonResponseEncoder encoder, JsonMapper json, PlugboardProperties properties,
            RequestMemory memory, DecodeThreads decodeThreads) {
        return new InferenceExchange(gateway, decoder, new InferenceResponses(encoder, json),
                properties.inference().maxRequestSize().toBytes(), memory, decodeThreads);
    }

    @Bean
    InferenceHandlerMapping inferenceHandlerMapping(InferenceController v1, V2Controller v2) {
        return new InferenceHandlerMapping(v1, v2);
    }

    /** Tomcat's own rejections (before any servlet runs) answer problem+json, not HTML. */
    @Bean
    org.springframework.boot.web.server.WebServerFactoryCustomizer<
            org.springframework.boot.tomcat.servlet.TomcatServletWebServerFactory> problemErrorReports() {
        return factory -> factory.addContextCustomizers(context -> {
            if (context.getParent() instanceof org.apache.catalina.core.StandardHost host) {
                host.setErrorReportValveClass(io.plugboard.api.ProblemErrorReports.class.getName());
            }
        });
    }

    /** Caps uploads received at once; runs after access control, before the body is read. */
    @Bean
    org.springframework.boot.web.servlet.FilterRegistrationBean<io.plugboard.api.UploadAdmission> uploadAdmission(
            PlugboardProperties properties, JsonMapper json) {
        var registration = new org.springframework.boot.web.servlet.FilterRegistrationBean<>(
                new io.plugboard.api.UploadAdmission(properties.limits().maxConcurrentUploads(),
                        new io.plugboard.api.ProblemWriter(json)));
        registration.setOrder(0);
        return registration;
    }

    /** Multipart parts stream to temporary files beside the store, never whole into memory. */
    @Bean
    MultipartConfigElement multipartConfigElement(PlugboardProperties properties) {
        long max = properties.upload().maxSize().toBytes();
        Path tmp = properties.store().path().toAbsolutePath().normalize().resolve("staging");
        return new MultipartConfigElement(tmp.toString(), max, max + (1 << 20), 1 << 20);
    }

    /**
     * With {@code plugboard.engines.warm-and-exit=true} the server starts every engine (unpacking
     * its natives into the cache folder) and exits: image builds bake the caches in. An engine
     * missing from the build is logged and skipped.
     */
    @Bean
    @org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty("plugboard.engines.warm-and-exit")
    ApplicationRunner warmEnginesAndExit(BackendRegistry backends,
            org.springframework.context.ConfigurableApplicationContext context) {
        return args -> {
            for (Backend backend : backends.backends()) {
                java.util.Optional<String> missing = backend.unavailableReason();
                if (missing.isPresent()) {
                    log.info("Engine {} skipped: {}", backend.name(), missing.get());
                    continue;
                }
                try {
                    backend.warmUp();
                    log.info("Engine {} ready on {}", backend.name(), backend.targets());
                } catch (RuntimeException | LinkageError e) {
                    log.warn("Engine {} did not start: {}", backend.name(), e.getMessage());
                }
            }
            System.exit(org.springframework.boot.SpringApplication.exit(context, () -> 0));
        };
    }

    /** The gRPC endpoint, serving once the HTTP readiness does (not started with plugboard.grpc.enabled=false). */
    @Bean
    io.plugboard.grpc.GrpcServer grpcServer(PlugboardProperties properties, ModelRegistry registry,
            InferenceGateway gateway, StoreSync sync,
            org.springframework.boot.availability.ApplicationAvailability availability, Environment environment,
            org.springframework.beans.factory.ObjectProvider<org.springframework.boot.info.BuildProperties> build,
            io.plugboard.security.TokenRegistry tokens, RequestMemory memory,
            io.plugboard.lifecycle.ModelResidency residency) throws java.net.UnknownHostException {
        String address = environment.getProperty("server.address");
        long max = Math.min(Integer.MAX_VALUE, properties.grpc().maxMessageSize().toBytes());
        var settings = new io.plugboard.grpc.GrpcServer.Settings(properties.grpc().enabled(),
                address == null || address.isBlank() ? null : java.net.InetAddress.getByName(address),
                properties.grpc().port(), (int) max, properties.serving().drainTimeout());
        var info = build.getIfAvailable();
        return new io.plugboard.grpc.GrpcServer(settings, registry, gateway,
                () -> availability.getReadinessState() == org.springframework.boot.availability.ReadinessState.ACCEPTING_TRAFFIC
                        && sync.status().ready(),
                info != null ? info.getVersion() : "unknown", io.plugboard.api.V2Controller.EXTENSIONS, tokens,
                SecurityConfiguration.anonymousScopes(properties.security(), tokens), memory, residency);
    }

    /**
     * Restores stored models (the filesystem store) or runs the first reconciliation with the
     * shared store, before the readiness probe reports ready.
     */
    @Bean
    ApplicationRunner restoreModels(StoreSync sync) {
        return args -> sync.start();
    }
}
