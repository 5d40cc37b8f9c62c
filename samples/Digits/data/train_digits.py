#!/usr/bin/env python3
"""Train DigitsNet on scikit-learn's 8x8 handwritten digits and export weights + test data.

Regenerate (from the repository root):
    /usr/bin/python3 samples/Digits/data/train_digits.py

Outputs (written next to this script):
    digits.safetensors   full model.state_dict() (F32 + I64 num_batches_tracked), hand-written safetensors
    test_images.f32      N x 64 float32, row-major, pixels scaled to [0, 1]
    test_labels.u8       N uint8
    torch_logits.f32     N x 10 float32, eval-mode logits of the exported model on test_images

Needs only torch, numpy and scikit-learn (no safetensors package, no network: the digits
dataset ships inside scikit-learn). Training runs on CPU, single-threaded, deterministic.
"""
import json
import os
import random
import struct
import sys

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split

SEED = 0
EPOCHS = 60
BATCH_SIZE = 64
LR = 1e-2
OUT_DIR = os.path.dirname(os.path.abspath(__file__))


class DigitsNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 16, 3, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(16)
        self.conv2 = nn.Conv2d(16, 32, 3, padding=1)
        self.fc = nn.Linear(32 * 2 * 2, 10)

    def forward(self, x):                      # x: (N, 1, 8, 8)
        x = F.max_pool2d(F.relu(self.bn1(self.conv1(x))), 2)   # (N, 16, 4, 4)
        x = F.max_pool2d(F.relu(self.conv2(x)), 2)             # (N, 32, 2, 2)
        return self.fc(torch.flatten(x, 1))                     # logits (N, 10)


# --------------------------------------------------------------------------- safetensors

_DTYPES = {
    torch.float32: ("F32", "<f4"),
    torch.float16: ("F16", "<f2"),
    torch.float64: ("F64", "<f8"),
    torch.int64: ("I64", "<i8"),
    torch.int32: ("I32", "<i4"),
    torch.uint8: ("U8", "u1"),
}
_NP_BY_TAG = {tag: np.dtype(npd) for tag, npd in _DTYPES.values()}


def write_safetensors(path, tensors, metadata=None):
    """Write an ordered dict name -> torch.Tensor as safetensors (little-endian, contiguous)."""
    header = {}
    blobs = []
    offset = 0
    for name, t in tensors.items():
        tag, npd = _DTYPES[t.dtype]
        raw = t.detach().cpu().contiguous().numpy().astype(npd, copy=False).tobytes(order="C")
        header[name] = {"dtype": tag, "shape": list(t.shape), "data_offsets": [offset, offset + len(raw)]}
        blobs.append(raw)
        offset += len(raw)
    if metadata is not None:
        header["__metadata__"] = metadata
    hjson = json.dumps(header, separators=(",", ":")).encode("utf-8")
    hjson += b" " * ((-len(hjson)) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(hjson)))
        f.write(hjson)
        for b in blobs:
            f.write(b)


def read_safetensors(path):
    """Independent minimal reader used to verify what we wrote. Returns (dict name->ndarray, metadata)."""
    with open(path, "rb") as f:
        data = f.read()
    (n,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8:8 + n].decode("utf-8"))
    body = data[8 + n:]
    meta = header.pop("__metadata__", None)
    out = {}
    expected_begin = 0
    for name, info in sorted(header.items(), key=lambda kv: kv[1]["data_offsets"][0]):
        b, e = info["data_offsets"]
        assert b == expected_begin, f"{name}: gap/overlap at {b}"
        expected_begin = e
        dt = _NP_BY_TAG[info["dtype"]]
        count = int(np.prod(info["shape"])) if info["shape"] else 1
        assert e - b == count * dt.itemsize, f"{name}: size mismatch"
        out[name] = np.frombuffer(body[b:e], dtype=dt).reshape(info["shape"])
    assert expected_begin == len(body), "trailing bytes after last tensor"
    return out, meta


# --------------------------------------------------------------------------- training

def seed_everything(seed):
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)
    torch.set_num_threads(1)
    try:
        torch.use_deterministic_algorithms(True)
    except Exception as ex:  # pragma: no cover
        print(f"warning: deterministic algorithms unavailable: {ex}")


def accuracy(model, x, y):
    model.eval()
    with torch.no_grad():
        return (model(x).argmax(1) == y).sum().item() / len(y)


def main():
    seed_everything(SEED)
    digits = load_digits()
    X = (digits.data.astype(np.float32) / np.float32(16.0)).astype(np.float32)  # (1797, 64) in [0,1]
    y = digits.target.astype(np.int64)
    X_tr, X_te, y_tr, y_te = train_test_split(X, y, test_size=0.2, random_state=0, stratify=y)

    xtr = torch.from_numpy(X_tr).reshape(-1, 1, 8, 8)
    ytr = torch.from_numpy(y_tr)
    xte = torch.from_numpy(X_te).reshape(-1, 1, 8, 8)
    yte = torch.from_numpy(y_te)

    model = DigitsNet()
    opt = torch.optim.Adam(model.parameters(), lr=LR)
    sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=EPOCHS)
    gen = torch.Generator().manual_seed(SEED)

    for epoch in range(1, EPOCHS + 1):
        model.train()
        perm = torch.randperm(len(xtr), generator=gen)
        total = 0.0
        for i in range(0, len(perm), BATCH_SIZE):
            idx = perm[i:i + BATCH_SIZE]
            opt.zero_grad()
            loss = F.cross_entropy(model(xtr[idx]), ytr[idx])
            loss.backward()
            opt.step()
            total += loss.item() * len(idx)
        sched.step()
        if epoch % 5 == 0 or epoch == 1:
            print(f"epoch {epoch:3d}  loss {total / len(xtr):.4f}  "
                  f"train {accuracy(model, xtr, ytr) * 100:6.2f}%  test {accuracy(model, xte, yte) * 100:6.2f}%")

    model.eval()
    train_acc = accuracy(model, xtr, ytr)
    test_acc = accuracy(model, xte, yte)
    print(f"final: train {train_acc * 100:.2f}%  test {test_acc * 100:.2f}%  (N_train={len(xtr)}, N_test={len(xte)})")
    if test_acc < 0.95:
        sys.exit(f"test accuracy {test_acc:.4f} below 0.95; refusing to export")

    # ---- export weights
    sd = model.state_dict()
    st_path = os.path.join(OUT_DIR, "digits.safetensors")
    write_safetensors(st_path, sd, metadata={"format": "pt"})

    # ---- export test data + reference logits (float32, eval mode)
    with torch.no_grad():
        logits = model(xte).to(torch.float32).contiguous()
    X_te.astype("<f4").tofile(os.path.join(OUT_DIR, "test_images.f32"))
    y_te.astype(np.uint8).tofile(os.path.join(OUT_DIR, "test_labels.u8"))
    logits.numpy().astype("<f4").tofile(os.path.join(OUT_DIR, "torch_logits.f32"))

    # ---- verify by re-reading everything and recomputing logits from the file's weights
    tensors, meta = read_safetensors(st_path)
    assert meta == {"format": "pt"}, meta
    assert list(tensors) == list(sd), (list(tensors), list(sd))
    for name, t in sd.items():
        got = tensors[name]
        assert tuple(got.shape) == tuple(t.shape), name
        assert got.dtype == np.dtype(_DTYPES[t.dtype][1]), name
        assert np.array_equal(got, t.numpy()), name
    check = DigitsNet()
    check.load_state_dict({k: torch.from_numpy(v.copy()) for k, v in tensors.items()})
    check.eval()
    imgs = np.fromfile(os.path.join(OUT_DIR, "test_images.f32"), dtype="<f4").reshape(-1, 1, 8, 8)
    labels = np.fromfile(os.path.join(OUT_DIR, "test_labels.u8"), dtype=np.uint8)
    ref = np.fromfile(os.path.join(OUT_DIR, "torch_logits.f32"), dtype="<f4").reshape(-1, 10)
    with torch.no_grad():
        again = check(torch.from_numpy(imgs)).numpy()
    assert np.array_equal(again, ref), "logits from re-read weights differ"
    assert int((ref.argmax(1) == labels).sum()) == round(test_acc * len(labels))
    assert imgs.min() >= 0.0 and imgs.max() <= 1.0

    print(f"torch {torch.__version__}, numpy {np.__version__}")
    for name, t in sd.items():
        print(f"  {name:24s} {str(t.dtype):14s} {list(t.shape)}")
    for fn in ("digits.safetensors", "test_images.f32", "test_labels.u8", "torch_logits.f32"):
        print(f"  {fn:20s} {os.path.getsize(os.path.join(OUT_DIR, fn)):8d} bytes")
    top2 = np.sort(ref, axis=1)[:, -2:]
    print(f"  max |logit| = {np.abs(ref).max():.4f}; min top1-top2 margin = {(top2[:, 1] - top2[:, 0]).min():.4f}; "
          f"num_batches_tracked = {int(sd['bn1.num_batches_tracked'])}")


if __name__ == "__main__":
    main()
