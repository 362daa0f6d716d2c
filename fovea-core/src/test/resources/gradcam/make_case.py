#!/usr/bin/python3
"""PyTorch reference case for dev.fovea.eval.GradCam (GradCamReferenceTest), in the safetensors layout of
tools/reference_cases.py: float64 in PyTorch, stored as float32, kernels as Fovea's HWIO, images NHWC.

The model is conv(3->4, 3x3 same) - BatchNorm(eps 1e-3, eval: random running statistics) - ReLU -
maxpool 2 - conv(4->6, 3x3 same) - ReLU - global average pool - linear(6->5), random weights. Grad-CAM
is computed by its definition (Selvaraju et al.) with autograd hooks on the explained layer's output A:
alpha_k = mean over (h,w) of d logit_c / d A_k, map = ReLU(sum_k alpha_k A_k), then map / max(map).
Two layers are explained: the last conv's (ReLU'd) output and the first conv's output (before BN).

    /usr/bin/python3 fovea-core/src/test/resources/gradcam/make_case.py   # writes case.safetensors beside it
"""
import os, sys
import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), *[os.pardir] * 5, "tools"))
from safetensors_writer import save   # the repository's tools/safetensors_writer.py

OUT = os.path.dirname(os.path.abspath(__file__))
torch.manual_seed(11)
torch.set_default_dtype(torch.float64)
hwio = lambda w: w.permute(2, 3, 1, 0)   # PyTorch (F, C, KH, KW) -> Fovea (KH, KW, C, F)

conv1 = torch.nn.Conv2d(3, 4, 3, padding=1); bn = torch.nn.BatchNorm2d(4, eps=1e-3)
conv2 = torch.nn.Conv2d(4, 6, 3, padding=1); dense = torch.nn.Linear(6, 5)
with torch.no_grad():
    bn.weight.copy_(torch.rand(4) + 0.5); bn.bias.copy_(torch.randn(4) * 0.2)
    bn.running_mean.copy_(torch.randn(4) * 0.3); bn.running_var.copy_(torch.rand(4) + 0.5)
bn.eval()
x = torch.randn(3, 8, 8, 3)                # NHWC, as Fovea reads it
classes = [2, -1, 4]                       # -1: the predicted class

def forward(hook_layer):
    acts = {}
    a1 = conv1(x.permute(0, 3, 1, 2)); acts["conv2d"] = a1
    h = F.max_pool2d(F.relu(bn(a1)), 2)
    a2 = F.relu(conv2(h)); acts["conv2d_1"] = a2
    logits = dense(a2.mean(dim=(2, 3)))
    acts[hook_layer].retain_grad()
    return logits, acts[hook_layer]

tensors = {"x": x, "conv2d/kernel": hwio(conv1.weight), "conv2d/bias": conv1.bias,
           "batch_normalization/gamma": bn.weight, "batch_normalization/beta": bn.bias,
           "batch_normalization/moving_mean": bn.running_mean, "batch_normalization/moving_variance": bn.running_var,
           "conv2d_1/kernel": hwio(conv2.weight), "conv2d_1/bias": conv2.bias,
           "dense/kernel": dense.weight.t(), "dense/bias": dense.bias}
for layer in ["conv2d_1", "conv2d"]:
    logits, a = forward(layer)
    chosen = [c if c >= 0 else int(logits[i].argmax()) for i, c in enumerate(classes)]
    logits[torch.arange(3), torch.tensor(chosen)].sum().backward()
    alpha = a.grad.mean(dim=(2, 3), keepdim=True)                      # (N, C, 1, 1)
    raw = F.relu((alpha * a).sum(dim=1))                                # (N, H', W')
    mx = raw.flatten(1).max(dim=1).values.clamp_min(1e-300).view(-1, 1, 1)
    tensors[f"{layer}/raw"] = raw; tensors[f"{layer}/heatmap"] = raw / mx
    tensors["classes"] = torch.tensor(chosen, dtype=torch.float64)
    tensors["probabilities"] = torch.softmax(logits, dim=1)
    for p in [conv1.weight, conv1.bias, bn.weight, bn.bias, conv2.weight, conv2.bias, dense.weight, dense.bias]:
        p.grad = None
save(f"{OUT}/case.safetensors", tensors, {"op": "grad_cam", "requested_classes": classes})
print({k: tuple(v.shape) for k, v in tensors.items()})
