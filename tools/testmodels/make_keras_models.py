#!/usr/bin/python3
"""Writes small Keras models in Keras's own file layouts, with reference outputs.

Run with Debian's python3 (numpy and h5py; no TensorFlow or Keras needed):

    /usr/bin/python3 tools/testmodels/make_keras_models.py

Every model gets random weights from a fixed seed. Reference outputs come from the numpy
implementations of each Keras layer below, written from Keras's documented semantics, and are saved
as MODEL.json ({"inputs": {name: {shape, data}}, "outputs": {...}}) next to the model file. Files
land in src/test/resources/models/keras/.

Layouts written:
  * .h5 whole-model files as Keras 2 / tf.keras writes them: root attributes model_config,
    keras_version and backend; weights under model_weights/<layer>/<weight name> listed by the
    layer_names and weight_names attributes;
  * .h5 files with Keras 1 spellings (output_dim, nb_filter, nb_row/nb_col, border_mode, subsample,
    dim_ordering, W/b weight names, per-gate LSTM weights, the Merge layer), weights at the root;
  * .keras zips as Keras 3 writes them: config.json (inbound_nodes with args and __keras_tensor__
    keras_history), metadata.json and model.weights.h5 (layers/<class in snake case>/vars/<i>).
"""
import io
import json
import math
import os
import zipfile

import h5py
import numpy as np

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "src", "test", "resources",
                   "models", "keras")

# --------------------------------------------------------------------------------------------
# numpy reference implementations of Keras layers
# --------------------------------------------------------------------------------------------

SELU_ALPHA = 1.6732632423543772848170429916717
SELU_SCALE = 1.0507009873554804934193349852946
_erf = np.vectorize(math.erf)


def sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))


def activation(name, x, keras3=False):
    if name in (None, "linear"):
        return x
    if name == "relu":
        return np.maximum(x, 0)
    if name == "relu6":
        return np.minimum(np.maximum(x, 0), 6)
    if name == "sigmoid":
        return sigmoid(x)
    if name == "hard_sigmoid":
        # Keras 1/2: clip(0.2 x + 0.5, 0, 1); Keras 3: relu6(x + 3) / 6
        return np.clip(x / 6.0 + 0.5, 0, 1) if keras3 else np.clip(0.2 * x + 0.5, 0, 1)
    if name == "tanh":
        return np.tanh(x)
    if name == "softmax":
        e = np.exp(x - x.max(axis=-1, keepdims=True))
        return e / e.sum(axis=-1, keepdims=True)
    if name == "softplus":
        return np.log1p(np.exp(x))
    if name == "softsign":
        return x / (1 + np.abs(x))
    if name == "elu":
        return np.where(x > 0, x, np.exp(x) - 1)
    if name == "selu":
        return SELU_SCALE * np.where(x > 0, x, SELU_ALPHA * (np.exp(x) - 1))
    if name == "gelu":
        return 0.5 * x * (1 + _erf(x / math.sqrt(2)))
    if name in ("swish", "silu"):
        return x * sigmoid(x)
    if name == "exponential":
        return np.exp(x)
    raise ValueError(name)


def dense(x, w, b=None, act=None, keras3=False):
    y = x @ w
    if b is not None:
        y = y + b
    return activation(act, y, keras3)


def same_pads(n, k, s, d=1):
    eff = (k - 1) * d + 1
    out = -(-n // s)
    total = max((out - 1) * s + eff - n, 0)
    return total // 2, total - total // 2


def conv(x, k, b, strides, dilation, padding):
    """Channels-last convolution; k is (k1..kr, in, out)."""
    r = k.ndim - 2
    pads = []
    for i in range(r):
        if padding == "valid":
            pads.append((0, 0))
        elif padding == "same":
            pads.append(same_pads(x.shape[1 + i], k.shape[i], strides[i], dilation[i]))
        elif padding == "causal":
            pads.append(((k.shape[i] - 1) * dilation[i], 0))
    xp = np.pad(x, [(0, 0)] + pads + [(0, 0)])
    out = [(xp.shape[1 + i] - ((k.shape[i] - 1) * dilation[i] + 1)) // strides[i] + 1 for i in range(r)]
    y = np.zeros([x.shape[0]] + out + [k.shape[-1]])
    for idx in np.ndindex(*k.shape[:r]):
        sl = tuple(slice(idx[i] * dilation[i], idx[i] * dilation[i] + (out[i] - 1) * strides[i] + 1, strides[i])
                   for i in range(r))
        y += xp[(slice(None),) + sl + (slice(None),)] @ k[idx]
    return y if b is None else y + b


def depthwise(x, k, b, strides, padding):
    """k is (kh, kw, in, multiplier); output channel c * multiplier + m."""
    pads = [same_pads(x.shape[1 + i], k.shape[i], strides[i]) if padding == "same" else (0, 0) for i in range(2)]
    xp = np.pad(x, [(0, 0)] + pads + [(0, 0)])
    out = [(xp.shape[1 + i] - k.shape[i]) // strides[i] + 1 for i in range(2)]
    cin, mult = k.shape[2], k.shape[3]
    y = np.zeros([x.shape[0]] + out + [cin * mult])
    for a in range(k.shape[0]):
        for c in range(k.shape[1]):
            patch = xp[:, a:a + (out[0] - 1) * strides[0] + 1:strides[0], c:c + (out[1] - 1) * strides[1] + 1:strides[1], :]
            y += (patch[..., :, None] * k[a, c]).reshape(patch.shape[:-1] + (cin * mult,))
    return y if b is None else y + b


def conv2d_transpose(x, k, b, strides, padding):
    """k is (kh, kw, out, in); TensorFlow's conv2d_transpose with Keras's output size."""
    n, h, w, _ = x.shape
    kh, kw, f, _ = k.shape
    full = np.zeros((n, (h - 1) * strides[0] + kh, (w - 1) * strides[1] + kw, f))
    for a in range(kh):
        for c in range(kw):
            full[:, a:a + (h - 1) * strides[0] + 1:strides[0], c:c + (w - 1) * strides[1] + 1:strides[1], :] += x @ k[a, c].T
    outs = []
    for i, (inp, kk, s) in enumerate(((h, kh, strides[0]), (w, kw, strides[1]))):
        length = inp * s if padding == "same" else inp * s + max(kk - s, 0)
        before = max(full.shape[1 + i] - length, 0) // 2 if padding == "same" else 0
        outs.append((before, length))
    y = np.zeros((n, outs[0][1], outs[1][1], f))
    part = full[:, outs[0][0]:outs[0][0] + outs[0][1], outs[1][0]:outs[1][0] + outs[1][1], :]
    y[:, :part.shape[1], :part.shape[2], :] = part
    return y + b


def pool(x, size, strides, padding, kind):
    r = len(size)
    pads = [same_pads(x.shape[1 + i], size[i], strides[i]) if padding == "same" else (0, 0) for i in range(r)]
    fill = -np.inf if kind == "max" else 0.0
    xp = np.pad(x, [(0, 0)] + pads + [(0, 0)], constant_values=fill)
    ones = np.pad(np.ones_like(x), [(0, 0)] + pads + [(0, 0)])
    out = [(xp.shape[1 + i] - size[i]) // strides[i] + 1 for i in range(r)]
    acc = np.full([x.shape[0]] + out + [x.shape[-1]], -np.inf if kind == "max" else 0.0)
    cnt = np.zeros_like(acc)
    for idx in np.ndindex(*size):
        sl = (slice(None),) + tuple(slice(idx[i], idx[i] + (out[i] - 1) * strides[i] + 1, strides[i])
                                    for i in range(r)) + (slice(None),)
        if kind == "max":
            acc = np.maximum(acc, xp[sl])
        else:
            acc += xp[sl]
            cnt += ones[sl]
    return acc if kind == "max" else acc / cnt


def batchnorm(x, gamma, beta, mean, var, eps, axis=-1):
    shape = [1] * x.ndim
    shape[axis] = -1
    r = lambda v: v.reshape(shape)
    return (x - r(mean)) / np.sqrt(r(var) + eps) * r(gamma) + r(beta)


def layernorm(x, gamma, beta, eps):
    m = x.mean(axis=-1, keepdims=True)
    v = ((x - m) ** 2).mean(axis=-1, keepdims=True)
    return (x - m) / np.sqrt(v + eps) * gamma + beta


def relu_layer(x, max_value=None, negative_slope=0.0, threshold=0.0):
    # Keras: f(x) = max_value for x >= max_value, x for threshold <= x < max_value,
    # negative_slope * (x - threshold) otherwise
    y = np.where(x >= threshold, x, negative_slope * (x - threshold))
    if max_value is not None:
        y = np.minimum(y, max_value)
    return y


def simple_rnn(x, w, u, b, act="tanh", return_sequences=False, go_backwards=False):
    xs = x[:, ::-1] if go_backwards else x
    h = np.zeros((x.shape[0], w.shape[1]))
    outs = []
    for t in range(x.shape[1]):
        h = activation(act, xs[:, t] @ w + h @ u + b)
        outs.append(h)
    return np.stack(outs, 1) if return_sequences else h


def lstm(x, w, u, b, act="tanh", rec="sigmoid", return_sequences=False, go_backwards=False, keras3=False):
    n = w.shape[1] // 4
    xs = x[:, ::-1] if go_backwards else x
    h = np.zeros((x.shape[0], n))
    c = np.zeros((x.shape[0], n))
    outs = []
    for t in range(x.shape[1]):
        z = xs[:, t] @ w + h @ u + b
        i = activation(rec, z[:, :n], keras3)
        f = activation(rec, z[:, n:2 * n], keras3)
        cc = activation(act, z[:, 2 * n:3 * n], keras3)
        o = activation(rec, z[:, 3 * n:], keras3)
        c = f * c + i * cc
        h = o * activation(act, c, keras3)
        outs.append(h)
    return np.stack(outs, 1) if return_sequences else h


def gru(x, w, u, b, reset_after, act="tanh", rec="sigmoid", return_sequences=False, go_backwards=False, keras3=False):
    n = w.shape[1] // 3
    xs = x[:, ::-1] if go_backwards else x
    h = np.zeros((x.shape[0], n))
    outs = []
    for t in range(x.shape[1]):
        if reset_after:
            mx = xs[:, t] @ w + b[0]
            mh = h @ u + b[1]
            z = activation(rec, mx[:, :n] + mh[:, :n], keras3)
            r = activation(rec, mx[:, n:2 * n] + mh[:, n:2 * n], keras3)
            hh = activation(act, mx[:, 2 * n:] + r * mh[:, 2 * n:], keras3)
        else:
            mx = xs[:, t] @ w + b
            z = activation(rec, mx[:, :n] + h @ u[:, :n], keras3)
            r = activation(rec, mx[:, n:2 * n] + h @ u[:, n:2 * n], keras3)
            hh = activation(act, mx[:, 2 * n:] + (r * h) @ u[:, 2 * n:], keras3)
        h = z * h + (1 - z) * hh
        outs.append(h)
    return np.stack(outs, 1) if return_sequences else h


def upsample(x, sizes):
    for i, s in enumerate(sizes):
        x = np.repeat(x, s, axis=1 + i)
    return x


def l2n(x):
    return x / np.sqrt(np.maximum((x * x).sum(axis=-1, keepdims=True), 1e-12))


# --------------------------------------------------------------------------------------------
# writers
# --------------------------------------------------------------------------------------------

def f32(a):
    return np.asarray(a, dtype=np.float32)


class K2Model:
    """Collects a Keras 2 (or Keras 1) model config and its weights in save order."""

    def __init__(self):
        self.layers = []
        self.by_name = {}
        self.weights = []  # (layer name, [(weight name, array)])

    def add(self, class_name, name, config, weights=(), inbound=None):
        cfg = dict(config)
        cfg["name"] = name
        entry = {"class_name": class_name, "config": cfg, "name": name}
        if inbound is not None:
            entry["inbound_nodes"] = [inbound] if inbound else []
        self.layers.append(entry)
        self.by_name[name] = entry
        self.weights.append((name, [(w, f32(a)) for w, a in weights]))
        return (name, 0, 0)

    def call_again(self, name, inbound):
        entry = self.by_name[name]
        entry["inbound_nodes"].append(inbound)
        return (name, len(entry["inbound_nodes"]) - 1, 0)


def node(*refs):
    return [[r[0], r[1], r[2], {}] for r in refs]


def write_h5(path, model_config, weights, version="2.3.1", backend="tensorflow", at_root=False):
    with h5py.File(path, "w") as f:
        f.attrs["keras_version"] = version.encode()
        f.attrs["backend"] = backend.encode()
        f.attrs["model_config"] = json.dumps(model_config).encode("utf8")
        g = f if at_root else f.create_group("model_weights")
        g.attrs["layer_names"] = np.array([n.encode() for n, _ in weights])
        for lname, ws in weights:
            lg = g.create_group(lname)
            if ws:
                lg.attrs["weight_names"] = np.array([w.encode() for w, _ in ws])
            else:
                lg.attrs["weight_names"] = np.array([], dtype=np.float64)
            for w, a in ws:
                lg.create_dataset(w, data=a)


def write_reference(name, inputs, outputs):
    doc = {"inputs": {k: {"shape": list(v.shape), "data": f32(v).ravel().tolist()} for k, v in inputs.items()},
           "outputs": {k: {"shape": list(v.shape), "data": f32(v).ravel().tolist()} for k, v in outputs.items()}}
    with open(os.path.join(OUT, name + ".json"), "w") as f:
        json.dump(doc, f, separators=(",", ":"))


def seq_config(layers, name="sequential_1"):
    return {"class_name": "Sequential", "config": {"name": name, "layers": layers}}


def lay(class_name, name, **cfg):
    cfg["name"] = name
    return {"class_name": class_name, "config": cfg}


# --------------------------------------------------------------------------------------------
# Keras 2 models
# --------------------------------------------------------------------------------------------

ACTS = ["relu", "sigmoid", "hard_sigmoid", "tanh", "softplus", "softsign", "elu", "selu", "gelu", "swish",
        "exponential", "relu6", "linear", "softmax"]


def k2_activations(rng):
    x = rng.normal(size=(3, 6))
    layers, weights, h = [], [], x
    width = 6
    for i, a in enumerate(ACTS):
        name = "dense_%d" % (i + 1)
        w = rng.normal(scale=0.4, size=(width, 6))
        b = rng.normal(scale=0.1, size=6)
        cfg = {"units": 6, "activation": a, "use_bias": True}
        if i == 0:
            cfg["batch_input_shape"] = [None, 6]
        layers.append(lay("Dense", name, **cfg))
        weights.append((name, [(name + "/kernel:0", w), (name + "/bias:0", b)]))
        h = dense(h, w, b, a)
    layers.append(lay("Activation", "activation_1", activation="tanh"))
    weights.append(("activation_1", []))
    h = np.tanh(h)
    write_h5(os.path.join(OUT, "k2_activations.h5"), seq_config(layers), [(n, [(a, f32(b)) for a, b in ws]) for n, ws in weights])
    write_reference("k2_activations", {"dense_1_input": x}, {"activation_1": h})


def k2_activation_layers(rng):
    x = rng.normal(size=(4, 5))
    w = rng.normal(size=(5, 6))
    b = rng.normal(scale=0.1, size=6)
    alpha = rng.uniform(0.05, 0.5, size=6)
    layers = [lay("Dense", "dense_1", units=6, activation="linear", batch_input_shape=[None, 5]),
              lay("ReLU", "re_lu_1", max_value=1.5, negative_slope=0.1, threshold=0.2),
              lay("Dropout", "dropout_1", rate=0.5),
              lay("Dense", "dense_2", units=6, activation="linear"),
              lay("LeakyReLU", "leaky_re_lu_1", alpha=0.2),
              lay("PReLU", "p_re_lu_1", shared_axes=None),
              lay("GaussianNoise", "gaussian_noise_1", stddev=0.3),
              lay("ELU", "elu_1", alpha=0.7),
              lay("GaussianDropout", "gaussian_dropout_1", rate=0.2),
              lay("ThresholdedReLU", "thresholded_re_lu_1", theta=0.3),
              lay("Softmax", "softmax_1", axis=-1)]
    w2 = rng.normal(size=(6, 6))
    b2 = rng.normal(scale=0.1, size=6)
    weights = [("dense_1", [("dense_1/kernel:0", w), ("dense_1/bias:0", b)]), ("re_lu_1", []), ("dropout_1", []),
               ("dense_2", [("dense_2/kernel:0", w2), ("dense_2/bias:0", b2)]), ("leaky_re_lu_1", []),
               ("p_re_lu_1", [("p_re_lu_1/alpha:0", alpha)]), ("gaussian_noise_1", []), ("elu_1", []),
               ("gaussian_dropout_1", []), ("thresholded_re_lu_1", []), ("softmax_1", [])]
    h = relu_layer(x @ w + b, 1.5, 0.1, 0.2)
    h = h @ w2 + b2
    h = np.where(h > 0, h, 0.2 * h)
    h = np.where(h > 0, h, alpha * h)
    h = np.where(h > 0, h, 0.7 * (np.exp(h) - 1))
    h = np.where(h > 0.3, h, 0)
    h = activation("softmax", h)
    write_h5(os.path.join(OUT, "k2_activation_layers.h5"), seq_config(layers), [(n, [(a, f32(v)) for a, v in ws]) for n, ws in weights])
    write_reference("k2_activation_layers", {"dense_1_input": x}, {"softmax_1": h})


def k2_conv2d(rng):
    x = rng.normal(size=(2, 12, 12, 3))
    m = K2Model()
    r = m.add("InputLayer", "image", {"batch_input_shape": [None, 12, 12, 3], "dtype": "float32"}, inbound=[])
    k1, b1 = rng.normal(scale=0.3, size=(3, 3, 3, 4)), rng.normal(scale=0.1, size=4)
    r = m.add("Conv2D", "conv_a", {"filters": 4, "kernel_size": [3, 3], "strides": [2, 2], "padding": "same",
                                   "dilation_rate": [1, 1], "activation": "relu", "use_bias": True,
                                   "data_format": "channels_last"},
              [("conv_a/kernel:0", k1), ("conv_a/bias:0", b1)], node(r))
    h = activation("relu", conv(x, k1, b1, [2, 2], [1, 1], "same"))
    k2, b2 = rng.normal(scale=0.3, size=(2, 2, 4, 4)), rng.normal(scale=0.1, size=4)
    r = m.add("Conv2D", "conv_b", {"filters": 4, "kernel_size": [2, 2], "strides": [1, 1], "padding": "valid",
                                   "dilation_rate": [2, 2], "activation": "linear", "use_bias": True},
              [("conv_b/kernel:0", k2), ("conv_b/bias:0", b2)], node(r))
    h = conv(h, k2, b2, [1, 1], [2, 2], "valid")
    kd, bd = rng.normal(scale=0.3, size=(3, 3, 4, 2)), rng.normal(scale=0.1, size=8)
    r = m.add("DepthwiseConv2D", "depthwise", {"kernel_size": [3, 3], "strides": [1, 1], "padding": "same",
                                                "depth_multiplier": 2, "activation": "linear", "use_bias": True},
              [("depthwise/depthwise_kernel:0", kd), ("depthwise/bias:0", bd)], node(r))
    h = depthwise(h, kd, bd, [1, 1], "same")
    sd, sp, sb = rng.normal(scale=0.3, size=(3, 3, 8, 1)), rng.normal(scale=0.3, size=(1, 1, 8, 5)), rng.normal(scale=0.1, size=5)
    r = m.add("SeparableConv2D", "separable", {"filters": 5, "kernel_size": [3, 3], "strides": [1, 1],
                                               "padding": "same", "depth_multiplier": 1, "activation": "tanh",
                                               "use_bias": True},
              [("separable/depthwise_kernel:0", sd), ("separable/pointwise_kernel:0", sp), ("separable/bias:0", sb)], node(r))
    h = np.tanh(conv(depthwise(h, sd, None, [1, 1], "same"), sp, sb, [1, 1], [1, 1], "valid"))
    g, be, mu, va = rng.uniform(0.5, 1.5, 5), rng.normal(size=5), rng.normal(size=5), rng.uniform(0.5, 2, 5)
    r = m.add("BatchNormalization", "bn", {"axis": -1, "epsilon": 0.001, "center": True, "scale": True},
              [("bn/gamma:0", g), ("bn/beta:0", be), ("bn/moving_mean:0", mu), ("bn/moving_variance:0", va)], node(r))
    h = batchnorm(h, g, be, mu, va, 0.001)
    r = m.add("ZeroPadding2D", "pad", {"padding": [[1, 0], [0, 1]]}, inbound=node(r))
    h = np.pad(h, [(0, 0), (1, 0), (0, 1), (0, 0)])
    r = m.add("Cropping2D", "crop", {"cropping": [[1, 0], [0, 1]]}, inbound=node(r))
    h = h[:, 1:, :-1, :]
    r = m.add("UpSampling2D", "up", {"size": [2, 2], "interpolation": "nearest"}, inbound=node(r))
    h = upsample(h, [2, 2])
    r = m.add("MaxPooling2D", "maxpool", {"pool_size": [3, 3], "strides": [2, 2], "padding": "same"}, inbound=node(r))
    h = pool(h, [3, 3], [2, 2], "same", "max")
    r = m.add("AveragePooling2D", "avgpool", {"pool_size": [3, 3], "strides": [1, 1], "padding": "same"}, inbound=node(r))
    h = pool(h, [3, 3], [1, 1], "same", "avg")
    kt, bt = rng.normal(scale=0.3, size=(3, 3, 3, 5)), rng.normal(scale=0.1, size=3)
    r = m.add("Conv2DTranspose", "deconv", {"filters": 3, "kernel_size": [3, 3], "strides": [2, 2], "padding": "same",
                                            "output_padding": None, "activation": "linear", "use_bias": True},
              [("deconv/kernel:0", kt), ("deconv/bias:0", bt)], node(r))
    h = conv2d_transpose(h, kt, bt, [2, 2], "same")
    kv, bv = rng.normal(scale=0.3, size=(2, 2, 2, 3)), rng.normal(scale=0.1, size=2)
    r2 = m.add("Conv2DTranspose", "deconv_valid", {"filters": 2, "kernel_size": [2, 2], "strides": [3, 3],
                                                   "padding": "valid", "activation": "linear", "use_bias": True},
               [("deconv_valid/kernel:0", kv), ("deconv_valid/bias:0", bv)], node(r))
    h2 = conv2d_transpose(h, kv, bv, [3, 3], "valid")
    r3 = m.add("GlobalAveragePooling2D", "gap", {}, inbound=node(r))
    h3 = h.mean(axis=(1, 2))
    r4 = m.add("GlobalMaxPooling2D", "gmp", {}, inbound=node(r2))
    h4 = h2.max(axis=(1, 2))
    r = m.add("Flatten", "flatten", {}, inbound=node(r))
    h = h.reshape(h.shape[0], -1)
    kw, bw = rng.normal(scale=0.1, size=(h.shape[1], 4)), rng.normal(scale=0.1, size=4)
    r = m.add("Dense", "logits", {"units": 4, "activation": "softmax"}, [("logits/kernel:0", kw), ("logits/bias:0", bw)], node(r))
    h = activation("softmax", dense(h, kw, bw))
    cfg = {"class_name": "Model", "config": {"name": "conv2d_model", "layers": m.layers,
                                             "input_layers": [["image", 0, 0]],
                                             "output_layers": [["logits", 0, 0], ["gap", 0, 0], ["gmp", 0, 0]]}}
    write_h5(os.path.join(OUT, "k2_conv2d.h5"), cfg, m.weights, version="2.4.0")
    write_reference("k2_conv2d", {"image": x}, {"logits": h, "gap": h3, "gmp": h4})


def k2_conv1d_3d(rng):
    x = rng.normal(size=(2, 20, 3))
    m = K2Model()
    r = m.add("InputLayer", "signal", {"batch_input_shape": [None, 20, 3]}, inbound=[])
    k1, b1 = rng.normal(scale=0.4, size=(3, 3, 4)), rng.normal(scale=0.1, size=4)
    r = m.add("Conv1D", "causal", {"filters": 4, "kernel_size": [3], "strides": [1], "padding": "causal",
                                   "dilation_rate": [2], "activation": "relu", "use_bias": True},
              [("causal/kernel:0", k1), ("causal/bias:0", b1)], node(r))
    h = activation("relu", conv(x, k1, b1, [1], [2], "causal"))
    k2, b2 = rng.normal(scale=0.4, size=(3, 4, 4)), rng.normal(scale=0.1, size=4)
    r = m.add("Conv1D", "strided", {"filters": 4, "kernel_size": [3], "strides": [2], "padding": "same",
                                    "dilation_rate": [1], "activation": "linear", "use_bias": True},
              [("strided/kernel:0", k2), ("strided/bias:0", b2)], node(r))
    h = conv(h, k2, b2, [2], [1], "same")
    r = m.add("MaxPooling1D", "maxpool1d", {"pool_size": [2], "strides": [2], "padding": "valid"}, inbound=node(r))
    h = pool(h, [2], [2], "valid", "max")
    r = m.add("ZeroPadding1D", "pad1d", {"padding": [2, 1]}, inbound=node(r))
    h = np.pad(h, [(0, 0), (2, 1), (0, 0)])
    r = m.add("AveragePooling1D", "avgpool1d", {"pool_size": [2], "strides": [1], "padding": "same"}, inbound=node(r))
    h = pool(h, [2], [1], "same", "avg")
    r = m.add("Cropping1D", "crop1d", {"cropping": [1, 0]}, inbound=node(r))
    h = h[:, 1:, :]
    r = m.add("UpSampling1D", "up1d", {"size": 2}, inbound=node(r))
    h = upsample(h, [2])
    r = m.add("SpatialDropout1D", "sdrop", {"rate": 0.3}, inbound=node(r))
    ra = m.add("GlobalAveragePooling1D", "gap1d", {}, inbound=node(r))
    rb = m.add("GlobalMaxPooling1D", "gmp1d", {}, inbound=node(r))
    v = rng.normal(size=(2, 4, 4, 4, 2))
    r3 = m.add("InputLayer", "volume", {"batch_input_shape": [None, 4, 4, 4, 2]}, inbound=[])
    k3, b3 = rng.normal(scale=0.4, size=(2, 2, 2, 2, 3)), rng.normal(scale=0.1, size=3)
    r3 = m.add("Conv3D", "conv3d", {"filters": 3, "kernel_size": [2, 2, 2], "strides": [2, 1, 1], "padding": "valid",
                                    "dilation_rate": [1, 1, 1], "activation": "sigmoid", "use_bias": True},
               [("conv3d/kernel:0", k3), ("conv3d/bias:0", b3)], node(r3))
    h3 = activation("sigmoid", conv(v, k3, b3, [2, 1, 1], [1, 1, 1], "valid"))
    cfg = {"class_name": "Functional", "config": {"name": "conv1d_model", "layers": m.layers,
                                                  "input_layers": [["signal", 0, 0], ["volume", 0, 0]],
                                                  "output_layers": [["gap1d", 0, 0], ["gmp1d", 0, 0], ["conv3d", 0, 0]]}}
    write_h5(os.path.join(OUT, "k2_conv1d_3d.h5"), cfg, m.weights, version="2.13.1")
    write_reference("k2_conv1d_3d", {"signal": x, "volume": v},
                    {"gap1d": h.mean(axis=1), "gmp1d": h.max(axis=1), "conv3d": h3})


def k2_channels_first(rng):
    x = rng.normal(size=(2, 3, 8, 8))
    k, b = rng.normal(scale=0.3, size=(3, 3, 3, 4)), rng.normal(scale=0.1, size=4)
    g, be, mu, va = rng.uniform(0.5, 1.5, 4), rng.normal(size=4), rng.normal(size=4), rng.uniform(0.5, 2, 4)
    layers = [lay("Conv2D", "conv", filters=4, kernel_size=[3, 3], strides=[1, 1], padding="same",
                  data_format="channels_first", dilation_rate=[1, 1], activation="relu", use_bias=True,
                  batch_input_shape=[None, 3, 8, 8]),
              lay("BatchNormalization", "bn", axis=1, epsilon=0.001, center=True, scale=True),
              lay("MaxPooling2D", "pool", pool_size=[2, 2], strides=[2, 2], padding="valid", data_format="channels_first"),
              lay("UpSampling2D", "up", size=[1, 2], data_format="channels_first", interpolation="nearest"),
              lay("ZeroPadding2D", "pad", padding=[[0, 1], [1, 1]], data_format="channels_first"),
              lay("Flatten", "flatten", data_format="channels_first")]
    t = lambda a: np.transpose(a, (0, 2, 3, 1))
    h = activation("relu", conv(t(x), k, b, [1, 1], [1, 1], "same"))
    h = batchnorm(h, g, be, mu, va, 0.001)
    h = pool(h, [2, 2], [2, 2], "valid", "max")
    h = upsample(h, [1, 2])
    h = np.pad(h, [(0, 0), (0, 1), (1, 1), (0, 0)])
    # Flatten(data_format="channels_first") flattens in channels-last order
    flat = h.reshape(h.shape[0], -1)
    kd, bd = rng.normal(scale=0.1, size=(flat.shape[1], 3)), rng.normal(scale=0.1, size=3)
    layers.append(lay("Dense", "out", units=3, activation="linear"))
    y = dense(flat, kd, bd)
    weights = [("conv", [("conv/kernel:0", k), ("conv/bias:0", b)]),
               ("bn", [("bn/gamma:0", g), ("bn/beta:0", be), ("bn/moving_mean:0", mu), ("bn/moving_variance:0", va)]),
               ("pool", []), ("up", []), ("pad", []), ("flatten", []),
               ("out", [("out/kernel:0", kd), ("out/bias:0", bd)])]
    gap = lay("GlobalAveragePooling2D", "gap", data_format="channels_first")
    write_h5(os.path.join(OUT, "k2_channels_first.h5"), seq_config(layers), [(n, [(a, f32(v)) for a, v in ws]) for n, ws in weights])
    write_reference("k2_channels_first", {"conv_input": x}, {"out": y})


def k2_shapes(rng):
    x = rng.normal(size=(3, 6, 4))
    g, be = rng.uniform(0.5, 1.5, 8), rng.normal(size=8)
    mu, va = rng.normal(size=8), rng.uniform(0.5, 2, 8)
    layers = [lay("Permute", "permute", dims=[2, 1], batch_input_shape=[None, 6, 4]),
              lay("Reshape", "reshape", target_shape=[3, -1]),
              lay("LayerNormalization", "ln", axis=-1, epsilon=0.001, center=True, scale=True),
              lay("Rescaling", "rescale", scale=0.5, offset=0.25),
              lay("Normalization", "norm", axis=-1),
              lay("Flatten", "flatten"),
              lay("RepeatVector", "repeat", n=2),
              lay("Dense", "dense", units=2, activation="tanh")]
    kd, bd = rng.normal(scale=0.2, size=(24, 2)), rng.normal(scale=0.1, size=2)
    h = np.transpose(x, (0, 2, 1)).reshape(3, 3, 8)
    h = layernorm(h, g, be, 0.001)
    h = h * 0.5 + 0.25
    h = (h - mu) / np.maximum(np.sqrt(va), 1e-7)
    h = h.reshape(3, -1)
    h = np.repeat(h[:, None, :], 2, axis=1)
    h = np.tanh(h @ kd + bd)
    weights = [("permute", []), ("reshape", []), ("ln", [("ln/gamma:0", g), ("ln/beta:0", be)]), ("rescale", []),
               ("norm", [("norm/mean:0", mu), ("norm/variance:0", va), ("norm/count:0", np.array(10.0))]),
               ("flatten", []), ("repeat", []), ("dense", [("dense/kernel:0", kd), ("dense/bias:0", bd)])]
    write_h5(os.path.join(OUT, "k2_shapes.h5"), seq_config(layers), [(n, [(a, f32(v)) for a, v in ws]) for n, ws in weights],
             version="2.8.0")
    write_reference("k2_shapes", {"permute_input": x}, {"dense": h})


def k2_embedding(rng):
    x = rng.integers(0, 10, size=(3, 5)).astype(np.float32)
    e = rng.normal(size=(10, 4))
    kd, bd = rng.normal(scale=0.3, size=(20, 2)), rng.normal(scale=0.1, size=2)
    layers = [lay("Embedding", "embedding", input_dim=10, output_dim=4, batch_input_shape=[None, 5], input_length=5),
              lay("Flatten", "flatten"), lay("Dense", "dense", units=2, activation="sigmoid")]
    h = e[x.astype(int)].reshape(3, -1)
    y = activation("sigmoid", h @ kd + bd)
    weights = [("embedding", [("embedding/embeddings:0", e)]), ("flatten", []),
               ("dense", [("dense/kernel:0", kd), ("dense/bias:0", bd)])]
    write_h5(os.path.join(OUT, "k2_embedding.h5"), seq_config(layers), [(n, [(a, f32(v)) for a, v in ws]) for n, ws in weights])
    write_reference("k2_embedding", {"embedding_input": x}, {"dense": y})


def k2_recurrent(rng):
    x = rng.normal(size=(2, 5, 3))
    m = K2Model()
    r = m.add("InputLayer", "seq", {"batch_input_shape": [None, 5, 3]}, inbound=[])
    W = lambda *s: rng.normal(scale=0.4, size=s)
    sw, su, sb = W(3, 4), W(4, 4), W(4)
    ra = m.add("SimpleRNN", "rnn", {"units": 4, "activation": "tanh", "return_sequences": True, "use_bias": True},
               [("rnn/kernel:0", sw), ("rnn/recurrent_kernel:0", su), ("rnn/bias:0", sb)], node(r))
    a = simple_rnn(x, sw, su, sb, return_sequences=True)
    lw, lu, lb = W(4, 16), W(4, 16), W(16)
    rb = m.add("LSTM", "lstm", {"units": 4, "activation": "tanh", "recurrent_activation": "sigmoid",
                                "return_sequences": True, "go_backwards": True, "use_bias": True},
               [("lstm/kernel:0", lw), ("lstm/recurrent_kernel:0", lu), ("lstm/bias:0", lb)], node(ra))
    bseq = lstm(a, lw, lu, lb, return_sequences=True, go_backwards=True)
    gw, gu, gb = W(4, 9), W(3, 9), W(2, 9)
    rc = m.add("GRU", "gru_after", {"units": 3, "activation": "tanh", "recurrent_activation": "sigmoid",
                                    "reset_after": True, "return_sequences": False, "use_bias": True},
               [("gru_after/kernel:0", gw), ("gru_after/recurrent_kernel:0", gu), ("gru_after/bias:0", gb)], node(rb))
    c = gru(bseq, gw, gu, gb, True)
    hw, hu, hb = W(3, 9), W(3, 9), W(9)
    rd = m.add("GRU", "gru_before", {"units": 3, "activation": "tanh", "recurrent_activation": "hard_sigmoid",
                                     "reset_after": False, "return_sequences": True, "use_bias": True},
               [("gru_before/kernel:0", hw), ("gru_before/recurrent_kernel:0", hu), ("gru_before/bias:0", hb)], node(r))
    d = gru(x, hw, hu, hb, False, rec="hard_sigmoid", return_sequences=True)
    fw, fu, fb, bw, bu, bb = W(3, 8), W(2, 8), W(8), W(3, 8), W(2, 8), W(8)
    inner = {"class_name": "LSTM", "config": {"name": "lstm_bi", "units": 2, "activation": "tanh",
                                              "recurrent_activation": "sigmoid", "return_sequences": True,
                                              "go_backwards": False, "use_bias": True}}
    re = m.add("Bidirectional", "bidi", {"layer": inner, "merge_mode": "concat"},
               [("bidi/forward_lstm_bi/kernel:0", fw), ("bidi/forward_lstm_bi/recurrent_kernel:0", fu),
                ("bidi/forward_lstm_bi/bias:0", fb), ("bidi/backward_lstm_bi/kernel:0", bw),
                ("bidi/backward_lstm_bi/recurrent_kernel:0", bu), ("bidi/backward_lstm_bi/bias:0", bb)], node(r))
    e = np.concatenate([lstm(x, fw, fu, fb, return_sequences=True),
                        lstm(x, bw, bu, bb, return_sequences=True, go_backwards=True)[:, ::-1]], axis=-1)
    gfw, gfu, gfb, gbw, gbu, gbb = W(3, 6), W(2, 6), W(2, 6), W(3, 6), W(2, 6), W(2, 6)
    inner_g = {"class_name": "GRU", "config": {"name": "gru_bi", "units": 2, "activation": "tanh",
                                               "recurrent_activation": "sigmoid", "reset_after": True,
                                               "return_sequences": False, "use_bias": True}}
    rf = m.add("Bidirectional", "bidi_sum", {"layer": inner_g, "merge_mode": "sum"},
               [("bidi_sum/forward_gru_bi/kernel:0", gfw), ("bidi_sum/forward_gru_bi/recurrent_kernel:0", gfu),
                ("bidi_sum/forward_gru_bi/bias:0", gfb), ("bidi_sum/backward_gru_bi/kernel:0", gbw),
                ("bidi_sum/backward_gru_bi/recurrent_kernel:0", gbu), ("bidi_sum/backward_gru_bi/bias:0", gbb)], node(r))
    f = gru(x, gfw, gfu, gfb, True) + gru(x, gbw, gbu, gbb, True, go_backwards=True)
    tw, tb = W(3, 2), W(2)
    rg = m.add("TimeDistributed", "td", {"layer": {"class_name": "Dense", "config": {"name": "td_dense", "units": 2,
                                                                                   "activation": "relu"}}},
               [("td/kernel:0", tw), ("td/bias:0", tb)], node(r))
    gg = activation("relu", x @ tw + tb)
    cfg = {"class_name": "Functional", "config": {"name": "rnn_model", "layers": m.layers,
                                                  "input_layers": [["seq", 0, 0]],
                                                  "output_layers": [["gru_after", 0, 0], ["gru_before", 0, 0],
                                                                    ["bidi", 0, 0], ["bidi_sum", 0, 0], ["td", 0, 0]]}}
    write_h5(os.path.join(OUT, "k2_recurrent.h5"), cfg, m.weights, version="2.4.0")
    write_reference("k2_recurrent", {"seq": x}, {"gru_after": c, "gru_before": d, "bidi": e, "bidi_sum": f, "td": gg})


def k2_merge(rng):
    a, b = rng.normal(size=(3, 4)), rng.normal(size=(3, 4))
    s, t = rng.normal(size=(3, 2, 4)), rng.normal(size=(3, 5, 4))
    m = K2Model()
    ra = m.add("InputLayer", "a", {"batch_input_shape": [None, 4]}, inbound=[])
    rb = m.add("InputLayer", "b", {"batch_input_shape": [None, 4]}, inbound=[])
    rs = m.add("InputLayer", "s", {"batch_input_shape": [None, 2, 4]}, inbound=[])
    rt = m.add("InputLayer", "t", {"batch_input_shape": [None, 5, 4]}, inbound=[])
    outs = {}
    for cls, name, fn in [("Add", "add", lambda: a + b), ("Subtract", "subtract", lambda: a - b),
                          ("Multiply", "multiply", lambda: a * b), ("Average", "average", lambda: (a + b) / 2),
                          ("Maximum", "maximum", lambda: np.maximum(a, b)), ("Minimum", "minimum", lambda: np.minimum(a, b))]:
        m.add(cls, name, {}, inbound=node(ra, rb))
        outs[name] = fn()
    m.add("Concatenate", "concat", {"axis": -1}, inbound=node(ra, rb, ra))
    outs["concat"] = np.concatenate([a, b, a], axis=-1)
    m.add("Concatenate", "concat_time", {"axis": 1}, inbound=node(rs, rt))
    outs["concat_time"] = np.concatenate([s, t], axis=1)
    m.add("Dot", "dot", {"axes": 1, "normalize": False}, inbound=node(ra, rb))
    outs["dot"] = (a * b).sum(axis=1, keepdims=True)
    m.add("Dot", "cosine", {"axes": [1, 1], "normalize": True}, inbound=node(ra, rb))
    outs["cosine"] = (l2n(a) * l2n(b)).sum(axis=1, keepdims=True)
    m.add("Dot", "dot3d", {"axes": [2, 2], "normalize": False}, inbound=node(rs, rt))
    outs["dot3d"] = np.einsum("nik,njk->nij", s, t)
    cfg = {"class_name": "Model", "config": {"name": "merge_model", "layers": m.layers,
                                             "input_layers": [["a", 0, 0], ["b", 0, 0], ["s", 0, 0], ["t", 0, 0]],
                                             "output_layers": [[n, 0, 0] for n in outs]}}
    write_h5(os.path.join(OUT, "k2_merge.h5"), cfg, m.weights, version="2.2.4")
    write_reference("k2_merge", {"a": a, "b": b, "s": s, "t": t}, outs)


def k2_shared_nested(rng):
    """Shared Dense called twice, a nested Sequential and a nested functional model."""
    a, b = rng.normal(size=(3, 4)), rng.normal(size=(3, 4))
    W = lambda *s: rng.normal(scale=0.5, size=s)
    m = K2Model()
    ra = m.add("InputLayer", "left", {"batch_input_shape": [None, 4]}, inbound=[])
    rb = m.add("InputLayer", "right", {"batch_input_shape": [None, 4]}, inbound=[])
    sw, sb = W(4, 3), W(3)
    r1 = m.add("Dense", "shared", {"units": 3, "activation": "relu"}, [("shared/kernel:0", sw), ("shared/bias:0", sb)],
               node(ra))
    r2 = m.call_again("shared", node(rb))
    rc = m.add("Concatenate", "join", {"axis": -1}, inbound=node(r1, r2))
    h1 = activation("relu", a @ sw + sb)
    h2 = activation("relu", b @ sw + sb)
    j = np.concatenate([h1, h2], axis=-1)
    # nested Sequential: weights live in the group of the nested model, named after the inner layers
    n1w, n1b, n2w, n2b = W(6, 5), W(5), W(5, 2), W(2)
    inner_seq = {"name": "tower", "layers": [
        lay("Dense", "tower_dense_1", units=5, activation="tanh", batch_input_shape=[None, 6]),
        lay("Dense", "tower_dense_2", units=2, activation="linear")]}
    m.layers.append({"class_name": "Sequential", "name": "tower", "config": inner_seq, "inbound_nodes": [node(rc)]})
    m.weights.append(("tower", [("tower_dense_1/kernel:0", f32(n1w)), ("tower_dense_1/bias:0", f32(n1b)),
                                ("tower_dense_2/kernel:0", f32(n2w)), ("tower_dense_2/bias:0", f32(n2b))]))
    t = np.tanh(j @ n1w + n1b) @ n2w + n2b
    # nested functional model with its own input, called on the shared layer's second output
    fw, fb = W(3, 2), W(2)
    inner_fn = {"name": "head", "layers": [
        {"class_name": "InputLayer", "name": "head_in", "config": {"name": "head_in", "batch_input_shape": [None, 3]},
         "inbound_nodes": []},
        {"class_name": "Dense", "name": "head_dense", "config": {"name": "head_dense", "units": 2, "activation": "sigmoid"},
         "inbound_nodes": [[["head_in", 0, 0, {}]]]}],
        "input_layers": [["head_in", 0, 0]], "output_layers": [["head_dense", 0, 0]]}
    m.layers.append({"class_name": "Functional", "name": "head", "config": inner_fn, "inbound_nodes": [node(r2)]})
    m.weights.append(("head", [("head/head_dense/kernel:0", f32(fw)), ("head/head_dense/bias:0", f32(fb))]))
    hh = activation("sigmoid", h2 @ fw + fb)
    cfg = {"class_name": "Functional", "config": {"name": "shared_model", "layers": m.layers,
                                                  "input_layers": [["left", 0, 0], ["right", 0, 0]],
                                                  "output_layers": [["tower", 0, 0], ["head", 0, 0], ["shared", 1, 0]]}}
    write_h5(os.path.join(OUT, "k2_shared_nested.h5"), cfg, m.weights, version="2.4.0")
    write_reference("k2_shared_nested", {"left": a, "right": b}, {"tower": t, "head": hh, "shared": h2})


# --------------------------------------------------------------------------------------------
# Keras 1 spellings
# --------------------------------------------------------------------------------------------

def k1_sequential(rng):
    x = rng.normal(size=(2, 8, 8, 2))
    k, b = rng.normal(scale=0.3, size=(3, 3, 2, 3)), rng.normal(scale=0.1, size=3)
    layers = [{"class_name": "Convolution2D", "config": {"name": "convolution2d_1", "nb_filter": 3, "nb_row": 3,
                                                         "nb_col": 3, "border_mode": "same", "subsample": [2, 2],
                                                         "dim_ordering": "tf", "activation": "relu", "bias": True,
                                                         "init": "glorot_uniform",
                                                         "batch_input_shape": [None, 8, 8, 2], "input_dtype": "float32"}},
              {"class_name": "MaxPooling2D", "config": {"name": "maxpooling2d_1", "pool_size": [2, 2], "strides": [2, 2],
                                                        "border_mode": "valid", "dim_ordering": "tf"}},
              {"class_name": "Flatten", "config": {"name": "flatten_1"}},
              {"class_name": "Dense", "config": {"name": "dense_1", "output_dim": 3, "init": "glorot_uniform",
                                                 "activation": "softmax", "bias": True, "input_dim": None}}]
    h = activation("relu", conv(x, k, b, [2, 2], [1, 1], "same"))
    h = pool(h, [2, 2], [2, 2], "valid", "max").reshape(2, -1)
    dw, db = rng.normal(scale=0.3, size=(h.shape[1], 3)), rng.normal(scale=0.1, size=3)
    y = activation("softmax", h @ dw + db)
    weights = [("convolution2d_1", [("convolution2d_1_W", k), ("convolution2d_1_b", b)]), ("maxpooling2d_1", []),
               ("flatten_1", []), ("dense_1", [("dense_1_W", dw), ("dense_1_b", db)])]
    write_h5(os.path.join(OUT, "k1_sequential.h5"), {"class_name": "Sequential", "config": layers},
             [(n, [(a, f32(v)) for a, v in ws]) for n, ws in weights], version="1.2.2", at_root=True)
    write_reference("k1_sequential", {"convolution2d_1_input": x}, {"dense_1": y})


def k1_functional(rng):
    """Keras 1 Model with Convolution1D, per-gate LSTM weights and the Merge layer."""
    x = rng.normal(size=(2, 6, 3))
    W = lambda *s: rng.normal(scale=0.4, size=s)
    layers = [{"class_name": "InputLayer", "name": "input_1",
               "config": {"name": "input_1", "batch_input_shape": [None, 6, 3], "input_dtype": "float32", "sparse": False},
               "inbound_nodes": []}]
    ck, cb = W(3, 1, 3, 4), W(4)  # Keras 1 stores Convolution1D kernels as (length, 1, in, filters)
    layers.append({"class_name": "Convolution1D", "name": "convolution1d_1",
                   "config": {"name": "convolution1d_1", "nb_filter": 4, "filter_length": 3, "border_mode": "valid",
                              "subsample_length": 1, "activation": "linear", "bias": True},
                   "inbound_nodes": [[["input_1", 0, 0]]]})
    c = conv(x, ck[:, 0], cb, [1], [1], "valid")
    gates = {}
    weights_lstm = []
    for gname in ["i", "c", "f", "o"]:
        gates[gname] = (W(4, 3), W(3, 3), W(3))
        weights_lstm += [("lstm_1_W_" + gname, gates[gname][0]), ("lstm_1_U_" + gname, gates[gname][1]),
                         ("lstm_1_b_" + gname, gates[gname][2])]
    layers.append({"class_name": "LSTM", "name": "lstm_1",
                   "config": {"name": "lstm_1", "output_dim": 3, "activation": "tanh", "inner_activation": "hard_sigmoid",
                              "return_sequences": False, "go_backwards": False},
                   "inbound_nodes": [[["convolution1d_1", 0, 0]]]})
    order = ["i", "f", "c", "o"]
    lw = np.concatenate([gates[g][0] for g in order], axis=1)
    lu = np.concatenate([gates[g][1] for g in order], axis=1)
    lb = np.concatenate([gates[g][2] for g in order])
    h = lstm(c, lw, lu, lb, rec="hard_sigmoid")
    dw, db = W(18, 3), W(3)
    layers.append({"class_name": "Flatten", "name": "flatten_1", "config": {"name": "flatten_1"},
                   "inbound_nodes": [[["input_1", 0, 0]]]})
    layers.append({"class_name": "Dense", "name": "dense_1",
                   "config": {"name": "dense_1", "output_dim": 3, "activation": "linear", "bias": True},
                   "inbound_nodes": [[["flatten_1", 0, 0]]]})
    d = x.reshape(2, -1) @ dw + db
    layers.append({"class_name": "Merge", "name": "merge_1",
                   "config": {"name": "merge_1", "mode": "concat", "concat_axis": -1},
                   "inbound_nodes": [[["lstm_1", 0, 0], ["dense_1", 0, 0]]]})
    layers.append({"class_name": "Merge", "name": "merge_2", "config": {"name": "merge_2", "mode": "sum"},
                   "inbound_nodes": [[["lstm_1", 0, 0], ["dense_1", 0, 0]]]})
    cfg = {"class_name": "Model", "config": {"name": "model_1", "layers": layers, "input_layers": [["input_1", 0, 0]],
                                             "output_layers": [["merge_1", 0, 0], ["merge_2", 0, 0]]}}
    weights = [("input_1", []), ("convolution1d_1", [("convolution1d_1_W", ck), ("convolution1d_1_b", cb)]),
               ("lstm_1", weights_lstm), ("flatten_1", []), ("dense_1", [("dense_1_W", dw), ("dense_1_b", db)]),
               ("merge_1", []), ("merge_2", [])]
    write_h5(os.path.join(OUT, "k1_functional.h5"), cfg, [(n, [(a, f32(v)) for a, v in ws]) for n, ws in weights],
             version="1.2.2")
    write_reference("k1_functional", {"input_1": x}, {"merge_1": np.concatenate([h, d], -1), "merge_2": h + d})


# --------------------------------------------------------------------------------------------
# Keras 3 .keras archives
# --------------------------------------------------------------------------------------------

def snake(name):
    import re
    name = re.sub(r"\W+", "", name)
    name = re.sub("(.)([A-Z][a-z]+)", r"\1_\2", name)
    name = re.sub("([a-z])([A-Z])", r"\1_\2", name).lower()
    return name


def k3_layer(class_name, name, config, inbound=None):
    cfg = dict(config)
    cfg["name"] = name
    cfg.setdefault("trainable", True)
    cfg.setdefault("dtype", {"module": "keras", "class_name": "DTypePolicy", "config": {"name": "float32"},
                             "registered_name": None})
    entry = {"module": "keras.layers", "class_name": class_name, "config": cfg, "registered_name": None, "name": name}
    if inbound is not None:
        entry["inbound_nodes"] = inbound
    return entry


def kt(ref, shape):
    return {"class_name": "__keras_tensor__", "config": {"shape": shape, "dtype": "float32", "keras_history": list(ref)}}


def k3_call(*args):
    return [{"args": list(args), "kwargs": {}}]


class K3Weights:
    """model.weights.h5 content: (storage path, [arrays])."""

    def __init__(self):
        self.entries = []

    def add(self, path, arrays):
        self.entries.append((path, [f32(a) for a in arrays]))


def storage_paths(layers, prefix="layers"):
    used, out = {}, {}
    for l in layers:
        if l["class_name"] == "InputLayer":
            continue
        base = snake(l["class_name"])
        if base in used:
            used[base] += 1
            out[l["config"]["name"]] = "%s/%s_%d" % (prefix, base, used[base])
        else:
            used[base] = 0
            out[l["config"]["name"]] = "%s/%s" % (prefix, base)
    return out


def write_keras3(name, config, weights):
    buf = io.BytesIO()
    with h5py.File(buf, "w") as f:
        f.create_group("vars")
        for path, arrays in weights.entries:
            g = f.require_group(path + "/vars")
            for i, a in enumerate(arrays):
                g.create_dataset(str(i), data=a)
    with zipfile.ZipFile(os.path.join(OUT, name + ".keras"), "w") as z:
        z.writestr("metadata.json", json.dumps({"keras_version": "3.6.0", "date_saved": "2024-10-01@12:00:00"}))
        z.writestr("config.json", json.dumps(config))
        z.writestr("model.weights.h5", buf.getvalue())


def k3_sequential(rng):
    x = rng.normal(size=(2, 5, 3))
    W = lambda *s: rng.normal(scale=0.4, size=s)
    lw, lu, lb = W(3, 16), W(4, 16), W(16)
    gw, gu, gb = W(4, 9), W(3, 9), W(2, 9)
    fw, fu, fb, bw, bu, bb = W(3, 4), W(1, 4), W(4), W(3, 4), W(1, 4), W(4)
    g, be, mu, va = rng.uniform(0.5, 1.5, 8), rng.normal(size=8), rng.normal(size=8), rng.uniform(0.5, 2, 8)
    dw, db = W(8, 4), W(4)
    layers = [k3_layer("InputLayer", "input_layer", {"batch_shape": [None, 5, 3], "dtype": "float32", "sparse": False}),
              k3_layer("LSTM", "lstm", {"units": 4, "activation": "tanh", "recurrent_activation": "hard_sigmoid",
                                        "use_bias": True, "return_sequences": True, "go_backwards": False}),
              k3_layer("GRU", "gru", {"units": 3, "activation": "tanh", "recurrent_activation": "sigmoid",
                                      "use_bias": True, "return_sequences": True, "reset_after": True,
                                      "go_backwards": True}),
              k3_layer("Bidirectional", "bidirectional", {"merge_mode": "concat",
                  "layer": k3_layer("SimpleRNN", "forward_simple_rnn", {"units": 1, "activation": "tanh",
                                                                       "return_sequences": True, "go_backwards": False}),
                  "backward_layer": k3_layer("SimpleRNN", "backward_simple_rnn", {"units": 1, "activation": "tanh",
                                                                                 "return_sequences": True,
                                                                                 "go_backwards": True})}),
              k3_layer("Flatten", "flatten", {"data_format": "channels_last"}),
              k3_layer("Dense", "dense", {"units": 8, "activation": "hard_sigmoid", "use_bias": True}),
              k3_layer("BatchNormalization", "batch_normalization", {"axis": -1, "epsilon": 0.001, "center": True,
                                                                     "scale": True, "momentum": 0.99}),
              k3_layer("Dense", "dense_1", {"units": 4, "activation": "gelu", "use_bias": True})]
    # Bidirectional over GRU output (2, 5, 3) -> SimpleRNN kernel (3, 1)
    fw, fu, fb, bw, bu, bb = W(3, 1), W(1, 1), W(1), W(3, 1), W(1, 1), W(1)
    d1w, d1b = W(10, 8), W(8)
    h = lstm(x, lw, lu, lb, rec="hard_sigmoid", return_sequences=True, keras3=True)
    h = gru(h, gw, gu, gb, True, return_sequences=True, go_backwards=True)
    h = np.concatenate([simple_rnn(h, fw, fu, fb, return_sequences=True),
                        simple_rnn(h, bw, bu, bb, return_sequences=True, go_backwards=True)[:, ::-1]], axis=-1)
    h = h.reshape(2, -1)
    h = activation("hard_sigmoid", h @ d1w + d1b, keras3=True)
    h = batchnorm(h, g, be, mu, va, 0.001)
    y = activation("gelu", h @ dw + db)
    config = {"module": "keras", "class_name": "Sequential",
              "config": {"name": "sequential", "trainable": True, "layers": layers}, "registered_name": None,
              "build_config": {"input_shape": [None, 5, 3]}}
    w = K3Weights()
    p = storage_paths(layers)
    w.add(p["lstm"] + "/cell", [lw, lu, lb])
    w.add(p["gru"] + "/cell", [gw, gu, gb])
    w.add(p["bidirectional"] + "/forward_layer/cell", [fw, fu, fb])
    w.add(p["bidirectional"] + "/backward_layer/cell", [bw, bu, bb])
    w.add(p["dense"], [d1w, d1b])
    w.add(p["batch_normalization"], [g, be, mu, va])
    w.add(p["dense_1"], [dw, db])
    write_keras3("k3_sequential", config, w)
    write_reference("k3_sequential", {"input_layer": x}, {"dense_1": y})


def k3_functional(rng):
    img = rng.normal(size=(2, 6, 6, 2))
    vec = rng.normal(size=(2, 3))
    W = lambda *s: rng.normal(scale=0.4, size=s)
    ck, cb = W(3, 3, 2, 4), W(4)
    sw, sb = W(3, 3), W(3)
    nw, nb = W(7, 2), W(2)
    g, be = rng.uniform(0.5, 1.5, 4), rng.normal(size=4)
    pa = rng.uniform(0.1, 0.3, size=(1, 1, 4))
    layers = [
        k3_layer("InputLayer", "image", {"batch_shape": [None, 6, 6, 2], "dtype": "float32", "sparse": False}, []),
        k3_layer("InputLayer", "features", {"batch_shape": [None, 3], "dtype": "float32", "sparse": False}, []),
        k3_layer("Conv2D", "conv", {"filters": 4, "kernel_size": [3, 3], "strides": [1, 1], "padding": "valid",
                                    "data_format": "channels_last", "dilation_rate": [1, 1], "groups": 1,
                                    "activation": {"module": "keras.activations", "class_name": "function",
                                                   "config": "silu", "registered_name": "function"},
                                    "use_bias": True},
                 k3_call(kt(("image", 0, 0), [None, 6, 6, 2]))),
        k3_layer("PReLU", "p_re_lu", {"shared_axes": [1, 2]}, k3_call(kt(("conv", 0, 0), [None, 4, 4, 4]))),
        k3_layer("LayerNormalization", "layer_normalization", {"axis": [-1], "epsilon": 0.001, "center": True,
                                                               "scale": True, "rms_scaling": False},
                 k3_call(kt(("p_re_lu", 0, 0), [None, 4, 4, 4]))),
        k3_layer("GlobalAveragePooling2D", "gap", {"data_format": "channels_last", "keepdims": False},
                 k3_call(kt(("layer_normalization", 0, 0), [None, 4, 4, 4]))),
        k3_layer("Dense", "shared", {"units": 3, "activation": "relu", "use_bias": True},
                 k3_call(kt(("features", 0, 0), [None, 3])) + k3_call(kt(("shared", 0, 0), [None, 3]))),
        k3_layer("Concatenate", "concatenate", {"axis": -1},
                 k3_call([kt(("gap", 0, 0), [None, 4]), kt(("shared", 1, 0), [None, 3])])),
        {"module": "keras", "class_name": "Sequential", "name": "head", "registered_name": None,
         "config": {"name": "head", "trainable": True, "layers": [
             k3_layer("InputLayer", "head_input", {"batch_shape": [None, 7], "dtype": "float32", "sparse": False}),
             k3_layer("Dense", "head_dense", {"units": 2, "activation": "softmax", "use_bias": True})]},
         "inbound_nodes": k3_call(kt(("concatenate", 0, 0), [None, 7]))},
        k3_layer("LeakyReLU", "leaky", {"negative_slope": 0.3}, k3_call(kt(("shared", 1, 0), [None, 3]))),
    ]
    c = activation("silu", conv(img, ck, cb, [1, 1], [1, 1], "valid"))
    c = np.where(c > 0, c, pa * c)
    c = layernorm(c, g, be, 0.001)
    gp = c.mean(axis=(1, 2))
    s1 = activation("relu", vec @ sw + sb)
    s2 = activation("relu", s1 @ sw + sb)
    j = np.concatenate([gp, s2], axis=-1)
    y = activation("softmax", j @ nw + nb)
    lk = np.where(s2 > 0, s2, 0.3 * s2)
    config = {"module": "keras", "class_name": "Functional",
              "config": {"name": "functional", "trainable": True, "layers": layers,
                         "input_layers": [["image", 0, 0], ["features", 0, 0]],
                         "output_layers": [["head", 0, 0], ["leaky", 0, 0]]},
              "registered_name": "Functional", "build_config": {"input_shape": None}, "compile_config": None}
    w = K3Weights()
    p = storage_paths(layers)
    w.add(p["conv"], [ck, cb])
    w.add(p["p_re_lu"], [pa])
    w.add(p["layer_normalization"], [g, be])
    w.add(p["shared"], [sw, sb])
    w.add(p["head"] + "/layers/dense", [nw, nb])
    write_keras3("k3_functional", config, w)
    write_reference("k3_functional", {"image": img, "features": vec}, {"head": y, "leaky": lk})


# --------------------------------------------------------------------------------------------
# files that must be refused
# --------------------------------------------------------------------------------------------

def bad_files(rng):
    # weights only (model.save_weights("w.h5")): layer_names but no model_config
    with h5py.File(os.path.join(OUT, "bad_weights_only.h5"), "w") as f:
        f.attrs["keras_version"] = b"2.3.1"
        f.attrs["backend"] = b"tensorflow"
        f.attrs["layer_names"] = np.array([b"dense_1"])
        g = f.create_group("dense_1")
        g.attrs["weight_names"] = np.array([b"dense_1/kernel:0", b"dense_1/bias:0"])
        g.create_dataset("dense_1/kernel:0", data=f32(rng.normal(size=(4, 2))))
        g.create_dataset("dense_1/bias:0", data=f32(np.zeros(2)))
    # Keras 3 weights only (model.save_weights("m.weights.h5"))
    with h5py.File(os.path.join(OUT, "bad_keras3.weights.h5"), "w") as f:
        f.create_group("vars")
        g = f.require_group("layers/dense/vars")
        g.create_dataset("0", data=f32(rng.normal(size=(4, 2))))
        g.create_dataset("1", data=f32(np.zeros(2)))
    # a Lambda, a custom layer and another unknown class
    layers = [lay("Dense", "dense_1", units=2, batch_input_shape=[None, 4]),
              lay("Lambda", "lambda_1", function=["4wEAAAAAAAAAAQAAAAIAAABDAAAAcwgAAAB8AGQBFABTACkCTukCAAAAqQApAdoBeHIDAAAAcgMAAAD6AHoIPGxhbWJkYT4BAAAA8wAAAAA=", None, None], function_type="lambda"),
              lay("MyAttention", "my_attention_1", heads=2),
              lay("Lambda", "lambda_2", function="x", function_type="raw"),
              lay("CustomScaling", "custom_scaling_1")]
    write_h5(os.path.join(OUT, "bad_lambda_custom.h5"), seq_config(layers),
             [("dense_1", [("dense_1/kernel:0", f32(np.ones((4, 2)))), ("dense_1/bias:0", f32(np.zeros(2)))])])
    # weights whose shapes contradict the config (units 3, kernel 4x2)
    write_h5(os.path.join(OUT, "bad_weight_shape.h5"),
             seq_config([lay("Dense", "dense_1", units=3, batch_input_shape=[None, 4])]),
             [("dense_1", [("dense_1/kernel:0", f32(np.ones((4, 2)))), ("dense_1/bias:0", f32(np.zeros(3)))])])
    # weights missing for a layer that needs them
    write_h5(os.path.join(OUT, "bad_missing_weights.h5"),
             seq_config([lay("Dense", "dense_1", units=3, batch_input_shape=[None, 4])]), [("other", [])])
    # model_config that is not JSON
    with h5py.File(os.path.join(OUT, "bad_json.h5"), "w") as f:
        f.attrs["keras_version"] = b"2.3.1"
        f.attrs["model_config"] = b'{"class_name": "Sequential", "config": [{"class_name": '
    # a dataset declaring 2^31 x 1024 floats (8 TB) in a chunked, unallocated layout: a few KB on disk
    with h5py.File(os.path.join(OUT, "bad_huge_dataset.h5"), "w") as f:
        f.attrs["keras_version"] = b"2.3.1"
        f.attrs["backend"] = b"tensorflow"
        f.attrs["model_config"] = json.dumps(seq_config([lay("Dense", "dense_1", units=1024,
                                                             batch_input_shape=[None, 2 ** 31])])).encode()
        g = f.create_group("model_weights")
        g.attrs["layer_names"] = np.array([b"dense_1"])
        lg = g.create_group("dense_1")
        lg.attrs["weight_names"] = np.array([b"dense_1/kernel:0", b"dense_1/bias:0"])
        lg.create_dataset("dense_1/kernel:0", shape=(2 ** 31, 1024), dtype="f4", chunks=(1024, 64))
        lg.create_dataset("dense_1/bias:0", data=f32(np.zeros(1024)))
    # models nested 40 deep
    inner = seq_config([lay("Dense", "d", units=1, batch_input_shape=[None, 1])], name="m0")
    for i in range(1, 40):
        inner = {"class_name": "Sequential", "config": {"name": "m%d" % i, "layers": [inner]}}
    write_h5(os.path.join(OUT, "bad_deep_nesting.h5"), inner, [("m39", [])])


def main():
    os.makedirs(OUT, exist_ok=True)
    makers = [k2_activations, k2_activation_layers, k2_conv2d, k2_conv1d_3d, k2_channels_first, k2_shapes,
              k2_embedding, k2_recurrent, k2_merge, k2_shared_nested, k1_sequential, k1_functional,
              k3_sequential, k3_functional, bad_files]
    for seed, make in enumerate(makers):
        make(np.random.default_rng(1000 + seed))
    print("wrote", len(os.listdir(OUT)), "files to", os.path.normpath(OUT))


if __name__ == "__main__":
    main()
