package io.plugboard.backend;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.plugboard.problem.PlugboardException;
import io.plugboard.problem.ProblemType;
import io.plugboard.support.Http;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.NullAndEmptySource;
import org.junit.jupiter.params.provider.ValueSource;

/** How targets are read as users write them, written back, compared and carried in JSON. */
class TargetTest {

    @ParameterizedTest
    @NullAndEmptySource
    @ValueSource(strings = {"auto", "AUTO", "  ", "\t", " Auto "})
    void absentBlankOrAutoIsAuto(String text) {
        assertThat(Target.parse(text)).isEqualTo(Target.AUTO).isEqualTo(new Target(Target.Kind.AUTO, null));
    }

    @Test
    void kindsAndIndicesAreReadIgnoringCaseAndSurroundingBlanks() {
        assertThat(Target.parse("cuda")).isEqualTo(new Target(Target.Kind.CUDA, null));
        assertThat(Target.parse("cuda:1")).isEqualTo(Target.cuda(1));
        assertThat(Target.parse("  CUDA:1 ")).isEqualTo(Target.cuda(1));
        assertThat(Target.parse("tensorrt:0")).isEqualTo(Target.tensorrt(0));
        assertThat(Target.parse("TensorRT")).isEqualTo(new Target(Target.Kind.TENSORRT, null));
        assertThat(Target.parse("openvino")).isEqualTo(Target.OPENVINO);
        assertThat(Target.parse(" OpenVINO")).isEqualTo(Target.OPENVINO);
        assertThat(Target.parse("Cpu")).isEqualTo(Target.CPU);
        assertThat(Target.parse("cuda:12").device()).isEqualTo(12);
    }

    @ParameterizedTest
    @ValueSource(strings = {"cpu:0", "openvino:1", "auto:0", "gpu", "cuda:123", "cuda:-1", "cuda:", "cuda 1",
            "cuda:x", "tensorrt:1:2"})
    void otherFormsAreRefusedAsAnInvalidTargetParameter(String text) {
        PlugboardException e = catchThrowableOfType(PlugboardException.class, () -> Target.parse(text));

        assertThat(e).as("refusal of '%s'", text).isNotNull();
        assertThat(e.type()).isEqualTo(ProblemType.INVALID_PARAMETER);
        assertThat(e.properties()).containsEntry("parameter", "target");
        assertThat(e.getMessage())
                .contains("'" + text + "'", "auto, cpu, cuda, cuda:N, tensorrt, tensorrt:N, openvino");
    }

    @Test
    void aDeviceIndexOnAKindWithoutDevicesCannotBeBuilt() {
        assertThat(catchThrowableOfType(IllegalArgumentException.class, () -> new Target(Target.Kind.CPU, 0)))
                .hasMessageContaining("cpu takes no device index 0");
        assertThat(catchThrowableOfType(IllegalArgumentException.class, () -> Target.cuda(-1)))
                .hasMessageContaining("cuda takes no device index -1");
        assertThat(catchThrowableOfType(IllegalArgumentException.class, () -> new Target(null, null)))
                .hasMessageContaining("needs a kind");
    }

    @Test
    void toStringIsTheWrittenFormAndParsesBack() {
        assertThat(Target.cuda(0)).hasToString("cuda:0");
        assertThat(Target.tensorrt(3)).hasToString("tensorrt:3");
        assertThat(new Target(Target.Kind.CUDA, null)).hasToString("cuda");
        assertThat(Target.AUTO).hasToString("auto");
        assertThat(Target.CPU).hasToString("cpu");
        assertThat(Target.OPENVINO).hasToString("openvino");
        for (Target t : List.of(Target.AUTO, Target.CPU, Target.OPENVINO, Target.cuda(0), Target.cuda(7),
                Target.tensorrt(1), new Target(Target.Kind.TENSORRT, null))) {
            assertThat(Target.parse(t.toString())).isEqualTo(t);
        }
    }

    @Test
    void deviceOrZeroDefaultsToTheFirstDevice() {
        assertThat(Target.cuda(2).deviceOrZero()).isEqualTo(2);
        assertThat(Target.parse("cuda").deviceOrZero()).isZero();
        assertThat(Target.CPU.deviceOrZero()).isZero();
    }

    @Test
    void anOfferedTargetSatisfiesAutoItsKindAndItsOwnDevice() {
        Target cuda1 = Target.cuda(1);

        assertThat(cuda1.satisfies(Target.AUTO)).isTrue();
        assertThat(cuda1.satisfies(Target.parse("cuda"))).isTrue();
        assertThat(cuda1.satisfies(Target.cuda(1))).isTrue();
        assertThat(cuda1.satisfies(Target.cuda(0))).isFalse();
        assertThat(cuda1.satisfies(Target.tensorrt(1))).isFalse();
        assertThat(cuda1.satisfies(Target.CPU)).isFalse();
        assertThat(Target.CPU.satisfies(Target.CPU)).isTrue();
        assertThat(Target.CPU.satisfies(Target.AUTO)).isTrue();
        assertThat(Target.CPU.satisfies(Target.OPENVINO)).isFalse();
        assertThat(Target.OPENVINO.satisfies(Target.CPU)).isFalse();
        assertThat(Target.tensorrt(0).satisfies(Target.parse("tensorrt"))).isTrue();
    }

    /** A record carrying a target, as settings and descriptions do. */
    record Holder(Target target) {
    }

    @Test
    void aTargetIsItsStringInJson() {
        assertThat(Http.JSON.writeValueAsString(Target.cuda(0))).isEqualTo("\"cuda:0\"");
        assertThat(Http.JSON.writeValueAsString(Target.CPU)).isEqualTo("\"cpu\"");
        assertThat(Http.JSON.readValue("\"cuda:0\"", Target.class)).isEqualTo(Target.cuda(0));
        assertThat(Http.JSON.readValue("\" TensorRT:2 \"", Target.class)).isEqualTo(Target.tensorrt(2));

        String json = Http.JSON.writeValueAsString(new Holder(Target.tensorrt(1)));
        assertThat(json).isEqualTo("{\"target\":\"tensorrt:1\"}");
        assertThat(Http.JSON.readValue(json, Holder.class)).isEqualTo(new Holder(Target.tensorrt(1)));
    }

    @Test
    void anInvalidTargetInJsonFailsWithTheParsersRefusal() {
        Throwable e = catchThrowableOfType(RuntimeException.class,
                () -> Http.JSON.readValue("{\"target\":\"gpu\"}", Holder.class));

        assertThat(e).isNotNull();
        Throwable root = e;
        while (root.getCause() != null && !(root instanceof PlugboardException)) {
            root = root.getCause();
        }
        assertThat(root).isInstanceOfSatisfying(PlugboardException.class,
                p -> assertThat(p.type()).isEqualTo(ProblemType.INVALID_PARAMETER));
    }
}
