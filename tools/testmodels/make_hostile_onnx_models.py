#!/usr/bin/python3
"""Makes ONNX models that misbehave on purpose, for the containment tests.

Run with Debian's own python3 (python3-onnx):
    /usr/bin/python3 tools/testmodels/make_hostile_onnx_models.py src/test/resources/models/onnx

- runaway_loop.onnx: a Loop whose trip count is the input `n` (INT64, shape [1]); with a huge n it
  runs for hours, counting in `count` (INT64, shape [1]).
- expand_sum.onnx: Expand of 1.0 to the shape given in `shape` (INT64, shape [k]) then ReduceSum:
  a few bytes of request make the engine allocate prod(shape) floats.
"""
import os
import sys

import onnx
from onnx import TensorProto, helper

OUT = sys.argv[1] if len(sys.argv) > 1 else "src/test/resources/models/onnx"
os.makedirs(OUT, exist_ok=True)


def save(model, name):
    onnx.checker.check_model(model)
    onnx.save(model, os.path.join(OUT, name))


def runaway_loop():
    one = helper.make_tensor("one", TensorProto.INT64, [1], [1])
    body = helper.make_graph(
        [helper.make_node("Add", ["acc_in", "one"], ["acc_out"]),
         helper.make_node("Identity", ["cond_in"], ["cond_out"])],
        "body",
        [helper.make_tensor_value_info("i", TensorProto.INT64, []),
         helper.make_tensor_value_info("cond_in", TensorProto.BOOL, []),
         helper.make_tensor_value_info("acc_in", TensorProto.INT64, [1])],
        [helper.make_tensor_value_info("cond_out", TensorProto.BOOL, []),
         helper.make_tensor_value_info("acc_out", TensorProto.INT64, [1])],
        [one])
    graph = helper.make_graph(
        [helper.make_node("Squeeze", ["n"], ["trips"]),
         helper.make_node("Loop", ["trips", "go", "zero"], ["count"], body=body)],
        "runaway_loop",
        [helper.make_tensor_value_info("n", TensorProto.INT64, [1])],
        [helper.make_tensor_value_info("count", TensorProto.INT64, [1])],
        [helper.make_tensor("go", TensorProto.BOOL, [], [True]),
         helper.make_tensor("zero", TensorProto.INT64, [1], [0])])
    save(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)], ir_version=8), "runaway_loop.onnx")


def expand_sum():
    graph = helper.make_graph(
        [helper.make_node("Expand", ["one", "shape"], ["big"]),
         helper.make_node("ReduceSum", ["big"], ["total"], keepdims=0)],
        "expand_sum",
        [helper.make_tensor_value_info("shape", TensorProto.INT64, [None])],
        [helper.make_tensor_value_info("total", TensorProto.FLOAT, [])],
        [helper.make_tensor("one", TensorProto.FLOAT, [1], [1.0])])
    save(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)], ir_version=8), "expand_sum.onnx")


runaway_loop()
expand_sum()
