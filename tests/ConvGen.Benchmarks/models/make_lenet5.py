#!/usr/bin/env python3
"""Make the LeNet-5 benchmark network of DESIGN.md section 1: weights, a few inputs, PyTorch's outputs, ONNX.

Regenerate (from the repository root; about 2 s, needs only torch and numpy):
    /usr/bin/python3 tests/ConvGen.Benchmarks/models/make_lenet5.py

The module is the C# declaration tests/ConvGen.Benchmarks/Nets/LeNet5.cs layer for layer:
    1x28x28 -> conv1 6 5x5 pad 2, ReLU -> avg-pool 2 -> conv2 16 5x5, ReLU -> avg-pool 2 -> flatten (400)
            -> fc1 120, ReLU -> fc2 84, ReLU -> fc3 10 -> softmax
Its sub-modules are named as the C# layers, so the state_dict keys ("conv1.weight", "fc3.bias", ...) are the
tensor names ConvGen binds by Name.

The weights are not trained (scikit-learn's digits, which samples/Digits trains on, is not installed here):
torch.manual_seed(5), He-normal conv weights and fan-in-normal Linear weights as the reference networks use
(so the logits have a magnitude of a few units and the softmax is not flat), PyTorch's default biases.
The benchmark times arithmetic, so untrained weights cost nothing but the meaning of the output.

Writes, next to this script (all committed):
    lenet5.safetensors       F32 weights, __metadata__ {"format": "pt"}, written by hand (no safetensors package)
    lenet5.input.f32         4 inputs of 1x28x28, standard normal, float32 little-endian, one after the other
    lenet5.torch_output.f32  PyTorch's eval-mode softmax outputs for them (batch 1 each), float32
    lenet5.onnx              the same module, opset 13, batch 1, input "input", output "output"
Two runs produce byte-identical files.
"""
import json
import os
import struct
import sys

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
OPSET = 13
INPUTS = 4
SEED = 5


class LeNet5(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 6, 5, padding=2)
        self.conv2 = nn.Conv2d(6, 16, 5)
        self.fc1 = nn.Linear(16 * 5 * 5, 120)
        self.fc2 = nn.Linear(120, 84)
        self.fc3 = nn.Linear(84, 10)

    def logits(self, x):                                # (N, 1, 28, 28)
        x = F.avg_pool2d(F.relu(self.conv1(x)), 2)      # (N, 6, 14, 14)
        x = F.avg_pool2d(F.relu(self.conv2(x)), 2)      # (N, 16, 5, 5)
        x = torch.flatten(x, 1)                         # (N, 400), channels first
        x = F.relu(self.fc1(x))
        x = F.relu(self.fc2(x))
        return self.fc3(x)                              # (N, 10)

    def forward(self, x):
        return F.softmax(self.logits(x), dim=1)


# MACs as the generator's Summary counts them: conv = outputs x in_channels x kh x kw, dense = in x out.
MACS = 6 * 28 * 28 * 1 * 25 + 16 * 10 * 10 * 6 * 25 + 400 * 120 + 120 * 84 + 84 * 10


def write_safetensors(path, tensors):
    header, blobs, offset = {}, [], 0
    for name, t in tensors.items():
        raw = t.numpy().astype("<f4", copy=False).tobytes(order="C")
        header[name] = {"dtype": "F32", "shape": list(t.shape), "data_offsets": [offset, offset + len(raw)]}
        blobs.append(raw)
        offset += len(raw)
    header["__metadata__"] = {"format": "pt"}
    text = json.dumps(header, separators=(",", ":")).encode("utf-8")
    text += b" " * ((-len(text)) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for b in blobs:
            f.write(b)


def read_safetensors(path):
    """An independent minimal reader: name -> ndarray, in file order, checking that the offsets leave no gap."""
    with open(path, "rb") as f:
        data = f.read()
    (n,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8:8 + n].decode("utf-8"))
    assert header.pop("__metadata__") == {"format": "pt"}
    body = data[8 + n:]
    out, expected = {}, 0
    for name, info in header.items():
        begin, end = info["data_offsets"]
        assert info["dtype"] == "F32" and begin == expected, name
        assert end - begin == 4 * int(np.prod(info["shape"])), name
        out[name] = np.frombuffer(body[begin:end], dtype="<f4").reshape(info["shape"])
        expected = end
    assert expected == len(body), "trailing bytes"
    return out


def main():
    torch.set_num_threads(1)
    torch.use_deterministic_algorithms(True)
    torch.manual_seed(SEED)
    net = LeNet5()
    with torch.no_grad():
        for m in net.modules():
            if isinstance(m, nn.Conv2d):
                nn.init.kaiming_normal_(m.weight, mode="fan_in", nonlinearity="relu")
            elif isinstance(m, nn.Linear):
                nn.init.kaiming_normal_(m.weight, mode="fan_in", nonlinearity="relu" if m is not net.fc3 else "linear")
    net.eval()
    inputs = torch.randn(INPUTS, 1, 28, 28, dtype=torch.float32)

    st_path = os.path.join(HERE, "lenet5.safetensors")
    in_path = os.path.join(HERE, "lenet5.input.f32")
    out_path = os.path.join(HERE, "lenet5.torch_output.f32")
    state = {k: v.detach().to(torch.float32).contiguous() for k, v in net.state_dict().items()}
    write_safetensors(st_path, state)
    inputs.numpy().astype("<f4").tofile(in_path)

    # The outputs come from a fresh module holding exactly the tensors read back from the file.
    tensors = read_safetensors(st_path)
    assert list(tensors) == list(state)
    for key, t in state.items():
        assert np.array_equal(tensors[key], t.numpy()), key
    check = LeNet5()
    check.load_state_dict({k: torch.from_numpy(v.copy()) for k, v in tensors.items()}, strict=True)
    check.eval()
    read_inputs = torch.from_numpy(np.fromfile(in_path, dtype="<f4").reshape(INPUTS, 1, 28, 28))
    assert torch.equal(read_inputs, inputs)
    with torch.no_grad():
        outputs = torch.cat([check(read_inputs[i:i + 1]) for i in range(INPUTS)])  # batch 1, as ConvGen runs
        logits_max = check.logits(read_inputs).abs().max().item()
        double = check.double()(read_inputs.double()).float()
    outputs.numpy().astype("<f4").tofile(out_path)

    onnx_path = os.path.join(HERE, "lenet5.onnx")
    with torch.no_grad():
        torch.onnx.export(check.float(), torch.zeros(1, 1, 28, 28), onnx_path, opset_version=OPSET, input_names=["input"],
                          output_names=["output"], do_constant_folding=True, training=torch.onnx.TrainingMode.EVAL)

    params = sum(p.numel() for p in net.parameters())
    print(f"torch {torch.__version__}, numpy {np.__version__}")
    print(f"LeNet-5: {params:,d} params, {MACS:,d} MACs, largest |logit| {logits_max:.3f}, "
          f"largest output {outputs.max().item():.4f}, |f32 - f64| {(outputs - double).abs().max().item():.2e}")
    print(f"  argmax of the {INPUTS} outputs: {outputs.argmax(1).tolist()}")
    for path in (st_path, in_path, out_path, onnx_path):
        print(f"  {os.path.basename(path):24s} {os.path.getsize(path):8d} B")


if __name__ == "__main__":
    sys.dont_write_bytecode = True
    main()
