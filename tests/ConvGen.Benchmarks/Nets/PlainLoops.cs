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
