package io.plugboard.tensor;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.junit.jupiter.api.Test;

/** Engine buffers come in whatever byte order they declare; the server's tensors are little-endian. */
class TensorTest {

    @Test
    void copiesFromAndToEitherByteOrder() {
        ByteBuffer big = ByteBuffer.allocate(12).order(ByteOrder.BIG_ENDIAN);
        big.putFloat(1.5f).putFloat(-2f).putFloat(1e-3f).flip();
        Tensor tensor = Tensor.copyOf(DataType.FP32, new long[] {3}, big);
        ByteBuffer le = tensor.data();
        assertThat(le.order()).isEqualTo(ByteOrder.LITTLE_ENDIAN);
        assertThat(new float[] {le.getFloat(0), le.getFloat(4), le.getFloat(8)}).containsExactly(1.5f, -2f, 1e-3f);
        assertThat(le.get(3)).as("little-endian bytes: sign and exponent last").isEqualTo((byte) 0x3f);

        for (ByteOrder order : new ByteOrder[] {ByteOrder.BIG_ENDIAN, ByteOrder.LITTLE_ENDIAN}) {
            ByteBuffer target = ByteBuffer.allocateDirect(12).order(order);
            tensor.copyTo(target);
            target.flip();
            assertThat(new float[] {target.getFloat(), target.getFloat(), target.getFloat()})
                    .as(order.toString()).containsExactly(1.5f, -2f, 1e-3f);
        }
    }

    @Test
    void singleByteElementsAreCopiedAsTheyAre() {
        ByteBuffer source = ByteBuffer.wrap(new byte[] {1, -2, 3}).order(ByteOrder.BIG_ENDIAN);
        Tensor tensor = Tensor.copyOf(DataType.INT8, new long[] {1, 3}, source);
        ByteBuffer data = tensor.data();
        assertThat(new byte[] {data.get(0), data.get(1), data.get(2)}).containsExactly(1, -2, 3);
    }
}
