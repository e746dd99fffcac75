#!/usr/bin/python3
"""Exports a compute-bound CNN for the throughput benchmark (not committed: ~1 MB, made on demand).

    /usr/bin/python3 bench/make_large_cnn.py bench/models/cnn_large.onnx
"""
import os
import sys

import torch

out = sys.argv[1] if len(sys.argv) > 1 else "bench/models/cnn_large.onnx"
os.makedirs(os.path.dirname(out), exist_ok=True)
torch.manual_seed(11)
layers = []
channels = 3
for width in (32, 64, 64, 128, 128):
    layers += [torch.nn.Conv2d(channels, width, 3, padding=1), torch.nn.ReLU()]
    channels = width
net = torch.nn.Sequential(*layers, torch.nn.AdaptiveAvgPool2d(1), torch.nn.Flatten(), torch.nn.Linear(channels, 10)).eval()
torch.onnx.export(net, torch.randn(1, 3, 112, 112), out, input_names=["image"], output_names=["logits"],
                  dynamic_axes={"image": {0: "batch"}, "logits": {0: "batch"}}, opset_version=17)
print("wrote", out)
