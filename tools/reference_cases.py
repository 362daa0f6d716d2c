#!/usr/bin/python3
"""More PyTorch reference cases in the format of shared/reference (README there), for settings the
shared cases do not cover: even kernels, convs without bias, stride 3, full padding with strides,
same-padded pooling, 2-D batch norm, dense without bias. Computed in float64, stored as float32.

    apt-get install -y python3-torch        # once
    /usr/bin/python3 tools/reference_cases.py OUT_DIR && ./fovea check --reference OUT_DIR
"""
import math, os, sys
import torch
from safetensors_writer import save   # beside this script

OUT = sys.argv[1] if len(sys.argv) > 1 else "reference-extra"
os.makedirs(OUT, exist_ok=True)
torch.manual_seed(7)
def tf_same(n, k, s):
    out = math.ceil(n / s); total = max((out - 1) * s + k - n, 0); return total // 2, total - total // 2
def conv_case(name, n, h, w, c, f, k, s, padding, bias):
    x = torch.randn(n, h, w, c, dtype=torch.float64, requires_grad=True)
    ker = torch.randn(k, k, c, f, dtype=torch.float64, requires_grad=True) * 0.3
    ker = ker.detach().requires_grad_(True)
    b = torch.randn(f, dtype=torch.float64, requires_grad=True) if bias else None
    xi = x.permute(0, 3, 1, 2)
    if padding == 'same':
        pt, pb = tf_same(h, k, s); pl, pr = tf_same(w, k, s); xi = torch.nn.functional.pad(xi, (pl, pr, pt, pb))
    elif padding == 'full':
        xi = torch.nn.functional.pad(xi, (k-1, k-1, k-1, k-1))
    y = torch.nn.functional.conv2d(xi, ker.permute(3, 2, 0, 1), b, stride=s).permute(0, 2, 3, 1)
    dy = torch.randn_like(y); y.backward(dy)
    t = {"x": x, "kernel": ker, "y": y, "dy": dy, "dx": x.grad, "dkernel": ker.grad}
    if bias: t["bias"] = b; t["dbias"] = b.grad
    save(f"{OUT}/{name}.safetensors", t, {"op": "conv2d", "strides": s, "padding": padding, "kernel_size": k, "filters": f})
def pool_case(name, op, n, h, w, c, p, s, padding):
    x = torch.randn(n, h, w, c, dtype=torch.float64, requires_grad=True)
    xi = x.permute(0, 3, 1, 2)
    if padding == 'same':
        pt, pb = tf_same(h, p, s); pl, pr = tf_same(w, p, s)
        if op == 'max_pool2d':
            xi = torch.nn.functional.pad(xi, (pl, pr, pt, pb), value=-math.inf); y = torch.nn.functional.max_pool2d(xi, p, s)
        else:
            ones = torch.nn.functional.pad(torch.ones_like(xi), (pl, pr, pt, pb)); xi = torch.nn.functional.pad(xi, (pl, pr, pt, pb))
            y = torch.nn.functional.avg_pool2d(xi, p, s) / torch.nn.functional.avg_pool2d(ones, p, s)
    else:
        y = torch.nn.functional.max_pool2d(xi, p, s) if op == 'max_pool2d' else torch.nn.functional.avg_pool2d(xi, p, s)
    y = y.permute(0, 2, 3, 1); dy = torch.randn_like(y); y.backward(dy)
    save(f"{OUT}/{name}.safetensors", {"x": x, "y": y, "dy": dy, "dx": x.grad}, {"op": op, "pool_size": p, "strides": s, "padding": padding})
def bn_case(name, shape, eps, mom):
    x = (torch.randn(*shape, dtype=torch.float64) * 2 + 1).requires_grad_(True)
    c = shape[-1]
    g = torch.randn(c, dtype=torch.float64, requires_grad=True); be = torch.randn(c, dtype=torch.float64, requires_grad=True)
    mm = torch.randn(c, dtype=torch.float64); mv = torch.rand(c, dtype=torch.float64) + 0.5
    dims = tuple(range(len(shape) - 1))
    mean = x.mean(dims); var = x.var(dims, unbiased=False)
    y = (x - mean) / torch.sqrt(var + eps) * g + be
    dy = torch.randn_like(y); y.backward(dy)
    yi = (x - mm) / torch.sqrt(mv + eps) * g + be
    save(f"{OUT}/{name}.safetensors", {"x": x, "gamma": g, "beta": be, "moving_mean": mm, "moving_variance": mv, "y": y, "dy": dy, "dx": x.grad, "dgamma": g.grad, "dbeta": be.grad,
        "moving_mean_after": mm * mom + mean * (1 - mom), "moving_variance_after": mv * mom + var * (1 - mom), "y_inference": yi}, {"op": "batch_normalization", "epsilon": eps, "momentum": mom})
def dense_case(name, n, d, k, ls, bias):
    x = torch.randn(n, d, dtype=torch.float64, requires_grad=True); W = (torch.randn(d, k, dtype=torch.float64) * 0.3).requires_grad_(True)
    b = torch.randn(k, dtype=torch.float64, requires_grad=True) if bias else None
    logits = x @ W + (b if bias else 0); labels = torch.randint(0, k, (n,))
    loss = torch.nn.functional.cross_entropy(logits, labels, label_smoothing=ls); loss.backward()
    t = {"x": x, "kernel": W, "labels": labels.double(), "logits": logits, "probabilities": torch.softmax(logits, 1), "loss": loss.reshape(1), "dx": x.grad, "dkernel": W.grad}
    if bias: t["bias"] = b; t["dbias"] = b.grad
    save(f"{OUT}/{name}.safetensors", t, {"op": "dense_softmax_cross_entropy", "label_smoothing": ls})
conv_case("h00_conv_same_s2_k4_nobias", 2, 9, 7, 3, 5, 4, 2, 'same', False)
conv_case("h01_conv_full_s2_k3", 2, 6, 8, 2, 3, 3, 2, 'full', True)
conv_case("h02_conv_valid_s3_k5", 1, 13, 11, 4, 6, 5, 3, 'valid', True)
conv_case("h03_conv_same_s1_k1", 3, 5, 5, 7, 2, 1, 1, 'same', True)
conv_case("h04_conv_same_s1_k3_wide", 2, 8, 8, 16, 48, 3, 1, 'same', True)
conv_case("h05_conv_valid_s1_k3_c64", 2, 10, 10, 64, 64, 3, 1, 'valid', False)
pool_case("h10_max_same_3_2", "max_pool2d", 2, 7, 9, 3, 3, 2, 'same')
pool_case("h11_avg_same_3_2", "avg_pool2d", 2, 7, 9, 3, 3, 2, 'same')
pool_case("h12_max_valid_2_1", "max_pool2d", 2, 5, 6, 4, 2, 1, 'valid')
pool_case("h13_avg_valid_3_1", "avg_pool2d", 1, 6, 5, 17, 3, 1, 'valid')
bn_case("h20_bn_2d", (7, 5), 1e-5, 0.9)
bn_case("h21_bn_4d", (3, 4, 5, 33), 1e-3, 0.99)
dense_case("h30_dense_ls01_nobias", 5, 7, 4, 0.1, False)
dense_case("h31_dense_k100", 9, 30, 100, 0.0, True)
