using System;
using System.Linq;
using ConvGen.Tests.Reference;

namespace ConvGen.Tests.Numeric;

/// <summary>
/// Runs a <see cref="NetDecl"/> through <see cref="NaiveReference"/>, resolving the attribute surface
/// (defaults, scalar/per-axis pairs, Same padding, layouts) from DESIGN.md §2 independently of the
/// generator. Also says whether a declaration is valid, so the config generators can keep to valid ones.
/// </summary>
public static class ReferenceModel
{
    /// <summary>A conv or pool window resolved per spatial axis (one axis in 1-D).</summary>
    public sealed record Window(int[] Kernel, int[] Stride, int[] Dilation, int[] Begin, int[] End, int[] Out)
    {
        public int Taps => Kernel.Aggregate(1, (p, k) => p * k);
    }

    /// <summary>The first reason the declaration is invalid, or null when it is valid.</summary>
    public static string? Problem(NetDecl net)
    {
        if (net.InputShape.Length is < 1 or > 3 || net.InputShape.Any(d => d < 1))
            return "bad input shape";
        if (net.Layers.Length == 0)
            return "no layers";
        TensorShape shape = TensorShape.FromDeclared(net.InputShape);
        for (int i = 0; i < net.Layers.Length; i++)
        {
            string? problem = Next(shape, net.Layers[i], out shape);
            if (problem is not null)
                return $"layer {i} ({net.Layers[i].Op}): {problem}";
        }
        return null;
    }

    /// <summary>The shapes after each layer; throws if the declaration is invalid.</summary>
    public static TensorShape[] Shapes(NetDecl net)
    {
        var shapes = new TensorShape[net.Layers.Length + 1];
        shapes[0] = TensorShape.FromDeclared(net.InputShape);
        for (int i = 0; i < net.Layers.Length; i++)
        {
            if (Next(shapes[i], net.Layers[i], out shapes[i + 1]) is { } problem)
                throw new InvalidOperationException($"layer {i}: {problem}");
        }
        return shapes;
    }

    /// <summary>
    /// The output shape of one layer, or why the layer cannot take its input. Without
    /// <paramref name="checkWeights"/> the weight and bias arrays are ignored (configs get them last).
    /// </summary>
    public static string? Next(TensorShape s, LayerDecl l, out TensorShape next, bool checkWeights = true)
    {
        next = s;
        switch (l.Op)
        {
            case LayerOp.Conv:
            {
                if (l.Outputs < 1)
                    return "filters < 1";
                if (ResolveWindow(s, l, out Window? window) is { } problem)
                    return problem;
                int groups = l.Groups ?? 1;
                if (groups < 1 || s.C % groups != 0 || l.Outputs % groups != 0)
                    return $"groups {groups} do not divide {s.C} in / {l.Outputs} out channels";
                if (checkWeights && l.Weights?.Length != l.Outputs * (s.C / groups) * window!.Taps)
                    return "weights missing or of the wrong length";
                if (checkWeights && BiasProblem(l) is { } biasProblem)
                    return biasProblem;
                next = s.WithSpatial(l.Outputs, window!.Out);
                return null;
            }
            case LayerOp.MaxPool:
            case LayerOp.AvgPool:
            {
                if (ResolveWindow(s, l, out Window? window) is { } problem)
                    return problem;
                next = s.WithSpatial(s.C, window!.Out);
                return null;
            }
            case LayerOp.Dense:
                if (s.Rank != 1)
                    return $"Dense needs a flat input but gets {s}";
                if (l.Outputs < 1)
                    return "units < 1";
                if (checkWeights && l.Weights?.Length != l.Outputs * s.C)
                    return "weights missing or of the wrong length";
                if (checkWeights && BiasProblem(l) is { } denseBias)
                    return denseBias;
                next = TensorShape.Vector(l.Outputs);
                return null;
            case LayerOp.GlobalAvgPool:
            case LayerOp.GlobalMaxPool:
                if (s.Rank < 2)
                    return "global pooling needs a 1-D or 2-D input";
                next = TensorShape.Vector(s.C);
                return null;
            case LayerOp.Flatten:
                next = TensorShape.Vector(s.Size);
                return null;
            default:
                return null;
        }
    }

    private static string? BiasProblem(LayerDecl l)
    {
        if (l.UseBias ?? true)
            return l.Bias?.Length == l.Outputs ? null : "bias missing or of the wrong length";
        return l.Bias is null ? null : "Bias given with UseBias = false";
    }

    /// <summary>Resolves strides, dilations and pads per axis (Same, Pad, Pads, defaults) and the output sizes.</summary>
    public static string? ResolveWindow(TensorShape s, LayerDecl l, out Window? window)
    {
        window = null;
        int rank = l.Rank;
        bool pool = l.Op is LayerOp.MaxPool or LayerOp.AvgPool;
        if (s.SpatialRank != rank)
            return $"a {rank}-D layer cannot take {s}";
        int[] kernel = l.KernelPerAxis;
        if (kernel.Length != rank || kernel.Any(k => k < 1))
            return "kernel not positive";

        int[] stride;
        if (l.Strides is not null)
            stride = l.Strides;
        else if (l.Stride is { } st && !(pool && st == 0))
            stride = Enumerable.Repeat(st, rank).ToArray(); // a pool's Stride = 0 means "unset"
        else
            stride = pool ? kernel : Enumerable.Repeat(1, rank).ToArray();
        if (stride.Length != rank || stride.Any(v => v < 1))
            return "stride not positive or of the wrong axis count";

        int[] dilation = l.Op == LayerOp.AvgPool ? Enumerable.Repeat(1, rank).ToArray()
            : l.Dilations ?? Enumerable.Repeat(l.Dilation ?? 1, rank).ToArray();
        if (dilation.Length != rank || dilation.Any(v => v < 1))
            return "dilation not positive or of the wrong axis count";

        var begin = new int[rank];
        var end = new int[rank];
        var output = new int[rank];
        int[] input = s.SpatialSizes;
        for (int a = 0; a < rank; a++)
        {
            if (l.Pads is not null)
            {
                if (l.Pads.Length != 2 * rank)
                    return "Pads of the wrong count";
                (begin[a], end[a]) = (l.Pads[a], l.Pads[rank + a]);
            }
            else if (l.Pad is { } pad)
            {
                (begin[a], end[a]) = (pad, pad);
            }
            else if (l.Padding == Padding.Same)
            {
                (begin[a], end[a]) = NaiveReference.SamePads(input[a], kernel[a], stride[a], dilation[a]);
            }
            if (begin[a] < 0 || end[a] < 0)
                return "negative padding";
            int span = (kernel[a] - 1) * dilation[a] + 1;
            if (span > input[a] + begin[a] + end[a])
                return $"window {span} larger than padded input {input[a]}+{begin[a]}+{end[a]}";
            if (pool && (begin[a] > span / 2 || end[a] > span / 2))
                return $"pool pads {begin[a]},{end[a]} exceed half the window {span}";
            output[a] = pool
                ? NaiveReference.PoolOutputSize(input[a], kernel[a], stride[a], dilation[a], begin[a], end[a], l.CeilMode ?? false)
                : NaiveReference.OutputSize(input[a], kernel[a], stride[a], dilation[a], begin[a], end[a]);
        }
        window = new Window(kernel, stride, dilation, begin, end, output);
        return null;
    }

    /// <summary>
    /// Whether some window of a pool reads padding only (possible with dilation or ceil mode). A max pool
    /// then yields -inf, as PyTorch does; stacks avoid it so later layers do not turn it into NaN.
    /// </summary>
    public static bool HasPaddingOnlyWindow(TensorShape s, LayerDecl l)
    {
        if (ResolveWindow(s, l, out Window? g) is not null)
            return false;
        int[] input = s.SpatialSizes;
        for (int a = 0; a < input.Length; a++)
        {
            for (int o = 0; o < g!.Out[a]; o++)
            {
                int start = o * g.Stride[a] - g.Begin[a];
                if (!Enumerable.Range(0, g.Kernel[a]).Any(j => start + j * g.Dilation[a] is var p && p >= 0 && p < input[a]))
                    return true;
            }
        }
        return false;
    }

    /// <summary>The input as the generated Run reads it: transposed to (H, W, C) / (L, C) for a channels-last network.</summary>
    public static float[] MemoryInput(NetDecl net)
    {
        var shape = TensorShape.FromDeclared(net.InputShape);
        return net.IsChannelsLast && shape.Rank > 1 ? NaiveReference.ToChannelsLast(net.Input, shape.C, shape.Spatial) : net.Input;
    }

    /// <summary>The expected output, in the network's memory layout.</summary>
    public static float[] Run(NetDecl net, out TensorShape outputShape)
    {
        TensorShape s = TensorShape.FromDeclared(net.InputShape);
        float[] x = net.Input;
        foreach (LayerDecl layer in net.Layers)
            x = Apply(net, layer, x, ref s);
        outputShape = s;
        return net.IsChannelsLast && s.Rank > 1 ? NaiveReference.ToChannelsLast(x, s.C, s.Spatial) : x;
    }

    /// <summary>One layer on a channels-first tensor.</summary>
    private static float[] Apply(NetDecl net, LayerDecl l, float[] x, ref TensorShape s)
    {
        if (Next(s, l, out TensorShape next) is { } problem)
            throw new InvalidOperationException("Invalid declaration reached the reference: " + problem);
        TensorShape input = s;
        s = next;
        switch (l.Op)
        {
            case LayerOp.Conv:
            {
                ResolveWindow(input, l, out Window? g);
                int groups = l.Groups ?? 1, icg = input.C / groups;
                float[] w = l.Weights!;
                float[]? bias = (l.UseBias ?? true) ? l.Bias : null;
                float[] y;
                if (l.Rank == 2)
                {
                    if (net.IsKeras)
                        w = NaiveReference.KerasConv2DToPyTorch(w, l.Outputs, icg, g!.Kernel[0], g.Kernel[1]);
                    y = NaiveReference.Conv2D(x, input.C, input.H, input.W, w, bias, l.Outputs, g!.Kernel[0], g.Kernel[1],
                        g.Stride[0], g.Stride[1], g.Dilation[0], g.Dilation[1], g.Begin[0], g.Begin[1], g.End[0], g.End[1], groups, out _, out _);
                }
                else
                {
                    if (net.IsKeras)
                        w = NaiveReference.KerasConv1DToPyTorch(w, l.Outputs, icg, g!.Kernel[0]);
                    y = NaiveReference.Conv1D(x, input.C, input.W, w, bias, l.Outputs, g!.Kernel[0], g.Stride[0], g.Dilation[0],
                        g.Begin[0], g.End[0], groups, out _);
                }
                return Activate(y, next, l.Activation, l.Alpha);
            }
            case LayerOp.MaxPool:
            {
                ResolveWindow(input, l, out Window? g);
                bool ceil = l.CeilMode ?? false;
                return l.Rank == 2
                    ? NaiveReference.MaxPool2D(x, input.C, input.H, input.W, g!.Kernel[0], g.Kernel[1], g.Stride[0], g.Stride[1],
                        g.Dilation[0], g.Dilation[1], g.Begin[0], g.Begin[1], g.End[0], g.End[1], ceil, out _, out _)
                    : NaiveReference.MaxPool1D(x, input.C, input.W, g!.Kernel[0], g.Stride[0], g.Dilation[0], g.Begin[0], g.End[0], ceil, out _);
            }
            case LayerOp.AvgPool:
            {
                ResolveWindow(input, l, out Window? g);
                bool ceil = l.CeilMode ?? false, include = l.CountIncludePad ?? true;
                return l.Rank == 2
                    ? NaiveReference.AvgPool2D(x, input.C, input.H, input.W, g!.Kernel[0], g.Kernel[1], g.Stride[0], g.Stride[1],
                        g.Begin[0], g.Begin[1], g.End[0], g.End[1], ceil, include, out _, out _)
                    : NaiveReference.AvgPool1D(x, input.C, input.W, g!.Kernel[0], g.Stride[0], g.Begin[0], g.End[0], ceil, include, out _);
            }
            case LayerOp.Dense:
            {
                float[] w = net.IsKeras ? NaiveReference.KerasDenseToPyTorch(l.Weights!, input.C, l.Outputs) : l.Weights!;
                float[] y = NaiveReference.Dense(x, w, (l.UseBias ?? true) ? l.Bias : null, l.Outputs);
                return Activate(y, next, l.Activation, l.Alpha);
            }
            case LayerOp.GlobalAvgPool:
                return NaiveReference.GlobalAvgPool(x, input.C, input.Spatial);
            case LayerOp.GlobalMaxPool:
                return NaiveReference.GlobalMaxPool(x, input.C, input.Spatial);
            case LayerOp.Flatten:
                // Flatten follows the declared layout: (H, W, C) order for a channels-last network.
                return net.IsChannelsLast && input.Rank > 1 ? NaiveReference.ToChannelsLast(x, input.C, input.Spatial) : x;
            case LayerOp.Dropout:
                return x;
            case LayerOp.Softmax:
                return Activate(x, next, Activation.Softmax, null);
            case LayerOp.Activation:
                return Activate(x, next, l.Activation, l.Alpha);
            default:
                throw new ArgumentOutOfRangeException(nameof(l), l.Op, null);
        }
    }

    /// <summary>An activation with DESIGN.md's defaults (LeakyReLU 0.01, ELU 1); Softmax over channels per position.</summary>
    private static float[] Activate(float[] x, TensorShape s, Activation kind, float? alpha) => kind switch
    {
        Activation.None => x,
        Activation.Softmax => NaiveReference.Softmax(x, s.C, s.Spatial),
        _ => NaiveReference.Activate(x, kind, alpha ?? (kind == Activation.LeakyReLU ? 0.01f : 1f)),
    };
}
