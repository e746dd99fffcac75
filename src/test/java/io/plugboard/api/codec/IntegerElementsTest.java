package io.plugboard.api.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.plugboard.problem.PlugboardException;
import io.plugboard.problem.ProblemType;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Integer tensor elements: checked by form before any conversion, and never echoed at length. */
class IntegerElementsTest {


    private static Object decode(String element) {
        String json = "{\"inputs\":[{\"name\":\"x\",\"shape\":[1],\"datatype\":\"INT32\",\"data\":[" + element + "]}]}";
        return BothWays.decode(json.getBytes(StandardCharsets.UTF_8), 1 << 20);
    }

    @ParameterizedTest
    @ValueSource(strings = {"1e-99999999", "1E3", "2e0", "-5e+2"})
    void exponentFormsAreRefusedBeforeConversion(String element) {
        assertThatThrownBy(() -> decode(element)).isInstanceOfSatisfying(PlugboardException.class, e -> {
            assertThat(e.type()).isEqualTo(ProblemType.INVALID_TENSOR);
            assertThat(e.getMessage()).contains("exponent form").hasSizeLessThan(200);
        });
    }

    @Test
    void aLongNonIntegerIsQuotedShort() {
        String digits = "1." + "3".repeat(900);
        assertThatThrownBy(() -> decode(digits)).isInstanceOfSatisfying(PlugboardException.class,
                e -> assertThat(e.getMessage()).contains("non-integer").hasSizeLessThan(200));
    }

    @Test
    void plainAndWholeDecimalIntegersAreTaken() {
        assertThat(decode("7")).isNotNull();
        assertThat(decode("3.0")).isNotNull();
    }

    @Test
    void bytesAfterTheJsonObjectAreRefused() {
        String json = "{\"inputs\":[{\"name\":\"x\",\"shape\":[1],\"datatype\":\"INT32\",\"data\":[1]}]} {}";
        assertThatThrownBy(() -> BothWays.decode(json.getBytes(StandardCharsets.UTF_8), 1 << 20))
                .isInstanceOfSatisfying(PlugboardException.class, e -> {
                    assertThat(e.type()).isEqualTo(ProblemType.MALFORMED_REQUEST);
                    assertThat(e.getMessage()).contains("after its JSON object");
                });
    }
}
