package io.plugboard.api.codec;

import static org.assertj.core.api.Assertions.assertThat;

import io.plugboard.inference.InferenceRequest;
import io.plugboard.support.Http;
import java.io.ByteArrayInputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Float tensor elements are rounded once, to the tensor's own precision. */
class FloatElementsTest {

    private static final JsonRequestDecoder DECODER = new JsonRequestDecoder(Http.JSON);
    /**
     * Just above the midpoint between 1 and the next float (1 + 2^-24): the nearest double is the
     * midpoint itself, which then rounds to 1 (ties to even); the nearest float is 1 + 2^-23.
     */
    private static final String ABOVE_MIDPOINT = "1.0000000596046448";

    private static ByteBuffer data(String json) {
        InferenceRequest request = DECODER.decode(new ByteArrayInputStream(json.getBytes(StandardCharsets.UTF_8)), 1 << 20);
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
}
