#!/usr/bin/python3
"""Writes a tiny MXNet model byte by byte: the symbol JSON and the NDArray-list .params file.

    /usr/bin/python3 tools/testmodels/make_mxnet_models.py src/test/resources/models/mxnet

tiny-symbol.json + tiny-0000.params: FullyConnected(data, W [2,3], b [2]), y = x W^T + b.
"""
import json
import os
import struct
import sys

OUT = sys.argv[1] if len(sys.argv) > 1 else "src/test/resources/models/mxnet"
os.makedirs(OUT, exist_ok=True)
W = [[0.5, -1.0, 2.0], [1.5, 0.25, -0.75]]
B = [0.1, -0.2]
X = [[1.0, 2.0, 3.0], [-1.0, 0.5, 4.0]]

symbol = {
    "nodes": [
        {"op": "null", "name": "data", "inputs": []},
        {"op": "null", "name": "fc_weight", "attrs": {"num_hidden": "2"}, "inputs": []},
        {"op": "null", "name": "fc_bias", "attrs": {"num_hidden": "2"}, "inputs": []},
        {"op": "FullyConnected", "name": "fc", "attrs": {"num_hidden": "2"},
         "inputs": [[0, 0, 0], [1, 0, 0], [2, 0, 0]]}],
    "arg_nodes": [0, 1, 2],
    "node_row_ptr": [0, 1, 2, 3, 4],
    "heads": [[3, 0, 0]],
    "attrs": {"mxnet_version": ["int", 10901]}}
with open(os.path.join(OUT, "tiny-symbol.json"), "w") as f:
    json.dump(symbol, f, indent=1)


def ndarray(shape, values):
    out = struct.pack("<Ii", 0xF993FAC9, 0)                  # NDARRAY_V2_MAGIC, dense storage
    out += struct.pack("<i", len(shape)) + struct.pack("<%dq" % len(shape), *shape)
    out += struct.pack("<ii", 1, 0)                          # context: cpu(0)
    out += struct.pack("<i", 0)                              # type flag: float32
    return out + struct.pack("<%df" % len(values), *values)


arrays = [("arg:fc_weight", [2, 3], [v for row in W for v in row]), ("arg:fc_bias", [2], B)]
with open(os.path.join(OUT, "tiny-0000.params"), "wb") as f:
    f.write(struct.pack("<QQ", 0x112, 0))
    f.write(struct.pack("<Q", len(arrays)))
    for _, shape, values in arrays:
        f.write(ndarray(shape, values))
    f.write(struct.pack("<Q", len(arrays)))
    for name, _, _ in arrays:
        f.write(struct.pack("<Q", len(name)) + name.encode())

Y = [[sum(w * x for w, x in zip(row, xs)) + b for row, b in zip(W, B)] for xs in X]
case = {"request": {"inputs": [{"name": "data", "datatype": "FP32", "shape": [2, 3], "data": [v for r in X for v in r]}]},
        "outputs": [{"name": "output0", "datatype": "FP32", "shape": [2, 2], "data": [v for r in Y for v in r]}]}
with open(os.path.join(OUT, "tiny.cases.json"), "w") as f:
    json.dump([case], f, indent=1)
print("wrote", sorted(os.listdir(OUT)), Y)
