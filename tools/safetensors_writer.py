"""The safetensors writer of the reference-case scripts (tools/reference_cases.py and the ones beside
the tests): float32 tensors, string metadata, the header padded to 8 bytes. Import it with tools/ on
sys.path; it needs numpy and tensors with .detach() (PyTorch)."""
import json, struct
import numpy as np


def save(path, tensors, meta):
    header = {"__metadata__": {k: str(v) for k, v in meta.items()}}
    blobs = []; off = 0
    for k, t in tensors.items():
        a = np.ascontiguousarray(t.detach().cpu().numpy().astype(np.float32))
        b = a.tobytes(); header[k] = {"dtype": "F32", "shape": list(a.shape), "data_offsets": [off, off + len(b)]}
        blobs.append(b); off += len(b)
    h = json.dumps(header).encode(); h += b' ' * ((8 - len(h) % 8) % 8)
    with open(path, 'wb') as f:
        f.write(struct.pack('<Q', len(h))); f.write(h); [f.write(b) for b in blobs]
