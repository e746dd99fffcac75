package io.plugboard.serving;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.plugboard.backend.Backend;
import io.plugboard.backend.BackendRegistry;
import io.plugboard.backend.LoadedModel;
import io.plugboard.backend.ModelInstance;
import io.plugboard.backend.ModelSignature;
import io.plugboard.backend.ModelSource;
import io.plugboard.backend.Target;
import io.plugboard.backend.onnx.OnnxBackend;
import io.plugboard.backend.onnx.OnnxSettings;
import io.plugboard.format.ModelFormat;
import io.plugboard.inference.PinnedCalls;
import io.plugboard.inference.PoolSettings;
import io.plugboard.metrics.InferenceMetrics;
import io.plugboard.model.ModelState;
import io.plugboard.model.ServedModel;
import io.plugboard.problem.PlugboardException;
import io.plugboard.problem.ProblemType;
import io.plugboard.settings.ModelSettings;
import io.plugboard.settings.PoolOverrides;
import io.plugboard.settings.ServingDefaults;
import io.plugboard.store.StoredModelRecord;
import io.plugboard.tensor.Tensor;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The one serving path, with the real ONNX Runtime: states, warm-up per instance, placement, failure. */
class ModelServingTest {

    private static final Path ONNX = Path.of("src/test/resources/models/onnx");
    private static final OnnxBackend ENGINE = new OnnxBackend(OnnxSettings.defaults());

    private final CountingBackend backend = new CountingBackend();
    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    private final ModelServing serving = new ModelServing(new BackendRegistry(List.of(backend)),
            new ServingDefaults(new PoolSettings(1, 8, Duration.ofSeconds(5), 1, Duration.ZERO), Target.AUTO),
            new InferenceMetrics(meters), System::nanoTime, java.time.Clock.systemUTC(), new PinnedCalls(2), new InstanceBudget(8));
    private final List<ServedModel> served = new ArrayList<>();

    @AfterEach
    void close() {
        served.forEach(m -> m.close(Duration.ZERO));
    }

    private ServedModel model(String file) {
        ServedModel model = new ServedModel(new StoredModelRecord("m", 1, "onnx", file, "0", 1, Instant.EPOCH,
                List.of(), ModelSettings.DEFAULTS));
        served.add(model);
        return model;
    }

    private static ModelSettings instances(int n) {
        return new ModelSettings(new PoolOverrides(n, null, null, null, null), null, null);
    }

    @Test
    void warmsEveryInstanceThatWillServeAndNoOther() {
        ServedModel model = model("add_mul.onnx");
        serving.serve(model, new ModelSource(ONNX, "add_mul.onnx", ModelFormat.ONNX), instances(3));
        assertThat(model.state()).isEqualTo(ModelState.READY);
        assertThat(backend.instancesMade).as("instances made").hasValue(3);
        assertThat(backend.callsPerInstance).as("warm-up calls per instance").containsExactly(1, 1, 1);
        assertThat(model.pool().settings().instances()).isEqualTo(3);
        assertThat(meters.find("plugboard.queue.depth").tags("model", "m", "version", "1").gauge()).isNotNull();
    }

    @Test
    void aModelThatDoesNotLoadIsFailedAndHoldsNothing() {
        ServedModel model = model("missing.onnx");
        assertThatThrownBy(() -> serving.serve(model, new ModelSource(ONNX, "missing.onnx", ModelFormat.ONNX),
                ModelSettings.DEFAULTS)).isInstanceOfSatisfying(PlugboardException.class,
                        e -> assertThat(e.type()).isEqualTo(ProblemType.MODEL_LOAD_FAILED));
        assertThat(model.state()).isEqualTo(ModelState.FAILED);
        assertThat(model.error()).contains("ONNX Runtime could not load");
        assertThat(model.pool()).isNull();
        assertThat(backend.instancesMade).hasValue(0);
    }

    @Test
    void anExplicitTargetThisHostLacksIsRefusedNotMoved() {
        ServedModel model = model("add_mul.onnx");
        ModelSettings cuda = new ModelSettings(null, Target.cuda(0), null);
        assertThatThrownBy(() -> serving.serve(model, new ModelSource(ONNX, "add_mul.onnx", ModelFormat.ONNX), cuda))
                .isInstanceOfSatisfying(PlugboardException.class,
                        e -> assertThat(e.type()).isEqualTo(ProblemType.TARGET_UNAVAILABLE));
        assertThat(model.state()).isEqualTo(ModelState.FAILED);
        assertThat(backend.instancesMade).hasValue(0);
    }

    @Test
    void aFormatNoBackendServesIsUnsupported() {
        ServedModel model = model("m.tflite");
        assertThatThrownBy(() -> serving.serve(model, new ModelSource(ONNX, "m.tflite", ModelFormat.TFLITE),
                ModelSettings.DEFAULTS)).isInstanceOfSatisfying(PlugboardException.class,
                        e -> assertThat(e.type()).isEqualTo(ProblemType.UNSUPPORTED_FORMAT));
    }

    @Test
    void unloadingReleasesThePoolAndItsGauges() {
        ServedModel model = model("add_mul.onnx");
        serving.serve(model, new ModelSource(ONNX, "add_mul.onnx", ModelFormat.ONNX), ModelSettings.DEFAULTS);
        serving.unload(model, Duration.ofSeconds(1));
        assertThat(model.state()).isEqualTo(ModelState.UNLOADED);
        assertThat(model.pool()).isNull();
        assertThat(meters.find("plugboard.queue.depth").tags("model", "m").gauge()).isNull();
    }

    /** The real ONNX backend, counting the instances it makes and the calls each one runs. */
    private static final class CountingBackend implements Backend {
        final AtomicInteger instancesMade = new AtomicInteger();
        final List<Integer> callsPerInstance = new ArrayList<>();

        @Override
        public String name() {
            return ENGINE.name();
        }

        @Override
        public Set<ModelFormat> formats() {
            return ENGINE.formats();
        }

        @Override
        public Optional<String> unavailableReason() {
            return ENGINE.unavailableReason();
        }

        @Override
        public List<Target> targets() {
            return ENGINE.targets();
        }

        @Override
        public LoadedModel load(ModelSource source, Target target) {
            LoadedModel real = ENGINE.load(source, target);
            return new LoadedModel() {
                @Override
                public ModelSignature signature() {
                    return real.signature();
                }

                @Override
                public Target target() {
                    return real.target();
                }

                @Override
                public ModelInstance newInstance() {
                    ModelInstance instance = real.newInstance();
                    int slot;
                    synchronized (callsPerInstance) {
                        slot = callsPerInstance.size();
                        callsPerInstance.add(0);
                    }
                    instancesMade.incrementAndGet();
                    return new ModelInstance() {
                        @Override
                        public Map<String, Tensor> infer(Map<String, Tensor> inputs, Set<String> outputs) {
                            synchronized (callsPerInstance) {
                                callsPerInstance.set(slot, callsPerInstance.get(slot) + 1);
                            }
                            return instance.infer(inputs, outputs);
                        }

                        @Override
                        public void close() {
                            instance.close();
                        }
                    };
                }

                @Override
                public void close() {
                    real.close();
                }
            };
        }

        @Override
        public void close() {
        }
    }
}
