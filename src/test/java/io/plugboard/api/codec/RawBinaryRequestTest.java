package io.plugboard.api.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.plugboard.problem.PlugboardException;
import io.plugboard.problem.ProblemType;
import io.plugboard.tensor.DataType;
import io.plugboard.tensor.TensorSpec;
import java.util.List;
import org.junit.jupiter.api.Test;

/** How a raw binary request's one input is told from the model and the body's length, and when it cannot be. */
class RawBinaryRequestTest {

    private static TensorSpec spec(DataType type, long... shape) {
        return new TensorSpec("x", type, shape);
    }

    private static void assertRefused(List<TensorSpec> inputs, boolean batching, long bytes, ProblemType type,
            String why) {
        assertThatThrownBy(() -> RawBinaryRequest.input(inputs, batching, bytes))
                .isInstanceOfSatisfying(PlugboardException.class, e -> {
                    assertThat(e.type()).isEqualTo(type);
                    assertThat(e.getMessage()).contains(why);
                });
    }

    @Test
    void theOpenDimensionIsToldFromTheLength() {
        DecodedRequest.BinaryInput rows = RawBinaryRequest.input(List.of(spec(DataType.FP32, -1, 4)), false, 48);
        assertThat(rows.shape()).containsExactly(3, 4);
        assertThat(rows.size()).isEqualTo(48);
        assertThat(RawBinaryRequest.input(List.of(spec(DataType.INT64, 2, -1)), false, 32).shape()).containsExactly(2, 2);
        // batching: the batch dimension is 1, the next open one is told
        assertThat(RawBinaryRequest.input(List.of(spec(DataType.FP32, -1, -1)), true, 40).shape()).containsExactly(1, 10);
        // no open dimension: the shape stands, and the binary section's own check compares the sizes
        assertThat(RawBinaryRequest.input(List.of(spec(DataType.UINT8, 2, 3)), false, 7).shape()).containsExactly(2, 3);
        assertThat(RawBinaryRequest.input(List.of(spec(DataType.FP32, 0, -1)), false, 0).shape()).containsExactly(0, 1);
    }

    @Test
    void aBytesInputIsOneElementTheWholeBody() {
        DecodedRequest.BinaryInput text = RawBinaryRequest.input(List.of(spec(DataType.BYTES, -1)), true, 11);
        assertThat(text.shape()).containsExactly(1);
        assertThat(text.size()).as("the body and its 4-byte length").isEqualTo(15);
        assertRefused(List.of(spec(DataType.BYTES, 2)), false, 11, ProblemType.MALFORMED_REQUEST, "not one element");
    }

    @Test
    void whatCannotBeToldIsRefused() {
        assertRefused(List.of(spec(DataType.FP32, 1), spec(DataType.FP32, 1)), false, 4, ProblemType.MALFORMED_REQUEST,
                "takes 2 inputs");
        assertRefused(List.of(spec(DataType.FP32, -1, -1)), false, 16, ProblemType.MALFORMED_REQUEST,
                "more than one dimension of any size");
        assertRefused(List.of(new TensorSpec("x", DataType.FP32, null)), false, 16, ProblemType.MALFORMED_REQUEST,
                "does not declare its input's shape");
        assertRefused(List.of(new TensorSpec("x", null, new long[] {-1})), false, 16, ProblemType.MALFORMED_REQUEST,
                "datatype");
        assertRefused(List.of(spec(DataType.FP32, -1, 3)), false, 16, ProblemType.INVALID_TENSOR, "no whole number");
        // dimensions whose product overflows: refused, not thrown as an arithmetic error
        assertRefused(List.of(spec(DataType.FP64, -1, Long.MAX_VALUE / 2, 4)), false, 64, ProblemType.INVALID_TENSOR,
                "no whole number");
    }
}
