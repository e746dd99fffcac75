package io.plugboard.tensor;

import java.util.Locale;
import java.util.Optional;

/** Element types, named as in the Open Inference Protocol (KServe V2). */
public enum DataType {
    BOOL(1), UINT8(1), UINT16(2), UINT32(4), UINT64(8),
    INT8(1), INT16(2), INT32(4), INT64(8),
    FP16(2), BF16(2), FP32(4), FP64(8),
    /** Variable-length byte strings; {@link #byteSize()} is -1. */
    BYTES(-1);

    private final int byteSize;

    DataType(int byteSize) {
        this.byteSize = byteSize;
    }

    /** Bytes per element, or -1 for {@link #BYTES}. */
    public int byteSize() {
        return byteSize;
    }

    public boolean isFixedSize() {
        return byteSize > 0;
    }

    public boolean isFloatingPoint() {
        return this == FP16 || this == BF16 || this == FP32 || this == FP64;
    }

    public boolean isUnsigned() {
        return this == UINT8 || this == UINT16 || this == UINT32 || this == UINT64;
    }

    /** Parses a protocol name ("FP32", case-insensitive). */
    public static Optional<DataType> fromName(String name) {
        if (name == null) {
            return Optional.empty();
        }
        try {
            return Optional.of(valueOf(name.trim().toUpperCase(Locale.ROOT)));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }
}
