#!/usr/bin/python3
"""The PyTorch reference case for TestTimeAugmentationReferenceTest: airbench94's inference
functions (KellerJordan/cifar10-airbench, airbench94.py: infer_basic, infer_mirror,
infer_mirror_translate, copied as they are apart from the 32 crop size, taken from the input)
applied to a small fixed conv model, computed in float64 and stored as float32 with the model's
weights in Fovea's layouts (kernel HWIO, dense (in, out)) and the inputs NHWC.

Model: conv 3x3 padding 1 (3 -> 4 channels, bias) -> ReLU -> max-pool 2 -> flatten (NHWC order)
-> linear 24 -> 5 (bias). Inputs: 3 images of 6x5x3 (height differs from width, so a swapped axis
shows).

    /usr/bin/python3 fovea-core/src/test/resources/dev/fovea/eval/tta_reference.py
"""
import json, os, struct
import numpy as np
import torch
import torch.nn.functional as F

torch.manual_seed(9)
N, H, W, C, FILT, K = 3, 6, 5, 3, 4, 5
x = torch.randn(N, H, W, C, dtype=torch.float64)
kernel = torch.randn(3, 3, C, FILT, dtype=torch.float64) * 0.4
bias = torch.randn(FILT, dtype=torch.float64) * 0.1
dense = torch.randn((H // 2) * (W // 2) * FILT, K, dtype=torch.float64) * 0.3
dense_bias = torch.randn(K, dtype=torch.float64) * 0.1

def net(inputs):  # inputs (N, C, H, W) as airbench passes them
    y = F.relu(F.conv2d(inputs, kernel.permute(3, 2, 0, 1), bias, padding=1))
    y = F.max_pool2d(y, 2).permute(0, 2, 3, 1).reshape(inputs.shape[0], -1)
    return y @ dense + dense_bias

def infer_basic(inputs, net):
    return net(inputs).clone()

def infer_mirror(inputs, net):
    return 0.5 * net(inputs) + 0.5 * net(inputs.flip(-1))

def infer_mirror_translate(inputs, net):
    logits = infer_mirror(inputs, net)
    pad = 1
    padded_inputs = F.pad(inputs, (pad,) * 4, 'reflect')
    h, w = inputs.shape[-2:]
    inputs_translate_list = [
        padded_inputs[:, :, 0:h, 0:w],
        padded_inputs[:, :, 2:h + 2, 2:w + 2],
    ]
    logits_translate_list = [infer_mirror(inputs_translate, net)
                             for inputs_translate in inputs_translate_list]
    logits_translate = torch.stack(logits_translate_list).mean(0)
    return 0.5 * logits + 0.5 * logits_translate

xi = x.permute(0, 3, 1, 2)
tensors = {"x": x, "kernel": kernel, "bias": bias, "dense_kernel": dense, "dense_bias": dense_bias,
           "none": infer_basic(xi, net), "flip": infer_mirror(xi, net), "6view": infer_mirror_translate(xi, net)}
header = {"__metadata__": {"source": "airbench94 infer_basic / infer_mirror / infer_mirror_translate"}}
blobs, off = [], 0
for k, t in tensors.items():
    b = np.ascontiguousarray(t.numpy().astype(np.float32)).tobytes()
    header[k] = {"dtype": "F32", "shape": list(t.shape), "data_offsets": [off, off + len(b)]}
    blobs.append(b); off += len(b)
h = json.dumps(header).encode(); h += b' ' * ((8 - len(h) % 8) % 8)
out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "tta_reference.safetensors")
with open(out, 'wb') as f:
    f.write(struct.pack('<Q', len(h))); f.write(h); [f.write(b) for b in blobs]
print("wrote", out)
