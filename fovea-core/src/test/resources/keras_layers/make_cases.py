#!/usr/bin/python3
"""PyTorch reference cases of the layers Keras models need beyond Fovea's first set (issue 18):
ZeroPadding2D, ReLU (max_value, negative_slope, threshold; LeakyReLU is ReLU with a slope) and
DepthwiseConv2D (depth multiplier, strides, TensorFlow's "same" pads, bias). Computed in float64
by PyTorch autograd from its own ops (F.pad, torch.where, conv2d with groups=C over the NCHW
tensor and the OIHW kernel), stored as float32 in the reference-case format; KerasLayersReferenceTest
reads them. Run from this folder: /usr/bin/python3 make_cases.py (python3-torch, python3-numpy).
"""
import math, os, sys
import torch
import torch.nn.functional as F
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), *[os.pardir] * 5, "tools"))
from safetensors_writer import save  # noqa: E402

torch.manual_seed(18)
D = torch.float64


def tf_same(n, k, s):
    out = math.ceil(n / s)
    total = max((out - 1) * s + k - n, 0)
    return total // 2, total - total // 2


def zero_padding(name, n, h, w, c, t, b, l, r):
    x = torch.randn(n, h, w, c, dtype=D, requires_grad=True)
    y = F.pad(x.permute(0, 3, 1, 2), (l, r, t, b)).permute(0, 2, 3, 1)
    dy = torch.randn_like(y)
    y.backward(dy)
    save(f"{name}.safetensors", {"x": x, "y": y, "dy": dy, "dx": x.grad},
         {"op": "zero_padding2d", "top": t, "bottom": b, "left": l, "right": r})


def relu(name, shape, max_value, slope, threshold):
    # Values away from the kinks (threshold, max_value), where the derivative is defined.
    x = torch.randn(*shape, dtype=D) * 4
    for kink in [threshold] + ([max_value] if max_value is not None else []):
        x = torch.where((x - kink).abs() < 0.05, x + 0.1, x)
    x.requires_grad_(True)
    y = torch.where(x >= threshold, x, slope * (x - threshold))
    if max_value is not None:
        y = torch.where(x >= max_value, torch.full_like(x, max_value), y)
    dy = torch.randn_like(y)
    y.backward(dy)
    save(f"{name}.safetensors", {"x": x, "y": y, "dy": dy, "dx": x.grad},
         {"op": "relu", "max_value": "none" if max_value is None else max_value, "negative_slope": slope,
          "threshold": threshold})


def depthwise(name, n, h, w, c, m, k, s, padding, bias):
    x = torch.randn(n, h, w, c, dtype=D, requires_grad=True)
    ker = (torch.randn(k, k, c, m, dtype=D) * 0.4).requires_grad_(True)
    b = torch.randn(c * m, dtype=D, requires_grad=True) if bias else None
    xi = x.permute(0, 3, 1, 2)
    if padding == "same":
        pt, pb = tf_same(h, k, s)
        pl, pr = tf_same(w, k, s)
        xi = F.pad(xi, (pl, pr, pt, pb))
    # Keras (KH, KW, C, M) → PyTorch's grouped (C·M, 1, KH, KW): output channel c·M + m.
    weight = ker.permute(2, 3, 0, 1).reshape(c * m, 1, k, k)
    y = F.conv2d(xi, weight, b, stride=s, groups=c).permute(0, 2, 3, 1)
    dy = torch.randn_like(y)
    y.backward(dy)
    t = {"x": x, "depthwise_kernel": ker, "y": y, "dy": dy, "dx": x.grad, "ddepthwise_kernel": ker.grad}
    if bias:
        t["bias"] = b
        t["dbias"] = b.grad
    save(f"{name}.safetensors", t, {"op": "depthwise_conv2d", "kernel_size": k, "strides": s, "padding": padding,
                                    "depth_multiplier": m})


zero_padding("zero_padding2d_mobilenet", 2, 5, 4, 3, 0, 1, 0, 1)
zero_padding("zero_padding2d_uneven", 1, 3, 6, 2, 2, 1, 3, 0)
relu("relu6", (2, 4, 5, 3), 6.0, 0.0, 0.0)
relu("leaky_relu", (3, 7), None, 0.3, 0.0)
relu("relu_threshold", (2, 3, 3, 4), 2.5, 0.1, 0.5)
depthwise("depthwise_same", 2, 7, 6, 3, 1, 3, 1, "same", True)
depthwise("depthwise_stride2_multiplier2", 2, 8, 7, 3, 2, 3, 2, "same", False)
depthwise("depthwise_valid_stride2", 1, 9, 9, 4, 1, 3, 2, "valid", True)
