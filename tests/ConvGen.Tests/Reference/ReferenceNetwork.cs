using System;
using System.Linq;
using System.Reflection;

namespace ConvGen.Tests.Reference;

/// <summary>
/// Runs a declared network by reading its attributes through reflection and calling
/// <see cref="NaiveReference"/> layer by layer: an oracle that shares nothing with the generator.
/// Attributes come back in declaration order (the order the compiler writes them to metadata).
/// </summary>
public static class ReferenceNetwork
{
    public static float[] Run(Type network, float[] input)
    {
        var net = network.GetCustomAttribute<ConvNetAttribute>() ?? throw new ArgumentException($"{network} has no [ConvNet]");
        var layers = network.GetCustomAttributes<LayerAttribute>(inherit: false).ToArray();
        int[] shape = net.InputShape;
        bool channelsLast = net.Layout == Layout.ChannelsLast;
        bool keras = net.WeightLayout == WeightLayout.Keras;

        // Work channels first: (C, S) with S the spatial size; h x w = 1 x L for 1-D.
        int c = shape[0], h = shape.Length == 3 ? shape[1] : 1, w = shape.Length == 1 ? 1 : shape[^1];
        int rank = shape.Length;
        float[] x = channelsLast && rank > 1 ? NaiveReference.ToChannelsFirst(input, c, h * w) : input;

        foreach (LayerAttribute layer in layers)
        {
            switch (layer)
            {
                case ConvAttribute conv:
                {
                    int[] k = conv.KernelSize, s = PerAxis(conv.Strides, conv.Stride, rank - 1), d = PerAxis(conv.Dilations, conv.Dilation, rank - 1);
                    int[] pads = Pads(conv.Pads, conv.Pad, conv.Padding, rank - 1, new[] { h, w }, k, s, d);
                    int icg = c / conv.Groups;
                    float[] weights = conv.Weights!;
                    if (keras)
                        weights = rank == 3 ? NaiveReference.KerasConv2DToPyTorch(weights, conv.Filters, icg, k[0], k[1]) : NaiveReference.KerasConv1DToPyTorch(weights, conv.Filters, icg, k[0]);
                    if (rank == 3)
                        x = NaiveReference.Conv2D(x, c, h, w, weights, conv.UseBias ? conv.Bias : null, conv.Filters, k[0], k[1], s[0], s[1], d[0], d[1], pads[0], pads[1], pads[2], pads[3], conv.Groups, out h, out w);
                    else
                        x = NaiveReference.Conv1D(x, c, w, weights, conv.UseBias ? conv.Bias : null, conv.Filters, k[0], s[0], d[0], pads[0], pads[1], conv.Groups, out w);
                    c = conv.Filters;
                    x = Activate(x, conv.Activation, conv.Alpha, c, h * w);
                    break;
                }
                case DenseAttribute dense:
                {
                    float[] weights = keras ? NaiveReference.KerasDenseToPyTorch(dense.Weights!, x.Length, dense.Units) : dense.Weights!;
                    x = NaiveReference.Dense(x, weights, dense.UseBias ? dense.Bias : null, dense.Units);
                    c = dense.Units;
                    x = Activate(x, dense.Activation, dense.Alpha, c, 1);
                    break;
                }
                case PoolAttribute pool:
                {
                    int[] k = pool.PoolSize;
                    int[] s = pool.Strides ?? (pool.Stride > 0 ? Enumerable.Repeat(pool.Stride, rank - 1).ToArray() : k);
                    int[] d = pool is MaxPoolAttribute max ? PerAxis(max.Dilations, max.Dilation, rank - 1) : Enumerable.Repeat(1, rank - 1).ToArray();
                    int[] pads = Pads(pool.Pads, pool.Pad, pool.Padding, rank - 1, new[] { h, w }, k, s, d);
                    x = (pool, rank) switch
                    {
                        (MaxPoolAttribute, 3) => NaiveReference.MaxPool2D(x, c, h, w, k[0], k[1], s[0], s[1], d[0], d[1], pads[0], pads[1], pads[2], pads[3], pool.CeilMode, out h, out w),
                        (MaxPoolAttribute, _) => NaiveReference.MaxPool1D(x, c, w, k[0], s[0], d[0], pads[0], pads[1], pool.CeilMode, out w),
                        (AvgPoolAttribute avg, 3) => NaiveReference.AvgPool2D(x, c, h, w, k[0], k[1], s[0], s[1], pads[0], pads[1], pads[2], pads[3], pool.CeilMode, avg.CountIncludePad, out h, out w),
                        (AvgPoolAttribute avg, _) => NaiveReference.AvgPool1D(x, c, w, k[0], s[0], pads[0], pads[1], pool.CeilMode, avg.CountIncludePad, out w),
                        _ => throw new NotSupportedException(pool.GetType().Name),
                    };
                    break;
                }
                case GlobalAvgPoolAttribute:
                    x = NaiveReference.GlobalAvgPool(x, c, h * w);
                    (rank, h, w) = (1, 1, 1);
                    break;
                case GlobalMaxPoolAttribute:
                    x = NaiveReference.GlobalMaxPool(x, c, h * w);
                    (rank, h, w) = (1, 1, 1);
                    break;
                case FlattenAttribute:
                    if (channelsLast && rank > 1)
                        x = NaiveReference.ToChannelsLast(x, c, h * w);
                    (rank, c, h, w) = (1, x.Length, 1, 1);
                    break;
                case SoftmaxAttribute:
                    x = NaiveReference.Softmax(x, c, h * w);
                    break;
                case ActivationAttribute activation:
                    x = Activate(x, activation.Kind, activation.Alpha, c, h * w);
                    break;
                case DropoutAttribute:
                    break;
                case BatchNormAttribute norm:
                {
                    int spatial = h * w;
                    var y = new float[x.Length];
                    for (int ch = 0; ch < c; ch++)
                        for (int s = 0; s < spatial; s++)
                            y[ch * spatial + s] = (float)(norm.Gamma![ch] * (x[ch * spatial + s] - norm.Mean![ch]) / Math.Sqrt(norm.Variance![ch] + (double)norm.Epsilon) + norm.Beta![ch]);
                    x = y;
                    break;
                }
                default:
                    throw new NotSupportedException(layer.GetType().Name);
            }
        }
        return channelsLast && rank > 1 ? NaiveReference.ToChannelsLast(x, c, h * w) : x;
    }

    private static float[] Activate(float[] x, Activation kind, float alpha, int c, int spatial)
    {
        if (kind == Activation.Softmax)
            return NaiveReference.Softmax(x, c, spatial);
        // The attribute's unset Alpha is 0; ConvGen's documented defaults apply then.
        if (alpha == 0)
            alpha = kind switch { Activation.LeakyReLU => 0.01f, Activation.ELU => 1f, _ => 0f };
        return NaiveReference.Activate(x, kind, alpha);
    }

    private static int[] PerAxis(int[]? perAxis, int scalar, int axes) => perAxis ?? Enumerable.Repeat(scalar, axes).ToArray();

    /// <summary>Pads as <c>[begin..., end...]</c>: explicit, Same (SAME_UPPER) or none.</summary>
    private static int[] Pads(int[]? pads, int pad, Padding padding, int axes, int[] hw, int[] k, int[] s, int[] d)
    {
        if (pads is not null)
            return pads;
        if (pad != 0)
            return Enumerable.Repeat(pad, 2 * axes).ToArray();
        var result = new int[2 * axes];
        if (padding == Padding.Same)
        {
            int[] sizes = axes == 2 ? hw : new[] { hw[1] };
            for (int a = 0; a < axes; a++)
                (result[a], result[axes + a]) = NaiveReference.SamePads(sizes[a], k[a], s[a], d[a]);
        }
        return result;
    }
}
