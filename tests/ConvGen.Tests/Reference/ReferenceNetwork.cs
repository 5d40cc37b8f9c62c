using System;
using System.Collections.Generic;
using System.Linq;
using System.Reflection;

namespace ConvGen.Tests.Reference;

/// <summary>
/// Runs a declared network by reading its attributes through reflection and calling
/// <see cref="NaiveReference"/> layer by layer: an oracle that shares nothing with the generator.
/// Attributes come back in declaration order (the order the compiler writes them to metadata).
/// Networks may be graphs: a layer reads its <c>Input</c> (a layer name, or <c>"input"</c> for the network's
/// input), by default the layer written just above; <c>Add</c> and <c>Concat</c> read their <c>Inputs</c>.
/// Layers are evaluated in a topological order (forward references are allowed); the last layer written is
/// the output.
/// </summary>
public static class ReferenceNetwork
{
    /// <summary>The network input's name in <c>Input</c>/<c>Inputs</c>.</summary>
    public const string InputName = "input";

    /// <summary>An intermediate tensor, channels first: (C, S) with S = h x w; h = 1 for 1-D, h = w = 1 for a vector.</summary>
    private readonly record struct Tensor(float[] X, int C, int H, int W, int Rank);

    public static float[] Run(Type network, float[] input)
    {
        var net = network.GetCustomAttribute<ConvNetAttribute>() ?? throw new ArgumentException($"{network} has no [ConvNet]");
        LayerAttribute[] layers = network.GetCustomAttributes<LayerAttribute>(inherit: false).ToArray();
        if (layers.Length == 0)
            throw new ArgumentException($"{network} has no layers");
        int[] shape = net.InputShape;
        bool channelsLast = net.Layout == Layout.ChannelsLast;
        bool keras = net.WeightLayout == WeightLayout.Keras;

        // Work channels first: (C, S) with S the spatial size; h x w = 1 x L for 1-D.
        int c0 = shape[0], h0 = shape.Length == 3 ? shape[1] : 1, w0 = shape.Length == 1 ? 1 : shape[^1];
        int rank0 = shape.Length;
        if (input.Length != c0 * h0 * w0)
            throw new ArgumentException($"input length {input.Length} != {c0 * h0 * w0}");
        float[] x0 = channelsLast && rank0 > 1 ? NaiveReference.ToChannelsFirst(input, c0, h0 * w0) : input;

        string[] names = LayerNames(layers);
        string[][] inputs = new string[layers.Length][];
        for (int i = 0; i < layers.Length; i++)
        {
            inputs[i] = layers[i] switch
            {
                AddAttribute add => add.Inputs,
                ConcatAttribute concat => concat.Inputs,
                LayerAttribute l => new[] { l.Input ?? (i == 0 ? InputName : names[i - 1]) },
            };
        }

        var tensors = new Dictionary<string, Tensor>(StringComparer.Ordinal) { [InputName] = new Tensor(x0, c0, h0, w0, rank0) };
        var done = new bool[layers.Length];
        for (int evaluated = 0; evaluated < layers.Length; evaluated++)
        {
            // The first layer not yet evaluated whose inputs are all ready.
            int next = Enumerable.Range(0, layers.Length).FirstOrDefault(i => !done[i] && inputs[i].All(tensors.ContainsKey), -1);
            if (next < 0)
            {
                string stuck = string.Join(", ", Enumerable.Range(0, layers.Length).Where(i => !done[i])
                    .Select(i => $"{names[i]} <- [{string.Join(", ", inputs[i])}]"));
                throw new ArgumentException($"{network}: unknown input names or a cycle among {stuck}");
            }
            Tensor[] args = inputs[next].Select(n => tensors[n]).ToArray();
            tensors[names[next]] = Evaluate(layers[next], args, channelsLast, keras);
            done[next] = true;
        }

        Tensor y = tensors[names[^1]];
        return channelsLast && y.Rank > 1 ? NaiveReference.ToChannelsLast(y.X, y.C, y.H * y.W) : y.X;
    }

    /// <summary>
    /// Each layer's name: its <c>Name</c>, else Keras-style: the attribute type name without "Attribute",
    /// lowercased, then <c>_1</c>, <c>_2</c>… for later unnamed layers of the same type, skipping names
    /// any layer takes explicitly.
    /// </summary>
    public static string[] LayerNames(IReadOnlyList<LayerAttribute> layers)
    {
        var taken = new HashSet<string>(layers.Where(l => l.Name is not null).Select(l => l.Name!), StringComparer.Ordinal);
        var counters = new Dictionary<string, int>(StringComparer.Ordinal);
        var names = new string[layers.Count];
        for (int i = 0; i < layers.Count; i++)
        {
            if (layers[i].Name is { } explicitName)
            {
                names[i] = explicitName;
                continue;
            }
            string type = layers[i].GetType().Name;
            string stem = (type.EndsWith("Attribute", StringComparison.Ordinal) ? type[..^"Attribute".Length] : type).ToLowerInvariant();
            int n = counters.GetValueOrDefault(stem);
            string name;
            do
            {
                name = n == 0 ? stem : $"{stem}_{n}";
                n++;
            }
            while (taken.Contains(name));
            counters[stem] = n;
            taken.Add(name);
            names[i] = name;
        }
        return names;
    }

    private static Tensor Evaluate(LayerAttribute layer, Tensor[] args, bool channelsLast, bool keras)
    {
        switch (layer)
        {
            case AddAttribute:
            {
                Tensor first = args[0];
                if (args.Any(t => (t.C, t.H, t.W, t.Rank) != (first.C, first.H, first.W, first.Rank)))
                    throw new ArgumentException($"Add '{layer.Name}': inputs of different shapes");
                return first with { X = NaiveReference.Add(args.Select(t => t.X).ToArray()) };
            }
            case ConcatAttribute:
            {
                Tensor first = args[0];
                if (args.Any(t => (t.H, t.W, t.Rank) != (first.H, first.W, first.Rank)))
                    throw new ArgumentException($"Concat '{layer.Name}': inputs of different spatial sizes or ranks");
                return first with { X = NaiveReference.Concat(args.Select(t => t.X).ToArray()), C = args.Sum(t => t.C) };
            }
        }

        (float[] x, int c, int h, int w, int rank) = args.Single();
        switch (layer)
        {
            case DepthwiseConv2DAttribute dw:
            {
                if (rank != 3)
                    throw new NotSupportedException("DepthwiseConv2D needs a (C, H, W) input");
                int oc = c * dw.DepthMultiplier;
                float[] weights = dw.Weights!;
                // Keras [kh, kw, C, mult] is the memory of a Keras conv kernel [kh, kw, 1, C*mult].
                if (keras)
                    weights = NaiveReference.KerasConv2DToPyTorch(weights, oc, 1, dw.KernelSize[0], dw.KernelSize[1]);
                (x, h, w) = Convolve(dw, x, c, h, w, rank, weights, oc, groups: c);
                return new Tensor(Activate(x, dw.Activation, dw.Alpha, oc, h * w), oc, h, w, rank);
            }
            case Conv2DTransposeAttribute convT:
            {
                if (rank != 3)
                    throw new NotSupportedException("Conv2DTranspose needs a (C, H, W) input");
                if (convT.PaddingMode != PaddingMode.Zeros)
                    throw new NotSupportedException("Conv2DTranspose pads with zeros only");
                int[] k = convT.KernelSize, s = PerAxis(convT.Strides, convT.Stride, 2), d = PerAxis(convT.Dilations, convT.Dilation, 2);
                int[] pads = new int[4];
                int[] outPad = (int[])PerAxis(convT.OutputPaddings, convT.OutputPadding, 2).Clone();
                if (convT.Pads is not null || convT.Pad != 0)
                    pads = Pads(convT.Pads, convT.Pad, Padding.Valid, 2, new[] { h, w }, k, s, d);
                else if (convT.Padding == Padding.Same)
                {
                    for (int a = 0; a < 2; a++)
                    {
                        (int begin, int end, int extra) = TransposeSamePads(k[a], s[a], d[a]);
                        (pads[a], pads[2 + a]) = (begin, end);
                        outPad[a] += extra;
                    }
                }
                int oc = convT.Filters, groups = convT.Groups;
                float[] weights = convT.Weights!;
                if (keras)
                    weights = KerasConvTranspose2DToPyTorch(weights, c, oc / groups, k[0], k[1]);
                x = NaiveReference.ConvTranspose2D(x, c, h, w, weights, convT.UseBias ? convT.Bias : null, oc, k[0], k[1], s[0], s[1], d[0], d[1],
                    pads[0], pads[1], pads[2], pads[3], outPad[0], outPad[1], groups, out h, out w);
                return new Tensor(Activate(x, convT.Activation, convT.Alpha, oc, h * w), oc, h, w, rank);
            }
            case ConvAttribute conv:
            {
                int[] k = conv.KernelSize;
                int icg = c / conv.Groups;
                float[] weights = conv.Weights!;
                if (keras)
                    weights = rank == 3 ? NaiveReference.KerasConv2DToPyTorch(weights, conv.Filters, icg, k[0], k[1]) : NaiveReference.KerasConv1DToPyTorch(weights, conv.Filters, icg, k[0]);
                (x, h, w) = Convolve(conv, x, c, h, w, rank, weights, conv.Filters, conv.Groups);
                c = conv.Filters;
                return new Tensor(Activate(x, conv.Activation, conv.Alpha, c, h * w), c, h, w, rank);
            }
            case DenseAttribute dense:
            {
                float[] weights = keras ? NaiveReference.KerasDenseToPyTorch(dense.Weights!, x.Length, dense.Units) : dense.Weights!;
                x = NaiveReference.Dense(x, weights, dense.UseBias ? dense.Bias : null, dense.Units);
                c = dense.Units;
                return new Tensor(Activate(x, dense.Activation, dense.Alpha, c, 1), c, 1, 1, 1);
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
                return new Tensor(x, c, h, w, rank);
            }
            case GlobalAvgPoolAttribute:
                return new Tensor(NaiveReference.GlobalAvgPool(x, c, h * w), c, 1, 1, 1);
            case GlobalMaxPoolAttribute:
                return new Tensor(NaiveReference.GlobalMaxPool(x, c, h * w), c, 1, 1, 1);
            case FlattenAttribute:
                if (channelsLast && rank > 1)
                    x = NaiveReference.ToChannelsLast(x, c, h * w);
                return new Tensor(x, x.Length, 1, 1, 1);
            case SoftmaxAttribute:
                return new Tensor(NaiveReference.Softmax(x, c, h * w), c, h, w, rank);
            case ActivationAttribute activation:
                return new Tensor(Activate(x, activation.Kind, activation.Alpha, c, h * w), c, h, w, rank);
            case DropoutAttribute:
                return new Tensor(x, c, h, w, rank);
            case BatchNormAttribute norm:
            {
                int spatial = h * w;
                var y = new float[x.Length];
                for (int ch = 0; ch < c; ch++)
                    for (int s = 0; s < spatial; s++)
                        y[ch * spatial + s] = (float)(norm.Gamma![ch] * (x[ch * spatial + s] - norm.Mean![ch]) / Math.Sqrt(norm.Variance![ch] + (double)norm.Epsilon) + norm.Beta![ch]);
                return new Tensor(y, c, h, w, rank);
            }
            case ZeroPad2DAttribute zeroPad:
            {
                if (rank != 3)
                    throw new NotSupportedException("ZeroPad2D needs a (C, H, W) input");
                int[] p = zeroPad.Pads switch
                {
                    [int all] => new[] { all, all, all, all },
                    [int rows, int cols] => new[] { rows, cols, rows, cols },
                    [_, _, _, _] => zeroPad.Pads,
                    _ => throw new ArgumentException("ZeroPad2D takes 1, 2 or 4 pads"),
                };
                x = NaiveReference.Pad2D(x, c, h, w, p[0], p[1], p[2], p[3], PaddingMode.Zeros, out h, out w);
                return new Tensor(x, c, h, w, rank);
            }
            case ChannelShuffleAttribute shuffle:
                return new Tensor(NaiveReference.ChannelShuffle(x, c, h * w, shuffle.Groups), c, h, w, rank);
            default:
                throw new NotSupportedException(layer.GetType().Name);
        }
    }

    /// <summary>
    /// A (grouped) convolution with PyTorch weights: pads resolved from Pad/Pads/Padding; a padding mode other
    /// than zeros pads the input with <see cref="NaiveReference.Pad2D"/> first and then convolves unpadded.
    /// </summary>
    private static (float[] X, int H, int W) Convolve(ConvWindowAttribute conv, float[] x, int c, int h, int w, int rank,
        float[] weights, int oc, int groups)
    {
        int axes = rank - 1;
        int[] k = conv.KernelSize, s = PerAxis(conv.Strides, conv.Stride, axes), d = PerAxis(conv.Dilations, conv.Dilation, axes);
        int[] pads = Pads(conv.Pads, conv.Pad, conv.Padding, axes, new[] { h, w }, k, s, d);
        float[]? bias = conv.UseBias ? conv.Bias : null;
        if (conv.PaddingMode != PaddingMode.Zeros)
        {
            // [top, left, bottom, right] in 2-D; [left, right] in 1-D, where h = 1.
            (int top, int left, int bottom, int right) = axes == 2 ? (pads[0], pads[1], pads[2], pads[3]) : (0, pads[0], 0, pads[1]);
            x = NaiveReference.Pad2D(x, c, h, w, top, left, bottom, right, conv.PaddingMode, out h, out w);
            pads = new int[2 * axes];
        }
        if (rank == 3)
        {
            float[] y = NaiveReference.Conv2D(x, c, h, w, weights, bias, oc, k[0], k[1], s[0], s[1], d[0], d[1],
                pads[0], pads[1], pads[2], pads[3], groups, out int oh, out int ow);
            return (y, oh, ow);
        }
        float[] y1 = NaiveReference.Conv1D(x, c, w, weights, bias, oc, k[0], s[0], d[0], pads[0], pads[1], groups, out int ol);
        return (y1, 1, ol);
    }

    /// <summary>
    /// Keras <c>Same</c> for a transposed convolution (output = in * stride): per axis with
    /// span = dilation*(k-1)+1, total = span - stride; pads (total/2, total - total/2) if total >= 0, else no
    /// pads and an output padding of stride - span.
    /// </summary>
    public static (int Begin, int End, int OutputPadding) TransposeSamePads(int kernel, int stride, int dilation)
    {
        int span = dilation * (kernel - 1) + 1;
        int total = span - stride;
        return total >= 0 ? (total / 2, total - total / 2, 0) : (0, 0, stride - span);
    }

    /// <summary>Keras Conv2DTranspose kernel <c>[kh, kw, out/groups, in]</c> -> PyTorch <c>[in, out/groups, kh, kw]</c>.</summary>
    public static float[] KerasConvTranspose2DToPyTorch(float[] w, int inputs, int outPerGroup, int kh, int kw)
    {
        if (w.Length != inputs * outPerGroup * kh * kw)
            throw new ArgumentException("weight length != in*(out/groups)*kh*kw");
        var y = new float[w.Length];
        for (int i = 0; i < inputs; i++)
            for (int o = 0; o < outPerGroup; o++)
                for (int ky = 0; ky < kh; ky++)
                    for (int kx = 0; kx < kw; kx++)
                        y[((i * outPerGroup + o) * kh + ky) * kw + kx] = w[((ky * kw + kx) * outPerGroup + o) * inputs + i];
        return y;
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
