package io.plugboard.convert.keras;

import java.util.Arrays;

/**
 * A tensor of the converted graph in Keras's own layout: its ONNX name and its Keras shape, batch
 * axis included; unknown dimensions are -1.
 */
record KerasTensor(String name, long[] shape) {

    int rank() {
        return shape.length;
    }

    long dim(int axis) {
        return shape[axis < 0 ? shape.length + axis : axis];
    }

    KerasTensor withName(String newName) {
        return new KerasTensor(newName, shape);
    }

    @Override
    public String toString() {
        return name + Arrays.toString(shape);
    }
}
