#!/usr/bin/env python3
"""Export the benchmark networks to ONNX for ONNX Runtime, from the same PyTorch modules and weights.

Regenerate (from the repository root):
    /usr/bin/python3 tests/ConvGen.Benchmarks/models/export_onnx.py

Outputs (written next to this script, committed):
    vertical_line.onnx   the tutorial's 8x8 vertical-line detector: Conv2d(1, 1, 3), weights [0,1,0] x 3, bias 0
    digits.onnx          samples/Digits' DigitsNet (the module class from train_digits.py) with the weights
                         of samples/Digits/data/digits.safetensors, in eval mode

Both models have a fixed batch of 1 (input "input", output "output"), opset 13, and are exported in eval
mode with constant folding, so BatchNorm is folded into conv1 exactly as ONNX Runtime would fold it anyway.
Needs only torch and numpy (DigitsNet's file also imports scikit-learn). The safetensors file is read
by hand (8-byte little-endian header length, JSON header, raw little-endian tensors), no safetensors package.
"""
import importlib.util
import json
import os
import struct
import sys

sys.dont_write_bytecode = True  # importing train_digits.py must leave no __pycache__ in samples/

import numpy as np
import torch
import torch.nn as nn

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", "..", ".."))
DIGITS_DIR = os.path.join(ROOT, "samples", "Digits", "data")
OPSET = 13

_NP = {"F32": "<f4", "F16": "<f2", "F64": "<f8", "I64": "<i8", "I32": "<i4", "U8": "u1"}


def read_safetensors(path):
    """name -> torch.Tensor, in file order."""
    with open(path, "rb") as f:
        data = f.read()
    (n,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8:8 + n].decode("utf-8"))
    header.pop("__metadata__", None)
    body = data[8 + n:]
    out = {}
    for name, info in header.items():
        begin, end = info["data_offsets"]
        array = np.frombuffer(body[begin:end], dtype=np.dtype(_NP[info["dtype"]])).reshape(info["shape"])
        out[name] = torch.from_numpy(array.copy())
    return out


def load_digits_module_class():
    """The DigitsNet class from samples/Digits/data/train_digits.py: the very module that was trained."""
    spec = importlib.util.spec_from_file_location("train_digits", os.path.join(DIGITS_DIR, "train_digits.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.DigitsNet


def vertical_line_net():
    net = nn.Conv2d(1, 1, 3)
    with torch.no_grad():
        net.weight.copy_(torch.tensor([0, 1, 0, 0, 1, 0, 0, 1, 0], dtype=torch.float32).reshape(1, 1, 3, 3))
        net.bias.zero_()
    return net.eval()


def export(model, path, example):
    model.eval()
    with torch.no_grad():
        torch.onnx.export(model, example, path, opset_version=OPSET, input_names=["input"], output_names=["output"],
                          do_constant_folding=True, training=torch.onnx.TrainingMode.EVAL)
    with torch.no_grad():
        out = model(example)
    print(f"  {os.path.basename(path):20s} {os.path.getsize(path):7d} bytes, input {list(example.shape)} -> output {list(out.shape)}")
    return out


def main():
    torch.manual_seed(0)

    # The tutorial's image: a vertical line two pixels wide down the middle; its feature map rows are [0,0,3,3,0,0].
    line = torch.zeros(1, 1, 8, 8)
    line[0, 0, :, 3:5] = 1
    out = export(vertical_line_net(), os.path.join(HERE, "vertical_line.onnx"), line)
    assert out[0, 0, 0].tolist() == [0, 0, 3, 3, 0, 0], out

    DigitsNet = load_digits_module_class()
    digits = DigitsNet()
    state = read_safetensors(os.path.join(DIGITS_DIR, "digits.safetensors"))
    digits.load_state_dict(state, strict=True)
    digits.eval()

    # Sanity check: the module with these weights reproduces PyTorch's stored test-set logits.
    images = np.fromfile(os.path.join(DIGITS_DIR, "test_images.f32"), dtype="<f4").reshape(-1, 1, 8, 8)
    reference = np.fromfile(os.path.join(DIGITS_DIR, "torch_logits.f32"), dtype="<f4").reshape(-1, 10)
    with torch.no_grad():
        again = digits(torch.from_numpy(images)).numpy()
    assert np.allclose(again, reference, atol=1e-5), np.abs(again - reference).max()

    export(digits, os.path.join(HERE, "digits.onnx"), torch.from_numpy(images[:1].copy()))
    print(f"torch {torch.__version__}, opset {OPSET}")


if __name__ == "__main__":
    main()
