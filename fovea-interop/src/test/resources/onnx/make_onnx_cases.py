#!/usr/bin/python3
"""Writes the ONNX import test cases of fovea-interop (OnnxImportTest) into this folder.

Run from anywhere with Debian's packages (apt-get install -y python3-onnx python3-torch
python3-numpy python3-pil):

    /usr/bin/python3 fovea-interop/src/test/resources/onnx/make_onnx_cases.py ../shared/datasets/cifar10-images-sample

or, to write only some cases (each independent of the others' random draws):

    /usr/bin/python3 .../make_onnx_cases.py ../shared/datasets/cifar10-images-sample --only mobile_block,grouped_conv_g2

It writes:
- images.bin: 8 real CIFAR-10 images (the first file of each of the sample's first 8 val/
  class folders, sorted), float32 little-endian, (8, 32, 32, 3) channels-last, pixels / 255.
- tutorial_cnn.onnx (torch.onnx.export, opset 13): input normalization inside the graph,
  Conv/ReLU/BatchNormalization in Keras's order, a Conv+BN the exporter fuses, MaxPool,
  AveragePool, Tanh, Flatten of a channels-first image into Gemm, Dropout, Softmax.
- branches.onnx (torch.onnx.export, opset 17): a scalar affine input map, GELU (written by the
  exporter as its erf form), two branches joined by Concat, ReLU6 (Clip 0..6), LeakyRelu, Add and
  Sub of tensors, a scalar Mul, BatchNormalization, Sigmoid, GlobalAveragePool, Gemm; logits.
- strided.onnx (torch.onnx.export, opset 13): PyTorch's strided convolutions with k//2 padding,
  whose windows start a row above TensorFlow's 'same' ones (7x7/2 pad 3 as ResNet's stem, 3x3/2
  pad 1 on even and odd sizes, 5x5/2 pad 2), a 1x1/2 one, GlobalAveragePool, Gemm; logits.
- view_flatten.onnx (torch.onnx.export, opset 13, dynamic batch): the older PyTorch idiom
  x.view(x.size(0), -1), which the exporter writes as Shape, Gather, Unsqueeze, Concat, Reshape.
- tf2onnx_nhwc.onnx (written with onnx.helper, opset 11, as tf2onnx lays a Keras model out): an
  NHWC input, Transpose pairs around every Conv and MaxPool, a Pad before a Conv, per-channel Mul
  and Add on an NHWC tensor, a Constant shape for a Reshape that flattens NHWC, Dropout, MatMul +
  Add, Softmax (opset 11: axis 1 of a 2-D tensor), Identity.
- tf2onnx_gap.onnx (onnx.helper, opset 13): Keras's GlobalAveragePooling2D as tf2onnx writes it,
  ReduceMean over axes [1, 2] of an NHWC tensor (keepdims 0), between a Conv in Transposes and a
  MatMul + Add; Softmax with opset 13's default axis.
- opset21_ops.onnx (onnx.helper, opset 21; onnx 1.12's checker knows opsets up to 17, so the
  Java test runs it in ONNX Runtime 1.22 as well): per-channel Mul and Sub on an NCHW input, Pad
  with the opset-18 axes input, Gelu (opset 20), BatchNormalization, MaxPool with ceil_mode,
  AveragePool, Concat and Add of two branches, GlobalMaxPool, Squeeze with an axes input, Gemm
  with transB, alpha and beta, Softmax with opset 13's default axis.
- mobile_block.onnx (torch.onnx.export, opset 13): MobileNet's pieces made with PyTorch's
  groups=C: an input normalization folded into a first depthwise Conv (depth multiplier 2, valid),
  a pointwise Conv + BN, a depthwise 3x3 'same' Conv with multiplier 2 + BN (fused by the
  exporter), ReLU6 (Clip 0..6), LeakyRelu, a stride-2 depthwise Conv with PyTorch's padding 1 on an
  even size followed by a per-channel Mul, a stride-2 valid depthwise Conv with multiplier 2, Relu,
  GlobalAveragePool, Gemm; logits.
- expected_<name>.bin: each model's (8, 10) float32 outputs on images.bin, computed by PyTorch
  (for the hand-written graph, by the same computation written with torch.nn.functional).
- grouped_conv.onnx (groups=3 over 3 channels, a depthwise Conv that the import refused until it
  read depthwise Convs; kept as it was), unknown_op.onnx, dynamic_size.onnx, padded_maxpool.onnx
  (ResNet's 3x3/2 pad 1 max pool), grouped_conv_g2.onnx (groups=2 over 8 channels, ResNeXt's kind):
  files the import must refuse.
"""
import argparse
import os

import numpy as np
import onnx
import torch
import torch.nn as nn
import torch.nn.functional as F
from onnx import TensorProto, helper, numpy_helper
from PIL import Image

HERE = os.path.dirname(os.path.abspath(__file__))
N = 8


def images(sample):
    val = os.path.join(sample, "val")
    classes = sorted(os.listdir(val))[:N]
    out = []
    for c in classes:
        first = sorted(os.listdir(os.path.join(val, c)))[0]
        img = Image.open(os.path.join(val, c, first)).convert("RGB").resize((32, 32))
        out.append(np.asarray(img, dtype=np.float32) / 255.0)
    return np.stack(out)  # (N, 32, 32, 3)


def randomize_bn(model, gen):
    for m in model.modules():
        if isinstance(m, nn.BatchNorm2d):
            c = m.num_features
            with torch.no_grad():
                m.weight.copy_(0.5 + torch.rand(c, generator=gen))
                m.bias.copy_(torch.rand(c, generator=gen) - 0.5)
                m.running_mean.copy_(torch.rand(c, generator=gen) - 0.5)
                m.running_var.copy_(0.3 + 2 * torch.rand(c, generator=gen))


class Tutorial(nn.Module):
    def __init__(self):
        super().__init__()
        self.register_buffer("mean", torch.tensor([0.49, 0.48, 0.45]).view(1, 3, 1, 1))
        self.register_buffer("std", torch.tensor([0.25, 0.24, 0.26]).view(1, 3, 1, 1))
        self.c1, self.b1 = nn.Conv2d(3, 16, 3, padding=1), nn.BatchNorm2d(16)
        self.c2, self.b2 = nn.Conv2d(16, 16, 3, padding=1), nn.BatchNorm2d(16)
        self.c3, self.b3 = nn.Conv2d(16, 32, 3, padding=1, bias=False), nn.BatchNorm2d(32)
        self.c4 = nn.Conv2d(32, 24, 3, padding=1)
        self.drop = nn.Dropout(0.2)
        self.fc1, self.fc2 = nn.Linear(24 * 4 * 4, 48), nn.Linear(48, 10)

    def forward(self, x):
        x = (x - self.mean) / self.std
        x = self.b1(F.relu(self.c1(x)))
        x = F.max_pool2d(self.b2(F.relu(self.c2(x))), 2)
        x = F.max_pool2d(F.relu(self.b3(self.c3(x))), 2)
        x = F.avg_pool2d(torch.tanh(self.c4(x)), 2)
        x = self.drop(torch.flatten(x, 1))
        return F.softmax(self.fc2(F.relu(self.fc1(x))), dim=1)


class Branches(nn.Module):
    def __init__(self):
        super().__init__()
        self.stem = nn.Conv2d(3, 16, 3, padding=1)
        self.a = nn.Conv2d(16, 8, 1)
        self.b = nn.Conv2d(16, 8, 5, padding=2)
        self.c = nn.Conv2d(16, 20, 3, padding=1, bias=False)
        self.bn = nn.BatchNorm2d(20)
        self.fc = nn.Linear(20, 10)

    def forward(self, x):
        x = x * 2 - 1
        s = F.gelu(self.stem(x))
        y = torch.cat([F.relu6(self.a(s) * 3), F.leaky_relu(self.b(s), 0.1)], dim=1)
        y = F.max_pool2d(y + s - 0.5 * s, 2)
        z = torch.sigmoid(self.bn(self.c(y))) - 0.5
        z = F.adaptive_avg_pool2d(z, 1).flatten(1)
        return self.fc(z)


class Strided(nn.Module):
    def __init__(self):
        super().__init__()
        self.stem = nn.Conv2d(3, 8, 7, stride=2, padding=3)      # 32 -> 16
        self.c1 = nn.Conv2d(8, 12, 3, stride=2, padding=1)       # 16 -> 8
        self.c2 = nn.Conv2d(12, 12, 3, padding=0)                # 8 -> 6
        self.c3 = nn.Conv2d(12, 16, 5, stride=2, padding=2)      # 6 -> 3
        self.c4 = nn.Conv2d(16, 16, 3, stride=2, padding=1)      # odd: 3 -> 2
        self.c5 = nn.Conv2d(16, 20, 1, stride=2)                 # 2 -> 1
        self.fc = nn.Linear(20, 10)

    def forward(self, x):
        for c in (self.stem, self.c1, self.c2, self.c3, self.c4):
            x = F.relu(c(x))
        return self.fc(F.adaptive_avg_pool2d(self.c5(x), 1).flatten(1))


class ViewFlatten(nn.Module):
    def __init__(self):
        super().__init__()
        self.c = nn.Conv2d(3, 6, 5)
        self.fc = nn.Linear(6 * 14 * 14, 10)

    def forward(self, x):
        x = F.max_pool2d(F.relu(self.c(x)), 2)
        return self.fc(x.view(x.size(0), -1))


def export_torch(model, name, opset, x):
    model.eval()
    path = os.path.join(HERE, name + ".onnx")
    dummy = torch.from_numpy(x[:1]).permute(0, 3, 1, 2).contiguous()
    torch.onnx.export(model, dummy, path, opset_version=opset, input_names=["input"], output_names=["output"],
                      dynamic_axes={"input": {0: "N"}, "output": {0: "N"}})
    onnx.checker.check_model(onnx.load(path))
    with torch.no_grad():
        y = model(torch.from_numpy(x).permute(0, 3, 1, 2).contiguous()).numpy().astype(np.float32)
    y.tofile(os.path.join(HERE, "expected_" + name + ".bin"))
    return model


def tf2onnx_style(x, gen):
    def rand(*shape, scale=0.3):
        return ((torch.rand(*shape, generator=gen) * 2 - 1) * scale).numpy().astype(np.float32)

    w1, b1 = rand(8, 3, 3, 3), rand(8)
    sc, sh = (0.5 + torch.rand(8, generator=gen)).numpy().astype(np.float32), rand(8)
    w2, b2 = rand(16, 8, 3, 3, scale=0.2), rand(16)
    wd, bd = rand(16 * 16 * 16, 10, scale=0.05), rand(10)
    inits = [numpy_helper.from_array(a, n) for a, n in [
        (w1, "conv1/kernel"), (b1, "conv1/bias"), (sc, "bn_scale"), (sh, "bn_shift"), (w2, "conv2/kernel"),
        (b2, "conv2/bias"), (wd, "dense/kernel"), (bd, "dense/bias"),
        (np.array([0, 0, 1, 1, 0, 0, 1, 1], dtype=np.int64), "pads")]]
    T = helper.make_node
    nodes = [
        T("Transpose", ["input"], ["x_nchw"], name="conv1__6", perm=[0, 3, 1, 2]),
        T("Pad", ["x_nchw", "pads"], ["x_pad"], name="model/zero_padding2d/Pad", mode="constant"),
        T("Conv", ["x_pad", "conv1/kernel", "conv1/bias"], ["c1"], name="model/conv1/Conv2D", kernel_shape=[3, 3]),
        T("Transpose", ["c1"], ["c1_nhwc"], name="conv1__8", perm=[0, 2, 3, 1]),
        T("Relu", ["c1_nhwc"], ["r1"], name="model/conv1/Relu"),
        T("Mul", ["r1", "bn_scale"], ["m1"], name="model/bn/mul"),
        T("Add", ["m1", "bn_shift"], ["a1"], name="model/bn/add"),
        T("Transpose", ["a1"], ["a1_nchw"], name="pool__10", perm=[0, 3, 1, 2]),
        T("MaxPool", ["a1_nchw"], ["p1"], name="model/pool/MaxPool", kernel_shape=[2, 2], strides=[2, 2]),
        T("Conv", ["p1", "conv2/kernel", "conv2/bias"], ["c2"], name="model/conv2/Conv2D", kernel_shape=[3, 3],
          pads=[1, 1, 1, 1]),
        T("Transpose", ["c2"], ["c2_nhwc"], name="conv2__12", perm=[0, 2, 3, 1]),
        T("Relu", ["c2_nhwc"], ["r2"], name="model/conv2/Relu"),
        T("Constant", [], ["shape"], name="model/flatten/Const",
          value=numpy_helper.from_array(np.array([-1, 16 * 16 * 16], dtype=np.int64))),
        T("Reshape", ["r2", "shape"], ["flat"], name="model/flatten/Reshape"),
        T("Dropout", ["flat"], ["dropped"], name="model/dropout/Identity", ratio=0.3),
        T("MatMul", ["dropped", "dense/kernel"], ["mm"], name="model/dense/MatMul"),
        T("Add", ["mm", "dense/bias"], ["logits"], name="model/dense/BiasAdd"),
        T("Softmax", ["logits"], ["probs"], name="model/dense/Softmax", axis=1),
        T("Identity", ["probs"], ["output"], name="Identity"),
    ]
    graph = helper.make_graph(nodes, "tf2onnx_nhwc",
                              [helper.make_tensor_value_info("input", TensorProto.FLOAT, ["N", 32, 32, 3])],
                              [helper.make_tensor_value_info("output", TensorProto.FLOAT, ["N", 10])], inits)
    model = helper.make_model(graph, producer_name="tf2onnx-style, by make_onnx_cases.py",
                              opset_imports=[helper.make_opsetid("", 11)])
    model.ir_version = 7
    onnx.checker.check_model(model)
    onnx.save(model, os.path.join(HERE, "tf2onnx_nhwc.onnx"))

    # The same computation in PyTorch, independently of ONNX.
    t = lambda a: torch.from_numpy(a)
    with torch.no_grad():
        h = torch.from_numpy(x).permute(0, 3, 1, 2)
        h = F.conv2d(F.pad(h, (1, 1, 1, 1)), t(w1), t(b1)).permute(0, 2, 3, 1)
        h = F.relu(h) * t(sc) + t(sh)
        h = F.max_pool2d(h.permute(0, 3, 1, 2), 2)
        h = F.relu(F.conv2d(h, t(w2), t(b2), padding=1).permute(0, 2, 3, 1)).reshape(-1, 16 * 16 * 16)
        y = F.softmax(h @ t(wd) + t(bd), dim=1).numpy().astype(np.float32)
    y.tofile(os.path.join(HERE, "expected_tf2onnx_nhwc.bin"))


def tf2onnx_gap(x, gen):
    def rand(*shape, scale=0.3):
        return ((torch.rand(*shape, generator=gen) * 2 - 1) * scale).numpy().astype(np.float32)

    w1, b1 = rand(24, 3, 3, 3), rand(24)
    wd, bd = rand(24, 10, scale=0.5), rand(10)
    inits = [numpy_helper.from_array(a, n) for a, n in [(w1, "conv/kernel"), (b1, "conv/bias"), (wd, "dense/kernel"),
                                                        (bd, "dense/bias")]]
    T = helper.make_node
    nodes = [
        T("Transpose", ["input"], ["x_nchw"], name="conv__4", perm=[0, 3, 1, 2]),
        T("Conv", ["x_nchw", "conv/kernel", "conv/bias"], ["c"], name="model/conv/Conv2D", kernel_shape=[3, 3],
          strides=[2, 2], auto_pad="SAME_UPPER"),
        T("Transpose", ["c"], ["c_nhwc"], name="conv__6", perm=[0, 2, 3, 1]),
        T("Relu", ["c_nhwc"], ["r"], name="model/conv/Relu"),
        T("ReduceMean", ["r"], ["gap"], name="model/gap/Mean", axes=[1, 2], keepdims=0),
        T("MatMul", ["gap", "dense/kernel"], ["mm"], name="model/dense/MatMul"),
        T("Add", ["mm", "dense/bias"], ["logits"], name="model/dense/BiasAdd"),
        T("Softmax", ["logits"], ["output"], name="model/dense/Softmax"),
    ]
    graph = helper.make_graph(nodes, "tf2onnx_gap",
                              [helper.make_tensor_value_info("input", TensorProto.FLOAT, ["N", 32, 32, 3])],
                              [helper.make_tensor_value_info("output", TensorProto.FLOAT, ["N", 10])], inits)
    model = helper.make_model(graph, producer_name="tf2onnx-style, by make_onnx_cases.py",
                              opset_imports=[helper.make_opsetid("", 13)])
    model.ir_version = 7
    onnx.checker.check_model(model)
    onnx.save(model, os.path.join(HERE, "tf2onnx_gap.onnx"))

    t = lambda a: torch.from_numpy(a)
    with torch.no_grad():
        h = torch.from_numpy(x).permute(0, 3, 1, 2)
        h = F.relu(F.conv2d(F.pad(h, (0, 1, 0, 1)), t(w1), t(b1), stride=2))  # TensorFlow's SAME: the odd pad after
        y = F.softmax(h.mean(dim=(2, 3)) @ t(wd) + t(bd), dim=-1).numpy().astype(np.float32)
    y.tofile(os.path.join(HERE, "expected_tf2onnx_gap.bin"))


def opset21(x, gen):
    def rand(*shape, scale=0.3):
        return ((torch.rand(*shape, generator=gen) * 2 - 1) * scale).numpy().astype(np.float32)

    mul = (0.5 + torch.rand(1, 3, 1, 1, generator=gen)).numpy().astype(np.float32)
    sub = rand(3, 1, 1)
    w1, b1 = rand(12, 3, 3, 3), rand(12)
    w2 = rand(12, 12, 1, 1)
    gamma, beta = (0.5 + torch.rand(12, generator=gen)).numpy().astype(np.float32), rand(12)
    mean, var = rand(12), (0.3 + 2 * torch.rand(12, generator=gen)).numpy().astype(np.float32)
    w3, b3 = rand(12, 12, 3, 3, scale=0.2), rand(12)
    wg, cg = rand(10, 24), rand(10)
    arrays = [(mul, "mul"), (sub, "sub"), (w1, "w1"), (b1, "b1"), (w2, "w2"), (gamma, "gamma"), (beta, "beta"),
              (mean, "mean"), (var, "var"), (w3, "w3"), (b3, "b3"), (wg, "wg"), (cg, "cg"),
              (np.array([1, 1, 1, 1], dtype=np.int64), "pads"), (np.array([2, 3], dtype=np.int64), "pad_axes"),
              (np.array([2, 3], dtype=np.int64), "squeeze_axes")]
    inits = [numpy_helper.from_array(a, n) for a, n in arrays]
    T = helper.make_node
    nodes = [
        T("Mul", ["input", "mul"], ["m"], name="scale"),
        T("Sub", ["m", "sub"], ["s"], name="shift"),
        T("Pad", ["s", "pads", "", "pad_axes"], ["p"], name="pad"),
        T("Conv", ["p", "w1", "b1"], ["c1"], name="conv1"),
        T("Gelu", ["c1"], ["g1"], name="gelu"),
        T("MaxPool", ["g1"], ["mp"], name="maxpool", kernel_shape=[3, 3], strides=[2, 2], ceil_mode=1),
        T("Conv", ["mp", "w2"], ["c2"], name="conv2"),
        T("BatchNormalization", ["c2", "gamma", "beta", "mean", "var"], ["bn"], name="bn", epsilon=1e-3),
        T("Relu", ["bn"], ["r2"], name="relu2"),
        T("Conv", ["mp", "w3", "b3"], ["c3"], name="conv3", auto_pad="SAME_UPPER", kernel_shape=[3, 3]),
        T("Tanh", ["c3"], ["t3"], name="tanh3"),
        T("Add", ["r2", "t3"], ["sum"], name="add"),
        T("AveragePool", ["sum"], ["ap"], name="avgpool", kernel_shape=[2, 2], strides=[2, 2]),
        T("Concat", ["ap", "ap2"], ["cat"], name="concat", axis=1),
        T("GlobalMaxPool", ["cat"], ["gm"], name="gmp"),
        T("Squeeze", ["gm", "squeeze_axes"], ["sq"], name="squeeze"),
        T("Gemm", ["sq", "wg", "cg"], ["logits"], name="gemm", transB=1, alpha=0.5, beta=2.0),
        T("Softmax", ["logits"], ["output"], name="softmax"),
    ]
    nodes.insert(13, T("MaxPool", ["sum"], ["ap2"], name="maxpool2", kernel_shape=[2, 2], strides=[2, 2]))
    graph = helper.make_graph(nodes, "opset21_ops",
                              [helper.make_tensor_value_info("input", TensorProto.FLOAT, ["N", 3, 32, 32])],
                              [helper.make_tensor_value_info("output", TensorProto.FLOAT, ["N", 10])], inits)
    model = helper.make_model(graph, producer_name="make_onnx_cases.py", opset_imports=[helper.make_opsetid("", 21)])
    model.ir_version = 10
    onnx.save(model, os.path.join(HERE, "opset21_ops.onnx"))

    t = lambda a: torch.from_numpy(a)
    with torch.no_grad():
        h = torch.from_numpy(x).permute(0, 3, 1, 2) * t(mul) - t(sub)
        h = F.gelu(F.conv2d(F.pad(h, (1, 1, 1, 1)), t(w1), t(b1)))
        h = F.max_pool2d(h, 3, 2, ceil_mode=True)
        bn = F.batch_norm(F.conv2d(h, t(w2)), t(mean), t(var), t(gamma), t(beta), False, 0.0, 1e-3)
        h = F.relu(bn) + torch.tanh(F.conv2d(h, t(w3), t(b3), padding=1))
        h = torch.cat([F.avg_pool2d(h, 2), F.max_pool2d(h, 2)], dim=1)
        h = torch.amax(h, dim=(2, 3))
        y = F.softmax(0.5 * h @ t(wg).T + 2.0 * t(cg), dim=-1).numpy().astype(np.float32)
    y.tofile(os.path.join(HERE, "expected_opset21_ops.bin"))


class MobileBlock(nn.Module):
    def __init__(self):
        super().__init__()
        self.register_buffer("mean", torch.tensor([0.49, 0.48, 0.45]).view(1, 3, 1, 1))
        self.register_buffer("std", torch.tensor([0.25, 0.24, 0.26]).view(1, 3, 1, 1))
        self.dw0 = nn.Conv2d(3, 6, 3, groups=3)                                   # 32 -> 30, multiplier 2
        self.pw0, self.bn0 = nn.Conv2d(6, 16, 1, bias=False), nn.BatchNorm2d(16)
        self.dw1, self.bn1 = nn.Conv2d(16, 32, 3, padding=1, groups=16, bias=False), nn.BatchNorm2d(32)
        self.pw1 = nn.Conv2d(32, 24, 1)
        self.dw2 = nn.Conv2d(24, 24, 3, stride=2, padding=1, groups=24)          # 30 -> 15
        self.gain = nn.Parameter(0.5 + torch.rand(1, 24, 1, 1))
        self.dw3 = nn.Conv2d(24, 48, 3, stride=2, groups=24)                      # 15 -> 7, multiplier 2
        self.fc = nn.Linear(48, 10)

    def forward(self, x):
        x = self.dw0((x - self.mean) / self.std)
        x = F.relu6(self.bn0(self.pw0(x)))
        x = F.relu6(self.bn1(self.dw1(x)))
        x = F.leaky_relu(self.pw1(x), 0.1)
        x = F.relu(self.dw3(self.dw2(x) * self.gain))
        return self.fc(F.adaptive_avg_pool2d(x, 1).flatten(1))


def mobile_block(x):
    torch.manual_seed(5)
    model = MobileBlock()
    randomize_bn(model, torch.Generator().manual_seed(6))
    export_torch(model, "mobile_block", 13, x)


def grouped_conv_g2(x):
    class Grouped2(nn.Module):
        def __init__(self):
            super().__init__()
            self.a = nn.Conv2d(3, 8, 1)
            self.b = nn.Conv2d(8, 8, 3, groups=2)
            self.fc = nn.Linear(8, 10)

        def forward(self, x):
            return self.fc(F.adaptive_avg_pool2d(self.b(self.a(x)), 1).flatten(1))

    torch.manual_seed(7)
    torch.onnx.export(Grouped2().eval(), torch.zeros(1, 3, 32, 32), os.path.join(HERE, "grouped_conv_g2.onnx"),
                      opset_version=13, input_names=["input"], output_names=["output"])


def refused_files(x):
    class Grouped(nn.Module):
        def __init__(self):
            super().__init__()
            self.c = nn.Conv2d(3, 6, 3, groups=3)
            self.fc = nn.Linear(6, 10)

        def forward(self, x):
            return self.fc(F.adaptive_avg_pool2d(self.c(x), 1).flatten(1))

    class PaddedPool(nn.Module):
        def __init__(self):
            super().__init__()
            self.fc = nn.Linear(3, 10)

        def forward(self, x):
            return self.fc(F.adaptive_avg_pool2d(F.max_pool2d(x, 3, 2, padding=1), 1).flatten(1))

    torch.onnx.export(PaddedPool().eval(), torch.zeros(1, 3, 32, 32), os.path.join(HERE, "padded_maxpool.onnx"),
                      opset_version=13, input_names=["input"], output_names=["output"])
    torch.onnx.export(Grouped().eval(), torch.zeros(1, 3, 32, 32), os.path.join(HERE, "grouped_conv.onnx"),
                      opset_version=13, input_names=["input"], output_names=["output"])

    w = numpy_helper.from_array(np.ones((4, 3, 1, 1), dtype=np.float32), "w")
    nodes = [helper.make_node("Conv", ["input", "w"], ["c"], name="conv"),
             helper.make_node("HardSwish", ["c"], ["h"], name="act/HardSwish"),
             helper.make_node("GlobalAveragePool", ["h"], ["g"], name="gap"),
             helper.make_node("Flatten", ["g"], ["output"], name="flatten")]
    graph = helper.make_graph(nodes, "unknown_op",
                              [helper.make_tensor_value_info("input", TensorProto.FLOAT, ["N", 3, 32, 32])],
                              [helper.make_tensor_value_info("output", TensorProto.FLOAT, ["N", 4])], [w])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 14)])
    model.ir_version = 7
    onnx.checker.check_model(model)
    onnx.save(model, os.path.join(HERE, "unknown_op.onnx"))

    nodes = [helper.make_node("Conv", ["input", "w"], ["c"], name="conv"),
             helper.make_node("GlobalAveragePool", ["c"], ["g"], name="gap"),
             helper.make_node("Flatten", ["g"], ["output"], name="flatten")]
    graph = helper.make_graph(nodes, "dynamic_size",
                              [helper.make_tensor_value_info("input", TensorProto.FLOAT, ["N", 3, "H", "W"])],
                              [helper.make_tensor_value_info("output", TensorProto.FLOAT, ["N", 4])], [w])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
    model.ir_version = 7
    onnx.checker.check_model(model)
    onnx.save(model, os.path.join(HERE, "dynamic_size.onnx"))


ADDED = {"mobile_block": mobile_block, "grouped_conv_g2": grouped_conv_g2}


def main():
    parser = argparse.ArgumentParser(description="Writes the ONNX import test cases beside this script.")
    parser.add_argument("sample", nargs="?", default="../shared/datasets/cifar10-images-sample")
    parser.add_argument("--only", help="comma-separated cases among " + ", ".join(ADDED)
                        + ": writes only their files (images.bin and the other cases stay as they are)")
    args = parser.parse_args()
    x = images(args.sample)
    if args.only:
        for name in args.only.split(","):
            ADDED[name](x)
        return
    x.astype("<f4").tofile(os.path.join(HERE, "images.bin"))
    torch.manual_seed(0)
    gen = torch.Generator().manual_seed(1)
    tutorial = Tutorial()
    randomize_bn(tutorial, gen)
    export_torch(tutorial, "tutorial_cnn", 13, x)
    branches = Branches()
    randomize_bn(branches, gen)
    export_torch(branches, "branches", 17, x)
    export_torch(Strided(), "strided", 13, x)
    export_torch(ViewFlatten(), "view_flatten", 13, x)
    tf2onnx_style(x, gen)
    opset21(x, gen)
    tf2onnx_gap(x, gen)
    refused_files(x)
    for case in ADDED.values():
        case(x)


if __name__ == "__main__":
    main()
