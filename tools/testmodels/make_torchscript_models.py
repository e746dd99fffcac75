#!/usr/bin/python3
"""Makes the small TorchScript test models and their reference outputs.

Run with Debian's own python3 (python3-torch):
    /usr/bin/python3 tools/testmodels/make_torchscript_models.py src/test/resources/models/torchscript

Every model is written next to a JSON file `<model>.cases.json` holding Open Inference Protocol
requests and the outputs the model must give for them, computed here when the model is made.

TorchScript carries no tensor names, so Plugboard names the inputs `input0..N-1` and the outputs
`output0..M-1` in the order of forward's parameters and of its returned tuple (a single returned
tensor is `output0`). Each model also gets `<model>.signature.json`, the optional signature a user
may upload with the model; -1 marks the dynamic batch dimension.
"""
import json
import os
import sys
from typing import Tuple

import numpy as np
import torch
from torch import Tensor

OUT = sys.argv[1] if len(sys.argv) > 1 else "src/test/resources/models/torchscript"
os.makedirs(OUT, exist_ok=True)
torch.manual_seed(7)
np.random.seed(7)

V2 = {
    np.dtype("float32"): "FP32", np.dtype("float64"): "FP64", np.dtype("float16"): "FP16",
    np.dtype("int8"): "INT8", np.dtype("int16"): "INT16", np.dtype("int32"): "INT32",
    np.dtype("int64"): "INT64", np.dtype("uint8"): "UINT8", np.dtype("bool"): "BOOL",
}


def tensor_json(name, arr):
    arr = np.asarray(arr)
    data = arr.flatten().tolist()
    if arr.dtype == np.float16:
        data = [float(x) for x in arr.astype(np.float32).flatten().tolist()]
    return {"name": name, "datatype": V2[arr.dtype], "shape": list(arr.shape), "data": data}


def write_json(path, doc):
    with open(path, "w") as f:
        json.dump(doc, f, indent=1)


def save(module, name, signature, feeds):
    """Scripts and saves `module`, then runs the saved file on each feed (a list of arrays in
    forward's order) and writes the cases and the signature beside it."""
    module.eval()
    scripted = torch.jit.script(module)
    path = os.path.join(OUT, name + ".pt")
    torch.jit.save(scripted, path)
    loaded = torch.jit.load(path)
    cases = []
    for feed in feeds:
        with torch.no_grad():
            result = loaded(*[torch.from_numpy(np.ascontiguousarray(a)) for a in feed])
        results = list(result) if isinstance(result, tuple) else [result]
        cases.append({
            "request": {"inputs": [tensor_json("input%d" % i, a) for i, a in enumerate(feed)]},
            "outputs": [tensor_json("output%d" % i, r.numpy()) for i, r in enumerate(results)]})
    write_json(os.path.join(OUT, name + ".cases.json"), cases)
    ins, outs = signature
    write_json(os.path.join(OUT, name + ".signature.json"), {
        "inputs": [{"name": "input%d" % i, "datatype": dt, "shape": shape}
                   for i, (dt, shape) in enumerate(ins)],
        "outputs": [{"name": "output%d" % i, "datatype": dt, "shape": shape}
                    for i, (dt, shape) in enumerate(outs)]})


# linear: one FP32 input [batch, 4] -> one FP32 output [batch, 3].
class Linear(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = torch.nn.Linear(4, 3)

    def forward(self, x: Tensor) -> Tensor:
        return torch.relu(self.fc(x))


save(Linear(), "linear",
     ([("FP32", [-1, 4])], [("FP32", [-1, 3])]),
     [[np.random.uniform(-3, 3, (2, 4)).astype(np.float32)],
      [np.random.uniform(-3, 3, (5, 4)).astype(np.float32)]])


# multi_io: FP32 and INT64 inputs, a tuple of FP32, INT64 and BOOL outputs.
class MultiIo(torch.nn.Module):
    def forward(self, x: Tensor, ids: Tensor) -> Tuple[Tensor, Tensor, Tensor]:
        return x * 2.0 + 1.0, ids + 10, x.sum(dim=1) > 0


x = np.array([[1.0, 2.0, 3.0], [-4.0, 0.5, -1.5], [-0.25, 0.0, 0.125]], dtype=np.float32)
ids = np.array([0, -7, 9007199254740993], dtype=np.int64)
save(MultiIo(), "multi_io",
     ([("FP32", [-1, 3]), ("INT64", [-1])], [("FP32", [-1, 3]), ("INT64", [-1]), ("BOOL", [-1])]),
     [[x, ids]])


# int_ops: INT32 and FP64 inputs, one output of each type.
class IntOps(torch.nn.Module):
    def forward(self, a: Tensor, d: Tensor) -> Tuple[Tensor, Tensor]:
        return a * 3, d * 3.0


a = np.array([-5, 0, 7, 715827882], dtype=np.int32)
d = np.array([0.1, -2.5, 1.0e-300, 1.0e300], dtype=np.float64)
save(IntOps(), "int_ops",
     ([("INT32", [-1]), ("FP64", [-1])], [("INT32", [-1]), ("FP64", [-1])]),
     [[a, d]])


# uint8_ops: UINT8 in, UINT8 out (halved, so the full 0..255 range stays in range).
class Uint8Ops(torch.nn.Module):
    def forward(self, u: Tensor) -> Tensor:
        return torch.div(u, 2, rounding_mode="floor")


save(Uint8Ops(), "uint8_ops",
     ([("UINT8", [-1])], [("UINT8", [-1])]),
     [[np.array([0, 1, 128, 255], dtype=np.uint8)]])

print("wrote", sorted(os.listdir(OUT)))
