package io.plugboard.api.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.plugboard.problem.PlugboardException;
import io.plugboard.problem.ProblemType;
import io.plugboard.support.Http;
import java.io.ByteArrayInputStream;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** Decoding allocates by the elements a client sent, never by the shape it declares. */
class RequestMemoryTest {

    private static final JsonRequestDecoder DECODER = new JsonRequestDecoder(Http.JSON);

    private static long allocatedByThisThread() {
        return ((com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean())
                .getThreadAllocatedBytes(Thread.currentThread().threadId());
    }

    @Test
    void aHugeDeclaredShapeWithFewElementsCostsLittle() {
        String json = "{\"inputs\":[{\"name\":\"x\",\"shape\":[100000000],\"datatype\":\"FP32\",\"data\":[1,2,3]}]}";
        byte[] body = json.getBytes(StandardCharsets.UTF_8);
        long before = allocatedByThisThread();
        assertThatThrownBy(() -> DECODER.decode(new ByteArrayInputStream(body), 1L << 30))
                .isInstanceOfSatisfying(PlugboardException.class,
                        e -> assertThat(e.type()).isEqualTo(ProblemType.INVALID_TENSOR));
        // the shape claims 400 MB; three elements arrived
        assertThat(allocatedByThisThread() - before).as("bytes allocated decoding").isLessThan(8L << 20);
    }

    @Test
    void aFullTensorStillDecodesExactly() {
        StringBuilder data = new StringBuilder();
        for (int i = 0; i < 100_000; i++) {
            data.append(i == 0 ? "" : ",").append(i % 7);
        }
        String json = "{\"inputs\":[{\"name\":\"x\",\"shape\":[100000],\"datatype\":\"INT32\",\"data\":[" + data + "]}]}";
        var request = DECODER.decode(new ByteArrayInputStream(json.getBytes(StandardCharsets.UTF_8)), 1L << 30);
        var tensor = request.inputs().get("x");
        assertThat(tensor.data().remaining()).isEqualTo(400_000);
        assertThat(tensor.data().getInt(4 * 99_999)).isEqualTo(99_999 % 7);
    }
}
