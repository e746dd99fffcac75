package io.plugboard.backend;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.plugboard.backend.djl.SavedModelBackend;
import io.plugboard.format.ModelFormat;
import io.plugboard.problem.PlugboardException;
import io.plugboard.problem.ProblemType;
import io.plugboard.tensor.DataType;
import io.plugboard.tensor.TensorSpec;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The kit over a SavedModel with a real variable, plus signature selection on an INT32/BOOL/INT64 model. */
class SavedModelBackendTest extends BackendCompatibilityKit {

    private static final SavedModelBackend BACKEND = new SavedModelBackend(Engines.DJL);
    static final Path DIR = Path.of("src/test/resources/models/savedmodel");

    @Override
    protected Backend backend() {
        return BACKEND;
    }

    @Override
    protected ModelSource reference() {
        return new ModelSource(DIR.resolve("affine"), "saved_model.pb", ModelFormat.TF_SAVEDMODEL);
    }

    @Override
    protected Path casesFile() {
        return DIR.resolve("affine.cases.json");
    }

    @Override
    protected ModelSignature expectedSignature() {
        return new ModelSignature(List.of(new TensorSpec("x", DataType.FP32, new long[] {-1, 3})),
                List.of(new TensorSpec("total", DataType.FP32, new long[] {-1}),
                        new TensorSpec("y", DataType.FP32, new long[] {-1, 3})));
    }

    @Test
    void signaturesAreChosenByName() {
        ModelSource typed = new ModelSource(DIR.resolve("typed"), "saved_model.pb", ModelFormat.TF_SAVEDMODEL);
        try (LoadedModel model = BACKEND.load(typed, Target.CPU)) {
            assertThat(model.signature().inputs()).extracting(TensorSpec::name).containsExactly("count", "flag", "wide");
            assertThat(model.signature().inputs()).extracting(TensorSpec::datatype)
                    .containsExactly(DataType.INT32, DataType.BOOL, DataType.INT64);
        }
        ModelSource other = new ModelSource(DIR.resolve("typed"), "saved_model.pb", ModelFormat.TF_SAVEDMODEL,
                new EngineOptions(null, "double_only"));
        try (LoadedModel model = BACKEND.load(other, Target.CPU)) {
            assertThat(model.signature().outputs()).extracting(TensorSpec::name).containsExactly("doubled");
        }
        ModelSource missing = new ModelSource(DIR.resolve("typed"), "saved_model.pb", ModelFormat.TF_SAVEDMODEL,
                new EngineOptions(null, "nope"));
        assertThatThrownBy(() -> BACKEND.load(missing, Target.CPU)).isInstanceOfSatisfying(PlugboardException.class, e -> {
            assertThat(e.type()).isEqualTo(ProblemType.MODEL_LOAD_FAILED);
            assertThat(e.getMessage()).contains("double_only", "serving_default");
        });
    }
}
