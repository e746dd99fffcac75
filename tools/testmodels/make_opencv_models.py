#!/usr/bin/python3
"""Writes tiny Darknet and Caffe models byte by byte, with reference outputs.

    /usr/bin/python3 tools/testmodels/make_opencv_models.py src/test/resources/models/opencv

Both compute y = W x + b for x of 3 values and y of 2 (Darknet: a 1x1 convolution on a 1x1x3
input; Caffe: an InnerProduct layer). Input blobs are NCHW: Darknet [1,3,1,1], Caffe [1,3].
"""
import json
import os
import struct
import sys

OUT = sys.argv[1] if len(sys.argv) > 1 else "src/test/resources/models/opencv"
os.makedirs(OUT, exist_ok=True)
W = [[0.5, -1.0, 2.0], [1.5, 0.25, -0.75]]
B = [0.1, -0.2]
X = [1.0, 2.0, 3.0]
Y = [sum(w * x for w, x in zip(row, X)) + b for row, b in zip(W, B)]

# Darknet: cfg text + weights (major, minor, revision, seen as uint64, then biases, then weights)
with open(os.path.join(OUT, "tiny.cfg"), "w") as f:
    f.write("[net]\nbatch=1\nwidth=1\nheight=1\nchannels=3\n\n"
            "[convolutional]\nfilters=2\nsize=1\nstride=1\npad=0\nactivation=linear\n")
with open(os.path.join(OUT, "tiny.weights"), "wb") as f:
    f.write(struct.pack("<iiiQ", 0, 2, 5, 0))
    f.write(struct.pack("<2f", *B))
    f.write(struct.pack("<6f", *[v for row in W for v in row]))


# Caffe: prototxt + NetParameter protobuf written by hand
def varint(n):
    out = b""
    while True:
        b = n & 0x7F
        n >>= 7
        if n:
            out += bytes([b | 0x80])
        else:
            return out + bytes([b])


def field(num, wire, payload):
    key = varint((num << 3) | wire)
    if wire == 2:
        return key + varint(len(payload)) + payload
    return key + payload


def string(num, s):
    return field(num, 2, s.encode())


def blob(shape, values):
    dims = b"".join(varint(d) for d in shape)
    return field(7, 2, field(1, 2, dims)) + field(5, 2, struct.pack("<%df" % len(values), *values))


layer = (string(1, "fc") + string(2, "InnerProduct") + string(3, "data") + string(4, "fc")
         + field(7, 2, blob([2, 3], [v for row in W for v in row])) + field(7, 2, blob([2], B))
         + field(117, 2, field(1, 0, varint(2))))
with open(os.path.join(OUT, "tiny.caffemodel"), "wb") as f:
    f.write(string(1, "tiny") + field(100, 2, layer))
with open(os.path.join(OUT, "tiny.prototxt"), "w") as f:
    f.write('name: "tiny"\ninput: "data"\ninput_shape { dim: 1 dim: 3 }\n'
            'layer {\n  name: "fc"\n  type: "InnerProduct"\n  bottom: "data"\n  top: "fc"\n'
            '  inner_product_param { num_output: 2 }\n}\n')


def case(shape_in, output, shape_out):
    """Outputs are named after the network's output layer (OpenCV names Darknet's conv_<index>)."""
    return [{"request": {"inputs": [{"name": "data", "datatype": "FP32", "shape": shape_in, "data": X}]},
             "outputs": [{"name": output, "datatype": "FP32", "shape": shape_out, "data": Y}]}]


json.dump(case([1, 3, 1, 1], "conv_0", [1, 2, 1, 1]), open(os.path.join(OUT, "darknet.cases.json"), "w"), indent=1)
json.dump(case([1, 3], "fc", [1, 2]), open(os.path.join(OUT, "caffe.cases.json"), "w"), indent=1)
print("wrote", sorted(os.listdir(OUT)), "y =", Y)
