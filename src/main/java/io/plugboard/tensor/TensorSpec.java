package io.plugboard.tensor;

import java.util.Arrays;

/**
 * Name, element type and shape of a model input or output; -1 marks a dynamic dimension. A null
 * shape means the rank is unknown too.
 */
public record TensorSpec(String name, DataType datatype, long[] shape) {

    public TensorSpec {
        shape = shape == null ? null : shape.clone();
    }

    @Override
    public long[] shape() {
        return shape == null ? null : shape.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TensorSpec other && name.equals(other.name) && datatype == other.datatype
                && Arrays.equals(shape, other.shape);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * name.hashCode() + java.util.Objects.hashCode(datatype)) + Arrays.hashCode(shape);
    }

    @Override
    public String toString() {
        return name + ":" + datatype + (shape == null ? "[?]" : Arrays.toString(shape));
    }
}
