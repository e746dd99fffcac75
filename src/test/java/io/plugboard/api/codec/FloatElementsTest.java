package io.plugboard.api.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.plugboard.inference.InferenceRequest;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import io.plugboard.problem.PlugboardException;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Float tensor elements are rounded once, to the tensor's own precision. */
class FloatElementsTest {

    /**
     * Just above the midpoint between 1 and the next float (1 + 2^-24): the nearest double is the
     * midpoint itself, which then rounds to 1 (ties to even); the nearest float is 1 + 2^-23.
     */
    private static final String ABOVE_MIDPOINT = "1.0000000596046448";

    private static ByteBuffer data(String json) {
        InferenceRequest request = BothWays.decode(json.getBytes(StandardCharsets.UTF_8), 1 << 20).request(java.util.Map.of());
        return request.inputs().get("x").data().order(ByteOrder.LITTLE_ENDIAN);
    }

    @ParameterizedTest
    @ValueSource(booleans = {true, false})
    void fp32IsParsedStraightToFloatWhetherDataComesBeforeOrAfterTheDatatype(boolean dataFirst) {
        String data = "\"data\":[" + ABOVE_MIDPOINT + ", 0.1, -2.5e-3]";
        String meta = "\"name\":\"x\",\"shape\":[3],\"datatype\":\"FP32\"";
        ByteBuffer out = data("{\"inputs\":[{" + (dataFirst ? data + "," + meta : meta + "," + data) + "}]}");
        assertThat((double) Math.nextUp(1f)).isNotEqualTo((double) (float) Double.parseDouble(ABOVE_MIDPOINT));
        assertThat(out.getFloat(0)).isEqualTo(Math.nextUp(1f));
        assertThat(out.getFloat(4)).isEqualTo(0.1f);
        assertThat(out.getFloat(8)).isEqualTo(-2.5e-3f);
    }

    @ParameterizedTest
    @ValueSource(booleans = {true, false})
    void fp64KeepsEveryDigitADoubleHolds(boolean dataFirst) {
        String data = "\"data\":[" + ABOVE_MIDPOINT + "]";
        String meta = "\"name\":\"x\",\"shape\":[1],\"datatype\":\"FP64\"";
        ByteBuffer out = data("{\"inputs\":[{" + (dataFirst ? data + "," + meta : meta + "," + data) + "}]}");
        assertThat(out.getDouble(0)).isEqualTo(Double.parseDouble(ABOVE_MIDPOINT));
    }

    /** The largest finite value of each type is taken; a number past it is refused, not made infinite. */
    @ParameterizedTest
    @CsvSource({"FP16,65504,65536", "BF16,3.3895313892515355e38,3.4e38", "FP32,3.4028235e38,3.5e38",
            "FP64,1.7976931348623157e308,1e309", "FP32,-3.4028235e38,-1e39", "FP16,-65504,-70000"})
    void aNumberBeyondTheTypesRangeIsRefused(String type, String largest, String beyond) {
        for (boolean dataFirst : new boolean[] {true, false}) {
            String meta = "\"name\":\"x\",\"shape\":[2],\"datatype\":\"" + type + "\"";
            String ok = "\"data\":[" + largest + ",\"Infinity\"]";
            data("{\"inputs\":[{" + (dataFirst ? ok + "," + meta : meta + "," + ok) + "}]}");
            String bad = "\"data\":[1," + beyond + "]";
            assertThatThrownBy(() -> data("{\"inputs\":[{" + (dataFirst ? bad + "," + meta : meta + "," + bad) + "}]}"))
                    .isInstanceOf(PlugboardException.class).hasMessageContaining("beyond " + type);
        }
        String integer = "{\"inputs\":[{\"name\":\"x\",\"shape\":[1],\"datatype\":\"FP16\",\"data\":[100000]}]}";
        assertThatThrownBy(() -> data(integer)).isInstanceOf(PlugboardException.class).hasMessageContaining("beyond");
    }
}
