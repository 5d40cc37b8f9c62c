#!/usr/bin/env python3
"""Generate the safetensors reader fixtures in this folder.

Regenerate (from the repository root):
    /usr/bin/python3 tests/ConvGen.Tests/Weights/make_fixtures.py

Writes (next to this script):
    dtypes.safetensors      f32 (F32), f16 (F16), bf16 (BF16), each shape [12]
    dtypes.expected.json    for each tensor: the stored element bits and the exact float32 a
                            correct reader must produce when widening each element to float32
                            ("values": shortest float32 decimal, "bits": float32 bit pattern as uint32)
    nonfinite.safetensors   bad  F32 [3] = [1, NaN (0x7FC00000), 3];  inf16 F16 [1] = [+Inf (0x7C00)]
    tiny.safetensors        w F32 [2,3] = 0..5;  b F32 [2] = [0.5, -0.5]

All files: 8-byte little-endian u64 header length, UTF-8 JSON header padded with spaces to a
multiple of 8, then the raw little-endian tensor bytes laid out contiguously in header order.
The output is byte-for-byte deterministic.  Needs numpy (torch is used only as a cross-check
of the BF16 rounding when it is installed).
"""
import json
import os
import struct

import numpy as np

OUT_DIR = os.path.dirname(os.path.abspath(__file__))

# The 12 conversion probes, in file order.  `None` entries are filled per type below.
PROBES = [
    ("zero", 0.0),
    ("negative zero", -0.0),
    ("one", 1.0),
    ("-2.5", -2.5),
    ("max", None),            # 65504 for F32 and F16 (F16 max), 3.3895e38 for BF16 (BF16 max)
    ("subnormal", None),      # a multi-bit subnormal of the type (exercises normalisation)
    ("smallest normal", None),
    ("1/3", 1.0 / 3.0),
    ("1e-3", 1e-3),
    ("-7.75", -7.75),
    ("0.1", 0.1),
    ("1024.5", 1024.5),       # a tie for F16 (spacing 1 at 1024) -> rounds to even 1024
]


# --------------------------------------------------------------------------- bit helpers

def f32_bits(x):
    return int(np.array([x], dtype="<f4").view("<u4")[0])


def f32_from_bits(b):
    return np.array([b], dtype="<u4").view("<f4")[0]


def f16_bits(x):
    return int(np.array([x], dtype="<f2").view("<u2")[0])


def f16_from_bits(b):
    return np.array([b], dtype="<u2").view("<f2")[0]


def bf16_bits_rne(x):
    """Round a Python float (float64) to bfloat16 with round-to-nearest-even, directly from float64.

    BF16 shares float32's exponent range, so we round the float64 significand to 8 bits,
    handling the BF16 subnormal range by using the fixed quantum 2**-133."""
    import math
    if x == 0.0:
        return 0x8000 if math.copysign(1.0, x) < 0 else 0x0000
    sign = 0x8000 if x < 0 else 0
    a = abs(x)
    m, e = math.frexp(a)           # a = m * 2**e, 0.5 <= m < 1
    exp = e - 1                    # a = 1.xxx * 2**exp
    if exp < -126:
        quantum_exp = -133         # subnormal spacing
    else:
        quantum_exp = exp - 7      # 7 explicit mantissa bits
    q = a / 2.0 ** quantum_exp     # exact (power-of-two scaling) unless it under/overflows; fine here
    n = math.floor(q)
    frac = q - n
    if frac > 0.5 or (frac == 0.5 and n % 2 == 1):
        n += 1
    value = n * 2.0 ** quantum_exp
    # Convert the (now exactly representable) value to float32 bits and take the top half.
    b32 = f32_bits(value)
    assert b32 & 0xFFFF == 0, hex(b32)
    bits = (b32 >> 16) | sign
    assert (bits & 0x7F80) != 0x7F80, "overflow to inf/nan not expected in these fixtures"
    return bits


def bf16_widen(b):
    return f32_from_bits(b << 16)


def f32_repr(x):
    """Shortest decimal that round-trips to this float32 (numpy's float32 repr)."""
    s = repr(np.float32(x))
    if s.startswith("np.float32("):   # numpy >= 2 repr style
        s = s[len("np.float32("):-1]
    assert np.float32(s) == np.float32(x) or (np.isnan(np.float32(s)) and np.isnan(x))
    assert f32_bits(np.float32(s)) == f32_bits(x), (s, x)
    return s


# --------------------------------------------------------------------------- probe values per dtype

def build_f32():
    raw = []
    for name, v in PROBES:
        if name == "max":
            v = 65504.0
        elif name == "subnormal":
            v = float(f32_from_bits(0x00155555))   # 0x155555 * 2**-149 ~ 1.959e-39
        elif name == "smallest normal":
            v = 2.0 ** -126
        raw.append(f32_bits(v))                     # numpy float64 -> float32 is RNE
    widened = list(raw)
    return raw, widened


def build_f16():
    raw = []
    for name, v in PROBES:
        if name == "max":
            raw.append(0x7BFF)                      # 65504
            continue
        if name == "subnormal":
            raw.append(0x0155)                      # 341 * 2**-24 ~ 2.0325e-5
            continue
        if name == "smallest normal":
            raw.append(0x0400)                      # 2**-14
            continue
        raw.append(f16_bits(v))                     # numpy float64 -> float16 is RNE, single rounding
    assert raw[4] == f16_bits(65504.0)
    assert raw[6] == f16_bits(2.0 ** -14)
    assert raw[5] == f16_bits(341 * 2.0 ** -24)
    widened = [f32_bits(np.float32(f16_from_bits(b))) for b in raw]
    return raw, widened


def build_bf16():
    raw = []
    for name, v in PROBES:
        if name == "max":
            v = 3.3895e38                           # rounds to 0x7F7F = 3.3895314e38 (BF16 max)
        elif name == "subnormal":
            v = 0x55 * 2.0 ** -133                  # bits 0x0055 ~ 7.806e-39
        elif name == "smallest normal":
            v = 2.0 ** -126
        raw.append(bf16_bits_rne(v))
    assert raw[4] == 0x7F7F and raw[5] == 0x0055 and raw[6] == 0x0080
    widened = [b << 16 for b in raw]
    # Cross-check against torch's own bfloat16 conversion when available.
    try:
        import torch
        vals = [float(bf16_widen(b)) for b in raw]
        src = [v if n not in ("max", "subnormal", "smallest normal") else vals[i]
               for i, (n, v) in enumerate(PROBES)]
        src[4] = 3.3895e38
        t = torch.tensor(src, dtype=torch.float64).to(torch.bfloat16)
        tb = t.view(torch.int16).numpy().astype(np.uint16).tolist()
        assert tb == raw, ([hex(x) for x in tb], [hex(x) for x in raw])
    except ImportError:
        pass
    return raw, widened


# --------------------------------------------------------------------------- safetensors writer/reader

def write_safetensors(path, tensors, metadata=None):
    """tensors: list of (name, dtype_tag, shape, raw_bytes) in file order."""
    header = {}
    off = 0
    for name, tag, shape, raw in tensors:
        header[name] = {"dtype": tag, "shape": list(shape), "data_offsets": [off, off + len(raw)]}
        off += len(raw)
    if metadata is not None:
        header["__metadata__"] = metadata
    h = json.dumps(header, separators=(",", ":")).encode("utf-8")
    h += b" " * ((-len(h)) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(h)))
        f.write(h)
        for _, _, _, raw in tensors:
            f.write(raw)


ITEMSIZE = {"F32": 4, "F16": 2, "BF16": 2, "I64": 8}


def read_safetensors(path):
    data = open(path, "rb").read()
    (n,) = struct.unpack("<Q", data[:8])
    assert n % 8 == 0 and 8 + n <= len(data)
    header = json.loads(data[8:8 + n].decode("utf-8"))
    body = data[8 + n:]
    meta = header.pop("__metadata__", None)
    out = {}
    pos = 0
    for name, info in header.items():            # json preserves file order
        b, e = info["data_offsets"]
        assert b == pos, name
        count = int(np.prod(info["shape"])) if info["shape"] else 1
        assert e - b == count * ITEMSIZE[info["dtype"]], name
        out[name] = (info["dtype"], info["shape"], body[b:e])
        pos = e
    assert pos == len(body)
    return out, meta


def widen_raw(tag, raw):
    """Independent widening of raw element bytes to float32 bit patterns (uint32)."""
    if tag == "F32":
        return np.frombuffer(raw, "<u4").astype(np.uint32).tolist()
    if tag == "F16":
        return np.frombuffer(raw, "<f2").astype(np.float32).view(np.uint32).tolist()
    if tag == "BF16":
        return (np.frombuffer(raw, "<u2").astype(np.uint32) << 16).tolist()
    raise ValueError(tag)


# --------------------------------------------------------------------------- main

def main():
    meta = {"format": "pt"}
    builds = {"f32": ("F32", build_f32()), "f16": ("F16", build_f16()), "bf16": ("BF16", build_bf16())}

    tensors = []
    expected = {
        "_comment": ("For each tensor: raw_bits = stored element bit patterns (uint32 for F32, uint16 for "
                     "F16/BF16); bits = float32 bit pattern (uint32) a correct reader must produce when "
                     "widening each element to float32; values = the same float32 as its shortest "
                     "round-trip decimal. Probe order: " + ", ".join(n for n, _ in PROBES) + "."),
        "probes": [n for n, _ in PROBES],
    }
    for name, (tag, (raw, widened)) in builds.items():
        assert len(raw) == 12
        fmt = "<u4" if tag == "F32" else "<u2"
        tensors.append((name, tag, [12], np.array(raw, dtype=fmt).tobytes()))
        expected[name] = {
            "dtype": tag,
            "shape": [12],
            "raw_bits": raw,
            "bits": widened,
            "values": [f32_repr(f32_from_bits(b)) for b in widened],   # strings, emitted as bare numbers
        }

    write_safetensors(os.path.join(OUT_DIR, "dtypes.safetensors"), tensors, meta)

    # Emit JSON by hand so that the float32 decimals appear verbatim as JSON numbers (not re-rounded
    # through a float64 repr) and each array sits on one line.
    def arr(items):
        return "[" + ", ".join(items) + "]"
    out = ["{", f'  "_comment": {json.dumps(expected["_comment"])},',
           f'  "probes": {json.dumps(expected["probes"])},']
    names = list(builds)
    for i, name in enumerate(names):
        e = expected[name]
        out += [f'  "{name}": {{',
                f'    "dtype": "{e["dtype"]}",',
                f'    "shape": {json.dumps(e["shape"])},',
                f'    "raw_bits": {arr(str(b) for b in e["raw_bits"])},',
                f'    "raw_bits_hex": {arr(json.dumps(("0x%08X" if e["dtype"] == "F32" else "0x%04X") % b) for b in e["raw_bits"])},',
                f'    "bits": {arr(str(b) for b in e["bits"])},',
                f'    "bits_hex": {arr(json.dumps("0x%08X" % b) for b in e["bits"])},',
                f'    "values": {arr(e["values"])}',
                "  }" + ("," if i < len(names) - 1 else "")]
    out.append("}")
    with open(os.path.join(OUT_DIR, "dtypes.expected.json"), "w", encoding="utf-8", newline="\n") as f:
        f.write("\n".join(out) + "\n")

    write_safetensors(
        os.path.join(OUT_DIR, "nonfinite.safetensors"),
        [("bad", "F32", [3], np.array([f32_bits(1.0), 0x7FC00000, f32_bits(3.0)], "<u4").tobytes()),
         ("inf16", "F16", [1], np.array([0x7C00], "<u2").tobytes())],
        meta)

    write_safetensors(
        os.path.join(OUT_DIR, "tiny.safetensors"),
        [("w", "F32", [2, 3], np.arange(6, dtype="<f4").tobytes()),
         ("b", "F32", [2], np.array([0.5, -0.5], "<f4").tobytes())],
        meta)

    # ---------------------------------------------------------------- verification by re-reading
    exp = json.load(open(os.path.join(OUT_DIR, "dtypes.expected.json"), encoding="utf-8"))
    got, m = read_safetensors(os.path.join(OUT_DIR, "dtypes.safetensors"))
    assert m == meta and list(got) == ["f32", "f16", "bf16"]
    for name, (tag, shape, raw) in got.items():
        e = exp[name]
        assert tag == e["dtype"] and shape == e["shape"]
        assert widen_raw(tag, raw) == e["bits"], name
        for v, b in zip(e["values"], e["bits"]):
            assert f32_bits(np.float32(v)) == b, (name, v, hex(b))
        fmt = "<u4" if tag == "F32" else "<u2"
        assert np.frombuffer(raw, fmt).tolist() == e["raw_bits"]
        assert [int(h, 16) for h in e["raw_bits_hex"]] == e["raw_bits"]
        assert [int(h, 16) for h in e["bits_hex"]] == e["bits"]

    got, m = read_safetensors(os.path.join(OUT_DIR, "nonfinite.safetensors"))
    bad = np.frombuffer(got["bad"][2], "<f4")
    assert bad[0] == 1 and np.isnan(bad[1]) and bad[2] == 3
    assert np.isposinf(np.frombuffer(got["inf16"][2], "<f2").astype(np.float32)[0])

    got, m = read_safetensors(os.path.join(OUT_DIR, "tiny.safetensors"))
    assert np.frombuffer(got["w"][2], "<f4").tolist() == [0, 1, 2, 3, 4, 5] and got["w"][1] == [2, 3]
    assert np.frombuffer(got["b"][2], "<f4").tolist() == [0.5, -0.5]

    for name in ("f32", "f16", "bf16"):
        print(f"{name:5s}", " ".join(expected[name]["values"]))
    for fn in ("dtypes.safetensors", "dtypes.expected.json", "nonfinite.safetensors", "tiny.safetensors"):
        print(f"  {fn:24s} {os.path.getsize(os.path.join(OUT_DIR, fn)):6d} bytes")


if __name__ == "__main__":
    main()
