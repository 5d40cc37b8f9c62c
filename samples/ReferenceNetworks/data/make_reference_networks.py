#!/usr/bin/env python3
"""Build the reference networks in PyTorch, with seeded random weights, and save what ConvGen is checked against.

Regenerate (from the repository root):
    /usr/bin/python3 samples/ReferenceNetworks/data/make_reference_networks.py

For each network <net> (dscnn, mobilenet_v1_025, resnet8, fire, aspp, inverted_residual, shufflenet_unit) it
writes, next to this script:
    <net>.safetensors      the weights, F32, named exactly as the C# layers ("conv1.weight", "bn1.running_var", ...)
    <net>.input.f32        INPUTS random inputs, float32 little-endian, channels first, one after the other
    <net>.torch_output.f32 PyTorch's eval-mode outputs for them, float32, one after the other
and, for dscnn, mobilenet_v1_025 and resnet8, an ONNX model (batch 1, opset 13, input "input", output "output")
in tests/ConvGen.Benchmarks/models/ for the benchmarks.

The weights are not trained: convolutions and Dense layers get He-normal weights (so activations keep a
magnitude of about 1 through deep stacks) and PyTorch's default biases; every BatchNorm gets
running_mean ~ N(0, 0.1), running_var ~ U(0.5, 1.5), weight ~ U(0.5, 1.5), bias ~ N(0, 0.1), so folding it
wrongly shows. Each network has its own torch.manual_seed; single thread, deterministic algorithms.

Needs only torch and numpy (Debian's python3-torch, python3-numpy): no safetensors package, no network.
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
ROOT = os.path.normpath(os.path.join(HERE, "..", "..", ".."))
ONNX_DIR = os.path.join(ROOT, "tests", "ConvGen.Benchmarks", "models")
INPUTS = 4
OPSET = 13


# --------------------------------------------------------------------------- the layer-by-layer recorder

class Net(nn.Module):
    """A network whose sub-modules are attributes named exactly as the C# layers, so that state_dict() keys
    ("conv1.weight", "bn1.running_mean", ...) are the safetensors keys ConvGen binds by Name.

    forward() passes every C# layer's output through rec(), which is the identity unless a trace is being
    taken; the trace (name, kind, output shape, inputs, MACs) gives the parameter/MAC/activation figures."""

    def __init__(self, input_shape):
        super().__init__()
        self.input_shape = tuple(input_shape)
        self.trace = None

    def add(self, name, module):
        self.add_module(name, module)
        return module

    def rec(self, name, x, kind, inputs=None, macs=0):
        if self.trace is not None:
            if inputs is None:
                inputs = (self.trace[-1]["name"] if self.trace else "input",)
            self.trace.append({"name": name, "kind": kind, "shape": tuple(x.shape[1:]), "inputs": tuple(inputs), "macs": macs})
        return x

    def layer(self, x, name, act=None, pad=None, inputs=None):
        """Runs module `name` (optionally after an explicit F.pad, and with a fused activation) as one C# layer."""
        m = getattr(self, name)
        y = m(F.pad(x, pad) if pad is not None else x)
        macs = 0
        if isinstance(m, nn.Conv2d):
            macs = y[0].numel() * m.weight.shape[1] * m.weight.shape[2] * m.weight.shape[3]
        elif isinstance(m, nn.Linear):
            macs = m.in_features * m.out_features
        if act is not None:
            y = act(y)
        return self.rec(name, y, type(m).__name__, inputs, macs)

    def seq(self, x, *names):
        """Runs the named modules one after the other, each as one C# layer."""
        for name in names:
            x = self.layer(x, name)
        return x


def conv_bn_relu(net, prefix, cin, cout, k, stride=1, pad=0, groups=1, bias=True, relu=nn.ReLU):
    """Adds <prefix>, <prefix>_bn and (unless relu is None) <prefix>_relu: Conv2D -> BatchNorm -> Activation."""
    net.add(prefix, nn.Conv2d(cin, cout, k, stride=stride, padding=pad, groups=groups, bias=bias))
    net.add(prefix + "_bn", nn.BatchNorm2d(cout))
    names = [prefix, prefix + "_bn"]
    if relu is not None:
        net.add(prefix + "_relu", relu())
        names.append(prefix + "_relu")
    return names


class DsCnn(Net):
    """MLPerf Tiny keyword spotting DS-CNN (its Keras model keeps the conv biases before BatchNorm)."""

    def __init__(self):
        super().__init__((1, 49, 10))
        self.stem = conv_bn_relu(self, "conv1", 1, 64, (10, 4), stride=2)
        self.blocks = []
        for i in range(1, 5):
            self.blocks.append(conv_bn_relu(self, f"dw{i}", 64, 64, 3, pad=1, groups=64)
                               + conv_bn_relu(self, f"pw{i}", 64, 64, 1))
        self.add("fc", nn.Linear(64, 12))

    def forward(self, x):
        x = self.layer(x, "conv1", pad=(1, 1, 4, 5))  # TF SAME, stride 2, kernel (10, 4): 49x10 -> 25x5
        x = self.seq(x, *self.stem[1:])
        for names in self.blocks:
            x = self.seq(x, *names)
        x = self.rec("pool", x.mean((2, 3)), "GlobalAvgPool")
        return self.layer(x, "fc")


class MobileNetV1(Net):
    """MLPerf Tiny visual wake words MobileNetV1, alpha 0.25, 96x96 RGB, 2 classes (PyTorch-style: no conv bias
    before BatchNorm, symmetric padding 1)."""

    BLOCKS = [(1, 16), (2, 32), (1, 32), (2, 64), (1, 64), (2, 128)] + [(1, 128)] * 5 + [(2, 256), (1, 256)]

    def __init__(self):
        super().__init__((3, 96, 96))
        self.names = conv_bn_relu(self, "conv1", 3, 8, 3, stride=2, pad=1, bias=False)
        cin = 8
        for i, (stride, cout) in enumerate(self.BLOCKS, 1):
            self.names += conv_bn_relu(self, f"dw{i}", cin, cin, 3, stride=stride, pad=1, groups=cin, bias=False)
            self.names += conv_bn_relu(self, f"pw{i}", cin, cout, 1, bias=False)
            cin = cout
        self.add("fc", nn.Linear(cin, 2))

    def forward(self, x):
        x = self.seq(x, *self.names)
        x = self.rec("pool", x.mean((2, 3)), "GlobalAvgPool")
        return self.layer(x, "fc")


class ResNet8(Net):
    """MLPerf Tiny image classification ResNet-8 (CIFAR-10), conv biases kept as in its Keras model."""

    def __init__(self):
        super().__init__((3, 32, 32))
        conv_bn_relu(self, "conv1", 3, 16, 3, pad=1)
        for s, (cin, cout, stride) in enumerate([(16, 16, 1), (16, 32, 2), (32, 64, 2)], 1):
            conv_bn_relu(self, f"s{s}_conv1", cin, cout, 3, stride=stride, pad=1)
            conv_bn_relu(self, f"s{s}_conv2", cout, cout, 3, pad=1, relu=None)
            if stride != 1:
                self.add(f"s{s}_shortcut", nn.Conv2d(cin, cout, 1, stride=stride))
        self.add("fc", nn.Linear(64, 10))

    def forward(self, x):
        x = self.seq(x, "conv1", "conv1_bn", "conv1_relu")
        stack_in = "conv1_relu"
        for s in (1, 2, 3):
            y = self.seq(x, f"s{s}_conv1", f"s{s}_conv1_bn", f"s{s}_conv1_relu", f"s{s}_conv2", f"s{s}_conv2_bn")
            if hasattr(self, f"s{s}_shortcut"):
                x = self.layer(x, f"s{s}_shortcut", inputs=(stack_in,))
                y = self.rec(f"s{s}_add", y + x, "Add", (f"s{s}_conv2_bn", f"s{s}_shortcut"))
            else:
                y = self.rec(f"s{s}_add", y + x, "Add", (f"s{s}_conv2_bn", stack_in))
            x = self.rec(f"s{s}_relu", F.relu(y), "ReLU")
            stack_in = f"s{s}_relu"
        x = self.rec("pool", x.mean((2, 3)), "GlobalAvgPool")
        return self.layer(x, "fc")


class Fire(Net):
    """SqueezeNet fire module: squeeze 1x1 -> (expand 1x1 | expand 3x3) -> concatenated."""

    def __init__(self):
        super().__init__((32, 16, 16))
        self.add("squeeze", nn.Conv2d(32, 16, 1))
        self.add("expand1x1", nn.Conv2d(16, 64, 1))
        self.add("expand3x3", nn.Conv2d(16, 64, 3, padding=1))

    def forward(self, x):
        s = self.layer(x, "squeeze", act=F.relu)
        a = self.layer(s, "expand1x1", act=F.relu, inputs=("squeeze",))
        b = self.layer(s, "expand3x3", act=F.relu, inputs=("squeeze",))
        return self.rec("concat", torch.cat([a, b], 1), "Concat", ("expand1x1", "expand3x3"))


class Aspp(Net):
    """DeepLab's atrous spatial pyramid pooling block (without the image-pooling branch)."""

    def __init__(self):
        super().__init__((32, 16, 16))
        self.add("branch1x1", nn.Conv2d(32, 16, 1))
        for d in (1, 2, 3):
            self.add(f"branch_d{d}", nn.Conv2d(32, 16, 3, padding=d, dilation=d))
        conv_bn_relu(self, "project", 64, 32, 1, bias=False)

    BRANCHES = ("branch1x1", "branch_d1", "branch_d2", "branch_d3")

    def forward(self, x):
        ys = [self.layer(x, name, act=F.relu, inputs=("input",)) for name in self.BRANCHES]
        x = self.rec("concat", torch.cat(ys, 1), "Concat", self.BRANCHES)
        return self.seq(x, "project", "project_bn", "project_relu")


class InvertedResidual(Net):
    """MobileNetV2 inverted residual block, stride 1, expansion 6, 16 -> 16 channels."""

    def __init__(self):
        super().__init__((16, 14, 14))
        conv_bn_relu(self, "expand", 16, 96, 1, bias=False, relu=nn.ReLU6)
        conv_bn_relu(self, "dw", 96, 96, 3, pad=1, groups=96, bias=False, relu=nn.ReLU6)
        conv_bn_relu(self, "project", 96, 16, 1, bias=False, relu=None)

    def forward(self, x):
        y = self.seq(x, "expand", "expand_bn", "expand_relu", "dw", "dw_bn", "dw_relu", "project", "project_bn")
        return self.rec("add", y + x, "Add", ("project_bn", "input"))


class ShuffleNetUnit(Net):
    """ShuffleNet v1 unit, stride 1, 3 groups, 48 channels (bottleneck 12)."""

    def __init__(self):
        super().__init__((48, 8, 8))
        conv_bn_relu(self, "gconv1", 48, 12, 1, groups=3, bias=False)
        conv_bn_relu(self, "dw", 12, 12, 3, pad=1, groups=12, bias=False, relu=None)
        conv_bn_relu(self, "gconv2", 12, 48, 1, groups=3, bias=False, relu=None)

    def forward(self, x):
        y = self.seq(x, "gconv1", "gconv1_bn", "gconv1_relu")
        n, c, h, w = y.shape
        y = self.rec("shuffle", y.view(n, 3, c // 3, h, w).transpose(1, 2).reshape(n, c, h, w), "ChannelShuffle")
        y = self.seq(y, "dw", "dw_bn", "gconv2", "gconv2_bn")
        y = self.rec("add", y + x, "Add", ("gconv2_bn", "input"))
        return self.rec("relu", F.relu(y), "ReLU")


# name, class, seed, input scale (inverted_residual: larger inputs so that ReLU6 clips), ONNX file or None
NETWORKS = [
    ("dscnn", DsCnn, 1, 1.0, "dscnn.onnx"),
    ("mobilenet_v1_025", MobileNetV1, 2, 1.0, "mobilenet_v1_025.onnx"),
    ("resnet8", ResNet8, 3, 1.0, "resnet8.onnx"),
    ("fire", Fire, 4, 1.0, None),
    ("aspp", Aspp, 5, 1.0, None),
    ("inverted_residual", InvertedResidual, 6, 3.0, None),
    ("shufflenet_unit", ShuffleNetUnit, 7, 1.0, None),
]


def randomize(net):
    """He-normal conv/Dense weights, default biases, non-trivial BatchNorm parameters and statistics."""
    with torch.no_grad():
        for m in net.modules():
            if isinstance(m, nn.Conv2d):
                nn.init.kaiming_normal_(m.weight, mode="fan_in", nonlinearity="relu")
            elif isinstance(m, nn.Linear):
                nn.init.kaiming_normal_(m.weight, mode="fan_in", nonlinearity="linear")
            elif isinstance(m, nn.BatchNorm2d):
                m.running_mean.normal_(0, 0.1)
                m.running_var.uniform_(0.5, 1.5)
                m.weight.uniform_(0.5, 1.5)
                m.bias.normal_(0, 0.1)
    return net.eval()


def exported_state(net):
    """state_dict() without num_batches_tracked, all float32."""
    return {k: v.detach().to(torch.float32).contiguous() for k, v in net.state_dict().items() if not k.endswith("num_batches_tracked")}


# --------------------------------------------------------------------------- safetensors (by hand)

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
    """An independent minimal reader: name -> ndarray in file order, checking offsets leave no gap."""
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


# --------------------------------------------------------------------------- figures for the report

def figures(net):
    """Parameters (PyTorch count and Keras count, which adds BatchNorm's running statistics), MACs, the sum of
    every layer's output and two peaks of live activations (input and output buffers excluded): one with every
    layer in its own buffer, one with BatchNorm/activation layers merged into the layer they follow."""
    net.trace = []
    with torch.no_grad():
        out = net(torch.zeros((1,) + net.input_shape))
    trace, net.trace = net.trace, None
    params = sum(p.numel() for p in net.parameters())
    keras = params + sum(m.running_mean.numel() * 2 for m in net.modules() if isinstance(m, nn.BatchNorm2d))
    size = {t["name"]: int(np.prod(t["shape"])) for t in trace}
    return {
        "params": params, "keras_params": keras, "macs": sum(t["macs"] for t in trace),
        "activations": sum(size.values()), "layers": len(trace), "output": tuple(out.shape[1:]),
        "peak": peak_live(trace, size), "peak_fused": peak_live(merge_elementwise(trace), size),
    }


def merge_elementwise(trace):
    consumers = {}
    for t in trace:
        for i in t["inputs"]:
            consumers[i] = consumers.get(i, 0) + 1
    merged, rename = [], {}
    for t in trace:
        inputs = tuple(rename.get(i, i) for i in t["inputs"])
        prev = merged[-1] if merged else None
        if (t["kind"] in ("BatchNorm2d", "ReLU", "ReLU6") and prev is not None and len(inputs) == 1
                and inputs[0] == prev["name"] and consumers.get(prev["origin"], 0) == 1):
            rename[t["name"]] = prev["name"]
            prev["origin"] = t["name"]
            continue
        merged.append(dict(t, inputs=inputs, origin=t["name"]))
    return merged


def peak_live(trace, size):
    last_use = {}
    for step, t in enumerate(trace):
        for i in t["inputs"]:
            last_use[i] = step
    peak = 0
    for step, t in enumerate(trace[:-1]):
        live = sum(size[u["name"]] for u in trace[:step] if last_use.get(u["name"], -1) >= step)
        peak = max(peak, live + size[t["name"]])
    return peak


# --------------------------------------------------------------------------- main

def export_onnx(net, path):
    with torch.no_grad():
        torch.onnx.export(net, torch.zeros((1,) + net.input_shape), path, opset_version=OPSET, input_names=["input"],
                          output_names=["output"], do_constant_folding=True, training=torch.onnx.TrainingMode.EVAL)


def main():
    torch.set_num_threads(1)
    torch.use_deterministic_algorithms(True)
    print(f"torch {torch.__version__}, numpy {np.__version__}")
    rows = []
    for name, cls, seed, scale, onnx_name in NETWORKS:
        torch.manual_seed(seed)
        net = randomize(cls())
        inputs = (torch.randn((INPUTS,) + net.input_shape) * scale).to(torch.float32)

        st_path = os.path.join(HERE, f"{name}.safetensors")
        in_path = os.path.join(HERE, f"{name}.input.f32")
        out_path = os.path.join(HERE, f"{name}.torch_output.f32")
        state = exported_state(net)
        write_safetensors(st_path, state)
        inputs.numpy().astype("<f4").tofile(in_path)

        # The outputs come from a fresh module that holds exactly the tensors read back from the file.
        tensors = read_safetensors(st_path)
        assert list(tensors) == list(state), name
        for key, t in state.items():
            assert np.array_equal(tensors[key], t.numpy()), key
        check = cls()
        missing, unexpected = check.load_state_dict({k: torch.from_numpy(v.copy()) for k, v in tensors.items()}, strict=False)
        assert not unexpected and all(k.endswith("num_batches_tracked") for k in missing), (missing, unexpected)
        check.eval()
        read_inputs = torch.from_numpy(np.fromfile(in_path, dtype="<f4").reshape((INPUTS,) + check.input_shape))
        assert torch.equal(read_inputs, inputs)
        with torch.no_grad():
            outputs = torch.cat([check(read_inputs[i:i + 1]) for i in range(INPUTS)])  # batch 1, as ConvGen runs
            assert torch.equal(outputs, net(inputs)) or torch.allclose(outputs, net(inputs), rtol=0, atol=1e-5)
            double = check.double()(read_inputs.double()).float()
        outputs.numpy().astype("<f4").tofile(out_path)
        assert np.array_equal(np.fromfile(out_path, dtype="<f4"), outputs.numpy().ravel())

        f = figures(cls())
        assert f["params"] == sum(v.numel() for k, v in state.items() if not k.endswith(("running_mean", "running_var")))
        diff64 = (outputs - double).abs().max().item()
        rows.append((name, f, outputs, diff64))
        if onnx_name:
            export_onnx(check.float(), os.path.join(ONNX_DIR, onnx_name))

    print(f"{'network':18s} {'output':>13s} {'params':>8s} {'keras':>8s} {'MACs':>11s} {'layers':>6s} {'acts(sum)':>10s}"
          f" {'peak':>8s} {'peak(fused)':>11s} {'max|out|':>9s} {'|f32-f64|':>9s}")
    for name, f, out, diff64 in rows:
        print(f"{name:18s} {str(f['output']):>13s} {f['params']:8,d} {f['keras_params']:8,d} {f['macs']:11,d} {f['layers']:6d}"
              f" {f['activations']:10,d} {f['peak']:8,d} {f['peak_fused']:11,d} {out.abs().max().item():9.4f} {diff64:9.2e}")
    for name, *_ in NETWORKS:
        sizes = [os.path.getsize(os.path.join(HERE, f"{name}{ext}")) for ext in (".safetensors", ".input.f32", ".torch_output.f32")]
        print(f"  {name:18s} safetensors {sizes[0]:8d} B, inputs {sizes[1]:7d} B, outputs {sizes[2]:6d} B")
    for _, _, _, _, onnx_name in NETWORKS:
        if onnx_name:
            print(f"  {onnx_name:22s} {os.path.getsize(os.path.join(ONNX_DIR, onnx_name)):8d} B")


if __name__ == "__main__":
    sys.dont_write_bytecode = True
    main()
