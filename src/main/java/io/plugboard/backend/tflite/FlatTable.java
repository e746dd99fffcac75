package io.plugboard.backend.tflite;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * One table of a FlatBuffer, every read bounds-checked against the buffer: a field is absent, a
 * scalar, or an offset to a table, vector or string that lies inside the buffer. Reads past the
 * end throw {@link Malformed} instead of trusting the file.
 */
final class FlatTable {

    /** The buffer does not hold what its offsets say. */
    static final class Malformed extends RuntimeException {
        Malformed(String message) {
            super(message, null, false, false);
        }
    }

    private final ByteBuffer buffer;
    private final int table;
    private final int vtable;
    private final int vtableSize;

    private FlatTable(ByteBuffer buffer, int table) {
        this.buffer = buffer;
        this.table = table;
        int soffset = int32(buffer, table);
        long vt = (long) table - soffset;
        if (vt < 0 || vt + 4 > buffer.limit()) {
            throw new Malformed("a table's field index lies outside the file");
        }
        this.vtable = (int) vt;
        this.vtableSize = uint16(buffer, vtable);
        if (vtableSize < 4 || (vtableSize & 1) != 0 || vtable + (long) vtableSize > buffer.limit()) {
            throw new Malformed("a table's field index has a bad size");
        }
        int tableSize = uint16(buffer, vtable + 2);
        if (table + (long) tableSize > buffer.limit()) {
            throw new Malformed("a table runs past the end of the file");
        }
    }

    /** The root table. */
    static FlatTable root(ByteBuffer buffer) {
        ByteBuffer le = buffer.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        return new FlatTable(le, checkedTarget(le, 0));
    }

    private static int checkedTarget(ByteBuffer buffer, int at) {
        long target = at + Integer.toUnsignedLong(int32(buffer, at));
        if (target + 4 > buffer.limit()) {
            throw new Malformed("an offset points outside the file");
        }
        return (int) target;
    }

    /** Where field {@code id} is stored, or -1 when absent. */
    private int field(int id) {
        int entry = 4 + 2 * id;
        if (entry + 2 > vtableSize) {
            return -1;
        }
        int offset = uint16(buffer, vtable + entry);
        if (offset == 0) {
            return -1;
        }
        return table + offset;
    }

    boolean has(int id) {
        return field(id) >= 0;
    }

    long uint32(int id, long absent) {
        int at = field(id);
        return at < 0 ? absent : Integer.toUnsignedLong(int32(buffer, at));
    }

    int int32(int id, int absent) {
        int at = field(id);
        return at < 0 ? absent : int32(buffer, at);
    }

    int int8(int id, int absent) {
        int at = field(id);
        if (at < 0) {
            return absent;
        }
        check(at, 1);
        return buffer.get(at);
    }

    long uint64(int id, long absent) {
        int at = field(id);
        if (at < 0) {
            return absent;
        }
        check(at, 8);
        return buffer.getLong(at);
    }

    /** A sub-table, or null when absent. */
    FlatTable table(int id) {
        int at = field(id);
        return at < 0 ? null : new FlatTable(buffer, checkedTarget(buffer, at));
    }

    /** The length of a vector field (0 when absent), its elements checked to lie in the file. */
    int vectorLength(int id, int elementSize) {
        int start = vectorStart(id);
        if (start < 0) {
            return 0;
        }
        long length = Integer.toUnsignedLong(int32(buffer, start));
        if (start + 4 + length * elementSize > buffer.limit()) {
            throw new Malformed("a list runs past the end of the file");
        }
        return (int) length;
    }

    private int vectorStart(int id) {
        int at = field(id);
        return at < 0 ? -1 : checkedTarget(buffer, at);
    }

    /** Element {@code i} of a vector of 32-bit integers. */
    int intAt(int id, int i) {
        return int32(buffer, vectorStart(id) + 4 + 4 * i);
    }

    /** Element {@code i} of a vector of 32-bit floats. */
    float floatAt(int id, int i) {
        return Float.intBitsToFloat(intAt(id, i));
    }

    /** Element {@code i} of a vector of tables. */
    FlatTable tableAt(int id, int i) {
        int element = vectorStart(id) + 4 + 4 * i;
        return new FlatTable(buffer, checkedTarget(buffer, element));
    }

    /** A string field, at most {@code max} characters shown; null when absent. */
    String string(int id, int max) {
        int length = vectorLength(id, 1);
        if (!has(id)) {
            return null;
        }
        int start = vectorStart(id) + 4;
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < Math.min(length, max); i++) {
            int c = buffer.get(start + i) & 0xff;
            text.append(c >= 0x20 && c < 0x7f ? (char) c : '?');
        }
        return text.toString();
    }

    private void check(int at, int size) {
        if (at < 0 || at + (long) size > buffer.limit()) {
            throw new Malformed("a field lies outside the file");
        }
    }

    private static int int32(ByteBuffer buffer, int at) {
        if (at < 0 || at + 4L > buffer.limit()) {
            throw new Malformed("a field lies outside the file");
        }
        return buffer.getInt(at);
    }

    private static int uint16(ByteBuffer buffer, int at) {
        if (at < 0 || at + 2L > buffer.limit()) {
            throw new Malformed("a field lies outside the file");
        }
        return Short.toUnsignedInt(buffer.getShort(at));
    }
}
