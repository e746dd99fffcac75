#!/usr/bin/python3
"""Makes the small ONNX test models and their reference outputs.

Run with Debian's own python3 (python3-torch, python3-onnx):
    /usr/bin/python3 tools/testmodels/make_onnx_models.py src/test/resources/models/onnx

Every model is written next to a JSON file `<model>.cases.json` holding Open Inference Protocol
requests and the outputs the model must give for them, computed here when the model is made.
"""
import json
import os
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper

import torch

OUT = sys.argv[1] if len(sys.argv) > 1 else "src/test/resources/models/onnx"
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
    if arr.dtype.kind in ("U", "S", "O"):
        return {"name": name, "datatype": "BYTES", "shape": list(arr.shape),
                "data": [str(x) for x in arr.flatten().tolist()]}
    data = arr.flatten().tolist()
    if arr.dtype == np.float16:
        data = [float(x) for x in arr.astype(np.float32).flatten().tolist()]
    return {"name": name, "datatype": V2[arr.dtype], "shape": list(arr.shape), "data": data}


def save(model, name, cases):
    onnx.checker.check_model(model)
    onnx.save(model, os.path.join(OUT, name + ".onnx"))
    write_cases(name, cases)


def write_cases(name, cases):
    doc = [{"request": {"inputs": [tensor_json(k, v) for k, v in ins.items()]},
            "outputs": [tensor_json(k, v) for k, v in outs.items()]} for ins, outs in cases]
    with open(os.path.join(OUT, name + ".cases.json"), "w") as f:
        json.dump(doc, f, indent=1)


def opset(model_or_graph, version=17, ir=8):
    m = helper.make_model(model_or_graph, opset_imports=[helper.make_opsetid("", version)],
                          producer_name="plugboard-testmodels")
    m.ir_version = ir
    return m


# add_mul: two FP32 inputs with a dynamic batch dimension, two outputs.
g = helper.make_graph(
    [helper.make_node("Add", ["a", "b"], ["sum"]), helper.make_node("Mul", ["a", "b"], ["product"])],
    "add_mul",
    [helper.make_tensor_value_info("a", TensorProto.FLOAT, ["batch", 3]),
     helper.make_tensor_value_info("b", TensorProto.FLOAT, ["batch", 3])],
    [helper.make_tensor_value_info("sum", TensorProto.FLOAT, ["batch", 3]),
     helper.make_tensor_value_info("product", TensorProto.FLOAT, ["batch", 3])])
a = np.array([[1, 2, 3], [4, 5, 6]], dtype=np.float32)
b = np.array([[0.5, -1, 2], [10, 0.25, -3]], dtype=np.float32)
save(opset(g), "add_mul", [({"a": a, "b": b}, {"sum": a + b, "product": a * b})])

# identity_types: one Identity per element type the server carries through ONNX Runtime.
types = [("f32", TensorProto.FLOAT, np.float32), ("f64", TensorProto.DOUBLE, np.float64),
         ("f16", TensorProto.FLOAT16, np.float16), ("i8", TensorProto.INT8, np.int8),
         ("i16", TensorProto.INT16, np.int16), ("i32", TensorProto.INT32, np.int32),
         ("i64", TensorProto.INT64, np.int64), ("u8", TensorProto.UINT8, np.uint8),
         ("b", TensorProto.BOOL, np.bool_), ("s", TensorProto.STRING, None)]
nodes, ins, outs, feed = [], [], [], {}
for short, et, npt in types:
    nodes.append(helper.make_node("Identity", ["in_" + short], ["out_" + short]))
    ins.append(helper.make_tensor_value_info("in_" + short, et, [2, 2]))
    outs.append(helper.make_tensor_value_info("out_" + short, et, [2, 2]))
feed["in_f32"] = np.array([[1.5, -2.25], [3.0e10, -0.0]], dtype=np.float32)
feed["in_f64"] = np.array([[1.0e-300, 2.5], [-7.125, 1.0e300]], dtype=np.float64)
feed["in_f16"] = np.array([[0.5, -1.0], [65504.0, 0.000061035]], dtype=np.float16)
feed["in_i8"] = np.array([[-128, 127], [0, -1]], dtype=np.int8)
feed["in_i16"] = np.array([[-32768, 32767], [5, -5]], dtype=np.int16)
feed["in_i32"] = np.array([[-2147483648, 2147483647], [9, -9]], dtype=np.int32)
feed["in_i64"] = np.array([[-9007199254740993, 9007199254740993], [1, -1]], dtype=np.int64)
feed["in_u8"] = np.array([[0, 255], [128, 1]], dtype=np.uint8)
feed["in_b"] = np.array([[True, False], [False, True]], dtype=np.bool_)
feed["in_s"] = np.array([["alpha", "β-unicode"], ["", "delta"]], dtype=object)
save(opset(helper.make_graph(nodes, "identity_types", ins, outs)), "identity_types",
     [(feed, {k.replace("in_", "out_"): v for k, v in feed.items()})])

# spec_example: the shapes of the Open Inference Protocol's own examples (INT32 instead of UINT32,
# which ONNX Runtime's Java API cannot carry): output0 = input0, output1 = not input1.
g = helper.make_graph([helper.make_node("Identity", ["input0"], ["output0"]),
                       helper.make_node("Not", ["input1"], ["output1"])], "spec_example",
                      [helper.make_tensor_value_info("input0", TensorProto.INT32, [2, 2]),
                       helper.make_tensor_value_info("input1", TensorProto.BOOL, [3])],
                      [helper.make_tensor_value_info("output0", TensorProto.INT32, [2, 2]),
                       helper.make_tensor_value_info("output1", TensorProto.BOOL, [3])])
i0 = np.array([[1, 2], [3, 4]], dtype=np.int32)
i1 = np.array([True, False, True])
save(opset(g), "spec_example", [({"input0": i0, "input1": i1}, {"output0": i0, "output1": ~i1})])

# uint32_input: an element type ONNX Runtime's Java API cannot carry.
g = helper.make_graph([helper.make_node("Identity", ["x"], ["y"])], "uint32_input",
                      [helper.make_tensor_value_info("x", TensorProto.UINT32, [2])],
                      [helper.make_tensor_value_info("y", TensorProto.UINT32, [2])])
save(opset(g), "uint32_input", [])

# string_identity: one BYTES input of one element (as Triton's raw binary request takes), echoed.
g = helper.make_graph([helper.make_node("Identity", ["text"], ["echo"])], "string_identity",
                      [helper.make_tensor_value_info("text", TensorProto.STRING, [1])],
                      [helper.make_tensor_value_info("echo", TensorProto.STRING, [1])])
text = np.array(["raw β bytes"], dtype=object)
save(opset(g), "string_identity", [({"text": text}, {"echo": text})])


# mlp: a tiny MLP exported from PyTorch, dynamic batch (per-request overhead benchmark model).
class Mlp(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.l1 = torch.nn.Linear(4, 16)
        self.l2 = torch.nn.Linear(16, 3)

    def forward(self, x):
        return torch.softmax(self.l2(torch.relu(self.l1(x))), dim=1)


def export(module, name, example, input_names, output_names, dynamic):
    module.eval()
    path = os.path.join(OUT, name + ".onnx")
    torch.onnx.export(module, example, path, input_names=input_names, output_names=output_names,
                      dynamic_axes=dynamic, opset_version=17)
    onnx.checker.check_model(onnx.load(path))
    return path


mlp = Mlp()
export(mlp, "mlp", torch.randn(1, 4), ["input"], ["probabilities"],
       {"input": {0: "batch"}, "probabilities": {0: "batch"}})
x = np.random.randn(5, 4).astype(np.float32)
with torch.no_grad():
    y = mlp(torch.from_numpy(x)).numpy()
write_cases("mlp", [({"input": x}, {"probabilities": y})])


# cnn: a small compute-bound convolutional net on 3x64x64 images (throughput benchmark model).
class Cnn(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.features = torch.nn.Sequential(
            torch.nn.Conv2d(3, 32, 3, padding=1), torch.nn.ReLU(), torch.nn.MaxPool2d(2),
            torch.nn.Conv2d(32, 64, 3, padding=1), torch.nn.ReLU(), torch.nn.MaxPool2d(2),
            torch.nn.Conv2d(64, 64, 3, padding=1), torch.nn.ReLU(),
            torch.nn.AdaptiveAvgPool2d(1))
        self.head = torch.nn.Linear(64, 10)

    def forward(self, image):
        return self.head(torch.flatten(self.features(image), 1))


cnn = Cnn()
export(cnn, "cnn", torch.randn(1, 3, 64, 64), ["image"], ["logits"],
       {"image": {0: "batch"}, "logits": {0: "batch"}})
x = np.random.rand(2, 3, 64, 64).astype(np.float32)
with torch.no_grad():
    y = cnn(torch.from_numpy(x)).numpy()
write_cases("cnn", [({"image": x}, {"logits": y})])

print("wrote", sorted(os.listdir(OUT)))
