package io.plugboard.settings;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.plugboard.backend.EngineOptions;
import io.plugboard.backend.Target;
import io.plugboard.inference.PoolSettings;
import io.plugboard.problem.PlugboardException;
import io.plugboard.problem.ProblemType;
import io.plugboard.store.StoredFile;
import io.plugboard.store.StoredModelRecord;
import io.plugboard.support.Http;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/** A model's own settings over the server's, and how they are stored with a version and read back. */
class ModelSettingsTest {

    private static final PoolSettings DEFAULT_POOL =
            new PoolSettings(1, 100, Duration.ofSeconds(30), 8, Duration.ofMillis(2));
    private static final ServingDefaults SERVER = new ServingDefaults(DEFAULT_POOL, Target.CPU);
    private static final Instant CREATED = Instant.parse("2024-05-06T07:08:09.123Z");

    @Test
    void noOverridesAreTheDefaults() {
        assertThat(PoolOverrides.NONE.over(DEFAULT_POOL)).isEqualTo(DEFAULT_POOL);
    }

    @Test
    void eachOverrideReplacesOnlyItsField() {
        assertThat(new PoolOverrides(4, null, null, null, null).over(DEFAULT_POOL))
                .isEqualTo(new PoolSettings(4, 100, Duration.ofSeconds(30), 8, Duration.ofMillis(2)));
        assertThat(new PoolOverrides(null, 7, 1500L, null, null).over(DEFAULT_POOL))
                .isEqualTo(new PoolSettings(1, 7, Duration.ofMillis(1500), 8, Duration.ofMillis(2)));
        assertThat(new PoolOverrides(null, null, null, 64, 0L).over(DEFAULT_POOL))
                .isEqualTo(new PoolSettings(1, 100, Duration.ofSeconds(30), 64, Duration.ZERO));
    }

    @Test
    void outOfRangeOverridesAreInvalidParameters() {
        assertInvalid(new PoolOverrides(0, null, null, null, null), "instances must be between 1 and 64");
        assertInvalid(new PoolOverrides(65, null, null, null, null), "instances must be between 1 and 64");
        assertInvalid(new PoolOverrides(null, 100_001, null, null, null), "queueCapacity");
        assertInvalid(new PoolOverrides(null, null, 0L, null, null), "timeout must be positive");
        assertInvalid(new PoolOverrides(null, null, null, 4097, null), "maxBatchSize");
        assertInvalid(new PoolOverrides(null, null, null, null, -1L), "maxQueueDelay must be between 0 and 60000 ms");
        // far beyond what a deadline can be computed for: refused, never an arithmetic overflow later
        assertInvalid(new PoolOverrides(null, null, Long.MAX_VALUE, null, null), "at most 86400000 ms");
        assertInvalid(new PoolOverrides(null, null, 86_400_001L, null, null), "at most 86400000 ms");
        assertInvalid(new PoolOverrides(null, null, null, null, Long.MAX_VALUE), "maxQueueDelay");
        assertThat(new PoolOverrides(null, null, 86_400_000L, null, 60_000L).over(DEFAULT_POOL).timeout())
                .isEqualTo(Duration.ofDays(1));
    }

    @Test
    void theServerDefaultsFillWhatTheModelLeavesOut() {
        assertThat(SERVER.poolFor(ModelSettings.DEFAULTS)).isEqualTo(DEFAULT_POOL);
        assertThat(SERVER.targetFor(ModelSettings.DEFAULTS)).isEqualTo(Target.CPU);

        ModelSettings own = new ModelSettings(new PoolOverrides(3, null, 250L, null, null), Target.cuda(1), null);
        assertThat(SERVER.poolFor(own))
                .isEqualTo(new PoolSettings(3, 100, Duration.ofMillis(250), 8, Duration.ofMillis(2)));
        assertThat(SERVER.targetFor(own)).isEqualTo(Target.cuda(1));
        assertThat(SERVER.targetFor(new ModelSettings(null, Target.AUTO, null))).isEqualTo(Target.AUTO);
    }

    @Test
    void absentPartsOfSettingsAreTheNeutralOnes() {
        ModelSettings settings = new ModelSettings(null, null, null);

        assertThat(settings).isEqualTo(ModelSettings.DEFAULTS);
        assertThat(settings.pool()).isEqualTo(PoolOverrides.NONE);
        assertThat(settings.engine()).isEqualTo(EngineOptions.NONE);
        assertThat(new EngineOptions(" ", "sig")).isEqualTo(new EngineOptions(null, "sig"));
    }

    @Test
    void aRecordWithSettingsRoundTripsThroughJsonUnchanged() {
        ModelSettings settings = new ModelSettings(new PoolOverrides(2, 50, 750L, 16, 5L), Target.tensorrt(0),
                new EngineOptions("{\"inputs\":[]}", "serving_alt"));
        StoredModelRecord record = record(settings);

        String json = Http.JSON.writeValueAsString(record);
        JsonNode tree = Http.JSON.readTree(json);

        assertThat(tree.path("settings").path("target").asString()).isEqualTo("tensorrt:0");
        assertThat(tree.path("settings").path("pool").path("timeoutMs").asLong()).isEqualTo(750);
        assertThat(tree.has("parameters")).isFalse();
        assertThat(Http.JSON.readValue(json, StoredModelRecord.class)).isEqualTo(record);
    }

    @Test
    void aRecordWithDefaultSettingsRoundTripsAndWritesNoAbsentPoolField() {
        StoredModelRecord record = record(ModelSettings.DEFAULTS);

        String json = Http.JSON.writeValueAsString(record);

        assertThat(Http.JSON.readTree(json).path("settings").path("pool").size()).isZero();
        assertThat(Http.JSON.readValue(json, StoredModelRecord.class)).isEqualTo(record);
    }

    @Test
    void anOldRecordsParametersAreReadAsTypedSettings() {
        ObjectNode old = oldRecordJson();
        old.putObject("parameters").put("instances", "2").put("target", "cpu").put("signatureName", "x")
                .put("timeoutMs", "500");

        StoredModelRecord read = Http.JSON.readValue(old.toString(), StoredModelRecord.class);

        assertThat(read.settings()).isEqualTo(new ModelSettings(new PoolOverrides(2, null, 500L, null, null),
                Target.CPU, new EngineOptions(null, "x")));
        assertThat(read).isEqualTo(record(read.settings()));
        assertThat(SERVER.poolFor(read.settings()))
                .isEqualTo(new PoolSettings(2, 100, Duration.ofMillis(500), 8, Duration.ofMillis(2)));
    }

    @Test
    void anOldRecordWithoutParametersOrSettingsHasTheDefaults() {
        StoredModelRecord read = Http.JSON.readValue(oldRecordJson().toString(), StoredModelRecord.class);

        assertThat(read.settings()).isEqualTo(ModelSettings.DEFAULTS);
        assertThat(read.files()).containsExactly(new StoredFile("model.onnx", 123, "ab".repeat(32)));
    }

    @Test
    void typedSettingsWinOverLeftoverParameters() {
        ObjectNode json = (ObjectNode) Http.JSON.readTree(Http.JSON.writeValueAsString(
                record(new ModelSettings(null, Target.OPENVINO, null))));
        json.putObject("parameters").put("target", "cuda:0").put("instances", "9");

        StoredModelRecord read = Http.JSON.readValue(json.toString(), StoredModelRecord.class);

        assertThat(read.settings()).isEqualTo(new ModelSettings(null, Target.OPENVINO, null));
    }

    private static StoredModelRecord record(ModelSettings settings) {
        return new StoredModelRecord("m", 3, "onnx", "model.onnx", "ab".repeat(32), 123, CREATED,
                List.of(new StoredFile("model.onnx", 123, "ab".repeat(32))), settings);
    }

    /** A record as stores wrote it before settings were typed: no {@code settings} member. */
    private static ObjectNode oldRecordJson() {
        ObjectNode json = (ObjectNode) Http.JSON.readTree(Http.JSON.writeValueAsString(record(ModelSettings.DEFAULTS)));
        json.remove("settings");
        return json;
    }

    private static void assertInvalid(PoolOverrides overrides, String message) {
        PlugboardException e = catchThrowableOfType(PlugboardException.class, () -> overrides.over(DEFAULT_POOL));

        assertThat(e).as("refusal of %s", overrides).isNotNull();
        assertThat(e.type()).isEqualTo(ProblemType.INVALID_PARAMETER);
        assertThat(e.getMessage()).contains(message);
    }
}
