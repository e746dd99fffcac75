package io.plugboard.api.codec;

import static org.assertj.core.api.Assertions.assertThat;

import io.plugboard.problem.PlugboardException;
import io.plugboard.support.Http;
import io.plugboard.tensor.DataType;
import io.plugboard.tensor.Tensor;
import java.io.ByteArrayInputStream;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Map;

/**
 * Decodes a JSON request both ways the server does: streamed through the parser (a compressed
 * body), and from its bytes in memory, with numeric data arrays converted without the parser.
 * The two must agree on every request: the same tensors to the bit, or the same refusal.
 */
public final class BothWays {

    private static final JsonRequestDecoder DECODER = new JsonRequestDecoder(Http.JSON);

    private BothWays() {
    }

    /** The request decoded from its bytes, after checking the streamed decoding agrees with it. */
    public static DecodedRequest decode(byte[] body, long maxElements) {
        DecodedRequest streamed = null;
        PlugboardException streamRefusal = null;
        try {
            streamed = DECODER.decodeHeader(new ByteArrayInputStream(body), maxElements);
        } catch (PlugboardException e) {
            streamRefusal = e;
        }
        DecodedRequest fromBytes;
        try {
            fromBytes = DECODER.decodeHeader(body, maxElements);
        } catch (PlugboardException e) {
            assertThat(streamRefusal).as("refused only from bytes: %s", e.getMessage()).isNotNull();
            assertThat(e.type()).isEqualTo(streamRefusal.type());
            assertThat(e.getMessage()).isEqualTo(streamRefusal.getMessage());
            throw e;
        }
        if (streamRefusal != null) {
            throw new AssertionError("refused only when streamed: " + streamRefusal.getMessage(), streamRefusal);
        }
        assertThat(describe(fromBytes)).isEqualTo(describe(streamed));
        return fromBytes;
    }

    /** Everything a decoded request carries, as text: tensors by their exact bytes. */
    static String describe(DecodedRequest r) {
        StringBuilder s = new StringBuilder().append(r.id()).append(' ').append(r.outputs()).append(' ')
                .append(r.timeout()).append(' ').append(r.binaryOutputAll());
        for (Map.Entry<String, Tensor> e : r.inputs().entrySet()) {
            Tensor t = e.getValue();
            s.append('\n').append(e.getKey()).append(' ').append(t.datatype()).append(' ')
                    .append(Arrays.toString(t.shape())).append(' ');
            if (t.datatype() == DataType.BYTES) {
                t.elements().forEach(b -> s.append(HexFormat.of().formatHex(b)).append(','));
            } else {
                ByteBuffer data = t.data().duplicate();
                byte[] bytes = new byte[data.remaining()];
                data.get(bytes);
                s.append(HexFormat.of().formatHex(bytes));
            }
        }
        r.binaryInputs().forEach(b -> s.append("\nbinary ").append(b.name()).append(' ').append(b.datatype())
                .append(' ').append(Arrays.toString(b.shape())).append(' ').append(b.size()));
        return s.toString();
    }
}
