using System;
using System.Linq;

namespace ConvGen.Tests.Reference;

/// <summary>
/// Deliberately naive, loop-per-definition implementations of the layers ConvGen generates, used as the
/// oracle in tests. Shares no code with the generator. Tensors are flat, channels-first float arrays
/// (<c>(C, H, W)</c> or <c>(C, L)</c>); sums are accumulated in double. Semantics follow PyTorch
/// (cross-correlation, zero padding) with pads allowed to differ per side.
/// </summary>
public static class NaiveReference
{
    // ---------------------------------------------------------------- shapes and padding

    /// <summary>Floor-mode output size of a convolution or pooling window sweep.</summary>
    public static int OutputSize(int input, int kernel, int stride, int dilation, int padBegin, int padEnd)
    {
        // In long: the extreme-size tests reach strides and pads near int.MaxValue.
        long span = (long)input + padBegin + padEnd - (long)dilation * (kernel - 1) - 1;
        if (span < 0)
        {
            throw new ArgumentException($"Window (k={kernel}, d={dilation}) is larger than the padded input ({input}+{padBegin}+{padEnd}).");
        }
        return checked((int)(span / stride + 1));
    }

    /// <summary>
    /// Pooling output size as PyTorch's <c>pooling_output_shape</c>: in ceil mode one more window may be added,
    /// but only if it starts inside the input or the leading padding.
    /// </summary>
    public static int PoolOutputSize(int input, int kernel, int stride, int dilation, int padBegin, int padEnd, bool ceilMode)
    {
        long span = (long)input + padBegin + padEnd - (long)dilation * (kernel - 1) - 1;
        if (span < 0)
        {
            throw new ArgumentException($"Window (k={kernel}, d={dilation}) is larger than the padded input ({input}+{padBegin}+{padEnd}).");
        }
        long output = (ceilMode ? (span + stride - 1) / stride : span / stride) + 1;
        if (ceilMode && (output - 1) * stride >= (long)input + padBegin)
        {
            output--;
        }
        return checked((int)output);
    }

    /// <summary>TF/Keras (ONNX SAME_UPPER) padding: output = ceil(in / s); an odd total puts the extra element at the end.</summary>
    public static (int Begin, int End) SamePads(int input, int kernel, int stride, int dilation)
    {
        long output = ((long)input + stride - 1) / stride;
        long total = Math.Max((output - 1) * stride + (kernel - 1L) * dilation + 1 - input, 0);
        long begin = total / 2;
        return (checked((int)begin), checked((int)(total - begin)));
    }

    // ---------------------------------------------------------------- convolution

    public static float[] Conv2D(float[] x, int c, int h, int w, float[] weight, float[]? bias, int oc, int kh, int kw,
        int sh, int sw, int dh, int dw, int padTop, int padLeft, int padBottom, int padRight, int groups, out int oh, out int ow)
    {
        Require(x.Length == c * h * w, "input length != c*h*w");
        Require(groups > 0 && c % groups == 0 && oc % groups == 0, "channels must divide by groups");
        int icg = c / groups;
        int ocg = oc / groups;
        Require(weight.Length == oc * icg * kh * kw, "weight length != oc*(c/groups)*kh*kw");
        Require(bias is null || bias.Length == oc, "bias length != oc");

        oh = OutputSize(h, kh, sh, dh, padTop, padBottom);
        ow = OutputSize(w, kw, sw, dw, padLeft, padRight);
        var y = new float[oc * oh * ow];
        for (int o = 0; o < oc; o++)
        {
            int g = o / ocg;
            for (int oy = 0; oy < oh; oy++)
            {
                for (int ox = 0; ox < ow; ox++)
                {
                    double sum = bias is null ? 0.0 : bias[o];
                    for (int i = 0; i < icg; i++)
                    {
                        int ic = g * icg + i;
                        for (int ky = 0; ky < kh; ky++)
                        {
                            int iy = oy * sh - padTop + ky * dh;
                            if (iy < 0 || iy >= h)
                            {
                                continue; // zero padding contributes nothing
                            }
                            for (int kx = 0; kx < kw; kx++)
                            {
                                int ix = ox * sw - padLeft + kx * dw;
                                if (ix < 0 || ix >= w)
                                {
                                    continue;
                                }
                                sum += (double)x[(ic * h + iy) * w + ix] * weight[((o * icg + i) * kh + ky) * kw + kx];
                            }
                        }
                    }
                    y[(o * oh + oy) * ow + ox] = (float)sum;
                }
            }
        }
        return y;
    }

    public static float[] Conv1D(float[] x, int c, int l, float[] weight, float[]? bias, int oc, int k,
        int s, int d, int padLeft, int padRight, int groups, out int ol)
    {
        Require(x.Length == c * l, "input length != c*l");
        Require(groups > 0 && c % groups == 0 && oc % groups == 0, "channels must divide by groups");
        int icg = c / groups;
        int ocg = oc / groups;
        Require(weight.Length == oc * icg * k, "weight length != oc*(c/groups)*k");
        Require(bias is null || bias.Length == oc, "bias length != oc");

        ol = OutputSize(l, k, s, d, padLeft, padRight);
        var y = new float[oc * ol];
        for (int o = 0; o < oc; o++)
        {
            int g = o / ocg;
            for (int ox = 0; ox < ol; ox++)
            {
                double sum = bias is null ? 0.0 : bias[o];
                for (int i = 0; i < icg; i++)
                {
                    int ic = g * icg + i;
                    for (int kx = 0; kx < k; kx++)
                    {
                        int ix = ox * s - padLeft + kx * d;
                        if (ix < 0 || ix >= l)
                        {
                            continue;
                        }
                        sum += (double)x[ic * l + ix] * weight[(o * icg + i) * k + kx];
                    }
                }
                y[o * ol + ox] = (float)sum;
            }
        }
        return y;
    }

    // ---------------------------------------------------------------- pooling

    /// <summary>
    /// Max pooling. Padded positions are skipped (PyTorch pads with -inf), so a window made only of padding
    /// yields -inf, as PyTorch does. NaN propagates, as in PyTorch.
    /// </summary>
    public static float[] MaxPool2D(float[] x, int c, int h, int w, int kh, int kw, int sh, int sw, int dh, int dw,
        int padTop, int padLeft, int padBottom, int padRight, bool ceilMode, out int oh, out int ow)
    {
        Require(x.Length == c * h * w, "input length != c*h*w");
        oh = PoolOutputSize(h, kh, sh, dh, padTop, padBottom, ceilMode);
        ow = PoolOutputSize(w, kw, sw, dw, padLeft, padRight, ceilMode);
        var y = new float[c * oh * ow];
        for (int ch = 0; ch < c; ch++)
        {
            for (int oy = 0; oy < oh; oy++)
            {
                for (int ox = 0; ox < ow; ox++)
                {
                    float max = float.NegativeInfinity;
                    for (int ky = 0; ky < kh; ky++)
                    {
                        int iy = oy * sh - padTop + ky * dh;
                        if (iy < 0 || iy >= h)
                        {
                            continue;
                        }
                        for (int kx = 0; kx < kw; kx++)
                        {
                            int ix = ox * sw - padLeft + kx * dw;
                            if (ix < 0 || ix >= w)
                            {
                                continue;
                            }
                            float v = x[(ch * h + iy) * w + ix];
                            if (v > max || float.IsNaN(v))
                            {
                                max = v;
                            }
                        }
                    }
                    y[(ch * oh + oy) * ow + ox] = max;
                }
            }
        }
        return y;
    }

    public static float[] MaxPool1D(float[] x, int c, int l, int k, int s, int d, int padLeft, int padRight, bool ceilMode, out int ol)
    {
        Require(x.Length == c * l, "input length != c*l");
        ol = PoolOutputSize(l, k, s, d, padLeft, padRight, ceilMode);
        var y = new float[c * ol];
        for (int ch = 0; ch < c; ch++)
        {
            for (int ox = 0; ox < ol; ox++)
            {
                float max = float.NegativeInfinity;
                for (int kx = 0; kx < k; kx++)
                {
                    int ix = ox * s - padLeft + kx * d;
                    if (ix < 0 || ix >= l)
                    {
                        continue;
                    }
                    float v = x[ch * l + ix];
                    if (v > max || float.IsNaN(v))
                    {
                        max = v;
                    }
                }
                y[ch * ol + ox] = max;
            }
        }
        return y;
    }

    /// <summary>
    /// Average pooling with PyTorch's <c>avg_pool2d</c> divisor rule, generalised to asymmetric pads: the
    /// include-pad divisor counts the window clipped to the padded input (so a ceil-mode window hanging past
    /// the end padding counts less than kh*kw); the exclude-pad divisor counts only real input elements.
    /// A window with no input element yields 0, as PyTorch.
    /// </summary>
    public static float[] AvgPool2D(float[] x, int c, int h, int w, int kh, int kw, int sh, int sw,
        int padTop, int padLeft, int padBottom, int padRight, bool ceilMode, bool countIncludePad, out int oh, out int ow)
    {
        Require(x.Length == c * h * w, "input length != c*h*w");
        oh = PoolOutputSize(h, kh, sh, 1, padTop, padBottom, ceilMode);
        ow = PoolOutputSize(w, kw, sw, 1, padLeft, padRight, ceilMode);
        var y = new float[c * oh * ow];
        for (int ch = 0; ch < c; ch++)
        {
            for (int oy = 0; oy < oh; oy++)
            {
                int y0 = oy * sh - padTop;
                int y1 = Math.Min(y0 + kh, h + padBottom);
                int poolH = y1 - y0;
                y0 = Math.Max(y0, 0);
                y1 = Math.Min(y1, h);
                for (int ox = 0; ox < ow; ox++)
                {
                    int x0 = ox * sw - padLeft;
                    int x1 = Math.Min(x0 + kw, w + padRight);
                    int poolW = x1 - x0;
                    x0 = Math.Max(x0, 0);
                    x1 = Math.Min(x1, w);
                    if (y0 >= y1 || x0 >= x1)
                    {
                        y[(ch * oh + oy) * ow + ox] = 0f;
                        continue;
                    }
                    double sum = 0.0;
                    for (int iy = y0; iy < y1; iy++)
                    {
                        for (int ix = x0; ix < x1; ix++)
                        {
                            sum += x[(ch * h + iy) * w + ix];
                        }
                    }
                    int divisor = countIncludePad ? poolH * poolW : (y1 - y0) * (x1 - x0);
                    y[(ch * oh + oy) * ow + ox] = (float)(sum / divisor);
                }
            }
        }
        return y;
    }

    public static float[] AvgPool1D(float[] x, int c, int l, int k, int s, int padLeft, int padRight, bool ceilMode, bool countIncludePad, out int ol)
    {
        Require(x.Length == c * l, "input length != c*l");
        ol = PoolOutputSize(l, k, s, 1, padLeft, padRight, ceilMode);
        var y = new float[c * ol];
        for (int ch = 0; ch < c; ch++)
        {
            for (int ox = 0; ox < ol; ox++)
            {
                int x0 = ox * s - padLeft;
                int x1 = Math.Min(x0 + k, l + padRight);
                int pool = x1 - x0;
                x0 = Math.Max(x0, 0);
                x1 = Math.Min(x1, l);
                if (x0 >= x1)
                {
                    y[ch * ol + ox] = 0f;
                    continue;
                }
                double sum = 0.0;
                for (int ix = x0; ix < x1; ix++)
                {
                    sum += x[ch * l + ix];
                }
                int divisor = countIncludePad ? pool : x1 - x0;
                y[ch * ol + ox] = (float)(sum / divisor);
            }
        }
        return y;
    }

    /// <summary>Mean over the spatial positions of each channel: (C, S) -> (C).</summary>
    public static float[] GlobalAvgPool(float[] x, int c, int spatial)
    {
        Require(x.Length == c * spatial && spatial > 0, "input length != c*spatial");
        var y = new float[c];
        for (int ch = 0; ch < c; ch++)
        {
            double sum = 0.0;
            for (int i = 0; i < spatial; i++)
            {
                sum += x[ch * spatial + i];
            }
            y[ch] = (float)(sum / spatial);
        }
        return y;
    }

    /// <summary>Max over the spatial positions of each channel: (C, S) -> (C).</summary>
    public static float[] GlobalMaxPool(float[] x, int c, int spatial)
    {
        Require(x.Length == c * spatial && spatial > 0, "input length != c*spatial");
        var y = new float[c];
        for (int ch = 0; ch < c; ch++)
        {
            float max = float.NegativeInfinity;
            for (int i = 0; i < spatial; i++)
            {
                float v = x[ch * spatial + i];
                if (v > max || float.IsNaN(v))
                {
                    max = v;
                }
            }
            y[ch] = max;
        }
        return y;
    }

    // ---------------------------------------------------------------- dense, softmax, activations

    /// <summary>y = W x + b with W stored [units, in] (PyTorch's Linear).</summary>
    public static float[] Dense(float[] x, float[] weight, float[]? bias, int units)
    {
        int inputs = x.Length;
        Require(weight.Length == units * inputs, "weight length != units*inputs");
        Require(bias is null || bias.Length == units, "bias length != units");
        var y = new float[units];
        for (int u = 0; u < units; u++)
        {
            double sum = bias is null ? 0.0 : bias[u];
            for (int i = 0; i < inputs; i++)
            {
                sum += (double)weight[u * inputs + i] * x[i];
            }
            y[u] = (float)sum;
        }
        return y;
    }

    /// <summary>Softmax over the channel axis at each spatial position of a (C, S) tensor; the max is subtracted first so large logits do not overflow.</summary>
    public static float[] Softmax(float[] x, int c, int spatial)
    {
        Require(x.Length == c * spatial && c > 0, "input length != c*spatial");
        var y = new float[x.Length];
        for (int p = 0; p < spatial; p++)
        {
            double max = double.NegativeInfinity;
            for (int ch = 0; ch < c; ch++)
            {
                max = Math.Max(max, x[ch * spatial + p]);
            }
            double sum = 0.0;
            for (int ch = 0; ch < c; ch++)
            {
                sum += Math.Exp(x[ch * spatial + p] - max);
            }
            for (int ch = 0; ch < c; ch++)
            {
                y[ch * spatial + p] = (float)(Math.Exp(x[ch * spatial + p] - max) / sum);
            }
        }
        return y;
    }

    /// <summary>One element-wise activation. Softmax is not element-wise: use <see cref="Softmax"/>.</summary>
    public static float Activate(float v, Activation kind, float alpha)
    {
        double x = v;
        double r = kind switch
        {
            Activation.None => x,
            Activation.ReLU => x < 0 ? 0.0 : x, // NaN passes, as in PyTorch
            Activation.ReLU6 => Math.Min(Math.Max(x, 0.0), 6.0),
            Activation.LeakyReLU => x > 0 ? x : alpha * x,
            Activation.Sigmoid => 1.0 / (1.0 + Math.Exp(-x)),
            Activation.Tanh => Math.Tanh(x),
            Activation.HardSwish => x * Math.Min(Math.Max(x + 3.0, 0.0), 6.0) / 6.0,
            Activation.ELU => x > 0 ? x : alpha * (Math.Exp(x) - 1.0),
            Activation.Softmax => throw new ArgumentException("Softmax is not element-wise; use NaiveReference.Softmax.", nameof(kind)),
            _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, null),
        };
        return (float)r;
    }

    public static float[] Activate(float[] x, Activation kind, float alpha)
    {
        var y = new float[x.Length];
        for (int i = 0; i < x.Length; i++)
        {
            y[i] = Activate(x[i], kind, alpha);
        }
        return y;
    }

    // ---------------------------------------------------------------- layouts

    /// <summary>(C, S) -> (S, C).</summary>
    public static float[] ToChannelsLast(float[] x, int c, int spatial)
    {
        Require(x.Length == c * spatial, "input length != c*spatial");
        var y = new float[x.Length];
        for (int ch = 0; ch < c; ch++)
        {
            for (int p = 0; p < spatial; p++)
            {
                y[p * c + ch] = x[ch * spatial + p];
            }
        }
        return y;
    }

    /// <summary>(S, C) -> (C, S).</summary>
    public static float[] ToChannelsFirst(float[] x, int c, int spatial)
    {
        Require(x.Length == c * spatial, "input length != c*spatial");
        var y = new float[x.Length];
        for (int p = 0; p < spatial; p++)
        {
            for (int ch = 0; ch < c; ch++)
            {
                y[ch * spatial + p] = x[p * c + ch];
            }
        }
        return y;
    }

    /// <summary>Keras Conv2D kernel [kh, kw, icg, oc] -> PyTorch [oc, icg, kh, kw].</summary>
    public static float[] KerasConv2DToPyTorch(float[] w, int oc, int icPerGroup, int kh, int kw)
    {
        Require(w.Length == oc * icPerGroup * kh * kw, "weight length != oc*icg*kh*kw");
        var y = new float[w.Length];
        for (int o = 0; o < oc; o++)
        {
            for (int i = 0; i < icPerGroup; i++)
            {
                for (int ky = 0; ky < kh; ky++)
                {
                    for (int kx = 0; kx < kw; kx++)
                    {
                        y[((o * icPerGroup + i) * kh + ky) * kw + kx] = w[((ky * kw + kx) * icPerGroup + i) * oc + o];
                    }
                }
            }
        }
        return y;
    }

    /// <summary>Keras Conv1D kernel [k, icg, oc] -> PyTorch [oc, icg, k].</summary>
    public static float[] KerasConv1DToPyTorch(float[] w, int oc, int icPerGroup, int k)
    {
        Require(w.Length == oc * icPerGroup * k, "weight length != oc*icg*k");
        var y = new float[w.Length];
        for (int o = 0; o < oc; o++)
        {
            for (int i = 0; i < icPerGroup; i++)
            {
                for (int kx = 0; kx < k; kx++)
                {
                    y[(o * icPerGroup + i) * k + kx] = w[(kx * icPerGroup + i) * oc + o];
                }
            }
        }
        return y;
    }

    /// <summary>Keras Dense kernel [in, units] -> PyTorch [units, in].</summary>
    public static float[] KerasDenseToPyTorch(float[] w, int inputs, int units)
    {
        Require(w.Length == inputs * units, "weight length != inputs*units");
        var y = new float[w.Length];
        for (int u = 0; u < units; u++)
        {
            for (int i = 0; i < inputs; i++)
            {
                y[u * inputs + i] = w[i * units + u];
            }
        }
        return y;
    }

    // ---------------------------------------------------------------- beyond sequential (issue 5)

    /// <summary>
    /// PyTorch <c>conv_transpose2d</c>, scattered straight from its definition: input (i, iy, ix) adds
    /// <c>x * w[i, o, ky, kx]</c> to output (o, iy*sh - padTop + ky*dh, ix*sw - padLeft + kx*dw). Weights
    /// <c>[in, out/groups, kh, kw]</c>; output padding extends the bottom and right.
    /// </summary>
    public static float[] ConvTranspose2D(float[] x, int c, int h, int w, float[] weight, float[]? bias, int oc, int kh, int kw,
        int sh, int sw, int dh, int dw, int padTop, int padLeft, int padBottom, int padRight, int outPadH, int outPadW,
        int groups, out int oh, out int ow)
    {
        Require(x.Length == c * h * w, "input length != c*h*w");
        Require(groups > 0 && c % groups == 0 && oc % groups == 0, "channels must divide by groups");
        int icg = c / groups, ocg = oc / groups;
        Require(weight.Length == c * ocg * kh * kw, "weight length != c*(oc/groups)*kh*kw");
        Require(bias is null || bias.Length == oc, "bias length != oc");
        oh = (h - 1) * sh - padTop - padBottom + dh * (kh - 1) + outPadH + 1;
        ow = (w - 1) * sw - padLeft - padRight + dw * (kw - 1) + outPadW + 1;
        Require(oh > 0 && ow > 0, "empty output");
        var sum = new double[oc * oh * ow];
        for (int o = 0; o < oc; o++)
            for (int p = 0; p < oh * ow; p++)
                sum[o * oh * ow + p] = bias is null ? 0.0 : bias[o];
        for (int i = 0; i < c; i++)
        {
            int g = i / icg;
            for (int iy = 0; iy < h; iy++)
                for (int ix = 0; ix < w; ix++)
                    for (int o = 0; o < ocg; o++)
                        for (int ky = 0; ky < kh; ky++)
                        {
                            int y = iy * sh - padTop + ky * dh;
                            if (y < 0 || y >= oh)
                                continue;
                            for (int kx = 0; kx < kw; kx++)
                            {
                                int xx = ix * sw - padLeft + kx * dw;
                                if (xx < 0 || xx >= ow)
                                    continue;
                                sum[((g * ocg + o) * oh + y) * ow + xx] += (double)x[(i * h + iy) * w + ix] * weight[((i * ocg + o) * kh + ky) * kw + kx];
                            }
                        }
        }
        return sum.Select(v => (float)v).ToArray();
    }

    /// <summary>Where padded coordinate <paramref name="i"/> (from -begin) reads, for PyTorch's padding modes; -1 for a zero.</summary>
    public static int PadSource(int i, int n, PaddingMode mode) => mode switch
    {
        _ when i >= 0 && i < n => i,
        PaddingMode.Zeros => -1,
        PaddingMode.Reflect => i < 0 ? -i : 2 * (n - 1) - i,
        PaddingMode.Replicate => i < 0 ? 0 : n - 1,
        PaddingMode.Circular => ((i % n) + n) % n,
        _ => throw new ArgumentOutOfRangeException(nameof(mode)),
    };

    /// <summary>Pads each (h, w) plane as <c>F.pad(x, (left, right, top, bottom), mode)</c>; 1-D is h = 1 with top = bottom = 0.</summary>
    public static float[] Pad2D(float[] x, int c, int h, int w, int top, int left, int bottom, int right, PaddingMode mode, out int oh, out int ow)
    {
        Require(x.Length == c * h * w, "input length != c*h*w");
        Require(mode != PaddingMode.Reflect || (top < h && bottom < h && left < w && right < w), "reflect pad must be smaller than the input");
        Require(mode != PaddingMode.Circular || (top <= h && bottom <= h && left <= w && right <= w), "circular pad must not exceed the input");
        oh = h + top + bottom;
        ow = w + left + right;
        var y = new float[c * oh * ow];
        for (int ch = 0; ch < c; ch++)
            for (int py = 0; py < oh; py++)
                for (int px = 0; px < ow; px++)
                {
                    int sy = PadSource(py - top, h, mode), sx = PadSource(px - left, w, mode);
                    y[(ch * oh + py) * ow + px] = sy < 0 || sx < 0 ? 0f : x[(ch * h + sy) * w + sx];
                }
        return y;
    }

    /// <summary>PyTorch <c>ChannelShuffle</c>: channel <c>g * (c / groups) + k</c> moves to <c>k * groups + g</c>.</summary>
    public static float[] ChannelShuffle(float[] x, int c, int spatial, int groups)
    {
        Require(x.Length == c * spatial && c % groups == 0, "channels must divide by groups");
        int perGroup = c / groups;
        var y = new float[x.Length];
        for (int g = 0; g < groups; g++)
            for (int k = 0; k < perGroup; k++)
                Array.Copy(x, (g * perGroup + k) * spatial, y, (k * groups + g) * spatial, spatial);
        return y;
    }

    /// <summary>Element-wise sum of equally long tensors (summed in double).</summary>
    public static float[] Add(params float[][] inputs)
    {
        Require(inputs.Length >= 2 && inputs.All(t => t.Length == inputs[0].Length), "inputs must have equal lengths");
        var y = new float[inputs[0].Length];
        for (int i = 0; i < y.Length; i++)
            y[i] = (float)inputs.Sum(t => (double)t[i]);
        return y;
    }

    /// <summary>Channels-first tensors with the same spatial size, concatenated along channels: their storage end to end.</summary>
    public static float[] Concat(params float[][] inputs) => inputs.SelectMany(t => t).ToArray();

    private static void Require(bool condition, string message)
    {
        if (!condition)
        {
            throw new ArgumentException(message);
        }
    }
}
