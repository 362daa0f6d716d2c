#!/usr/bin/python3
"""PyTorch reference cases for dev.fovea.nn.Initializers (InitializersTest), in the safetensors layout of
tools/reference_cases.py. Computed in float64, stored as float32, kernels as Fovea's HWIO (KH, KW, C, F).
The whitening code is airbench94's (KellerJordan/cifar10-airbench, airbench94.py) with its eigh in float64.

    /usr/bin/python3 fovea-core/src/test/resources/init/make_cases.py   # writes beside this script
"""
import os, sys
import torch

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), *[os.pardir] * 5, "tools"))
from safetensors_writer import save   # the repository's tools/safetensors_writer.py

OUT = os.path.dirname(os.path.abspath(__file__))
torch.manual_seed(9)
hwio = lambda w: w.permute(2, 3, 1, 0)   # PyTorch (F, C, KH, KW) -> Fovea (KH, KW, C, F)

# dirac: airbench94 applies torch.nn.init.dirac_(w[:w.size(1)]) to each 3x3 conv after the default init.
for name, (c, f, k) in {"dirac_3x3_c3_f5": (3, 5, 3), "dirac_5x5_c2_f2": (2, 2, 5)}.items():
    w = torch.randn(f, c, k, k, dtype=torch.float64)
    before = w.clone()
    torch.nn.init.dirac_(w[:c])
    save(f"{OUT}/{name}.safetensors", {"kernel_before": hwio(before), "kernel_after": hwio(w)}, {"op": "dirac"})

# whitening: airbench94's get_patches / get_whitening_parameters / init_whitening_conv.
def get_patches(x, patch_shape):
    c, (h, w) = x.shape[1], patch_shape
    return x.unfold(2, h, 1).unfold(3, w, 1).transpose(1, 3).reshape(-1, c, h, w).double()
def get_whitening_parameters(patches):
    n, c, h, w = patches.shape
    patches_flat = patches.view(n, -1)
    est_patch_covariance = (patches_flat.T @ patches_flat) / n
    eigenvalues, eigenvectors = torch.linalg.eigh(est_patch_covariance, UPLO='U')
    return eigenvalues.flip(0).view(-1, 1, 1, 1), eigenvectors.T.reshape(c * h * w, c, h, w).flip(0)
def init_whitening_conv(weight, train_set, eps=5e-4):
    patches = get_patches(train_set, patch_shape=weight.shape[2:])
    eigenvalues, eigenvectors = get_whitening_parameters(patches)
    eigenvectors_scaled = eigenvectors / torch.sqrt(eigenvalues + eps)
    weight[:] = torch.cat((eigenvectors_scaled, -eigenvectors_scaled))
    return eigenvalues.flatten()
# Correlated channels and neighbouring pixels, like images: a smoothed random field mixed across channels.
n, h, w, c = 6, 9, 8, 3
z = torch.randn(n, c, h + 1, w + 1, dtype=torch.float64)
field = (z[:, :, 1:, 1:] + z[:, :, :-1, 1:] + 0.5 * z[:, :, 1:, :-1]) / 2
mix = torch.tensor([[1.0, 0.6, 0.3], [0.2, 1.0, 0.5], [0.1, 0.4, 1.0]], dtype=torch.float64)
x = torch.einsum('dc,nchw->ndhw', mix, field) + 0.3
x = x.float().double()   # the values Fovea reads back as float32
weight = torch.zeros(2 * c * 2 * 2, c, 2, 2, dtype=torch.float64)
values = init_whitening_conv(weight, x)
save(f"{OUT}/whitening_2x2_c3.safetensors", {"x": x.permute(0, 2, 3, 1), "kernel": hwio(weight), "eigenvalues": values},
     {"op": "whitening", "eps": 5e-4})
