using System;
using System.Collections.Generic;

namespace ConvGen.Benchmarks;

/// <summary>
/// The baseline: the same networks written by hand the way a C# user would without ConvGen or a
/// runtime. One method per layer, plain nested loops over channels-first arrays with PyTorch's weight
/// layouts, bounds checks left in, no unrolling, no SIMD, no folding of BatchNorm into the conv. Buffers
/// are made once, so a call allocates nothing.
/// </summary>
internal static class PlainLayers
{
    /// <summary>Cross-correlation with zero padding; weights [filters, channels, k, k].</summary>
    public static void Conv2D(float[] input, int channels, int height, int width,
                              float[] weights, float[]? bias, int filters, int k, int pad, float[] output)
    {
        int outHeight = height + 2 * pad - k + 1, outWidth = width + 2 * pad - k + 1;
        for (int f = 0; f < filters; f++)
            for (int oy = 0; oy < outHeight; oy++)
                for (int ox = 0; ox < outWidth; ox++)
                {
                    float sum = bias is null ? 0 : bias[f];
                    for (int c = 0; c < channels; c++)
                        for (int ky = 0; ky < k; ky++)
                            for (int kx = 0; kx < k; kx++)
                            {
                                int y = oy + ky - pad, x = ox + kx - pad;
                                if (y < 0 || y >= height || x < 0 || x >= width)
                                    continue;
                                sum += input[(c * height + y) * width + x] * weights[((f * channels + c) * k + ky) * k + kx];
                            }
                    output[(f * outHeight + oy) * outWidth + ox] = sum;
                }
    }

    /// <summary>Inference-mode BatchNorm over channels-first data, in place.</summary>
    public static void BatchNorm(float[] data, int channels, int size, float[] gamma, float[] beta, float[] mean, float[] variance, float epsilon)
    {
        for (int c = 0; c < channels; c++)
        {
            float scale = gamma[c] / MathF.Sqrt(variance[c] + epsilon);
            for (int i = 0; i < size; i++)
                data[c * size + i] = (data[c * size + i] - mean[c]) * scale + beta[c];
        }
    }

    public static void ReLU(float[] data, int length)
    {
        for (int i = 0; i < length; i++)
            data[i] = MathF.Max(data[i], 0);
    }

    /// <summary>k x k max pooling with stride k, no padding.</summary>
    public static void MaxPool2D(float[] input, int channels, int height, int width, int k, float[] output)
    {
        int outHeight = height / k, outWidth = width / k;
        for (int c = 0; c < channels; c++)
            for (int oy = 0; oy < outHeight; oy++)
                for (int ox = 0; ox < outWidth; ox++)
                {
                    float max = float.NegativeInfinity;
                    for (int ky = 0; ky < k; ky++)
                        for (int kx = 0; kx < k; kx++)
                            max = MathF.Max(max, input[(c * height + oy * k + ky) * width + ox * k + kx]);
                    output[(c * outHeight + oy) * outWidth + ox] = max;
                }
    }

    /// <summary>
    /// The general case: cross-correlation with a kh x kw kernel, strides and zero padding given per side
    /// (top, left, bottom, right, so TensorFlow's asymmetric SAME fits); weights [filters, channels, kh, kw].
    /// </summary>
    public static void Conv2D(float[] input, int channels, int height, int width,
                              float[] weights, float[]? bias, int filters, int kh, int kw,
                              int strideY, int strideX, int padTop, int padLeft, int padBottom, int padRight, float[] output)
    {
        int outHeight = (height + padTop + padBottom - kh) / strideY + 1, outWidth = (width + padLeft + padRight - kw) / strideX + 1;
        for (int f = 0; f < filters; f++)
            for (int oy = 0; oy < outHeight; oy++)
                for (int ox = 0; ox < outWidth; ox++)
                {
                    float sum = bias is null ? 0 : bias[f];
                    for (int c = 0; c < channels; c++)
                        for (int ky = 0; ky < kh; ky++)
                            for (int kx = 0; kx < kw; kx++)
                            {
                                int y = oy * strideY + ky - padTop, x = ox * strideX + kx - padLeft;
                                if (y < 0 || y >= height || x < 0 || x >= width)
                                    continue;
                                sum += input[(c * height + y) * width + x] * weights[((f * channels + c) * kh + ky) * kw + kx];
                            }
                    output[(f * outHeight + oy) * outWidth + ox] = sum;
                }
    }

    /// <summary>Depthwise k x k cross-correlation (one filter per channel), stride and symmetric zero padding; weights [channels, 1, k, k].</summary>
    public static void DepthwiseConv2D(float[] input, int channels, int height, int width,
                                       float[] weights, float[]? bias, int k, int stride, int pad, float[] output)
    {
        int outHeight = (height + 2 * pad - k) / stride + 1, outWidth = (width + 2 * pad - k) / stride + 1;
        for (int c = 0; c < channels; c++)
            for (int oy = 0; oy < outHeight; oy++)
                for (int ox = 0; ox < outWidth; ox++)
                {
                    float sum = bias is null ? 0 : bias[c];
                    for (int ky = 0; ky < k; ky++)
                        for (int kx = 0; kx < k; kx++)
                        {
                            int y = oy * stride + ky - pad, x = ox * stride + kx - pad;
                            if (y < 0 || y >= height || x < 0 || x >= width)
                                continue;
                            sum += input[(c * height + y) * width + x] * weights[(c * k + ky) * k + kx];
                        }
                    output[(c * outHeight + oy) * outWidth + ox] = sum;
                }
    }

    public static void ReLU6(float[] data, int length)
    {
        for (int i = 0; i < length; i++)
            data[i] = MathF.Min(MathF.Max(data[i], 0), 6);
    }

    /// <summary>Element-wise sum of two tensors of the same shape.</summary>
    public static void Add(float[] a, float[] b, int length, float[] output)
    {
        for (int i = 0; i < length; i++)
            output[i] = a[i] + b[i];
    }

    /// <summary>k x k average pooling with stride k, no padding.</summary>
    public static void AvgPool2D(float[] input, int channels, int height, int width, int k, float[] output)
    {
        int outHeight = height / k, outWidth = width / k;
        for (int c = 0; c < channels; c++)
            for (int oy = 0; oy < outHeight; oy++)
                for (int ox = 0; ox < outWidth; ox++)
                {
                    float sum = 0;
                    for (int ky = 0; ky < k; ky++)
                        for (int kx = 0; kx < k; kx++)
                            sum += input[(c * height + oy * k + ky) * width + ox * k + kx];
                    output[(c * outHeight + oy) * outWidth + ox] = sum / (k * k);
                }
    }

    /// <summary>The mean of each channel: (channels, size) to (channels).</summary>
    public static void GlobalAvgPool(float[] input, int channels, int size, float[] output)
    {
        for (int c = 0; c < channels; c++)
        {
            float sum = 0;
            for (int i = 0; i < size; i++)
                sum += input[c * size + i];
            output[c] = sum / size;
        }
    }

    /// <summary>Softmax in place, with the maximum subtracted first so that exp cannot overflow.</summary>
    public static void Softmax(float[] data, int length)
    {
        float max = float.NegativeInfinity;
        for (int i = 0; i < length; i++)
            max = MathF.Max(max, data[i]);
        float sum = 0;
        for (int i = 0; i < length; i++)
        {
            data[i] = MathF.Exp(data[i] - max);
            sum += data[i];
        }
        for (int i = 0; i < length; i++)
            data[i] /= sum;
    }

    /// <summary>Fully connected; weights [units, inputs] as PyTorch's Linear stores them.</summary>
    public static void Dense(float[] input, int inputs, float[] weights, float[] bias, int units, float[] output)
    {
        for (int u = 0; u < units; u++)
        {
            float sum = bias[u];
            for (int i = 0; i < inputs; i++)
                sum += input[i] * weights[u * inputs + i];
            output[u] = sum;
        }
    }
}

/// <summary>The tutorial's vertical-line detector by hand: one 3x3 filter over 8x8.</summary>
internal sealed class PlainVerticalLine
{
    private static readonly float[] Weights = { 0, 1, 0, 0, 1, 0, 0, 1, 0 };
    private static readonly float[] Bias = { 0 };

    public void Run(float[] input, float[] output) => PlainLayers.Conv2D(input, 1, 8, 8, Weights, Bias, 1, 3, 0, output);
}

/// <summary>samples/Digits' DigitsNet by hand, with the tensors of digits.safetensors as PyTorch saved them.</summary>
internal sealed class PlainDigits
{
    private readonly float[] _conv1, _bnGamma, _bnBeta, _bnMean, _bnVariance, _conv2, _conv2Bias, _fc, _fcBias;
    private readonly float[] _a = new float[16 * 8 * 8], _b = new float[16 * 4 * 4], _c = new float[32 * 4 * 4], _d = new float[32 * 2 * 2];

    public PlainDigits(Dictionary<string, float[]> tensors)
    {
        _conv1 = tensors["conv1.weight"];
        _bnGamma = tensors["bn1.weight"];
        _bnBeta = tensors["bn1.bias"];
        _bnMean = tensors["bn1.running_mean"];
        _bnVariance = tensors["bn1.running_var"];
        _conv2 = tensors["conv2.weight"];
        _conv2Bias = tensors["conv2.bias"];
        _fc = tensors["fc.weight"];
        _fcBias = tensors["fc.bias"];
    }

    public void Run(float[] input, float[] output)
    {
        PlainLayers.Conv2D(input, 1, 8, 8, _conv1, null, 16, 3, 1, _a);                // (16, 8, 8)
        PlainLayers.BatchNorm(_a, 16, 8 * 8, _bnGamma, _bnBeta, _bnMean, _bnVariance, 1e-5f);
        PlainLayers.ReLU(_a, _a.Length);
        PlainLayers.MaxPool2D(_a, 16, 8, 8, 2, _b);                                   // (16, 4, 4)
        PlainLayers.Conv2D(_b, 16, 4, 4, _conv2, _conv2Bias, 32, 3, 1, _c);           // (32, 4, 4)
        PlainLayers.ReLU(_c, _c.Length);
        PlainLayers.MaxPool2D(_c, 32, 4, 4, 2, _d);                                   // (32, 2, 2)
        PlainLayers.Dense(_d, 32 * 2 * 2, _fc, _fcBias, 10, output);                  // flatten is the identity here
    }
}

/// <summary>A BatchNorm layer's four tensors as PyTorch saves them (<c>name.weight</c>, <c>.bias</c>, <c>.running_mean</c>, <c>.running_var</c>).</summary>
internal sealed class PlainBatchNorm(Dictionary<string, float[]> tensors, string name)
{
    private readonly float[] _gamma = tensors[name + ".weight"], _beta = tensors[name + ".bias"];
    private readonly float[] _mean = tensors[name + ".running_mean"], _variance = tensors[name + ".running_var"];

    public void Apply(float[] data, int channels, int size)
        => PlainLayers.BatchNorm(data, channels, size, _gamma, _beta, _mean, _variance, 1e-5f);
}

/// <summary>DESIGN.md §1's LeNet-5 by hand, with the tensors of lenet5.safetensors.</summary>
internal sealed class PlainLeNet5(Dictionary<string, float[]> t)
{
    private readonly float[] _conv1 = t["conv1.weight"], _conv1Bias = t["conv1.bias"], _conv2 = t["conv2.weight"], _conv2Bias = t["conv2.bias"];
    private readonly float[] _fc1 = t["fc1.weight"], _fc1Bias = t["fc1.bias"], _fc2 = t["fc2.weight"], _fc2Bias = t["fc2.bias"];
    private readonly float[] _fc3 = t["fc3.weight"], _fc3Bias = t["fc3.bias"];
    private readonly float[] _a = new float[6 * 28 * 28], _b = new float[6 * 14 * 14], _c = new float[16 * 10 * 10],
                             _d = new float[16 * 5 * 5], _e = new float[120], _f = new float[84];

    public void Run(float[] input, float[] output)
    {
        PlainLayers.Conv2D(input, 1, 28, 28, _conv1, _conv1Bias, 6, 5, 2, _a);      // (6, 28, 28)
        PlainLayers.ReLU(_a, _a.Length);
        PlainLayers.AvgPool2D(_a, 6, 28, 28, 2, _b);                                // (6, 14, 14)
        PlainLayers.Conv2D(_b, 6, 14, 14, _conv2, _conv2Bias, 16, 5, 0, _c);        // (16, 10, 10)
        PlainLayers.ReLU(_c, _c.Length);
        PlainLayers.AvgPool2D(_c, 16, 10, 10, 2, _d);                               // (16, 5, 5); flatten is the identity
        PlainLayers.Dense(_d, 400, _fc1, _fc1Bias, 120, _e);
        PlainLayers.ReLU(_e, _e.Length);
        PlainLayers.Dense(_e, 120, _fc2, _fc2Bias, 84, _f);
        PlainLayers.ReLU(_f, _f.Length);
        PlainLayers.Dense(_f, 84, _fc3, _fc3Bias, 10, output);
        PlainLayers.Softmax(output, 10);
    }
}

/// <summary>
/// MLPerf Tiny's DS-CNN (samples/ReferenceNetworks/DsCnn.cs) by hand: conv 64 (10x4) stride 2 with TensorFlow's
/// SAME padding (4 rows on top, 5 below, 1 column each side), BatchNorm, ReLU, four depthwise-separable blocks,
/// global average pool, Dense 12. The activations stay 64x25x5 throughout, so two buffers take turns.
/// </summary>
internal sealed class PlainDsCnn
{
    private const int Channels = 64, Height = 25, Width = 5, Size = Height * Width;
    private readonly float[] _conv1, _conv1Bias, _fc, _fcBias;
    private readonly PlainBatchNorm _conv1Bn;
    private readonly float[][] _dw = new float[4][], _dwBias = new float[4][], _pw = new float[4][], _pwBias = new float[4][];
    private readonly PlainBatchNorm[] _dwBn = new PlainBatchNorm[4], _pwBn = new PlainBatchNorm[4];
    private readonly float[] _a = new float[Channels * Size], _b = new float[Channels * Size], _pooled = new float[Channels];

    public PlainDsCnn(Dictionary<string, float[]> t)
    {
        (_conv1, _conv1Bias, _conv1Bn) = (t["conv1.weight"], t["conv1.bias"], new PlainBatchNorm(t, "conv1_bn"));
        for (int i = 0; i < 4; i++)
        {
            (_dw[i], _dwBias[i], _dwBn[i]) = (t[$"dw{i + 1}.weight"], t[$"dw{i + 1}.bias"], new PlainBatchNorm(t, $"dw{i + 1}_bn"));
            (_pw[i], _pwBias[i], _pwBn[i]) = (t[$"pw{i + 1}.weight"], t[$"pw{i + 1}.bias"], new PlainBatchNorm(t, $"pw{i + 1}_bn"));
        }
        (_fc, _fcBias) = (t["fc.weight"], t["fc.bias"]);
    }

    public void Run(float[] input, float[] output)
    {
        PlainLayers.Conv2D(input, 1, 49, 10, _conv1, _conv1Bias, Channels, 10, 4, 2, 2, 4, 1, 5, 1, _a);   // (64, 25, 5)
        _conv1Bn.Apply(_a, Channels, Size);
        PlainLayers.ReLU(_a, _a.Length);
        for (int i = 0; i < 4; i++)
        {
            PlainLayers.DepthwiseConv2D(_a, Channels, Height, Width, _dw[i], _dwBias[i], 3, 1, 1, _b);
            _dwBn[i].Apply(_b, Channels, Size);
            PlainLayers.ReLU(_b, _b.Length);
            PlainLayers.Conv2D(_b, Channels, Height, Width, _pw[i], _pwBias[i], Channels, 1, 0, _a);
            _pwBn[i].Apply(_a, Channels, Size);
            PlainLayers.ReLU(_a, _a.Length);
        }
        PlainLayers.GlobalAvgPool(_a, Channels, Size, _pooled);
        PlainLayers.Dense(_pooled, Channels, _fc, _fcBias, 12, output);
    }
}

/// <summary>
/// MLPerf Tiny's MobileNetV1-0.25 for visual wake words (samples/ReferenceNetworks/MobileNetV1.cs) by hand, as the
/// PyTorch module is written: a table of (stride, filters) blocks walked in a loop, each a depthwise 3x3 conv,
/// BatchNorm, ReLU, a 1x1 conv, BatchNorm, ReLU; no conv biases. Two buffers the size of the largest activation
/// (16x48x48) take turns.
/// </summary>
internal sealed class PlainMobileNetV1
{
    private static readonly (int Stride, int Filters)[] Blocks =
        [(1, 16), (2, 32), (1, 32), (2, 64), (1, 64), (2, 128), (1, 128), (1, 128), (1, 128), (1, 128), (1, 128), (2, 256), (1, 256)];

    private readonly float[] _conv1, _fc, _fcBias;
    private readonly PlainBatchNorm _conv1Bn;
    private readonly float[][] _dw = new float[Blocks.Length][], _pw = new float[Blocks.Length][];
    private readonly PlainBatchNorm[] _dwBn = new PlainBatchNorm[Blocks.Length], _pwBn = new PlainBatchNorm[Blocks.Length];
    private readonly float[] _a = new float[16 * 48 * 48], _b = new float[16 * 48 * 48], _pooled = new float[256];

    public PlainMobileNetV1(Dictionary<string, float[]> t)
    {
        (_conv1, _conv1Bn) = (t["conv1.weight"], new PlainBatchNorm(t, "conv1_bn"));
        for (int i = 0; i < Blocks.Length; i++)
        {
            (_dw[i], _dwBn[i]) = (t[$"dw{i + 1}.weight"], new PlainBatchNorm(t, $"dw{i + 1}_bn"));
            (_pw[i], _pwBn[i]) = (t[$"pw{i + 1}.weight"], new PlainBatchNorm(t, $"pw{i + 1}_bn"));
        }
        (_fc, _fcBias) = (t["fc.weight"], t["fc.bias"]);
    }

    public void Run(float[] input, float[] output)
    {
        int channels = 8, size = 48;
        PlainLayers.Conv2D(input, 3, 96, 96, _conv1, null, channels, 3, 3, 2, 2, 1, 1, 1, 1, _a);   // (8, 48, 48)
        _conv1Bn.Apply(_a, channels, size * size);
        PlainLayers.ReLU(_a, channels * size * size);
        for (int i = 0; i < Blocks.Length; i++)
        {
            var (stride, filters) = Blocks[i];
            int outSize = (size + 2 - 3) / stride + 1;
            PlainLayers.DepthwiseConv2D(_a, channels, size, size, _dw[i], null, 3, stride, 1, _b);
            _dwBn[i].Apply(_b, channels, outSize * outSize);
            PlainLayers.ReLU(_b, channels * outSize * outSize);
            PlainLayers.Conv2D(_b, channels, outSize, outSize, _pw[i], null, filters, 1, 0, _a);
            _pwBn[i].Apply(_a, filters, outSize * outSize);
            PlainLayers.ReLU(_a, filters * outSize * outSize);
            (channels, size) = (filters, outSize);
        }
        PlainLayers.GlobalAvgPool(_a, channels, size * size, _pooled);                              // (256)
        PlainLayers.Dense(_pooled, channels, _fc, _fcBias, 2, output);
    }
}

/// <summary>
/// MLPerf Tiny's ResNet-8 for CIFAR-10 (samples/ReferenceNetworks/ResNet8.cs) by hand: a 3x3 stem, three residual
/// stacks of 16, 32 and 64 channels (stacks 2 and 3 halve the size and bring their input along with a strided
/// 1x1 conv), global average pool, Dense 10. Every conv has a bias; BatchNorm and Add are passes of their own.
/// </summary>
internal sealed class PlainResNet8
{
    private readonly float[] _conv1, _conv1Bias, _fc, _fcBias;
    private readonly PlainBatchNorm _conv1Bn;
    private readonly float[][] _c1 = new float[3][], _c1Bias = new float[3][], _c2 = new float[3][], _c2Bias = new float[3][];
    private readonly float[]?[] _shortcut = new float[3][], _shortcutBias = new float[3][];
    private readonly PlainBatchNorm[] _c1Bn = new PlainBatchNorm[3], _c2Bn = new PlainBatchNorm[3];
    // x: a stack's input and output; y, z: inside a stack; s: the shortcut conv's output. Sized for 16x32x32.
    private readonly float[] _x = new float[16 * 32 * 32], _y = new float[16 * 32 * 32], _z = new float[16 * 32 * 32],
                             _s = new float[32 * 16 * 16], _pooled = new float[64];

    public PlainResNet8(Dictionary<string, float[]> t)
    {
        (_conv1, _conv1Bias, _conv1Bn) = (t["conv1.weight"], t["conv1.bias"], new PlainBatchNorm(t, "conv1_bn"));
        for (int s = 0; s < 3; s++)
        {
            string p = $"s{s + 1}_";
            (_c1[s], _c1Bias[s], _c1Bn[s]) = (t[p + "conv1.weight"], t[p + "conv1.bias"], new PlainBatchNorm(t, p + "conv1_bn"));
            (_c2[s], _c2Bias[s], _c2Bn[s]) = (t[p + "conv2.weight"], t[p + "conv2.bias"], new PlainBatchNorm(t, p + "conv2_bn"));
            if (s > 0)
                (_shortcut[s], _shortcutBias[s]) = (t[p + "shortcut.weight"], t[p + "shortcut.bias"]);
        }
        (_fc, _fcBias) = (t["fc.weight"], t["fc.bias"]);
    }

    public void Run(float[] input, float[] output)
    {
        PlainLayers.Conv2D(input, 3, 32, 32, _conv1, _conv1Bias, 16, 3, 1, _x);   // (16, 32, 32)
        _conv1Bn.Apply(_x, 16, 32 * 32);
        PlainLayers.ReLU(_x, 16 * 32 * 32);
        int channels = 16, size = 32;
        for (int s = 0; s < 3; s++)
        {
            int filters = 16 << s, stride = s == 0 ? 1 : 2, outSize = size / stride, length = filters * outSize * outSize;
            PlainLayers.Conv2D(_x, channels, size, size, _c1[s], _c1Bias[s], filters, 3, 3, stride, stride, 1, 1, 1, 1, _y);
            _c1Bn[s].Apply(_y, filters, outSize * outSize);
            PlainLayers.ReLU(_y, length);
            PlainLayers.Conv2D(_y, filters, outSize, outSize, _c2[s], _c2Bias[s], filters, 3, 1, _z);
            _c2Bn[s].Apply(_z, filters, outSize * outSize);
            if (_shortcut[s] is float[] shortcut)
            {
                PlainLayers.Conv2D(_x, channels, size, size, shortcut, _shortcutBias[s], filters, 1, 1, stride, stride, 0, 0, 0, 0, _s);
                PlainLayers.Add(_z, _s, length, _x);
            }
            else
                PlainLayers.Add(_z, _x, length, _x);
            PlainLayers.ReLU(_x, length);
            (channels, size) = (filters, outSize);
        }
        PlainLayers.GlobalAvgPool(_x, 64, 8 * 8, _pooled);
        PlainLayers.Dense(_pooled, 64, _fc, _fcBias, 10, output);
    }
}
