package io.plugboard.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.plugboard.backend.LoadedModel;
import io.plugboard.backend.ModelSource;
import io.plugboard.backend.Target;
import io.plugboard.backend.onnx.OnnxBackend;
import io.plugboard.backend.onnx.OnnxSettings;
import io.plugboard.format.ModelFormat;
import io.plugboard.inference.InstancePool;
import io.plugboard.inference.PinnedCalls;
import io.plugboard.inference.PoolObserver;
import io.plugboard.inference.VersionStatistics;
import io.plugboard.inference.PoolSettings;
import io.plugboard.problem.PlugboardException;
import io.plugboard.problem.ProblemType;
import io.plugboard.settings.ModelSettings;
import io.plugboard.store.StoredModelRecord;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Which version of a model serves, the state of the whole model, and how version numbers are handed out. */
class ModelVersionsTest {

    private static final OnnxBackend ONNX = new OnnxBackend(OnnxSettings.defaults());
    private static final Path ONNX_MODELS = Path.of("src/test/resources/models/onnx");

    private final ModelRegistry registry = new ModelRegistry();
    private final List<ServedModel> made = new ArrayList<>();

    @AfterEach
    void closeModels() {
        made.forEach(m -> m.close(Duration.ZERO));
    }

    @AfterAll
    static void closeBackend() {
        ONNX.close();
    }

    @Test
    void aServedModelMovesThroughItsStates() {
        ServedModel model = version("m", 1);
        assertThat(model.state()).isEqualTo(ModelState.LOADING);

        model.failed("engine said no");
        assertThat(model.state()).isEqualTo(ModelState.FAILED);
        assertThat(model.error()).isEqualTo("engine said no");

        model.loading("onnxruntime");
        assertThat(model.state()).isEqualTo(ModelState.LOADING);
        assertThat(model.error()).isNull();
        model.warming();
        assertThat(model.state()).isEqualTo(ModelState.WARMING);
        makeReady(model);
        assertThat(model.state()).isEqualTo(ModelState.READY);
        assertThat(model.pool()).isNotNull();
        assertThat(model.signature().inputs()).isNotEmpty();
        assertThat(model.describe().backend()).isEqualTo("onnxruntime");

        model.unload(Duration.ZERO);
        assertThat(model.state()).isEqualTo(ModelState.UNLOADED);
        assertThat(model.pool()).isNull();
        // its files are unchanged, so it still describes the tensors it had when loaded
        assertThat(model.signature().inputs()).isNotEmpty();
        assertThat(model.describe().inputs()).isNotEmpty();
    }

    @Test
    void theNewestReadyVersionServesAndNewerUnfinishedOnesNeverReplaceIt() {
        ServedModel v1 = makeReady(put("m", 1));
        ServedModel v2 = put("m", 2);
        ModelVersions versions = registry.require("m");

        assertThat(versions.serving()).containsSame(v1);
        v2.warming();
        assertThat(versions.serving()).containsSame(v1);
        v2.failed("broken");
        assertThat(versions.serving()).containsSame(v1);
        assertThat(versions.state()).isEqualTo(ModelState.READY);

        ServedModel v3 = makeReady(put("m", 3));
        assertThat(versions.serving()).containsSame(v3);
        v3.unload(Duration.ZERO);
        assertThat(versions.serving()).containsSame(v1);
        assertThat(versions.shown(null)).isSameAs(v1);
        assertThat(versions.shown(2)).isSameAs(v2);
    }

    @Test
    void withoutAReadyVersionTheModelIsInTheStateOfItsNewest() {
        ServedModel v1 = put("m", 1);
        ModelVersions versions = registry.require("m");
        assertThat(versions.state()).isEqualTo(ModelState.LOADING);
        assertThat(versions.serving()).isEmpty();

        v1.failed("broken");
        assertThat(versions.state()).isEqualTo(ModelState.FAILED);

        ServedModel v2 = put("m", 2);
        v2.warming();
        assertThat(versions.state()).isEqualTo(ModelState.WARMING);
        assertThat(versions.shown(null)).isSameAs(v2);

        makeReady(v1);
        assertThat(versions.state()).isEqualTo(ModelState.READY);
        v1.unload(Duration.ZERO);
        assertThat(versions.state()).isEqualTo(ModelState.WARMING);
    }

    @Test
    void versionNumbersFollowTheNewestAndFailedUploadsGiveTheirsBack() {
        put("m", 1);
        ModelVersions versions = registry.require("m");

        assertThat(versions.reserveNext()).isEqualTo(2);
        assertThat(versions.reserveNext()).isEqualTo(3);
        versions.release(3);
        assertThat(versions.reserveNext()).isEqualTo(3);
        versions.release(2);
        assertThat(versions.reserveNext()).as("a number below the last reserved one is not reused").isEqualTo(4);

        put("m", 9);
        assertThat(versions.reserveNext()).isEqualTo(10);
        versions.remove(9);
        assertThat(versions.reserveNext()).as("a removed version's number is not handed out again").isEqualTo(11);
    }

    @Test
    void aModelWhoseVersionsAreAllRemovedStillCountsOn() {
        put("m", 1);
        ModelVersions versions = registry.require("m");
        versions.remove(1);

        assertThat(versions.isEmpty()).isTrue();
        assertThat(versions.state()).isEqualTo(ModelState.UNLOADED);
        assertThat(versions.reserveNext()).as("an emptied model numbers as a new one").isEqualTo(1);
        assertThat(registry.all()).isEmpty();
        assertThat(registry.find("m")).containsSame(versions);
    }

    @Test
    void anAbsentVersionIsNotFound() {
        put("m", 1);
        put("m", 3);

        PlugboardException e = catchThrowableOfType(PlugboardException.class,
                () -> registry.require("m").requireVersion(2));

        assertThat(e.type()).isEqualTo(ProblemType.VERSION_NOT_FOUND);
        assertThat(e.properties()).containsEntry("model", "m").containsEntry("version", 2);
        assertThat(e.getMessage()).contains("'m' has no version 2", "[1, 3]");
        assertThat(registry.require("m").version(3)).map(ServedModel::version).contains(3);
    }

    @Test
    void anAbsentModelIsNotFound() {
        PlugboardException e = catchThrowableOfType(PlugboardException.class, () -> registry.require("ghost"));

        assertThat(e.type()).isEqualTo(ProblemType.MODEL_NOT_FOUND);
        assertThat(e.properties()).containsEntry("model", "ghost");
        assertThat(registry.find("ghost")).isEmpty();
    }

    @Test
    void theRegistryCountsVersionsByStateAcrossModels() {
        makeReady(put("a", 1));
        put("a", 2).failed("x");
        makeReady(put("b", 1));
        put("b", 2).warming();
        put("c", 1);

        assertThat(registry.count(ModelState.READY)).isEqualTo(2);
        assertThat(registry.count(ModelState.FAILED)).isEqualTo(1);
        assertThat(registry.count(ModelState.WARMING)).isEqualTo(1);
        assertThat(registry.count(ModelState.LOADING)).isEqualTo(1);
        assertThat(registry.count(ModelState.UNLOADED)).isZero();
        assertThat(registry.all()).extracting(ModelVersions::id).containsExactly("a", "b", "c");

        registry.remove("b");
        assertThat(registry.count(ModelState.READY)).isEqualTo(1);
        assertThat(registry.count(ModelState.WARMING)).isZero();
    }

    @Test
    void puttingAVersionAgainReplacesIt() {
        ServedModel first = put("m", 1);
        ServedModel again = put("m", 1);

        assertThat(registry.require("m").all()).containsExactly(again);
        assertThat(registry.require("m").all()).doesNotContain(first);
    }

    /** Requests racing the one that began an on-demand load share that load instead of finding it LOADING. */
    @Test
    void aModelStillLoadingIsWaitedForWhileItsLoadIsUnderWay() {
        ServedModel loading = put("lazy", 1);
        loading.loading(ONNX.name());
        List<String> asked = new ArrayList<>();
        registry.whileLoading(id -> {
            asked.add(id);
            makeReady(loading); // what the load under way does before it ends
            return true;
        });
        assertThat(registry.require("lazy").serving()).contains(loading);
        assertThat(asked).containsExactly("lazy");
    }

    @Test
    void aModelServingAVersionIsNeverWaitedFor() {
        ServedModel ready = makeReady(put("served", 1));
        registry.whileLoading(id -> {
            throw new AssertionError("asked about " + id + ", which serves a version");
        });
        assertThat(registry.require("served").serving()).contains(ready);
    }

    private ServedModel put(String id, int version) {
        ServedModel model = version(id, version);
        registry.put(model);
        return model;
    }

    private ServedModel version(String id, int version) {
        ServedModel model = new ServedModel(new StoredModelRecord(id, version, "onnx", "add_mul.onnx", "ab".repeat(32),
                194, Instant.parse("2025-01-01T00:00:00Z"), List.of(), ModelSettings.DEFAULTS));
        made.add(model);
        return model;
    }

    /** Loads add_mul.onnx for real and serves it from a one-instance pool. */
    private static ServedModel makeReady(ServedModel model) {
        model.loading(ONNX.name());
        LoadedModel loaded = ONNX.load(new ModelSource(ONNX_MODELS, "add_mul.onnx", ModelFormat.ONNX), Target.CPU);
        InstancePool pool = new InstancePool(model.id(), loaded,
                new PoolSettings(1, 4, Duration.ofSeconds(5), 1, Duration.ZERO), System::nanoTime,
                PoolObserver.NONE, new PinnedCalls(2));
        model.warming();
        model.ready(loaded, pool, new VersionStatistics(java.time.Clock.systemUTC()), "cpu as asked", () -> { });
        return model;
    }
}
