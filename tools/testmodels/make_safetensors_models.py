#!/usr/bin/python3
"""Makes an ONNX graph with initializers and SafeTensors files that replace them.

Run with Debian's own python3 (python3-onnx, python3-numpy):
    /usr/bin/python3 tools/testmodels/make_safetensors_models.py src/test/resources/models/safetensors

affine.onnx computes y = x @ W + b with W [3,2] and b [2] as initializers (all ones / zeros).
weights.safetensors holds other W and b: served together, the answers must follow the new weights
(weights.cases.json). wrong_shape.safetensors and unknown_name.safetensors must be refused.
"""
import json
import os
import struct
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

OUT = sys.argv[1] if len(sys.argv) > 1 else "src/test/resources/models/safetensors"
os.makedirs(OUT, exist_ok=True)

w0 = np.ones((3, 2), dtype=np.float32)
b0 = np.zeros((2,), dtype=np.float32)
g = helper.make_graph(
    [helper.make_node("MatMul", ["x", "W"], ["xw"]), helper.make_node("Add", ["xw", "b"], ["y"])],
    "affine",
    [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["batch", 3])],
    [helper.make_tensor_value_info("y", TensorProto.FLOAT, ["batch", 2])],
    initializer=[numpy_helper.from_array(w0, "W"), numpy_helper.from_array(b0, "b")])
m = helper.make_model(g, opset_imports=[helper.make_opsetid("", 17)], producer_name="plugboard-testmodels")
m.ir_version = 8
onnx.checker.check_model(m)
onnx.save(m, os.path.join(OUT, "affine.onnx"))

DT = {np.dtype("float32"): "F32", np.dtype("float64"): "F64", np.dtype("int64"): "I64"}


def save_safetensors(path, tensors):
    header, blobs, offset = {}, [], 0
    for name, arr in tensors.items():
        raw = np.ascontiguousarray(arr).astype(arr.dtype.newbyteorder("<")).tobytes()
        header[name] = {"dtype": DT[arr.dtype], "shape": list(arr.shape), "data_offsets": [offset, offset + len(raw)]}
        blobs.append(raw)
        offset += len(raw)
    header["__metadata__"] = {"format": "pt"}
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * ((8 - len(text) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for blob in blobs:
            f.write(blob)


w1 = np.array([[1, -1], [2, 0.5], [-3, 4]], dtype=np.float32)
b1 = np.array([10, -10], dtype=np.float32)
save_safetensors(os.path.join(OUT, "weights.safetensors"), {"W": w1, "b": b1})
save_safetensors(os.path.join(OUT, "wrong_shape.safetensors"), {"W": np.ones((2, 3), dtype=np.float32)})
save_safetensors(os.path.join(OUT, "unknown_name.safetensors"), {"W": w1, "gamma": b1})

x = np.array([[1, 2, 3], [0.5, -1, 2]], dtype=np.float32)
case = {"request": {"inputs": [{"name": "x", "datatype": "FP32", "shape": [2, 3], "data": x.flatten().tolist()}]},
        "outputs": [{"name": "y", "datatype": "FP32", "shape": [2, 2],
                     "data": [float(v) for v in (x @ w1 + b1).flatten()]}]}
with open(os.path.join(OUT, "weights.cases.json"), "w") as f:
    json.dump([case], f, indent=1)
original = {"request": case["request"], "outputs": [{"name": "y", "datatype": "FP32", "shape": [2, 2],
                                                     "data": [float(v) for v in (x @ w0 + b0).flatten()]}]}
with open(os.path.join(OUT, "affine.cases.json"), "w") as f:
    json.dump([original], f, indent=1)
print("wrote", sorted(os.listdir(OUT)))
