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


# ------------------------------------------------------------------ beyond sequential (issue 5)
# Drawn after every case above, so the older cases keep their exact values.

def conv_transpose2d(c, h, w, oc, kh, kw, s=(1, 1), d=(1, 1), pads=(0, 0, 0, 0), out_pad=(0, 0), groups=1,
                     has_bias=True, keras=False):
    """pads = (top, left, bottom, right). PyTorch pads symmetrically only, so asymmetric pads are
    computed with padding 0 and the output cropped (padding only removes output rows/columns)."""
    sh, sw = s
    dh, dw = d
    pt, pl, pb, pr = pads
    x = rand(c, h, w)
    wt = rand(c, oc // groups, kh, kw, scale=0.5)
    b = rand(oc) if has_bias else None
    xb = x.unsqueeze(0)
    if pt == pb and pl == pr:
        y = F.conv_transpose2d(xb, wt, b, stride=s, padding=(pt, pl), output_padding=out_pad, groups=groups, dilation=d)[0]
    else:
        full = F.conv_transpose2d(xb, wt, b, stride=s, padding=0, output_padding=out_pad, groups=groups, dilation=d)[0]
        y = full[:, pt:full.shape[1] - pb, pl:full.shape[2] - pr]
    assert y.shape[1] == (h - 1) * sh - pt - pb + dh * (kh - 1) + out_pad[0] + 1
    assert y.shape[2] == (w - 1) * sw - pl - pr + dw * (kw - 1) + out_pad[1] + 1
    params = dict(c=c, h=h, w=w, oc=oc, kh=kh, kw=kw, sh=sh, sw=sw, dh=dh, dw=dw,
                  pad_top=pt, pad_left=pl, pad_bottom=pb, pad_right=pr, out_pad_h=out_pad[0], out_pad_w=out_pad[1],
                  groups=groups, has_bias=has_bias)
    # Keras Conv2DTranspose kernel layout [kh, kw, out, in] (groups 1).
    kw_keras = wt.permute(2, 3, 1, 0).contiguous() if keras else None
    add("conv_transpose2d", params, x, y, wt, b, kw_keras)


conv_transpose2d(1, 3, 3, 1, 3, 3)
conv_transpose2d(2, 3, 4, 3, 3, 3, s=(2, 2))
conv_transpose2d(2, 4, 4, 2, 2, 2, s=(2, 2))  # the classic 2x upsampler: no overlap
conv_transpose2d(3, 3, 3, 2, 3, 3, s=(3, 3), has_bias=False)
conv_transpose2d(2, 3, 4, 2, 3, 2, s=(1, 2))
conv_transpose2d(2, 4, 3, 3, 2, 3, s=(3, 1))
conv_transpose2d(2, 4, 4, 2, 3, 3, pads=(1, 1, 1, 1))
conv_transpose2d(2, 4, 5, 2, 5, 5, s=(2, 2), pads=(2, 2, 2, 2))
conv_transpose2d(2, 3, 3, 3, 4, 4, s=(2, 2), pads=(1, 1, 1, 1))  # DCGAN-style k4 s2 p1: exactly 2x
conv_transpose2d(2, 4, 4, 2, 3, 3, s=(2, 2), pads=(1, 1, 1, 1), out_pad=(1, 1))  # k3 s2 p1 op1: exactly 2x
conv_transpose2d(2, 3, 4, 2, 3, 3, s=(3, 2), pads=(1, 0, 1, 0), out_pad=(2, 1))
conv_transpose2d(1, 3, 3, 2, 3, 3, s=(2, 3), out_pad=(1, 0), has_bias=False)  # padding 0 + output padding
conv_transpose2d(2, 3, 3, 2, 3, 3, d=(2, 2))
conv_transpose2d(2, 3, 4, 2, 2, 3, d=(3, 2), pads=(1, 2, 1, 2))
conv_transpose2d(2, 3, 3, 2, 3, 3, d=(2, 3), out_pad=(1, 2))  # output padding < dilation, stride 1
conv_transpose2d(2, 4, 4, 2, 3, 3, s=(2, 2), d=(2, 2), pads=(1, 1, 1, 1), out_pad=(1, 1))
conv_transpose2d(4, 3, 3, 4, 3, 3, s=(2, 2), groups=2)
conv_transpose2d(4, 3, 3, 6, 3, 3, groups=2, pads=(1, 1, 1, 1), has_bias=False)
conv_transpose2d(6, 3, 4, 3, 2, 2, s=(2, 2), groups=3)  # in 2 per group, out 1 per group
conv_transpose2d(3, 4, 4, 3, 3, 3, s=(2, 2), pads=(1, 1, 1, 1), out_pad=(1, 1), groups=3)  # depthwise-like
conv_transpose2d(3, 3, 3, 6, 3, 3, groups=3)  # depthwise-like, multiplier 2
conv_transpose2d(2, 1, 1, 3, 3, 3)  # 1x1 input: output is the kernel (times x) plus bias
conv_transpose2d(2, 1, 1, 2, 2, 3, s=(2, 2), out_pad=(1, 1))  # 1x1 input, output padding only bias
conv_transpose2d(3, 2, 3, 2, 1, 1)  # 1x1 kernel
conv_transpose2d(2, 3, 3, 2, 1, 1, s=(2, 2))  # 1x1 kernel, stride 2: gaps hold the bias
# Asymmetric pads (crop of the padding-0 output), as Keras SAME gives them.
conv_transpose2d(2, 3, 3, 2, 3, 3, s=(2, 2), pads=(0, 0, 1, 1))
conv_transpose2d(2, 3, 4, 2, 4, 4, s=(2, 2), pads=(1, 1, 1, 1))  # Keras SAME k4 s2 = symmetric
conv_transpose2d(2, 4, 3, 2, 4, 3, s=(3, 2), pads=(0, 0, 1, 1))
conv_transpose2d(2, 3, 3, 3, 3, 3, pads=(2, 0, 0, 1), has_bias=False)
conv_transpose2d(2, 3, 3, 2, 5, 4, s=(2, 3), d=(1, 2), pads=(1, 2, 2, 3), out_pad=(1, 0))
# Keras layout: weights also given as [kh, kw, out, in].
conv_transpose2d(3, 3, 3, 2, 3, 3, s=(2, 2), pads=(0, 0, 1, 1), keras=True)
conv_transpose2d(2, 3, 4, 4, 2, 3, s=(2, 1), keras=True)

n_convt_random = 0
while n_convt_random < 16:
    groups = int(rng.choice([1, 1, 2, 3]))
    c = groups * int(rng.integers(1, 3))
    oc = groups * int(rng.integers(1, 3))
    kh, kw = int(rng.integers(1, 5)), int(rng.integers(1, 5))
    sh, sw = int(rng.integers(1, 4)), int(rng.integers(1, 4))
    dh, dw = int(rng.integers(1, 4)), int(rng.integers(1, 4))
    h, w = int(rng.integers(1, 6)), int(rng.integers(1, 6))
    pads = tuple(int(p) for p in rng.integers(0, 3, size=4))
    if rng.random() < 0.4:
        pads = (pads[0], pads[1], pads[0], pads[1])
    oph = int(rng.integers(0, max(sh, dh)))
    opw = int(rng.integers(0, max(sw, dw)))
    oh = (h - 1) * sh - pads[0] - pads[2] + dh * (kh - 1) + oph + 1
    ow = (w - 1) * sw - pads[1] - pads[3] + dw * (kw - 1) + opw + 1
    if oh < 1 or ow < 1:
        continue
    conv_transpose2d(c, h, w, oc, kh, kw, s=(sh, sw), d=(dh, dw), pads=pads, out_pad=(oph, opw), groups=groups,
                     has_bias=bool(rng.random() < 0.7))
    n_convt_random += 1


MODES = {"Zeros": "constant", "Reflect": "reflect", "Replicate": "replicate", "Circular": "circular"}


def pad2d(c, h, w, pads, mode):
    """F.pad(x, (left, right, top, bottom), mode): NaiveReference.Pad2D alone (mode Zeros = ZeroPad2d)."""
    pt, pl, pb, pr = pads
    x = rand(c, h, w)
    if mode == "Zeros":
        y = torch.nn.ZeroPad2d((pl, pr, pt, pb))(x.unsqueeze(0))[0]
    else:
        y = F.pad(x.unsqueeze(0), (pl, pr, pt, pb), mode=MODES[mode])[0]
    add("pad2d", dict(c=c, h=h, w=w, pad_top=pt, pad_left=pl, pad_bottom=pb, pad_right=pr, mode=mode), x, y)


for mode in ("Zeros", "Reflect", "Replicate", "Circular"):
    pad2d(2, 4, 5, (1, 1, 1, 1), mode)
    pad2d(2, 4, 5, (0, 2, 3, 1), mode)  # asymmetric
pad2d(1, 3, 4, (2, 3, 2, 3), "Reflect")  # pads = input - 1
pad2d(1, 3, 4, (3, 4, 3, 4), "Circular")  # pads = input size
pad2d(2, 3, 3, (3, 0, 1, 3), "Circular")
pad2d(1, 1, 1, (2, 3, 1, 4), "Replicate")  # 1x1 input
pad2d(1, 1, 4, (0, 3, 0, 2), "Reflect")  # 1-D (h = 1)
pad2d(1, 1, 1, (0, 1, 2, 0), "Zeros")
pad2d(2, 3, 3, (2, 0, 0, 0), "Zeros")


def pad_conv2d(c, h, w, oc, kh, kw, pads, mode, s=(1, 1), d=(1, 1), groups=1, has_bias=True, same=False):
    """Conv2d with padding_mode: NaiveReference.Pad2D(mode) then Conv2D with zero pads."""
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
    if pt == pb and pl == pr and (pt or pl):
        conv = torch.nn.Conv2d(c, oc, (kh, kw), stride=s, padding=(pt, pl), dilation=d, groups=groups,
                               bias=has_bias, padding_mode=MODES[mode] if mode != "Zeros" else "zeros")
        with torch.no_grad():
            conv.weight.copy_(wt)
            if has_bias:
                conv.bias.copy_(b)
            y = conv(xb)[0]
    else:
        y = F.conv2d(F.pad(xb, (pl, pr, pt, pb), mode=MODES[mode]), wt, b, stride=s, dilation=d, groups=groups)[0]
    add("pad_conv2d", dict(c=c, h=h, w=w, oc=oc, kh=kh, kw=kw, sh=sh, sw=sw, dh=dh, dw=dw,
                           pad_top=pt, pad_left=pl, pad_bottom=pb, pad_right=pr, mode=mode, groups=groups,
                           has_bias=has_bias, same=same), x, y, wt, b)


for mode in ("Reflect", "Replicate", "Circular"):
    pad_conv2d(2, 5, 6, 3, 3, 3, (1, 1, 1, 1), mode)
    pad_conv2d(2, 6, 5, 2, 5, 3, (2, 1, 2, 1), mode, s=(2, 1))
    pad_conv2d(2, 5, 5, 2, 3, 3, (0, 1, 2, 0), mode)  # asymmetric (F.pad)
    pad_conv2d(2, 7, 6, 2, 3, 3, None, mode, s=(2, 2), same=True)  # Keras SAME pads (asymmetric)
    pad_conv2d(3, 5, 5, 3, 3, 3, (2, 2, 2, 2), mode, d=(2, 2), groups=3)  # dilated depthwise
pad_conv2d(1, 3, 4, 2, 3, 3, (2, 3, 2, 3), "Reflect")  # pads = input - 1
pad_conv2d(1, 3, 4, 2, 3, 3, (3, 4, 3, 4), "Circular")  # pads = input size
pad_conv2d(2, 2, 3, 2, 2, 2, (2, 3, 1, 0), "Circular", s=(2, 2))
pad_conv2d(1, 1, 1, 2, 3, 3, (1, 1, 1, 1), "Replicate")  # 1x1 input
pad_conv2d(2, 1, 5, 2, 1, 3, (0, 2, 0, 2), "Reflect")  # 1-D as h = 1
pad_conv2d(4, 5, 5, 4, 3, 3, (1, 1, 1, 1), "Reflect", groups=2, has_bias=False)
pad_conv2d(2, 6, 6, 4, 4, 4, (1, 1, 2, 2), "Replicate", s=(2, 2))
pad_conv2d(2, 5, 5, 2, 3, 3, (1, 1, 1, 1), "Zeros")


def pad_conv1d(c, l, oc, k, pads, mode, s=1, d=1, groups=1, has_bias=True, same=False):
    """Conv1d with padding_mode: NaiveReference.Pad2D(mode) with h = 1, then Conv1D with zero pads."""
    pl, pr = same_pads(l, k, s, d) if same else pads
    x = rand(c, l)
    wt = rand(oc, c // groups, k, scale=0.5)
    b = rand(oc) if has_bias else None
    xb = x.unsqueeze(0)
    if pl == pr and pl:
        conv = torch.nn.Conv1d(c, oc, k, stride=s, padding=pl, dilation=d, groups=groups, bias=has_bias,
                               padding_mode=MODES[mode] if mode != "Zeros" else "zeros")
        with torch.no_grad():
            conv.weight.copy_(wt)
            if has_bias:
                conv.bias.copy_(b)
            y = conv(xb)[0]
    else:
        y = F.conv1d(F.pad(xb, (pl, pr), mode=MODES[mode]), wt, b, stride=s, dilation=d, groups=groups)[0]
    add("pad_conv1d", dict(c=c, l=l, oc=oc, k=k, s=s, d=d, pad_left=pl, pad_right=pr, mode=mode, groups=groups,
                           has_bias=has_bias, same=same), x, y, wt, b)


for mode in ("Reflect", "Replicate", "Circular"):
    pad_conv1d(2, 8, 3, 3, (1, 1), mode)
    pad_conv1d(2, 9, 2, 5, (2, 2), mode, s=2)
    pad_conv1d(2, 7, 2, 3, (0, 2), mode)  # asymmetric
    pad_conv1d(2, 10, 2, 4, None, mode, same=True)  # even kernel: the extra pad at the end
    pad_conv1d(3, 8, 3, 3, (2, 2), mode, d=2, groups=3, has_bias=False)
pad_conv1d(1, 4, 2, 3, (3, 3), "Reflect")  # pads = input - 1
pad_conv1d(1, 4, 2, 3, (4, 4), "Circular")  # pads = input size
pad_conv1d(1, 3, 1, 2, (3, 1), "Circular")
pad_conv1d(1, 1, 2, 3, (1, 1), "Replicate")  # length-1 input


def channel_shuffle(c, spatial_shape, groups):
    x = rand(c, *spatial_shape)
    y = torch.nn.ChannelShuffle(groups)(x.unsqueeze(0))[0]
    # The definition: view as [groups, c/groups, ...], swap the two channel axes, flatten back.
    by_definition = x.reshape(groups, c // groups, *spatial_shape).transpose(0, 1).reshape(x.shape)
    assert torch.equal(y, by_definition)
    add("channel_shuffle", dict(c=c, spatial=int(np.prod(spatial_shape)), groups=groups), x, y)


channel_shuffle(6, (2, 3), 2)
channel_shuffle(6, (2, 2), 3)
channel_shuffle(12, (1, 2), 4)
channel_shuffle(8, (3, 1), 2)
channel_shuffle(4, (2, 2), 4)  # groups = channels: identity... of a transpose of a [4, 1] grid
channel_shuffle(4, (3,), 1)  # one group: identity
channel_shuffle(10, (1, 1), 5)


def add_tensors(*shape, n=2):
    xs = [rand(*shape) for _ in range(n)]
    y = xs[0].clone()
    for t in xs[1:]:
        y = torch.add(y, t)
    case_inputs = [flat_in(t) for t in xs[1:]]
    add("add", dict(n=n), xs[0], y)
    cases[-1]["others"] = case_inputs


def concat_tensors(shapes):
    xs = [rand(*s) for s in shapes]
    y = torch.cat([t.unsqueeze(0) for t in xs], dim=1)[0] if len(shapes[0]) > 1 else torch.cat(xs)
    add("concat", dict(n=len(shapes)), xs[0], y)
    cases[-1]["others"] = [flat_in(t) for t in xs[1:]]


add_tensors(3, 2, 3)
add_tensors(4, 5, n=3)
concat_tensors([(2, 3, 3), (1, 3, 3), (3, 3, 3)])
concat_tensors([(2, 5), (3, 5)])
concat_tensors([(4,), (2,)])

# Depthwise with a depth multiplier (groups = in channels, out = in * multiplier) through the Conv2D oracle;
# the Keras cases carry DepthwiseConv2D's [kh, kw, in, multiplier] kernel (= [kh, kw, 1, in*mult] memory).
conv2d(3, 6, 6, 9, 3, 3, groups=3, pads=(1, 1, 1, 1))  # multiplier 3
conv2d(2, 7, 5, 8, 3, 2, groups=2, s=(2, 1), same=True, keras=True)  # multiplier 4, non-square
conv2d(4, 5, 5, 8, 3, 3, groups=4, d=(2, 2), same=True, has_bias=False, keras=True)  # multiplier 2, dilated
conv2d(1, 6, 6, 3, 3, 3, groups=1, s=(2, 2), same=True, keras=True)  # one channel: depthwise = plain conv
conv2d(5, 4, 4, 10, 1, 1, groups=5)  # 1x1 depthwise, multiplier 2


# ------------------------------------------------------------------ whole networks (graphs)
# Small DAG networks declared as C# classes in Reference/ReferenceNetworkDagTests.cs, whose inline weights
# are these literals (the test checks that they match "params"). PyTorch computes the expected outputs
# straight from the layer definitions; ReferenceNetwork must reproduce them by reflecting over the attributes.

def t(values, *shape):
    return torch.tensor(values, dtype=torch.float32).reshape(*shape)


def network(name, x, y, params, layout="ChannelsFirst"):
    """x and y in the network's memory layout; params: {layer: {"weight": [...], "bias": [...]}}."""
    add("network", dict(network=name, layout=layout), x, y)
    cases[-1]["params"] = params


def keras_same_transpose(x, w_pt, b, stride, out_size, kernel):
    """Keras/TF Conv2DTranspose(padding='same') by its definition: the gradient of a SAME conv2d whose input
    is out_size (= in * stride), stride and kernel w.r.t. that input; w_pt is [in, out, kh, kw]."""
    pt, pb = same_pads(out_size[0], kernel[0], stride, 1)
    pl, pr = same_pads(out_size[1], kernel[1], stride, 1)
    u = torch.zeros(1, w_pt.shape[1], *out_size, requires_grad=True)
    z = F.conv2d(F.pad(u, (pl, pr, pt, pb)), w_pt, stride=stride)  # [1, in, in_h, in_w]
    assert z.shape[1:] == x.shape
    (grad,) = torch.autograd.grad(z, u, grad_outputs=x.unsqueeze(0))
    return grad[0] + b.reshape(-1, 1, 1)


# DagResidualNet: y = x + conv1x1(relu(conv3x3(x))), the 1x1 conv found by its default name "conv2d".
w_a = [0.61, 0.62, 0.03, -0.43, -0.89, -0.23, -0.18, -0.91, -0.9, 1, 0.3, -0.53, -0.13, 0.95, 0.8, 0.69, -0.22, -0.01,
       0.35, -0.88, 0.11, -0.46, 0.76, -0.87, 0.36, 0.74, -0.55, 0.79, 0.74, -0.96, 0.41, -1, 0.01, -0.13, -0.59, -0.35]
b_a = [0.61, -0.37]
w_b, b_b = [-0.7, 0.4, -0.1, 0.6], [-0.53, -0.36]
x = rand(2, 3, 3)
a = F.relu(F.conv2d(x.unsqueeze(0), t(w_a, 2, 2, 3, 3), t(b_a, 2), padding=1))
y = x + F.conv2d(a, t(w_b, 2, 2, 1, 1), t(b_b, 2))[0]
network("DagResidualNet", x, y, {"conv_a": {"weight": w_a, "bias": b_a}, "conv2d": {"weight": w_b, "bias": b_b}})

# DagConcatShuffleNet: two branches off the input, concatenated (right first), then shuffled.
w_l, b_l = [0.6, 0.01, 0.01, -0.53], [-0.97, 0.87]
w_r = [-0.83, 0.69, -0.26, 0.9, -0.2, 0.87, 0.11, -0.52, 0.48, 0.35, 0.37, -0.07, -0.56, 0.28, -0.79, 0.38, 0.27, -0.25,
       0.6, -0.61, -0.22, 0.6, -0.24, 0.43, 0.23, 0.88, 0.98, 0.45, 0.62, -0.69, 0.43, 0.7, -0.2, 0.11, -0.04, 0.92]
x = rand(2, 4, 4)
left = F.conv2d(x.unsqueeze(0), t(w_l, 2, 2, 1, 1), t(b_l, 2))
right = F.conv2d(x.unsqueeze(0), t(w_r, 2, 2, 3, 3), None, padding=1)
y = torch.nn.ChannelShuffle(2)(torch.cat([right, left], dim=1))[0]
network("DagConcatShuffleNet", x, y, {"left": {"weight": w_l, "bias": b_l}, "right": {"weight": w_r, "bias": None}})

# DagForwardRefNet: a depthwise conv (reflect padding, Same) reading a ZeroPad2D written after it, plus a
# Keras-Same transposed conv of the input: 2x2 -> 4x4 both ways, then added.
w_dw = [-0.37, -0.2, -1, -0.16, 0.26, 0.87, 0.85, -0.35, 0.98, -0.62, 0.65, -0.69, -0.19, -0.85, 0.72, 0.66, -0.72, 0.05]
b_dw = [-0.48, -0.02]
w_up = [0.11, -0.79, 0.73, -0.44, -0.11, -0.89, -0.99, -0.61, -0.32, 0.86, 0.78, -0.04, -0.09, 0.33, 0.72, -0.33, 0.59, -0.2,
        0.19, 0.47, 0, 0.38, 0.39, -0.99, -0.92, -0.7, -0.57, -0.59, -0.9, -0.57, 0.2, 0.77, -0.3, -0.27, -0.17, 0.36]
b_up = [0.57, 0.88]
x = rand(2, 2, 2)
padded = torch.nn.ZeroPad2d(1)(x.unsqueeze(0))
dw = F.conv2d(F.pad(padded, (1, 1, 1, 1), mode="reflect"), t(w_dw, 2, 1, 3, 3), t(b_dw, 2), groups=2)[0]
up = keras_same_transpose(x, t(w_up, 2, 2, 3, 3), t(b_up, 2), 2, (4, 4), (3, 3))
network("DagForwardRefNet", x, dw + up, {"dw": {"weight": w_dw, "bias": b_dw}, "up": {"weight": w_up, "bias": b_up}})

# DagKerasTransposeNet: channels-last input and Keras weight layouts. A depthwise conv with multiplier 2
# (kernel [3, 3, 2, 2]), a 1x1 stride-2 Conv2DTranspose after it (Same: span 1 < stride, so an output
# padding) and a 3x3 stride-2 one off the input (kernels [kh, kw, out, in]), concatenated.
k_dw = [-0.25, 0.41, -0.32, 0.65, -0.54, 0.74, 0.01, 0.45, 0.07, -0.37, -0.01, -0.9, -0.91, 0.06, -0.05, 0.67, -0.96, 0.11,
        -0.02, 0.2, 0.46, 0.05, 0.13, -0.02, 0.23, -0.5, 0.11, 0.34, -0.62, 0.98, 0.49, 0.91, -0.41, -0.11, -0.48, -0.91]
b_kdw = [-0.97, -0.51, 0.72, -0.67]
k_up = [0.38, -0.5, -0.87, -0.62, 0.36, 0, 0.1, -0.09]
b_kup = [-0.45, -0.02]
k_up2 = [0.84, -0.6, 0.47, -0.5, -0.61, -0.35, -0.81, 0.87, -0.27, -0.65, -1, -0.88, -0.57, -0.16, 0.2, 0.96, 0.78, -0.52,
         0.22, 0.84, -0.8, 0.71, -0.21, 0.56, -0.35, 0.25, 0.01, -0.79, 0.52, 0.65, -0.03, -0.22, 0.89, -0.25, 0.76, -0.16]
b_kup2 = [-0.25, -0.28]
x_hwc = rand(3, 3, 2)
x = x_hwc.permute(2, 0, 1)
# Keras depthwise [kh, kw, C, mult] -> PyTorch [C*mult, 1, kh, kw], output channel c*mult + m.
w_kdw = t(k_dw, 3, 3, 2, 2).permute(2, 3, 0, 1).reshape(4, 1, 3, 3)
dw = F.conv2d(x.unsqueeze(0), w_kdw, t(b_kdw, 4), padding=1, groups=2)[0]
# Keras Conv2DTranspose [kh, kw, out, in] -> PyTorch [in, out, kh, kw].
up = keras_same_transpose(dw, t(k_up, 1, 1, 2, 4).permute(3, 2, 0, 1), t(b_kup, 2), 2, (6, 6), (1, 1))
up2 = keras_same_transpose(x, t(k_up2, 3, 3, 2, 2).permute(3, 2, 0, 1), t(b_kup2, 2), 2, (6, 6), (3, 3))
y = torch.cat([up, up2], dim=0).permute(1, 2, 0)
network("DagKerasTransposeNet", x_hwc, y, {"dw": {"weight": k_dw, "bias": b_kdw}, "up": {"weight": k_up, "bias": b_kup},
                                            "up2": {"weight": k_up2, "bias": b_kup2}}, layout="ChannelsLast")

# Dag1DPaddingModeNet: Conv1D circular Same, then Conv1D replicate pad 1, summed with the first.
w_c1, b_c1 = [-0.88, -0.45, -0.54, -0.88, 0.08, -0.12, -0.95, -0.69, 0.84, -0.73, -0.25, 0.9], [-0.77, -0.18]
w_c2, b_c2 = [0.6, -0.96, -0.86, 0.86, 0.37, -0.48, -0.04, -0.5, 0.78, 0.9, -0.86, 0.05], [-0.63, -0.19]
x = rand(2, 6)
c1 = F.conv1d(F.pad(x.unsqueeze(0), (1, 1), mode="circular"), t(w_c1, 2, 2, 3), t(b_c1, 2))
c2 = F.conv1d(F.pad(c1, (1, 1), mode="replicate"), t(w_c2, 2, 2, 3), t(b_c2, 2))
network("Dag1DPaddingModeNet", x, (c1 + c2)[0], {"c1": {"weight": w_c1, "bias": b_c1}, "c2": {"weight": w_c2, "bias": b_c2}})

# DagDenseConcatNet: two Dense branches off a vector input, concatenated end to end, then Dense.
w_d1, b_d1 = [0.48, 0.43, -0.62, -0.34, -0.15, -0.23, 0.36, 0.58, -0.33, -0.12, -0.87, -0.27], [0.89, 0, 0.11]
w_d2, b_d2 = [0.21, 0.13, 0.61, -0.48, -0.37, 0.77, 0, 0.92], [-0.72, 0.57]
w_d3, b_d3 = [-0.05, -0.05, 0.76, -0.74, 0.03, -0.5, -0.31, 0.63, -0.2, 0.57], [-0.97, 1]
x = rand(4)
cat = torch.cat([F.linear(x, t(w_d1, 3, 4), t(b_d1, 3)), F.linear(x, t(w_d2, 2, 4), t(b_d2, 2))])
network("DagDenseConcatNet", x, F.linear(cat, t(w_d3, 2, 5), t(b_d3, 2)),
        {"d1": {"weight": w_d1, "bias": b_d1}, "d2": {"weight": w_d2, "bias": b_d2}, "dense": {"weight": w_d3, "bias": b_d3}})


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
