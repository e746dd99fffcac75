package io.plugboard.format;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Walks the fields of a protobuf message in a file region without decoding or loading their
 * values: enough to tell a well-formed message from garbage and to see which fields it has.
 * Bounded: at most {@code maxFields} fields are read, and every length is checked against the region.
 */
public final class ProtobufScanner {

    public static final int VARINT = 0;
    public static final int FIXED64 = 1;
    public static final int LENGTH_DELIMITED = 2;
    public static final int FIXED32 = 5;

    /** One field: its number, wire type, and where its value lies (for varints, the value itself). */
    public record Field(int number, int wireType, long valueOffset, long length, long varint) {
    }

    /** The fields found; {@code complete} is false when the walk stopped at {@code maxFields}. */
    public record Message(List<Field> fields, boolean complete) {

        public boolean has(int number, int wireType) {
            return fields.stream().anyMatch(f -> f.number() == number && f.wireType() == wireType);
        }

        public Optional<Field> first(int number) {
            return fields.stream().filter(f -> f.number() == number).findFirst();
        }

        public int maxFieldNumber() {
            return fields.stream().mapToInt(Field::number).max().orElse(0);
        }
    }

    private final FileChannel channel;
    private final ByteBuffer window = ByteBuffer.allocate(10);

    public ProtobufScanner(FileChannel channel) {
        this.channel = channel;
    }

    /** Scans [start, end); empty when the region is not a well-formed message (or is empty). */
    public Optional<Message> scan(long start, long end, int maxFields) throws IOException {
        List<Field> fields = new ArrayList<>();
        long pos = start;
        while (pos < end) {
            if (fields.size() >= maxFields) {
                return Optional.of(new Message(fields, false));
            }
            long[] tag = readVarint(pos, end);
            if (tag == null) {
                return Optional.empty();
            }
            pos += tag[1];
            long key = tag[0];
            int wireType = (int) (key & 7);
            long number = key >>> 3;
            if (number < 1 || number > (1L << 29) - 1) {
                return Optional.empty();
            }
            switch (wireType) {
                case VARINT -> {
                    long[] v = readVarint(pos, end);
                    if (v == null) {
                        return Optional.empty();
                    }
                    fields.add(new Field((int) number, wireType, pos, v[1], v[0]));
                    pos += v[1];
                }
                case FIXED64, FIXED32 -> {
                    int size = wireType == FIXED64 ? 8 : 4;
                    if (end - pos < size) {
                        return Optional.empty();
                    }
                    fields.add(new Field((int) number, wireType, pos, size, 0));
                    pos += size;
                }
                case LENGTH_DELIMITED -> {
                    long[] len = readVarint(pos, end);
                    if (len == null || len[0] < 0 || len[0] > end - pos - len[1]) {
                        return Optional.empty();
                    }
                    pos += len[1];
                    fields.add(new Field((int) number, wireType, pos, len[0], 0));
                    pos += len[0];
                }
                default -> {
                    return Optional.empty();
                }
            }
        }
        return fields.isEmpty() ? Optional.empty() : Optional.of(new Message(fields, true));
    }

    /** Reads the first {@code max} bytes of a field's value. */
    public byte[] bytes(Field field, int max) throws IOException {
        int n = (int) Math.min(max, field.length());
        ByteBuffer buf = ByteBuffer.allocate(n);
        while (buf.hasRemaining()) {
            if (channel.read(buf, field.valueOffset() + buf.position()) < 0) {
                break;
            }
        }
        return buf.array();
    }

    /** The values of a packed repeated varint field, from the first {@code max} bytes of its value. */
    public List<Long> packedVarints(Field field, int max) throws IOException {
        ByteBuffer in = ByteBuffer.wrap(bytes(field, max));
        List<Long> values = new ArrayList<>();
        long[] v;
        while (in.hasRemaining() && (v = decodeVarint(in)) != null) {
            values.add(v[0]);
        }
        return values;
    }

    /** {value, byteCount} or null when no complete varint lies in [pos, end). */
    private long[] readVarint(long pos, long end) throws IOException {
        window.clear();
        window.limit((int) Math.min(10, end - pos));
        int read = 0;
        while (window.hasRemaining()) {
            int n = channel.read(window, pos + read);
            if (n <= 0) {
                break;
            }
            read += n;
        }
        window.flip();
        return decodeVarint(window);
    }

    /** Decodes the varint at {@code in}'s position: {value, byteCount}, or null when {@code in} ends first. */
    private static long[] decodeVarint(ByteBuffer in) {
        long value = 0;
        for (int i = 0; i < 10 && in.hasRemaining(); i++) {
            int b = in.get() & 0xff;
            value |= (long) (b & 0x7f) << (7 * i);
            if ((b & 0x80) == 0) {
                return new long[] {value, i + 1};
            }
        }
        return null;
    }
}
