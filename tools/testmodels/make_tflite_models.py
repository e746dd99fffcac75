#!/usr/bin/python3
"""Writes a small TFLite model as a flatbuffer, field by field (schema v3), with reference outputs,
and fetches a real third-party model from the npm registry.

    /usr/bin/python3 tools/testmodels/make_tflite_models.py src/test/resources/models/tflite

arith.tflite: inputs x, y FP32 [2,3] and a, b INT32 [2]; outputs sum = x + y, product = x * y,
total = a + b. Needs Debian's python3-flatbuffers.

face_detection_short_range.tflite comes from the npm package @mediapipe/face_detection
(Apache-2.0): `npm pack @mediapipe/face_detection` (run by this script when npm is present).
"""
import json
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile

import flatbuffers

OUT = sys.argv[1] if len(sys.argv) > 1 else "src/test/resources/models/tflite"
os.makedirs(OUT, exist_ok=True)

FLOAT32, INT32 = 0, 2
ADD, MUL = 0, 18
b = flatbuffers.Builder(1024)


def int_vector(values):
    b.StartVector(4, len(values), 4)
    for v in reversed(values):
        b.PrependInt32(v)
    return b.EndVector()


def offset_vector(offsets):
    b.StartVector(4, len(offsets), 4)
    for o in reversed(offsets):
        b.PrependUOffsetTRelative(o)
    return b.EndVector()


def tensor(name, shape, ttype):
    n = b.CreateString(name)
    s = int_vector(shape)
    b.StartObject(4)
    b.PrependUOffsetTRelativeSlot(0, s, 0)   # shape
    b.PrependInt8Slot(1, ttype, 0)            # type
    b.PrependUint32Slot(2, 0, 0)              # buffer 0: no data
    b.PrependUOffsetTRelativeSlot(3, n, 0)    # name
    return b.EndObject()


def operator(opcode_index, inputs, outputs):
    i = int_vector(inputs)
    o = int_vector(outputs)
    b.StartObject(3)
    b.PrependUint32Slot(0, opcode_index, 0)
    b.PrependUOffsetTRelativeSlot(1, i, 0)
    b.PrependUOffsetTRelativeSlot(2, o, 0)
    return b.EndObject()


def operator_code(code):
    b.StartObject(4)
    b.PrependInt8Slot(0, code, 0)             # deprecated_builtin_code
    b.PrependInt32Slot(2, 1, 1)               # version
    b.PrependInt32Slot(3, code, 0)            # builtin_code
    return b.EndObject()


tensors = [tensor("x", [2, 3], FLOAT32), tensor("y", [2, 3], FLOAT32), tensor("sum", [2, 3], FLOAT32),
           tensor("product", [2, 3], FLOAT32), tensor("a", [2], INT32), tensor("b", [2], INT32),
           tensor("total", [2], INT32)]
ops = [operator(0, [0, 1], [2]), operator(1, [0, 1], [3]), operator(0, [4, 5], [6])]
name = b.CreateString("main")
tv, iv, ov, opv = offset_vector(tensors), int_vector([0, 1, 4, 5]), int_vector([2, 3, 6]), offset_vector(ops)
b.StartObject(5)
b.PrependUOffsetTRelativeSlot(0, tv, 0)
b.PrependUOffsetTRelativeSlot(1, iv, 0)
b.PrependUOffsetTRelativeSlot(2, ov, 0)
b.PrependUOffsetTRelativeSlot(3, opv, 0)
b.PrependUOffsetTRelativeSlot(4, name, 0)
subgraph = b.EndObject()
codes = offset_vector([operator_code(ADD), operator_code(MUL)])
b.StartObject(1)
empty_buffer = b.EndObject()
buffers = offset_vector([empty_buffer])
subgraphs = offset_vector([subgraph])
description = b.CreateString("plugboard test model")
b.StartObject(5)
b.PrependUint32Slot(0, 3, 0)
b.PrependUOffsetTRelativeSlot(1, codes, 0)
b.PrependUOffsetTRelativeSlot(2, subgraphs, 0)
b.PrependUOffsetTRelativeSlot(3, description, 0)
b.PrependUOffsetTRelativeSlot(4, buffers, 0)
model = b.EndObject()
b.Finish(model, file_identifier=b"TFL3")
with open(os.path.join(OUT, "arith.tflite"), "wb") as f:
    f.write(b.Output())

x = [1.5, -2.0, 3.0, 0.25, 10.0, -7.5]
y = [0.5, 4.0, -1.0, 2.0, 0.5, 2.0]
a, bb = [7, -3], [100, 2147483000]
case = {"request": {"inputs": [
    {"name": "x", "datatype": "FP32", "shape": [2, 3], "data": x},
    {"name": "y", "datatype": "FP32", "shape": [2, 3], "data": y},
    {"name": "a", "datatype": "INT32", "shape": [2], "data": a},
    {"name": "b", "datatype": "INT32", "shape": [2], "data": bb}]},
    "outputs": [
        {"name": "sum", "datatype": "FP32", "shape": [2, 3], "data": [p + q for p, q in zip(x, y)]},
        {"name": "product", "datatype": "FP32", "shape": [2, 3], "data": [p * q for p, q in zip(x, y)]},
        {"name": "total", "datatype": "INT32", "shape": [2], "data": [p + q for p, q in zip(a, bb)]}]}
with open(os.path.join(OUT, "arith.cases.json"), "w") as f:
    json.dump([case], f, indent=1)

if shutil.which("npm"):
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run(["npm", "pack", "@mediapipe/face_detection@0.4.1657300184"], cwd=tmp, check=True,
                       stdout=subprocess.DEVNULL)
        archive = [p for p in os.listdir(tmp) if p.endswith(".tgz")][0]
        with tarfile.open(os.path.join(tmp, archive)) as t:
            member = t.getmember("package/face_detection_short_range.tflite")
            with t.extractfile(member) as src, open(os.path.join(OUT, "face_detection_short_range.tflite"), "wb") as dst:
                dst.write(src.read())
print("wrote", sorted(os.listdir(OUT)))
