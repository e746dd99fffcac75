package io.plugboard.backend.djl;

import ai.djl.engine.Engine;
import io.plugboard.backend.NativeCache;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Starts DJL engines lazily and strictly offline: native libraries come from the jars on the class
 * path (Maven Central artifacts) and are unpacked under a configurable cache folder, never
 * downloaded. One per server, shared by the PyTorch and TensorFlow backends.
 */
public final class DjlRuntime {

    private static final Logger log = LoggerFactory.getLogger(DjlRuntime.class);

    private final NativeCache cache;
    private final Map<String, Engine> engines = new HashMap<>();
    private final Map<String, String> failures = new HashMap<>();
    private boolean configured;

    public DjlRuntime(NativeCache cache) {
        this.cache = cache;
    }

    /** Why an engine's classes or natives are missing from this build, without starting it. */
    static Optional<String> missingFromBuild(String engine) {
        ClassLoader loader = DjlRuntime.class.getClassLoader();
        return switch (engine) {
            case "PyTorch" -> loader.getResource("native/lib/pytorch.properties") == null
                    || loader.getResource("jnilib/pytorch.properties") == null
                    ? Optional.of("this build has no PyTorch native library (ai.djl.pytorch:pytorch-native-*)")
                    : Optional.empty();
            case "TensorFlow" -> loader.getResource("org/tensorflow/internal/c_api/linux-x86_64/libjnitensorflow.so") == null
                    && loader.getResource("org/tensorflow/internal/c_api/linux-x86_64-gpu/libjnitensorflow.so") == null
                    ? Optional.of("this build has no TensorFlow native library (org.tensorflow:tensorflow-core-native)")
                    : Optional.empty();
            case "MXNet" -> loader.getResource("native/lib/mxnet.properties") == null
                    ? Optional.of("this build has no MXNet native library (ai.djl.mxnet:mxnet-native-mkl)")
                    : Optional.empty();
            default -> Optional.of("unknown engine " + engine);
        };
    }

    /** The started engine, or why it cannot start. */
    synchronized Engine engine(String name) {
        Engine engine = engines.get(name);
        if (engine != null) {
            return engine;
        }
        if (failures.containsKey(name)) {
            throw new EngineUnavailableException(failures.get(name));
        }
        Optional<String> missing = missingFromBuild(name);
        if (missing.isPresent()) {
            failures.put(name, missing.get());
            throw new EngineUnavailableException(missing.get());
        }
        try {
            configure();
            long start = System.nanoTime();
            // each engine's libraries are checked right before it unpacks and loads them
            NativeCache.Natives natives = switch (name) {
                case "PyTorch" -> NativeCache.Natives.PYTORCH;
                case "MXNet" -> NativeCache.Natives.MXNET;
                default -> NativeCache.Natives.TENSORFLOW;
            };
            engine = cache.loadNatives(natives, () -> {
                if (name.equals("TensorFlow")) {
                    prepareTensorFlow();
                }
                return Engine.getEngine(name);
            });
            log.info("Started DJL {} engine {} in {} ms (natives under {})", name, engine.getVersion(),
                    (System.nanoTime() - start) / 1_000_000, cache.root());
            engines.put(name, engine);
            return engine;
        } catch (RuntimeException | LinkageError e) {
            String message = name + " engine failed to start offline: " + e.getMessage();
            log.error(message, e);
            failures.put(name, message);
            throw new EngineUnavailableException(message);
        }
    }

    synchronized boolean started(String name) {
        return engines.containsKey(name);
    }

    /** Why the engine failed to start, once a start was tried and failed. */
    synchronized Optional<String> failure(String name) {
        return Optional.ofNullable(failures.get(name));
    }

    private void configure() {
        if (configured) {
            return;
        }
        System.setProperty("ai.djl.offline", "true");
        System.setProperty("DJL_CACHE_DIR", cache.djl().toString());
        System.setProperty("ENGINE_CACHE_DIR", cache.djl().toString());
        System.setProperty("ai.djl.util.cuda.fork", "false");
        configured = true;
    }

    /** Loads TensorFlow's natives through JavaCPP and points DJL at them (no download). */
    private static void prepareTensorFlow() {
        try {
            String loaded = org.bytedeco.javacpp.Loader.load(org.tensorflow.internal.c_api.global.tensorflow.class);
            if (loaded != null) {
                Path folder = Path.of(loaded).getParent();
                System.setProperty("TENSORFLOW_LIBRARY_PATH", folder.toString());
            }
        } catch (RuntimeException | LinkageError e) {
            throw new IllegalStateException("TensorFlow native library did not load: " + e.getMessage(), e);
        }
    }

    /** An engine that cannot run in this build or on this host. */
    static final class EngineUnavailableException extends RuntimeException {
        EngineUnavailableException(String message) {
            super(message);
        }
    }
}
