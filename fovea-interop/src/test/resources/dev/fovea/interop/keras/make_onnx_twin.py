#!/usr/bin/env python3
"""Writes functional.onnx: the model of functional.keras and functional.h5 (make_keras_files.py's
"functional": two convolutions added, a strided GELU conv beside a max pool, concatenated, batch
norm, ReLU, global average pooling, dense), exported by PyTorch's torch.onnx.export from the same
weights, so that one model reaches Fovea in all three formats. The ONNX input is channels-last,
(N, 8, 8, 3), as tf2onnx writes Keras models, with the permutation to NCHW inside the graph.

Run from this folder with Debian's python3-h5py, python3-numpy, python3-torch and python3-onnx:
    /usr/bin/python3 make_onnx_twin.py
It imports make_keras_files.py, whose seeded generator rebuilds the very weights written to the
Keras files (the test checks all three against expected.json's "functional" outputs).
"""
import torch

import make_keras_files as mk


# The traced shapes would make TensorFlow's "same" paddings graph arithmetic and hide the channel
# count from the exporter; the input size is fixed, so they are plain numbers here.
_same_pads = mk.same_pads
mk.same_pads = lambda n, k, s: _same_pads(int(n), int(k), int(s))


# torch.onnx (1.13) cannot export batch_norm after a Concat whose channel count its shape
# inference lost; the same arithmetic as per-channel constants is what tf2onnx often writes anyway.
def _bn(x, l):
    _, _, c, _, ws = l
    d = dict(ws)
    shape = (1, -1, 1, 1)
    scale = torch.from_numpy(d["gamma"]) if "gamma" in d else torch.ones(len(d["moving_mean"]))
    scale = scale / torch.sqrt(torch.from_numpy(d["moving_variance"]) + c["epsilon"])
    shift = (torch.from_numpy(d["beta"]) if "beta" in d else 0) - torch.from_numpy(d["moving_mean"]) * scale
    return x * scale.reshape(shape) + shift.reshape(shape)


mk.t_bn = _bn


class Twin(torch.nn.Module):
    def forward(self, x_nhwc):
        return mk.t_model(x_nhwc.permute(0, 3, 1, 2), mk.functional)


def fold_constants(path):
    """torch.onnx (1.13) leaves F.pad's pads as a chain of constant ops (ConstantOfShape, Concat,
    Reshape, Slice with step -1, Transpose, Cast) that its folding skips; tf2onnx and onnxsim
    write them as one constant. Evaluates such chains with numpy and keeps only their result."""
    import numpy as np
    import onnx
    from onnx import numpy_helper

    m = onnx.load(path)
    g = m.graph
    known = {i.name: numpy_helper.to_array(i) for i in g.initializer}
    folded = []
    for n in g.node:
        ins = [known.get(i) if i else None for i in n.input]
        if n.op_type != "Constant" and (not n.input or any(x is None for x, i in zip(ins, n.input) if i)):
            continue
        a = {x.name: onnx.helper.get_attribute_value(x) for x in n.attribute}
        if n.op_type == "Constant":
            v = numpy_helper.to_array(a["value"])
        elif n.op_type == "ConstantOfShape":
            fill = numpy_helper.to_array(a["value"]) if "value" in a else np.zeros(1, np.float32)
            v = np.full(ins[0].astype(np.int64), fill.reshape(-1)[0], dtype=fill.dtype)
        elif n.op_type == "Concat":
            v = np.concatenate(ins, axis=a["axis"])
        elif n.op_type == "Reshape":
            v = ins[0].reshape(ins[1].astype(np.int64))
        elif n.op_type == "Slice":
            data, starts, ends, axes, steps = ins[0], ins[1], ins[2], ins[3], ins[4]
            sl = [slice(None)] * data.ndim
            for st, en, ax, sp in zip(starts, ends, axes, steps):
                n_ax = data.shape[ax]
                st = max(-1, min(n_ax - 1, st + n_ax if st < 0 else st)) if sp < 0 else st
                en = None if en < -n_ax else en
                sl[ax] = slice(st, en, sp)
            v = data[tuple(sl)]
        elif n.op_type == "Transpose":
            v = np.transpose(ins[0], a.get("perm"))
        elif n.op_type == "Cast":
            v = ins[0].astype(onnx.mapping.TENSOR_TYPE_TO_NP_TYPE[a["to"]])
        else:
            continue
        known[n.output[0]] = v
        folded.append(n)
    used = {i for n in g.node if n not in folded for i in n.input}
    keep = [n for n in g.node if n not in folded]
    for name in sorted(used & set(known) - {i.name for i in g.initializer}):
        g.initializer.append(numpy_helper.from_array(known[name], name))
    del g.node[:]
    g.node.extend(keep)
    onnx.checker.check_model(m)
    onnx.save(m, path)


if __name__ == "__main__":
    torch.onnx.export(Twin(), torch.zeros(1, 8, 8, 3), "functional.onnx", opset_version=13,
                      input_names=["input"], output_names=["output"])
    fold_constants("functional.onnx")
