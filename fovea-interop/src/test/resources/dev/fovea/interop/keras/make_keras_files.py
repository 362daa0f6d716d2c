#!/usr/bin/env python3
"""Writes the Keras model files KerasFilesTest reads, and their expected outputs.

TensorFlow/Keras cannot be installed where Fovea is built, so the files are written with h5py in
Keras's own layouts, and the expected outputs are computed independently with PyTorch (NCHW, OIHW):

- Keras 3 / tf.keras 2.13+ `.keras`: a zip of metadata.json, config.json (model.get_config() as
  keras.saving.serialize_keras_object writes it: "module", "class_name", "config",
  "registered_name"; Functional layers with Keras 3's inbound_nodes [{"args": [keras tensors],
  "kwargs": {}}]) and model.weights.h5 (keras/src/saving/saving_lib.py's H5IOStore:
  layers/<name>/vars/<i> in the layer's variable order, nested models under
  layers/<model>/layers/<inner>, an empty vars group for a layer without weights, optimizer state
  under optimizer/vars, a Dropout's seed generator under layers/<name>/seed_generator/vars).
- legacy `.h5` (tf.keras 2.x model.save("m.h5"), keras/src/legacy/saving/legacy_h5_format.py):
  root attributes keras_version, backend, model_config (JSON: Keras 2's inbound_nodes
  [[["layer", node, tensor, {}]]]), group model_weights with attribute layer_names, one group per
  layer with attribute weight_names "<layer>/<var>:0" and the datasets under those paths; a
  nested model's group holds its layers' weights, trainable ones first.

Run from this folder with Debian's python3-h5py, python3-numpy and python3-torch:
    /usr/bin/python3 make_keras_files.py
It rewrites every file here except itself; the outputs go to expected.json with the inputs.
"""
import io
import json
import zipfile

import h5py
import numpy as np
import torch
import torch.nn.functional as F

rng = np.random.default_rng(18)
POLICY = {"module": "keras", "class_name": "DTypePolicy", "config": {"name": "float32"}, "registered_name": None}


def init(name):
    return {"module": "keras.initializers", "class_name": name, "config": {} if name in ("Zeros", "Ones") else {"seed": None},
            "registered_name": None}


# ---- layer descriptions: (class_name, name, keras-3 config, keras-2 config, weights) ----------

def base3(name):
    return {"name": name, "trainable": True, "dtype": POLICY}


def base2(name):
    return {"name": name, "trainable": True, "dtype": "float32"}


def conv(name, cin, filters, k, strides=1, padding="same", activation="linear", use_bias=True):
    kh, kw = (k, k) if isinstance(k, int) else k
    w = [rng.normal(0, 0.4, (kh, kw, cin, filters)).astype(np.float32)]
    if use_bias:
        w.append(rng.normal(0, 0.2, (filters,)).astype(np.float32))
    common = {"filters": filters, "kernel_size": [kh, kw], "strides": [strides, strides], "padding": padding,
              "data_format": "channels_last", "dilation_rate": [1, 1], "groups": 1, "activation": activation,
              "use_bias": use_bias}
    c3 = {**base3(name), **common, "kernel_initializer": init("GlorotUniform"), "bias_initializer": init("Zeros"),
          "kernel_regularizer": None, "bias_regularizer": None, "activity_regularizer": None,
          "kernel_constraint": None, "bias_constraint": None}
    c2 = {**base2(name), **common,
          "kernel_initializer": {"class_name": "GlorotUniform", "config": {"seed": None}},
          "bias_initializer": {"class_name": "Zeros", "config": {}}, "kernel_regularizer": None,
          "bias_regularizer": None, "activity_regularizer": None, "kernel_constraint": None, "bias_constraint": None}
    names = ["kernel", "bias"][:len(w)]
    return ("Conv2D", name, c3, c2, list(zip(names, w)))


def dense(name, cin, units, activation="linear"):
    w = [rng.normal(0, 0.4, (cin, units)).astype(np.float32), rng.normal(0, 0.2, (units,)).astype(np.float32)]
    common = {"units": units, "activation": activation, "use_bias": True}
    c3 = {**base3(name), **common, "kernel_initializer": init("GlorotUniform"), "bias_initializer": init("Zeros"),
          "kernel_regularizer": None, "bias_regularizer": None, "kernel_constraint": None, "bias_constraint": None}
    c2 = {**base2(name), **common,
          "kernel_initializer": {"class_name": "GlorotUniform", "config": {"seed": None}},
          "bias_initializer": {"class_name": "Zeros", "config": {}}, "kernel_regularizer": None,
          "bias_regularizer": None, "activity_regularizer": None, "kernel_constraint": None, "bias_constraint": None}
    return ("Dense", name, c3, c2, list(zip(["kernel", "bias"], w)))


def batchnorm(name, c, epsilon=1e-3, center=True, scale=True):
    w = []
    if scale:
        w.append(("gamma", rng.uniform(0.5, 1.5, (c,)).astype(np.float32)))
    if center:
        w.append(("beta", rng.normal(0, 0.3, (c,)).astype(np.float32)))
    w.append(("moving_mean", rng.normal(0, 0.5, (c,)).astype(np.float32)))
    w.append(("moving_variance", rng.uniform(0.3, 2.0, (c,)).astype(np.float32)))
    common = {"momentum": 0.99, "epsilon": epsilon, "center": center, "scale": scale}
    c3 = {**base3(name), "axis": -1, **common, "beta_initializer": init("Zeros"), "gamma_initializer": init("Ones"),
          "moving_mean_initializer": init("Zeros"), "moving_variance_initializer": init("Ones"),
          "beta_regularizer": None, "gamma_regularizer": None, "beta_constraint": None, "gamma_constraint": None,
          "synchronized": False}
    c2 = {**base2(name), "axis": [3], **common,
          "beta_initializer": {"class_name": "Zeros", "config": {}}, "gamma_initializer": {"class_name": "Ones", "config": {}},
          "moving_mean_initializer": {"class_name": "Zeros", "config": {}},
          "moving_variance_initializer": {"class_name": "Ones", "config": {}},
          "beta_regularizer": None, "gamma_regularizer": None, "beta_constraint": None, "gamma_constraint": None}
    return ("BatchNormalization", name, c3, c2, w)


def depthwise(name, cin, k, strides, padding, mult, activation="linear", use_bias=True, separable_filters=None):
    """DepthwiseConv2D, or with separable_filters a SeparableConv2D (depthwise, then a 1×1 conv)."""
    w = [("depthwise_kernel", rng.normal(0, 0.4, (k, k, cin, mult)).astype(np.float32))]
    if separable_filters:
        w.append(("pointwise_kernel", rng.normal(0, 0.4, (1, 1, cin * mult, separable_filters)).astype(np.float32)))
    if use_bias:
        w.append(("bias", rng.normal(0, 0.2, (separable_filters or cin * mult,)).astype(np.float32)))
    common = {"kernel_size": [k, k], "strides": [strides, strides], "padding": padding, "data_format": "channels_last",
              "depth_multiplier": mult, "dilation_rate": [1, 1], "activation": activation, "use_bias": use_bias}
    extra3 = {"depthwise_initializer": init("GlorotUniform"), "bias_initializer": init("Zeros"),
              "depthwise_regularizer": None, "bias_regularizer": None, "activity_regularizer": None,
              "depthwise_constraint": None, "bias_constraint": None}
    extra2 = {"depthwise_initializer": {"class_name": "GlorotUniform", "config": {"seed": None}},
              "bias_initializer": {"class_name": "Zeros", "config": {}}, "depthwise_regularizer": None,
              "bias_regularizer": None, "activity_regularizer": None, "depthwise_constraint": None,
              "bias_constraint": None}
    kind = "DepthwiseConv2D"
    if separable_filters:
        kind = "SeparableConv2D"
        common["filters"] = separable_filters
        extra3.update({"pointwise_initializer": init("GlorotUniform"), "pointwise_regularizer": None,
                       "pointwise_constraint": None})
        extra2.update({"pointwise_initializer": {"class_name": "GlorotUniform", "config": {"seed": None}},
                       "pointwise_regularizer": None, "pointwise_constraint": None})
    return (kind, name, {**base3(name), **common, **extra3}, {**base2(name), **common, **extra2}, w)


def pool(kind, name, size, strides, padding):
    common = {"pool_size": [size, size], "padding": padding, "strides": [strides, strides], "data_format": "channels_last"}
    return (kind, name, {**base3(name), **common}, {**base2(name), **common}, [])


def simple(kind, name, **extra):
    return (kind, name, {**base3(name), **extra}, {**base2(name), **extra}, [])


def input_layer(name, shape):
    c3 = {"batch_shape": [None, *shape], "dtype": "float32", "sparse": False, "name": name}
    c2 = {"batch_input_shape": [None, *shape], "dtype": "float32", "sparse": False, "ragged": False, "name": name}
    return ("InputLayer", name, c3, c2, [])


class Seq:
    def __init__(self, name, shape, layers):
        self.name, self.shape, self.layers = name, shape, layers


class Fun:
    """A functional model: nodes are (layer or nested model, [input names]); the input is 'in_name'."""

    def __init__(self, name, in_name, shape, nodes, output):
        self.name, self.in_name, self.shape, self.nodes, self.output = name, in_name, shape, nodes, output


def node_name(layer):
    return layer.name if isinstance(layer, (Seq, Fun)) else layer[1]


# ---- configs ---------------------------------------------------------------------------------

def entry3(layer):
    if isinstance(layer, (Seq, Fun)):
        return {"module": "keras", "class_name": "Sequential" if isinstance(layer, Seq) else "Functional",
                "config": config3(layer), "registered_name": None}
    return {"module": "keras.layers", "class_name": layer[0], "config": layer[2], "registered_name": None}


def tensor3(name, shape):
    return {"class_name": "__keras_tensor__", "config": {"shape": [None, *shape], "dtype": "float32",
                                                         "keras_history": [name, 0, 0]}}


def config3(m):
    if isinstance(m, Seq):
        return {"name": m.name, "trainable": True, "dtype": POLICY,
                "layers": [entry3(input_layer(m.name + "_input", m.shape))] + [entry3(l) for l in m.layers],
                "build_input_shape": [None, *m.shape]}
    layers = [{**entry3(input_layer(m.in_name, m.shape)), "name": m.in_name, "inbound_nodes": []}]
    for layer, inputs in m.nodes:
        # The recorded shapes are not read by Fovea; Keras writes the input's.
        args = [tensor3(i, [1]) for i in inputs]
        layers.append({**entry3(layer), "name": node_name(layer),
                       "inbound_nodes": [{"args": [args] if len(args) > 1 else args, "kwargs": {}}]})
    return {"name": m.name, "trainable": True, "layers": layers,
            "input_layers": [[m.in_name, 0, 0]], "output_layers": [[m.output, 0, 0]]}


def entry2(layer, inbound=None):
    if isinstance(layer, (Seq, Fun)):
        e = {"class_name": "Sequential" if isinstance(layer, Seq) else "Functional", "config": config2(layer)}
    else:
        e = {"class_name": layer[0], "config": layer[3]}
    if inbound is not None:
        e["name"] = node_name(layer)
        e["inbound_nodes"] = inbound
    return e


def config2(m):
    if isinstance(m, Seq):
        return {"name": m.name, "layers": [entry2(input_layer(m.name + "_input", m.shape))] + [entry2(l) for l in m.layers]}
    layers = [{**entry2(input_layer(m.in_name, m.shape)), "name": m.in_name, "inbound_nodes": []}]
    nested = {node_name(l) for l, _ in m.nodes if isinstance(l, (Seq, Fun))}
    for layer, inputs in m.nodes:
        # A nested model made with its own Input is called as its node 1 in Keras 2.
        layers.append(entry2(layer, [[[i, 1 if i in nested else 0, 0, {}] for i in inputs]]))
    return {"name": m.name, "layers": layers, "input_layers": [[m.in_name, 0, 0]], "output_layers": [[m.output, 0, 0]]}


def own_layers(m):
    return m.layers if isinstance(m, Seq) else [l for l, _ in m.nodes]


def leaf_layers(m):
    for l in own_layers(m):
        if isinstance(l, (Seq, Fun)):
            yield from leaf_layers(l)
        else:
            yield l


# ---- weights files ---------------------------------------------------------------------------

def weights_v3(model, windows=False):
    buf = io.BytesIO()
    sep = "\\" if windows else "/"
    with h5py.File(buf, "w") as f:
        def put(m, path):
            for l in own_layers(m):
                p = (path + "/" if path else "") + "layers/" + node_name(l)
                if isinstance(l, (Seq, Fun)):
                    g = f.create_group(p.replace("/", sep)) if windows else f.create_group(p)
                    g.create_group("vars")
                    put(l, p)
                    continue
                g = f.create_group(p.replace("/", sep)) if windows else f.create_group(p)
                v = g.create_group("vars")
                for i, (_, w) in enumerate(l[4]):
                    v.create_dataset(str(i), data=w)
                if l[0] == "Dropout":
                    g.create_group("seed_generator").create_group("vars").create_dataset(
                        "0", data=np.array([1337, 0], dtype=np.uint32))
        put(model, "")
        f.create_group("vars")
        opt = f.create_group("optimizer").create_group("vars")
        opt.create_dataset("0", data=np.array(7, dtype=np.int64))
        for i, l in enumerate(leaf_layers(model)):
            for j, (_, w) in enumerate(l[4]):
                opt.create_dataset(str(1 + 2 * (i * 4 + j)), data=np.zeros_like(w))
        f.create_group("metrics").create_group("mean").create_group("vars").create_dataset(
            "0", data=np.array(3.5, dtype=np.float32))
    return buf.getvalue()


def save_keras(path, model, windows=False):
    top = {"module": "keras", "class_name": "Sequential" if isinstance(model, Seq) else "Functional",
           "config": config3(model), "registered_name": None, "build_config": {"input_shape": [None, *model.shape]},
           "compile_config": {"optimizer": "adam", "loss": "sparse_categorical_crossentropy",
                              "metrics": ["accuracy"], "loss_weights": None, "weighted_metrics": None,
                              "run_eagerly": False, "steps_per_execution": 1, "jit_compile": False}}
    def entry(name):  # a fixed date, so that running the script again rewrites the same bytes
        return zipfile.ZipInfo(name, date_time=(2026, 12, 7, 1, 0, 0))
    with zipfile.ZipFile(path, "w") as z:
        z.writestr(entry("metadata.json"), json.dumps({"keras_version": "3.3.3", "date_saved": "2026-12-07@01:00:00"}))
        z.writestr(entry("config.json"), json.dumps(top))
        z.writestr(entry("model.weights.h5"), weights_v3(model, windows))


def save_h5(path, model, model_config=None, with_weights=True, keras3=False):
    """keras3: as Keras 3's legacy writer: weight names are variable paths without ':0'
    ("small/conv2d/kernel"), a top_level_model_weights group, and (as past 64 KB) layer_names
    cut into layer_names0, layer_names1."""
    with h5py.File(path, "w") as f:
        f.attrs["keras_version"] = "2.12.0"
        f.attrs["backend"] = "tensorflow"
        cfg = model_config or {"class_name": "Sequential" if isinstance(model, Seq) else "Functional",
                               "config": config2(model), "keras_version": "2.12.0", "backend": "tensorflow"}
        f.attrs["model_config"] = json.dumps(cfg)
        if not with_weights:
            return
        g = f.create_group("model_weights")
        g.attrs["keras_version"] = "2.12.0"
        g.attrs["backend"] = "tensorflow"
        names = ([model.in_name] if isinstance(model, Fun) else []) + [node_name(l) for l in own_layers(model)]
        if keras3:
            half = len(names) // 2
            g.attrs["layer_names0"] = np.array([n.encode() for n in names[:half]])
            g.attrs["layer_names1"] = np.array([n.encode() for n in names[half:]])
            g.create_group("top_level_model_weights").attrs["weight_names"] = np.array([], dtype=np.float64)
        else:
            g.attrs["layer_names"] = np.array([n.encode() for n in names])
        if isinstance(model, Fun):
            g.create_group(model.in_name).attrs["weight_names"] = np.array([], dtype=np.float64)
        for l in own_layers(model):
            lg = g.create_group(node_name(l))
            leaves = [l] if not isinstance(l, (Seq, Fun)) else list(leaf_layers(l))
            # A model's weights list its trainable variables first, then the moving statistics.
            ws = [(x[1], n, w) for x in leaves for n, w in x[4] if not n.startswith("moving")]
            ws += [(x[1], n, w) for x in leaves for n, w in x[4] if n.startswith("moving")]
            if not ws:
                lg.attrs["weight_names"] = np.array([], dtype=np.float64)
                continue
            wname = (lambda o, n: f"{model.name}/{o}/{n}") if keras3 else (lambda o, n: f"{o}/{n}:0")
            lg.attrs["weight_names"] = np.array([wname(o, n).encode() for o, n, _ in ws])
            for o, n, w in ws:
                lg.create_dataset(wname(o, n), data=w)


# ---- the reference, in PyTorch (NCHW) --------------------------------------------------------

def same_pads(n, k, s):
    out = -(-n // s)
    total = max((out - 1) * s + k - n, 0)
    return total // 2, total - total // 2


def t_conv(x, l):
    _, _, c, _, ws = l
    k = torch.from_numpy(ws[0][1]).permute(3, 2, 0, 1)  # HWIO -> OIHW
    b = torch.from_numpy(ws[1][1]) if len(ws) > 1 else None
    s = c["strides"][0]
    if c["padding"] == "same":
        (t, bo), (le, r) = same_pads(x.shape[2], k.shape[2], s), same_pads(x.shape[3], k.shape[3], s)
        x = F.pad(x, (le, r, t, bo))
    return act(F.conv2d(x, k, b, stride=s), c["activation"])


def act(x, name):
    return {"linear": lambda v: v, "relu": F.relu, "tanh": torch.tanh, "sigmoid": torch.sigmoid,
            "gelu": F.gelu, "softmax": lambda v: F.softmax(v, dim=1)}[name](x)


def t_pool(x, l):
    kind, _, c, _, _ = l
    k, s = c["pool_size"][0], c["strides"][0]
    if c["padding"] == "same":
        (t, bo), (le, r) = same_pads(x.shape[2], k, s), same_pads(x.shape[3], k, s)
    else:
        t = bo = le = r = 0
    if kind in ("MaxPooling2D", "MaxPool2D"):
        return F.max_pool2d(F.pad(x, (le, r, t, bo), value=-float("inf")), k, s)
    # TensorFlow's same average divides by the window's pixels inside the image.
    total = F.avg_pool2d(F.pad(x, (le, r, t, bo)), k, s)
    count = F.avg_pool2d(F.pad(torch.ones_like(x[:, :1]), (le, r, t, bo)), k, s)
    return total / count


def t_bn(x, l):
    _, _, c, _, ws = l
    d = dict(ws)
    g = torch.from_numpy(d["gamma"]) if "gamma" in d else None
    b = torch.from_numpy(d["beta"]) if "beta" in d else None
    return F.batch_norm(x, torch.from_numpy(d["moving_mean"]), torch.from_numpy(d["moving_variance"]), g, b, False, 0.0,
                        c["epsilon"])


def t_layer(x, l):
    if isinstance(l, (Seq, Fun)):
        return t_model(x, l)
    kind, _, c, _, ws = l
    if kind == "Conv2D":
        return t_conv(x, l)
    if kind == "ZeroPadding2D":
        (t, b), (le, r) = c["padding"]
        return F.pad(x, (le, r, t, b))
    if kind == "ReLU":
        y = torch.where(x >= c["threshold"], x, c["negative_slope"] * (x - c["threshold"]))
        return torch.clamp(y, max=c["max_value"]) if c["max_value"] is not None else y
    if kind == "LeakyReLU":
        return F.leaky_relu(x, c["negative_slope"])
    if kind == "Softmax":
        return F.softmax(x, dim=1)
    if kind in ("DepthwiseConv2D", "SeparableConv2D"):
        d = dict(ws)
        k = torch.from_numpy(d["depthwise_kernel"])
        kh, kw, cin, mult = k.shape
        s = c["strides"][0]
        if c["padding"] == "same":
            (t, bo), (le, r) = same_pads(x.shape[2], kh, s), same_pads(x.shape[3], kw, s)
            x = F.pad(x, (le, r, t, bo))
        weight = k.permute(2, 3, 0, 1).reshape(cin * mult, 1, kh, kw)  # output channel c·M + m
        bias = torch.from_numpy(d["bias"]) if "bias" in d else None
        if kind == "DepthwiseConv2D":
            return act(F.conv2d(x, weight, bias, stride=s, groups=cin), c["activation"])
        x = F.conv2d(x, weight, None, stride=s, groups=cin)
        return act(F.conv2d(x, torch.from_numpy(d["pointwise_kernel"]).permute(3, 2, 0, 1), bias), c["activation"])
    if kind in ("MaxPooling2D", "AveragePooling2D", "MaxPool2D"):
        return t_pool(x, l)
    if kind == "BatchNormalization":
        return t_bn(x, l)
    if kind == "Rescaling":
        return x * c["scale"] + c["offset"]
    if kind == "Flatten":
        return x.permute(0, 2, 3, 1).reshape(x.shape[0], -1)  # Keras flattens (H, W, C)
    if kind in ("Dropout", "SpatialDropout2D"):
        return x
    if kind == "Activation":
        return act(x, c["activation"])
    if kind == "GlobalAveragePooling2D":
        return x.mean(dim=(2, 3))
    if kind == "GlobalMaxPooling2D":
        return x.amax(dim=(2, 3))
    if kind == "Dense":
        return act(x @ torch.from_numpy(ws[0][1]) + torch.from_numpy(ws[1][1]), c["activation"])
    raise ValueError(kind)


def t_model(x, m):
    if isinstance(m, Seq):
        for l in m.layers:
            x = t_layer(x, l)
        return x
    out = {m.in_name: x}
    for l, inputs in m.nodes:
        xs = [out[i] for i in inputs]
        kind = None if isinstance(l, (Seq, Fun)) else l[0]
        if kind == "Add":
            out[node_name(l)] = xs[0] + xs[1]
        elif kind == "Concatenate":
            out[node_name(l)] = torch.cat(xs, dim=1)  # channels: the last axis in NHWC
        else:
            out[node_name(l)] = t_layer(xs[0], l)
    return out[m.output]


def reference(m, x_nhwc):
    with torch.no_grad():
        y = t_model(torch.from_numpy(x_nhwc).permute(0, 3, 1, 2).contiguous(), m)
    return y.numpy()


# ---- the models ------------------------------------------------------------------------------

small = Seq("small", [8, 8, 3], [
    simple("Rescaling", "rescaling", scale=2.0, offset=-1.0),
    conv("conv2d", 3, 4, 3, activation="relu"),
    batchnorm("batch_normalization", 4),
    pool("MaxPooling2D", "max_pooling2d", 3, 2, "same"),
    conv("conv2d_1", 4, 6, 3, activation="tanh"),
    pool("AveragePooling2D", "average_pooling2d", 3, 2, "same"),
    simple("Flatten", "flatten", data_format="channels_last"),
    simple("Dropout", "dropout", rate=0.3, seed=None, noise_shape=None),
    dense("dense", 24, 5, activation="softmax"),
])

c1 = conv("c1", 3, 4, 3, activation="relu")
c2 = conv("c2", 3, 4, 1, use_bias=False)
c3 = conv("c3", 4, 4, 3, strides=2, activation="gelu")
functional = Fun("branches", "image", [8, 8, 3], [
    (c1, ["image"]),
    (c2, ["image"]),
    (simple("Add", "add"), ["c1", "c2"]),
    (c3, ["add"]),
    (pool("MaxPool2D", "pool", 2, 2, "valid"), ["add"]),
    (simple("Concatenate", "concatenate", axis=-1), ["pool", "c3"]),
    (batchnorm("bn", 8, epsilon=1e-5, center=False), ["concatenate"]),
    (simple("Activation", "relu", activation="relu"), ["bn"]),
    (simple("SpatialDropout2D", "spatial_dropout2d", rate=0.2, seed=None, data_format="channels_last"), ["relu"]),
    (simple("GlobalAveragePooling2D", "gap", data_format="channels_last", keepdims=False), ["spatial_dropout2d"]),
    (dense("logits", 8, 3), ["gap"]),
], "logits")

block = Seq("block", [8, 8, 3], [
    conv("inner_conv", 3, 5, 3, activation="relu"),
    batchnorm("inner_bn", 5),
    pool("MaxPooling2D", "inner_pool", 2, 2, "valid"),
])
head = Fun("head", "head_input", [4, 4, 5], [
    (simple("GlobalMaxPooling2D", "gmp", data_format="channels_last", keepdims=False), ["head_input"]),
    (dense("head_dense", 5, 4, activation="softmax"), ["gmp"]),
], "head_dense")
nested = Fun("outer", "image", [8, 8, 3], [(block, ["image"]), (head, ["block"])], "head")

# MobileNet's pieces: pad then a stride-2 valid conv, ReLU(6.), depthwise, LeakyReLU, separable, Softmax.
mobile = Seq("mobile", [9, 9, 3], [
    simple("ZeroPadding2D", "pad", padding=[[0, 1], [0, 1]], data_format="channels_last"),
    conv("stem", 3, 4, 3, strides=2, padding="valid", use_bias=False),
    batchnorm("stem_bn", 4),
    simple("ReLU", "relu6", max_value=6.0, negative_slope=0.0, threshold=0.0),
    depthwise("dw", 4, 3, 1, "same", 2, use_bias=False),
    batchnorm("dw_bn", 8),
    ("LeakyReLU", "leaky", {**base3("leaky"), "negative_slope": 0.2}, {**base2("leaky"), "alpha": 0.2}, []),
    depthwise("sep", 8, 3, 2, "same", 1, activation="relu", separable_filters=6),
    simple("GlobalAveragePooling2D", "gap", data_format="channels_last", keepdims=False),
    dense("logits", 6, 3),
    simple("Softmax", "softmax", axis=-1),
])

MODELS = {"small": small, "functional": functional, "nested": nested, "mobile": mobile}

if __name__ == "__main__":
    x = rng.uniform(0, 1, (4, 8, 8, 3)).astype(np.float32)
    expected = {"input_shape": [4, 8, 8, 3], "input": x.reshape(-1).tolist()}
    for name, m in MODELS.items():
        save_keras(f"{name}.keras", m)
        save_h5(f"{name}.h5", m)
        if name != "mobile":
            expected[name] = reference(m, x).reshape(-1).tolist()
    x9 = rng.uniform(0, 1, (2, 9, 9, 3)).astype(np.float32)
    expected["mobile_input"] = x9.reshape(-1).tolist()
    expected["mobile"] = reference(mobile, x9).reshape(-1).tolist()
    save_keras("windows.keras", small, windows=True)
    save_h5("keras3legacy.h5", small, keras3=True)

    # The old Sequential form of Keras 2.0-2.2: the config is the bare list, the first layer
    # carries batch_input_shape.
    listform = Seq("sequential_1", [8, 8, 3], [conv("conv2d_5", 3, 2, 3, padding="valid", activation="relu"),
                                               simple("Flatten", "flatten_5", data_format="channels_last"),
                                               dense("dense_5", 72, 3)])
    first = dict(listform.layers[0][3], batch_input_shape=[None, 8, 8, 3])
    cfg = {"class_name": "Sequential", "config": [{"class_name": "Conv2D", "config": first}]
           + [{"class_name": l[0], "config": l[3]} for l in listform.layers[1:]], "keras_version": "2.1.6",
           "backend": "tensorflow"}
    save_h5("listform.h5", listform, model_config=cfg)
    expected["listform"] = reference(listform, x).reshape(-1).tolist()

    # Broken and unsupported files, each refused with one line.
    data = open("small.keras", "rb").read()
    open("truncated.keras", "wb").write(data[:len(data) // 2])
    save_h5("noweights.h5", small, with_weights=False)
    with h5py.File("weightsonly.h5", "w") as f:
        f.attrs["layer_names"] = np.array([b"dense"])
    swish = Seq("swish", [8, 8, 3], [conv("conv2d", 3, 2, 3, activation="swish")])
    save_h5("swish.h5", swish)
    lstm = Seq("lstm", [8, 8, 3], [simple("Conv3D", "conv3d", filters=2, kernel_size=[3, 3, 3])])
    save_keras("unknown_layer.keras", lstm)
    dynamic = Seq("dynamic", [None, None, 3], [conv("conv2d", 3, 2, 3)])
    save_keras("dynamic.keras", dynamic)
    # Not an image classifier: flat vectors in.
    save_keras("vectors.keras", Seq("vectors", [12], [dense("dense", 12, 3)]))
    # Training-only settings an import drops: he_normal and a constant bias initializer, an L2
    # regularizer, a max-norm constraint, a layer frozen in Keras (trainable false).
    reg = Seq("regularized", [8, 8, 3], [conv("conv2d", 3, 2, 3, activation="relu"),
                                         simple("Flatten", "flatten", data_format="channels_last"),
                                         dense("dense", 128, 3)])
    c2 = reg.layers[0][3]
    c2.update(kernel_initializer={"class_name": "HeNormal", "config": {"seed": None}},
              bias_initializer={"class_name": "Constant", "config": {"value": 0.1}},
              kernel_regularizer={"class_name": "L2", "config": {"l2": 1e-4}}, trainable=False)
    reg.layers[2][3].update(kernel_constraint={"class_name": "MaxNorm", "config": {"max_value": 2, "axis": 0}},
                            kernel_regularizer={"class_name": "L2", "config": {"l2": 1e-4}})
    save_h5("regularized.h5", reg)
    expected["regularized"] = reference(reg, x).reshape(-1).tolist()
    with open("expected.json", "w") as f:
        json.dump(expected, f)
