#!/usr/bin/python3
"""Writes pytorch_vectors.json: expected outputs computed by PyTorch (torch.nn.functional) that pin
ConvGen.Tests.Reference.NaiveReference (checked by NaiveReferenceVectorTests.cs).

Rerun from anywhere (Debian's python3-torch and python3-numpy are enough; the output is deterministic
for a given torch build):

    /usr/bin/python3 tests/ConvGen.Tests/Vectors/make_vectors.py

Format: {"generator", "torch_version", "seed", "cases": [...]}. Each case has "op", its integer/bool
parameters, "input" (flat, channels first) and "input_shape", "weight"/"weight_shape"/"bias" where
relevant ("bias" is null when absent), "expected" and "expected_shape". Pads are always given per side
(pad_top/pad_left/pad_bottom/pad_right, or pad_left/pad_right in 1-D); "same": true marks pads computed
with the SAME_UPPER rule. Keras-layout cases also carry "keras_weight"/"keras_weight_shape".

Inputs and weights are rounded to 4 decimals before PyTorch sees them, so the JSON holds exactly the
float32 values PyTorch used; expected values are rounded to 8 significant digits.
"""

import json
import math
import os

import numpy as np
import torch
import torch.nn.functional as F

SEED = 20251127
rng = np.random.default_rng(SEED)
torch.manual_seed(SEED)
cases = []


def rand(*shape, scale=1.0, offset=0.0):
    """Random float32 tensor whose values are exactly the float32 nearest their 4-decimal JSON text."""
    a = np.round(rng.uniform(-scale, scale, size=shape) + offset, 4).astype(np.float32)
    return torch.from_numpy(a)


def flat_in(t):
    # Inputs/weights were made from 4-decimal numbers, so 4 decimals give them back exactly (checked:
    # the C# side parses each as double, then rounds to float, as numpy did).
    vals = t.detach().reshape(-1).tolist()
    text = [float(f"{v:.4f}") for v in vals]
    if not np.array_equal(np.array(text, dtype=np.float64).astype(np.float32), np.array(vals, dtype=np.float32)):
        raise ValueError("input does not round-trip through its JSON text")
    return text


def flat_out(t):
    vals = t.detach().reshape(-1).tolist()
    for v in vals:
        if not math.isfinite(v):
            raise ValueError("non-finite expected value; pick other parameters")
    return [float(f"{v:.8g}") for v in vals]


def same_pads(n, k, s, d):
    # TF/Keras SAME (ONNX SAME_UPPER): out = ceil(n/s); odd total pad puts the extra element at the end.
    out = -(-n // s)
    total = max((out - 1) * s + (k - 1) * d + 1 - n, 0)
    return total // 2, total - total // 2


def add(op, params, x, expected, weight=None, bias=None, keras_weight=None):
    case = {"op": op}
    case.update(params)
    case["input"] = flat_in(x)
    case["input_shape"] = list(x.shape)
    if weight is not None:
        case["weight"] = flat_in(weight)
        case["weight_shape"] = list(weight.shape)
        case["bias"] = None if bias is None else flat_in(bias)
    if keras_weight is not None:
        case["keras_weight"] = flat_in(keras_weight)
        case["keras_weight_shape"] = list(keras_weight.shape)
    case["expected"] = flat_out(expected)
    case["expected_shape"] = list(expected.shape)
    cases.append(case)


# ------------------------------------------------------------------ conv2d

def conv2d(c, h, w, oc, kh, kw, s=(1, 1), d=(1, 1), pads=(0, 0, 0, 0), groups=1, has_bias=True, same=False, keras=False):
    """pads = (top, left, bottom, right); asymmetric pads go through F.pad (zeros) before the conv."""
    sh, sw = s
    dh, dw = d
    if same:
        pt, pb = same_pads(h, kh, sh, dh)
        pl, pr = same_pads(w, kw, sw, dw)
    else:
        pt, pl, pb, pr = pads
    x = rand(c, h, w)
    wt = rand(oc, c // groups, kh, kw, scale=0.5)
    b = rand(oc) if has_bias else None
    xb = x.unsqueeze(0)
    if pt == pb and pl == pr:
        y = F.conv2d(xb, wt, b, stride=s, padding=(pt, pl), dilation=d, groups=groups)
    else:
        y = F.conv2d(F.pad(xb, (pl, pr, pt, pb)), wt, b, stride=s, padding=0, dilation=d, groups=groups)
    y = y[0]
    params = dict(c=c, h=h, w=w, oc=oc, kh=kh, kw=kw, sh=sh, sw=sw, dh=dh, dw=dw,
                  pad_top=pt, pad_left=pl, pad_bottom=pb, pad_right=pr, groups=groups,
                  has_bias=has_bias, same=same)
    # Keras kernel layout [kh, kw, in/groups, out] (depthwise [kh, kw, in, mult] is the same memory with in/groups=1).
    kw_keras = wt.permute(2, 3, 1, 0).contiguous() if keras else None
    add("conv2d", params, x, y, wt, b, kw_keras)


# Hand-picked: square/non-square, strides 1-3, dilation 1-3, symmetric pads.
conv2d(1, 5, 5, 1, 3, 3)
conv2d(3, 6, 7, 4, 3, 3, pads=(1, 1, 1, 1))
conv2d(2, 8, 8, 3, 3, 3, s=(2, 2), pads=(1, 1, 1, 1))
conv2d(2, 9, 9, 2, 3, 3, s=(3, 3))
conv2d(2, 7, 9, 3, 2, 4, s=(1, 2))
conv2d(3, 6, 8, 2, 1, 3, pads=(0, 1, 0, 1))
conv2d(2, 5, 8, 2, 3, 1, s=(2, 1), pads=(1, 0, 1, 0))
conv2d(1, 9, 9, 2, 3, 3, d=(2, 2))
conv2d(2, 10, 9, 2, 3, 3, d=(3, 3), pads=(3, 3, 3, 3))
conv2d(2, 9, 11, 2, 2, 3, s=(2, 3), d=(2, 3), pads=(1, 2, 1, 2))
conv2d(3, 5, 5, 4, 1, 1)
conv2d(3, 4, 4, 2, 1, 1, s=(2, 2), has_bias=False)
conv2d(4, 7, 7, 4, 5, 5, pads=(2, 2, 2, 2), has_bias=False)
conv2d(2, 6, 6, 3, 6, 6)  # output 1x1
conv2d(2, 3, 3, 2, 3, 3, s=(3, 3))  # output 1x1 via stride
conv2d(1, 4, 5, 2, 4, 5, has_bias=False)  # output 1x1, non-square
conv2d(2, 1, 1, 3, 1, 1)  # 1x1 input
conv2d(2, 2, 2, 2, 3, 3, pads=(1, 1, 1, 1), s=(2, 2))  # padding-dominated
conv2d(1, 12, 3, 1, 3, 3, s=(3, 1))  # tall input
# Groups, including depthwise (groups == c) with channel multipliers.
conv2d(4, 6, 6, 4, 3, 3, pads=(1, 1, 1, 1), groups=2)
conv2d(4, 6, 6, 6, 3, 3, groups=2, has_bias=False)
conv2d(6, 5, 5, 6, 3, 3, pads=(1, 1, 1, 1), groups=3, s=(2, 2))
conv2d(3, 6, 6, 3, 3, 3, pads=(1, 1, 1, 1), groups=3)  # depthwise
conv2d(3, 7, 7, 6, 3, 3, groups=3, s=(2, 2))  # depthwise, multiplier 2
conv2d(4, 8, 8, 4, 3, 3, groups=4, d=(2, 2), pads=(2, 2, 2, 2), has_bias=False)  # dilated depthwise
conv2d(2, 5, 6, 2, 1, 1, groups=2)  # depthwise 1x1
# Asymmetric pads (F.pad, then conv).
conv2d(2, 6, 6, 2, 3, 3, pads=(0, 0, 1, 1))
conv2d(2, 6, 6, 2, 3, 3, pads=(1, 1, 0, 0))
conv2d(2, 7, 5, 3, 2, 2, pads=(0, 1, 1, 0), s=(2, 2))
conv2d(1, 5, 7, 2, 3, 2, pads=(2, 0, 1, 3), has_bias=False)
conv2d(3, 6, 6, 3, 3, 3, pads=(0, 2, 2, 1), groups=3, d=(2, 1))
# Same padding (SAME_UPPER rule), odd/even sizes, strided, dilated.
conv2d(2, 6, 6, 3, 3, 3, same=True)
conv2d(2, 6, 6, 3, 2, 2, same=True)  # even kernel: extra pad at the end
conv2d(2, 7, 8, 2, 3, 3, s=(2, 2), same=True)
conv2d(2, 8, 8, 2, 4, 4, s=(2, 2), same=True)
conv2d(1, 7, 7, 2, 5, 3, s=(3, 2), same=True)
conv2d(2, 9, 9, 2, 3, 3, d=(2, 2), same=True)
conv2d(3, 6, 5, 3, 3, 3, groups=3, same=True)
conv2d(2, 5, 5, 2, 1, 1, s=(2, 2), same=True)  # zero total pad
conv2d(2, 3, 3, 2, 3, 3, s=(3, 3), same=True)
# Keras layout: weights also given as [kh, kw, in/groups, out].
conv2d(3, 6, 6, 4, 3, 3, same=True, keras=True)
conv2d(2, 7, 6, 3, 2, 3, s=(2, 1), keras=True)
conv2d(3, 5, 5, 6, 3, 3, groups=3, same=True, keras=True)  # Keras DepthwiseConv2D, multiplier 2
conv2d(4, 6, 6, 4, 3, 3, groups=2, keras=True, has_bias=False)

# Random configurations for breadth.
n_conv2d_random = 0
while n_conv2d_random < 30:
    groups = int(rng.choice([1, 1, 1, 2, 3]))
    c = groups * int(rng.integers(1, 3))
    oc = groups * int(rng.integers(1, 3))
    kh, kw = int(rng.integers(1, 5)), int(rng.integers(1, 5))
    sh, sw = int(rng.integers(1, 4)), int(rng.integers(1, 4))
    dh, dw = int(rng.integers(1, 4)), int(rng.integers(1, 4))
    h, w = int(rng.integers(1, 11)), int(rng.integers(1, 11))
    pads = tuple(int(p) for p in rng.integers(0, 3, size=4))
    if rng.random() < 0.4:
        pads = (pads[0], pads[1], pads[0], pads[1])
    if h + pads[0] + pads[2] < dh * (kh - 1) + 1 or w + pads[1] + pads[3] < dw * (kw - 1) + 1:
        continue
    conv2d(c, h, w, oc, kh, kw, s=(sh, sw), d=(dh, dw), pads=pads, groups=groups, has_bias=bool(rng.random() < 0.7))
    n_conv2d_random += 1


# ------------------------------------------------------------------ conv1d

def conv1d(c, l, oc, k, s=1, d=1, pads=(0, 0), groups=1, has_bias=True, same=False, keras=False):
    pl, pr = same_pads(l, k, s, d) if same else pads
    x = rand(c, l)
    wt = rand(oc, c // groups, k, scale=0.5)
    b = rand(oc) if has_bias else None
    xb = x.unsqueeze(0)
    if pl == pr:
        y = F.conv1d(xb, wt, b, stride=s, padding=pl, dilation=d, groups=groups)
    else:
        y = F.conv1d(F.pad(xb, (pl, pr)), wt, b, stride=s, dilation=d, groups=groups)
    params = dict(c=c, l=l, oc=oc, k=k, s=s, d=d, pad_left=pl, pad_right=pr, groups=groups,
                  has_bias=has_bias, same=same)
    add("conv1d", params, x, y[0], wt, b, wt.permute(2, 1, 0).contiguous() if keras else None)


conv1d(1, 8, 1, 3)
conv1d(3, 10, 4, 3, pads=(1, 1))
conv1d(2, 12, 3, 5, s=2, pads=(2, 2))
conv1d(2, 13, 2, 3, s=3)
conv1d(2, 12, 2, 3, d=2)
conv1d(2, 15, 3, 3, d=3, pads=(3, 3), has_bias=False)
conv1d(2, 16, 2, 4, s=2, d=3, pads=(1, 1))
conv1d(3, 7, 2, 1)
conv1d(2, 6, 3, 6)  # output length 1
conv1d(2, 3, 2, 3, s=3, has_bias=False)  # output length 1
conv1d(1, 1, 2, 1)  # length-1 input
conv1d(4, 9, 4, 3, groups=2, pads=(1, 1))
conv1d(4, 9, 4, 3, groups=4)  # depthwise
conv1d(3, 10, 6, 3, groups=3, s=2, has_bias=False)  # depthwise, multiplier 2
conv1d(6, 8, 3, 2, groups=3, d=2)
conv1d(2, 9, 2, 3, pads=(0, 2))
conv1d(2, 9, 2, 3, pads=(2, 0))
conv1d(2, 8, 3, 4, s=2, pads=(1, 2), has_bias=False)
conv1d(3, 11, 3, 3, groups=3, d=2, pads=(3, 1))
conv1d(2, 10, 2, 3, same=True)
conv1d(2, 10, 2, 4, same=True)
conv1d(2, 11, 2, 3, s=2, same=True)
conv1d(2, 12, 2, 5, s=3, same=True)
conv1d(2, 9, 2, 3, d=3, same=True)
conv1d(3, 7, 3, 3, groups=3, s=2, same=True)
conv1d(3, 10, 4, 3, same=True, keras=True)
conv1d(2, 9, 3, 2, s=2, keras=True)
conv1d(2, 8, 4, 3, groups=2, same=True, keras=True, has_bias=False)

n_conv1d_random = 0
while n_conv1d_random < 16:
    groups = int(rng.choice([1, 1, 2, 3]))
    c = groups * int(rng.integers(1, 3))
    oc = groups * int(rng.integers(1, 3))
    k, s, d = int(rng.integers(1, 6)), int(rng.integers(1, 4)), int(rng.integers(1, 4))
    l = int(rng.integers(1, 17))
    pads = (int(rng.integers(0, 3)), int(rng.integers(0, 3)))
    if l + pads[0] + pads[1] < d * (k - 1) + 1:
        continue
    conv1d(c, l, oc, k, s=s, d=d, pads=pads, groups=groups, has_bias=bool(rng.random() < 0.7))
    n_conv1d_random += 1


# ------------------------------------------------------------------ max pooling

def max_pool2d(c, h, w, kh, kw, s=None, d=(1, 1), pads=(0, 0, 0, 0), ceil_mode=False, same=False):
    s = s or (kh, kw)
    if same:
        pt, pb = same_pads(h, kh, s[0], d[0])
        pl, pr = same_pads(w, kw, s[1], d[1])
    else:
        pt, pl, pb, pr = pads
    x = rand(c, h, w)
    xb = x.unsqueeze(0)
    if pt == pb and pl == pr:
        y = F.max_pool2d(xb, (kh, kw), s, (pt, pl), d, ceil_mode=ceil_mode)
    else:
        assert not ceil_mode
        # -inf padding: a padded position never wins.
        y = F.max_pool2d(F.pad(xb, (pl, pr, pt, pb), value=float("-inf")), (kh, kw), s, 0, d)
    add("max_pool2d", dict(c=c, h=h, w=w, kh=kh, kw=kw, sh=s[0], sw=s[1], dh=d[0], dw=d[1],
                           pad_top=pt, pad_left=pl, pad_bottom=pb, pad_right=pr, ceil_mode=ceil_mode, same=same),
        x, y[0])


max_pool2d(2, 6, 6, 2, 2)
max_pool2d(2, 7, 7, 2, 2)  # floor drops the last row/column
max_pool2d(2, 7, 7, 2, 2, ceil_mode=True)  # ceil keeps a partial window
max_pool2d(2, 7, 8, 3, 3, s=(2, 2), pads=(1, 1, 1, 1))
max_pool2d(1, 5, 5, 2, 2, s=(2, 2), pads=(1, 1, 1, 1), ceil_mode=True)  # last window would start in end padding: dropped
max_pool2d(2, 6, 6, 3, 3, s=(2, 2), pads=(1, 1, 1, 1), ceil_mode=True)
max_pool2d(2, 8, 8, 3, 3, s=(3, 3), ceil_mode=True)
max_pool2d(2, 9, 9, 3, 3, s=(1, 1), d=(2, 2))
max_pool2d(2, 10, 9, 2, 3, s=(2, 1), d=(3, 2), pads=(1, 1, 1, 1))
max_pool2d(1, 9, 9, 3, 3, s=(2, 2), d=(2, 2), pads=(1, 1, 1, 1), ceil_mode=True)
max_pool2d(2, 6, 7, 2, 3, s=(1, 2))
max_pool2d(3, 4, 4, 4, 4)  # 1x1 output
max_pool2d(2, 3, 3, 3, 3, s=(1, 1), pads=(1, 1, 1, 1))
max_pool2d(1, 1, 1, 1, 1)
# Keras-style SAME (asymmetric -inf padding).
max_pool2d(2, 7, 7, 2, 2, same=True)
max_pool2d(2, 7, 8, 3, 3, s=(2, 2), same=True)
max_pool2d(2, 6, 6, 3, 3, s=(1, 1), same=True)
max_pool2d(1, 5, 6, 2, 3, s=(2, 3), same=True)
max_pool2d(2, 6, 6, 2, 2, pads=(0, 0, 1, 1))
max_pool2d(2, 6, 7, 3, 2, s=(2, 2), pads=(1, 0, 0, 1))

n_mp2_random = 0
while n_mp2_random < 8:
    kh, kw = int(rng.integers(1, 5)), int(rng.integers(1, 5))
    s = (int(rng.integers(1, 4)), int(rng.integers(1, 4)))
    d = (int(rng.integers(1, 3)), int(rng.integers(1, 3)))
    h, w = int(rng.integers(2, 11)), int(rng.integers(2, 11))
    ph, pw = int(rng.integers(0, kh // 2 + 1)), int(rng.integers(0, kw // 2 + 1))  # PyTorch: pad <= k/2
    if h + 2 * ph < d[0] * (kh - 1) + 1 or w + 2 * pw < d[1] * (kw - 1) + 1:
        continue
    try:
        max_pool2d(2, h, w, kh, kw, s=s, d=d, pads=(ph, pw, ph, pw), ceil_mode=bool(rng.random() < 0.5))
    except ValueError:
        continue  # a window made only of padding (-inf) cannot be written as JSON
    n_mp2_random += 1


def max_pool1d(c, l, k, s=None, d=1, pads=(0, 0), ceil_mode=False, same=False):
    s = s or k
    pl, pr = same_pads(l, k, s, d) if same else pads
    x = rand(c, l)
    xb = x.unsqueeze(0)
    if pl == pr:
        y = F.max_pool1d(xb, k, s, pl, d, ceil_mode=ceil_mode)
    else:
        assert not ceil_mode
        y = F.max_pool1d(F.pad(xb, (pl, pr), value=float("-inf")), k, s, 0, d)
    add("max_pool1d", dict(c=c, l=l, k=k, s=s, d=d, pad_left=pl, pad_right=pr, ceil_mode=ceil_mode, same=same), x, y[0])


max_pool1d(2, 8, 2)
max_pool1d(2, 9, 2)
max_pool1d(2, 9, 2, ceil_mode=True)
max_pool1d(2, 5, 2, s=2, pads=(1, 1), ceil_mode=True)  # ceil window dropped
max_pool1d(2, 10, 3, s=2, pads=(1, 1))
max_pool1d(2, 10, 3, s=2, pads=(1, 1), ceil_mode=True)
max_pool1d(2, 12, 3, s=1, d=2)
max_pool1d(2, 13, 3, s=2, d=3, pads=(1, 1), ceil_mode=True)
max_pool1d(3, 4, 4)  # length-1 output
max_pool1d(2, 9, 2, same=True)
max_pool1d(2, 10, 3, s=2, same=True)
max_pool1d(2, 8, 3, s=1, same=True)
max_pool1d(2, 7, 2, pads=(0, 1))


# ------------------------------------------------------------------ average pooling

def avg_pool2d(c, h, w, kh, kw, s=None, pads=(0, 0, 0, 0), ceil_mode=False, count_include_pad=True, same=False):
    s = s or (kh, kw)
    if same:
        pt, pb = same_pads(h, kh, s[0], 1)
        pl, pr = same_pads(w, kw, s[1], 1)
    else:
        pt, pl, pb, pr = pads
    x = rand(c, h, w)
    xb = x.unsqueeze(0)
    if pt == pb and pl == pr:
        y = F.avg_pool2d(xb, (kh, kw), s, (pt, pl), ceil_mode=ceil_mode, count_include_pad=count_include_pad)
    else:
        assert not ceil_mode
        p = (pl, pr, pt, pb)
        zero_padded_avg = F.avg_pool2d(F.pad(xb, p), (kh, kw), s)
        if count_include_pad:
            y = zero_padded_avg
        else:
            # Keras-style: divide by how many real inputs the window covers (pooled ones mask).
            count_avg = F.avg_pool2d(F.pad(torch.ones_like(xb), p), (kh, kw), s)
            y = zero_padded_avg / count_avg
    add("avg_pool2d", dict(c=c, h=h, w=w, kh=kh, kw=kw, sh=s[0], sw=s[1],
                           pad_top=pt, pad_left=pl, pad_bottom=pb, pad_right=pr,
                           ceil_mode=ceil_mode, count_include_pad=count_include_pad, same=same), x, y[0])


avg_pool2d(2, 6, 6, 2, 2)
avg_pool2d(2, 7, 7, 2, 2)
avg_pool2d(2, 7, 7, 2, 2, ceil_mode=True, count_include_pad=True)
avg_pool2d(2, 7, 7, 2, 2, ceil_mode=True, count_include_pad=False)
avg_pool2d(2, 6, 6, 3, 3, s=(1, 1), pads=(1, 1, 1, 1), count_include_pad=True)
avg_pool2d(2, 6, 6, 3, 3, s=(1, 1), pads=(1, 1, 1, 1), count_include_pad=False)
avg_pool2d(2, 6, 6, 3, 3, s=(2, 2), pads=(1, 1, 1, 1), ceil_mode=True, count_include_pad=True)  # clipped divisor
avg_pool2d(2, 6, 6, 3, 3, s=(2, 2), pads=(1, 1, 1, 1), ceil_mode=True, count_include_pad=False)
avg_pool2d(1, 5, 5, 2, 2, s=(2, 2), pads=(1, 1, 1, 1), ceil_mode=True)  # ceil window dropped
avg_pool2d(2, 8, 7, 3, 2, s=(3, 2), pads=(1, 1, 1, 1), ceil_mode=True, count_include_pad=False)
avg_pool2d(2, 9, 9, 4, 4, s=(3, 3), pads=(2, 2, 2, 2), ceil_mode=True, count_include_pad=True)
avg_pool2d(2, 9, 9, 4, 4, s=(3, 3), pads=(2, 2, 2, 2), ceil_mode=True, count_include_pad=False)
avg_pool2d(2, 7, 8, 2, 3, s=(1, 2))
avg_pool2d(3, 4, 4, 4, 4)  # 1x1 output
avg_pool2d(2, 2, 2, 3, 3, s=(1, 1), pads=(1, 1, 1, 1), count_include_pad=False)
avg_pool2d(1, 1, 1, 1, 1)
# Keras-style SAME, asymmetric: exclude pad (Keras' rule) and include pad.
avg_pool2d(2, 7, 7, 2, 2, same=True, count_include_pad=False)
avg_pool2d(2, 7, 8, 3, 3, s=(2, 2), same=True, count_include_pad=False)
avg_pool2d(2, 6, 6, 3, 3, s=(1, 1), same=True, count_include_pad=False)
avg_pool2d(2, 6, 6, 3, 3, s=(1, 1), same=True, count_include_pad=True)
avg_pool2d(1, 5, 6, 2, 3, s=(2, 3), same=True, count_include_pad=False)
avg_pool2d(2, 6, 6, 2, 2, pads=(0, 0, 1, 1), count_include_pad=True)
avg_pool2d(2, 6, 7, 3, 2, s=(2, 2), pads=(1, 0, 0, 1), count_include_pad=False)

n_ap2_random = 0
while n_ap2_random < 8:
    kh, kw = int(rng.integers(1, 5)), int(rng.integers(1, 5))
    s = (int(rng.integers(1, 4)), int(rng.integers(1, 4)))
    h, w = int(rng.integers(2, 11)), int(rng.integers(2, 11))
    ph, pw = int(rng.integers(0, kh // 2 + 1)), int(rng.integers(0, kw // 2 + 1))
    if h + 2 * ph < kh or w + 2 * pw < kw:
        continue
    avg_pool2d(2, h, w, kh, kw, s=s, pads=(ph, pw, ph, pw), ceil_mode=bool(rng.random() < 0.5),
               count_include_pad=bool(rng.random() < 0.5))
    n_ap2_random += 1


def avg_pool1d(c, l, k, s=None, pads=(0, 0), ceil_mode=False, count_include_pad=True, same=False):
    s = s or k
    pl, pr = same_pads(l, k, s, 1) if same else pads
    x = rand(c, l)
    xb = x.unsqueeze(0)
    if pl == pr:
        y = F.avg_pool1d(xb, k, s, pl, ceil_mode=ceil_mode, count_include_pad=count_include_pad)
    else:
        assert not ceil_mode
        zero_padded_avg = F.avg_pool1d(F.pad(xb, (pl, pr)), k, s)
        if count_include_pad:
            y = zero_padded_avg
        else:
            y = zero_padded_avg / F.avg_pool1d(F.pad(torch.ones_like(xb), (pl, pr)), k, s)
    add("avg_pool1d", dict(c=c, l=l, k=k, s=s, pad_left=pl, pad_right=pr, ceil_mode=ceil_mode,
                           count_include_pad=count_include_pad, same=same), x, y[0])


avg_pool1d(2, 8, 2)
avg_pool1d(2, 9, 2, ceil_mode=True)
avg_pool1d(2, 6, 3, s=2, pads=(1, 1), ceil_mode=True, count_include_pad=True)  # last divisor 2, not 3
avg_pool1d(2, 6, 3, s=2, pads=(1, 1), ceil_mode=True, count_include_pad=False)
avg_pool1d(2, 5, 2, s=2, pads=(1, 1), ceil_mode=True)  # ceil window dropped
avg_pool1d(2, 10, 3, s=1, pads=(1, 1), count_include_pad=True)
avg_pool1d(2, 10, 3, s=1, pads=(1, 1), count_include_pad=False)
avg_pool1d(2, 11, 4, s=3, pads=(2, 2), ceil_mode=True, count_include_pad=False)
avg_pool1d(3, 4, 4)
avg_pool1d(2, 9, 2, same=True, count_include_pad=False)
avg_pool1d(2, 10, 3, s=2, same=True, count_include_pad=False)
avg_pool1d(2, 8, 3, s=1, same=True, count_include_pad=False)
avg_pool1d(2, 8, 3, s=1, same=True, count_include_pad=True)
avg_pool1d(2, 7, 2, pads=(0, 1), count_include_pad=True)


# ------------------------------------------------------------------ dense

def linear(inputs, units, has_bias=True, keras=False):
    x = rand(inputs)
    wt = rand(units, inputs, scale=0.5)
    b = rand(units) if has_bias else None
    y = F.linear(x, wt, b)
    add("linear", dict(inputs=inputs, units=units, has_bias=has_bias), x, y, wt, b,
        wt.t().contiguous() if keras else None)


linear(1, 1)
linear(8, 4)
linear(16, 10)
linear(5, 3, has_bias=False)
linear(12, 1)
linear(7, 5, keras=True)
linear(10, 3, has_bias=False, keras=True)
linear(32, 6, keras=True)


# ------------------------------------------------------------------ global pools

def global_pool(kind, shape):
    x = rand(*shape)
    xb = x.unsqueeze(0)
    if kind == "global_avg_pool":
        y = F.adaptive_avg_pool2d(xb, 1) if len(shape) == 3 else F.adaptive_avg_pool1d(xb, 1)
    else:
        y = F.adaptive_max_pool2d(xb, 1) if len(shape) == 3 else F.adaptive_max_pool1d(xb, 1)
    y = y.reshape(shape[0])
    add(kind, dict(c=shape[0], spatial=int(np.prod(shape[1:]))), x, y)


for kind in ("global_avg_pool", "global_max_pool"):
    for shape in ((3, 4, 5), (1, 1, 1), (4, 7, 3), (2, 9), (5, 1)):
        global_pool(kind, shape)


# ------------------------------------------------------------------ softmax

def softmax(shape, scale=3.0, offset=0.0):
    x = rand(*shape, scale=scale, offset=offset)
    if len(shape) == 1:
        y = F.softmax(x, dim=0)
        add("softmax", dict(c=shape[0], spatial=1), x, y)
    else:
        y = F.softmax(x.unsqueeze(0), dim=1)[0]
        add("softmax", dict(c=shape[0], spatial=int(np.prod(shape[1:]))), x, y)


softmax((10,))
softmax((1,))
softmax((4, 3, 5))
softmax((3, 2, 2))
softmax((5, 7))
# Logits whose exp overflows (or underflows to 0) even in double: only a max-subtracting softmax survives.
softmax((6,), offset=900.0)
softmax((3, 2, 3), offset=-900.0)
softmax((8,), scale=1000.0)


# ------------------------------------------------------------------ activations

def activation(kind, fn, alpha=0.0):
    pts = [-8.0, -6.0, -3.5, -3.0, -2.9999, -1.0, -0.5, -0.001, 0.0, 0.001, 0.5, 1.0, 2.9999, 3.0, 3.5, 6.0, 6.0001, 8.0, 20.0, -20.0]
    x = torch.cat([torch.tensor(pts, dtype=torch.float32), rand(3, 4, scale=7.0).reshape(-1)])
    add("activation", dict(kind=kind, alpha=alpha), x, fn(x))


activation("None", lambda t: t.clone())
activation("ReLU", F.relu)
activation("ReLU6", F.relu6)
activation("LeakyReLU", lambda t: F.leaky_relu(t, 0.01), 0.01)
activation("LeakyReLU", lambda t: F.leaky_relu(t, 0.2), 0.2)
activation("Sigmoid", torch.sigmoid)
activation("Tanh", torch.tanh)
activation("HardSwish", F.hardswish)
activation("ELU", lambda t: F.elu(t, 1.0), 1.0)
activation("ELU", lambda t: F.elu(t, 0.5), 0.5)


# ------------------------------------------------------------------ write

out_path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "pytorch_vectors.json")
doc = {
    "generator": "tests/ConvGen.Tests/Vectors/make_vectors.py",
    "torch_version": torch.__version__,
    "seed": SEED,
    "cases": cases,
}
with open(out_path, "w") as f:
    # One case per line keeps diffs readable.
    f.write('{"generator":%s,"torch_version":%s,"seed":%d,"cases":[\n' % (
        json.dumps(doc["generator"]), json.dumps(doc["torch_version"]), SEED))
    f.write(",\n".join(json.dumps(c, separators=(",", ":")) for c in cases))
    f.write("\n]}\n")

counts = {}
for c in cases:
    counts[c["op"]] = counts.get(c["op"], 0) + 1
print(f"wrote {len(cases)} cases, {os.path.getsize(out_path)} bytes to {out_path}")
for op, n in counts.items():
    print(f"  {op}: {n}")
