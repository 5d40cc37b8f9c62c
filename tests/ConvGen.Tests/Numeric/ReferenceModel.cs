using System;
using System.Collections.Generic;
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

    /// <summary>Where each layer reads from: layer indices, -1 for the network input.</summary>
    public sealed record Graph(int[][] Sources, int[] Order);

    /// <summary>The first reason the declaration is invalid, or null when it is valid (unused outputs are only a warning).</summary>
    public static string? Problem(NetDecl net) => Analyze(net, checkWeights: true, out _, out _);

    /// <summary>
    /// Resolves names (Name, Input, Add/Concat inputs; "input" is the network input; a layer without Input
    /// reads the layer written just above, forward references allowed), rejects unknown names, duplicate
    /// names and cycles, and orders the layers so each comes after what it reads.
    /// </summary>
    public static string? Resolve(NetDecl net, out Graph? graph)
    {
        graph = null;
        var names = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int i = 0; i < net.Layers.Length; i++)
        {
            if (net.Layers[i].Name is { } name)
            {
                if (name == "input")
                    return $"layer {i} is named \"input\"";
                if (!names.TryAdd(name, i))
                    return $"duplicate name '{name}'";
            }
        }
        var sources = new int[net.Layers.Length][];
        for (int i = 0; i < net.Layers.Length; i++)
        {
            LayerDecl l = net.Layers[i];
            string[] refs = l.IsMerge ? l.Inputs : l.Input is { } input ? new[] { input } : Array.Empty<string>();
            if (l.IsMerge && refs.Length < 2)
                return $"layer {i} ({l.Op}): fewer than 2 inputs";
            if (refs.Length == 0)
            {
                sources[i] = new[] { i - 1 };
                continue;
            }
            sources[i] = new int[refs.Length];
            for (int j = 0; j < refs.Length; j++)
            {
                if (refs[j] == "input")
                    sources[i][j] = -1;
                else if (names.TryGetValue(refs[j], out int source))
                    sources[i][j] = source;
                else
                    return $"layer {i} ({l.Op}): unknown input '{refs[j]}'";
            }
        }

        // Depth-first topological order; a layer met again while still open closes a cycle.
        var state = new int[net.Layers.Length]; // 0 new, 1 open, 2 done
        var order = new List<int>();
        string? cycle = null;
        void Visit(int i)
        {
            if (cycle is not null || i < 0 || state[i] == 2)
                return;
            if (state[i] == 1)
            {
                cycle = $"cycle through layer {i}";
                return;
            }
            state[i] = 1;
            foreach (int source in sources[i])
                Visit(source);
            state[i] = 2;
            order.Add(i);
        }
        for (int i = 0; i < net.Layers.Length; i++)
            Visit(i);
        if (cycle is not null)
            return cycle;
        graph = new Graph(sources, order.ToArray());
        return null;
    }

    /// <summary>The layers (not the last) whose output no layer reads: CG0028, a warning.</summary>
    public static int[] UnusedOutputs(NetDecl net)
    {
        if (Resolve(net, out Graph? graph) is not null)
            return Array.Empty<int>();
        var used = graph!.Sources.SelectMany(s => s).ToHashSet();
        return Enumerable.Range(0, net.Layers.Length - 1).Where(i => !used.Contains(i)).ToArray();
    }

    private static string? Analyze(NetDecl net, bool checkWeights, out Graph? graph, out TensorShape[] shapes)
    {
        graph = null;
        shapes = Array.Empty<TensorShape>();
        if (net.InputShape.Length is < 1 or > 3 || net.InputShape.Any(d => d < 1))
            return "bad input shape";
        if (net.Layers.Length == 0)
            return "no layers";
        if (Resolve(net, out graph) is { } unresolved)
            return unresolved;
        var known = new TensorShape[net.Layers.Length + 1];
        shapes = known;
        known[0] = TensorShape.FromDeclared(net.InputShape);
        foreach (int i in graph!.Order)
        {
            LayerDecl l = net.Layers[i];
            TensorShape[] inputs = graph.Sources[i].Select(j => known[j + 1]).ToArray();
            string? problem = l.IsMerge ? Merge(inputs, l, out known[i + 1]) : Next(inputs[0], l, out known[i + 1], checkWeights);
            if (problem is null && net.IsKeras && l.Op == LayerOp.ConvTranspose && (l.Groups ?? 1) != 1)
                problem = "Keras Conv2DTranspose weights have no groups";
            if (problem is not null)
                return $"layer {i} ({l.Op}): {problem}";
        }
        return null;
    }

    /// <summary>The output shape of every layer (index + 1; index 0 is the network input); throws if the declaration is invalid.</summary>
    public static TensorShape[] Shapes(NetDecl net, bool checkWeights = true)
    {
        if (net.Layers.Length == 0)
            return new[] { TensorShape.FromDeclared(net.InputShape) }; // a prefix the broken declarations extend
        if (Analyze(net, checkWeights, out _, out TensorShape[] shapes) is { } problem)
            throw new InvalidOperationException(problem);
        return shapes;
    }

    /// <summary>The shape each layer reads (the first input of an Add/Concat); throws if the structure is invalid.</summary>
    public static TensorShape[] InputShapes(NetDecl net, bool checkWeights = false)
    {
        if (Analyze(net, checkWeights, out Graph? graph, out TensorShape[] shapes) is { } problem)
            throw new InvalidOperationException(problem);
        return Enumerable.Range(0, net.Layers.Length).Select(i => shapes[graph!.Sources[i][0] + 1]).ToArray();
    }

    /// <summary>The output of an Add (identical shapes) or a Concat (same rank and spatial size; channels add up).</summary>
    public static string? Merge(TensorShape[] inputs, LayerDecl l, out TensorShape next)
    {
        next = inputs[0];
        if (inputs.Length < 2)
            return "fewer than 2 inputs";
        if (l.Op == LayerOp.Add)
            return inputs.All(s => s == inputs[0]) ? null : "Add of different shapes " + string.Join(", ", inputs);
        if (inputs.Any(s => s.Rank != inputs[0].Rank || s.H != inputs[0].H || s.W != inputs[0].W))
            return "Concat of different ranks or spatial sizes " + string.Join(", ", inputs);
        next = inputs[0] with { C = inputs.Sum(s => s.C) };
        return null;
    }

    /// <summary>
    /// The output shape of one single-input layer, or why the layer cannot take its input. Without
    /// <paramref name="checkWeights"/> the weight, bias and BatchNorm arrays are ignored (configs get them last).
    /// </summary>
    public static string? Next(TensorShape s, LayerDecl l, out TensorShape next, bool checkWeights = true)
    {
        next = s;
        switch (l.Op)
        {
            case LayerOp.Conv:
            case LayerOp.DepthwiseConv:
            {
                bool depthwise = l.Op == LayerOp.DepthwiseConv;
                if (depthwise && l.Rank != 2)
                    return "DepthwiseConv2D is 2-D";
                int mult = l.DepthMultiplier ?? 1;
                if (depthwise && mult < 1)
                    return "depth multiplier < 1";
                int outputs = depthwise ? s.C * mult : l.Outputs;
                if (outputs < 1)
                    return "filters < 1";
                if (ResolveWindow(s, l, out Window? window) is { } problem)
                    return problem;
                int groups = depthwise ? s.C : l.Groups ?? 1;
                if (groups < 1 || s.C % groups != 0 || outputs % groups != 0)
                    return $"groups {groups} do not divide {s.C} in / {outputs} out channels";
                if (checkWeights && l.Weights?.Length != outputs * (s.C / groups) * window!.Taps)
                    return "weights missing or of the wrong length";
                if (checkWeights && BiasProblem(l, outputs) is { } biasProblem)
                    return biasProblem;
                next = s.WithSpatial(outputs, window!.Out);
                return null;
            }
            case LayerOp.ConvTranspose:
            {
                if (l.Outputs < 1)
                    return "filters < 1";
                if (ResolveTranspose(s, l, out TransposeWindow? window) is { } problem)
                    return problem;
                int groups = l.Groups ?? 1;
                if (groups < 1 || s.C % groups != 0 || l.Outputs % groups != 0)
                    return $"groups {groups} do not divide {s.C} in / {l.Outputs} out channels";
                if (checkWeights && l.Weights?.Length != s.C * (l.Outputs / groups) * window!.Kernel[0] * window.Kernel[1])
                    return "weights missing or of the wrong length";
                if (checkWeights && BiasProblem(l, l.Outputs) is { } biasProblem)
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
                if (checkWeights && BiasProblem(l, l.Outputs) is { } denseBias)
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
            case LayerOp.BatchNorm:
                if (checkWeights && new[] { l.Gamma, l.Beta, l.Mean, l.Variance }.Any(a => a?.Length != s.C))
                    return "BatchNorm parameters missing or of the wrong length";
                if (checkWeights && l.Variance!.Any(v => v < 0))
                    return "negative variance";
                return null;
            case LayerOp.ZeroPad:
            {
                if (s.Rank != 3)
                    return "ZeroPad2D needs a 2-D input";
                if (ZeroPads(l) is not { } p)
                    return "ZeroPad2D takes 1, 2 or 4 values";
                if (p.Any(v => v < 0))
                    return "negative padding";
                next = s with { H = s.H + p[0] + p[2], W = s.W + p[1] + p[3] };
                return null;
            }
            case LayerOp.ChannelShuffle:
                if (s.Rank < 2)
                    return "ChannelShuffle needs channels";
                if (l.ShuffleGroups < 1 || s.C % l.ShuffleGroups != 0)
                    return $"groups {l.ShuffleGroups} do not divide {s.C} channels";
                return null;
            case LayerOp.Add:
            case LayerOp.Concat:
                return "a merge needs its inputs";
            default:
                return null;
        }
    }

    /// <summary>ZeroPad2D's values as [top, left, bottom, right], or null for a wrong count.</summary>
    public static int[]? ZeroPads(LayerDecl l) => l.PadValues.Length switch
    {
        1 => new[] { l.PadValues[0], l.PadValues[0], l.PadValues[0], l.PadValues[0] },
        2 => new[] { l.PadValues[0], l.PadValues[1], l.PadValues[0], l.PadValues[1] },
        4 => l.PadValues,
        _ => null,
    };

    /// <summary>A transposed convolution resolved per axis.</summary>
    public sealed record TransposeWindow(int[] Kernel, int[] Stride, int[] Dilation, int[] Begin, int[] End, int[] OutPad, int[] Out);

    /// <summary>
    /// Conv2DTranspose per axis: out = (in-1)*stride - begin - end + dilation*(k-1) + outPad + 1. Same (Keras):
    /// total = span - stride; total &gt;= 0 splits it begin = total/2; else no pads and an extra outPad of
    /// stride - span, so out = in*stride (+ OutputPadding). OutputPadding &lt; stride or &lt; dilation (PyTorch).
    /// </summary>
    public static string? ResolveTranspose(TensorShape s, LayerDecl l, out TransposeWindow? window)
    {
        window = null;
        if (s.Rank != 3)
            return "Conv2DTranspose needs a 2-D input";
        if (l.PaddingMode is { } mode && mode != ConvGen.PaddingMode.Zeros)
            return "Conv2DTranspose pads with zeros only";
        int[] kernel = l.KernelPerAxis;
        if (kernel.Length != 2 || kernel.Any(k => k < 1))
            return "kernel not positive";
        int[] stride = l.Strides ?? Repeat(l.Stride ?? 1, 2);
        int[] dilation = l.Dilations ?? Repeat(l.Dilation ?? 1, 2);
        int[] outPad = l.OutputPaddings ?? Repeat(l.OutputPadding ?? 0, 2);
        if (stride.Length != 2 || stride.Any(v => v < 1) || dilation.Length != 2 || dilation.Any(v => v < 1))
            return "stride or dilation not positive or of the wrong axis count";
        if (outPad.Length != 2 || outPad.Any(v => v < 0))
            return "output padding negative or of the wrong axis count";
        var begin = new int[2];
        var end = new int[2];
        var extra = new int[2];
        var output = new int[2];
        int[] input = s.SpatialSizes;
        for (int a = 0; a < 2; a++)
        {
            if (outPad[a] >= stride[a] && outPad[a] >= dilation[a])
                return $"output padding {outPad[a]} not smaller than stride {stride[a]} or dilation {dilation[a]}";
            int span = dilation[a] * (kernel[a] - 1) + 1;
            if (l.Pads is not null)
            {
                if (l.Pads.Length != 4)
                    return "Pads of the wrong count";
                (begin[a], end[a]) = (l.Pads[a], l.Pads[2 + a]);
            }
            else if (l.Pad is { } pad)
            {
                (begin[a], end[a]) = (pad, pad);
            }
            else if (l.Padding == ConvGen.Padding.Same)
            {
                int total = span - stride[a];
                if (total >= 0)
                    (begin[a], end[a]) = (total / 2, total - total / 2);
                else
                    extra[a] = stride[a] - span;
            }
            if (begin[a] < 0 || end[a] < 0)
                return "negative padding";
            output[a] = (input[a] - 1) * stride[a] - begin[a] - end[a] + span + outPad[a] + extra[a];
            if (output[a] < 1)
                return $"output size {output[a]} on axis {a}";
        }
        window = new TransposeWindow(kernel, stride, dilation, begin, end, outPad.Zip(extra, (p, e) => p + e).ToArray(), output);
        return null;
    }

    private static int[] Repeat(int value, int count) => Enumerable.Repeat(value, count).ToArray();

    private static string? BiasProblem(LayerDecl l, int outputs)
    {
        if (l.UseBias ?? true)
            return l.Bias?.Length == outputs ? null : "bias missing or of the wrong length";
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
            if (!pool && l.PaddingMode == PaddingMode.Reflect && (begin[a] >= input[a] || end[a] >= input[a]))
                return $"reflect pads {begin[a]},{end[a]} not smaller than the input {input[a]}";
            if (!pool && l.PaddingMode == PaddingMode.Circular && (begin[a] > input[a] || end[a] > input[a]))
                return $"circular pads {begin[a]},{end[a]} larger than the input {input[a]}";
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
        if (Analyze(net, checkWeights: true, out Graph? graph, out TensorShape[] shapes) is { } problem)
            throw new InvalidOperationException("Invalid declaration reached the reference: " + problem);
        var values = new float[net.Layers.Length + 1][];
        values[0] = net.Input;
        foreach (int i in graph!.Order)
        {
            int[] sources = graph.Sources[i];
            LayerDecl l = net.Layers[i];
            values[i + 1] = l.Op switch
            {
                LayerOp.Add => NaiveReference.Add(sources.Select(j => values[j + 1]).ToArray()),
                LayerOp.Concat => NaiveReference.Concat(sources.Select(j => values[j + 1]).ToArray()),
                _ => Apply(net, l, values[sources[0] + 1], shapes[sources[0] + 1], shapes[i + 1]),
            };
            if (values[i + 1].Length != shapes[i + 1].Size)
                throw new InvalidOperationException($"layer {i} ({l.Op}) made {values[i + 1].Length} values for {shapes[i + 1]}");
        }
        int last = net.Layers.Length;
        outputShape = shapes[last];
        float[] x = values[last];
        return net.IsChannelsLast && outputShape.Rank > 1 ? NaiveReference.ToChannelsLast(x, outputShape.C, outputShape.Spatial) : x;
    }

    /// <summary>A conv input padded by a non-zero PaddingMode (F.pad), so a valid conv follows; else as is.</summary>
    private static float[] ModePad(float[] x, TensorShape input, Window g, PaddingMode? mode, out TensorShape padded, out Window window)
    {
        padded = input;
        window = g;
        if (mode is null or PaddingMode.Zeros)
            return x;
        bool two = input.Rank == 3;
        float[] y = NaiveReference.Pad2D(x, input.C, two ? input.H : 1, input.W, two ? g.Begin[0] : 0, g.Begin[^1], two ? g.End[0] : 0, g.End[^1],
            mode.Value, out int oh, out int ow);
        padded = two ? input with { H = oh, W = ow } : input with { W = ow };
        int rank = g.Kernel.Length;
        window = g with { Begin = new int[rank], End = new int[rank] };
        return y;
    }

    /// <summary>One single-input layer on a channels-first tensor.</summary>
    private static float[] Apply(NetDecl net, LayerDecl l, float[] x, TensorShape input, TensorShape next)
    {
        switch (l.Op)
        {
            case LayerOp.Conv:
            case LayerOp.DepthwiseConv:
            {
                ResolveWindow(input, l, out Window? g0);
                bool depthwise = l.Op == LayerOp.DepthwiseConv;
                int outputs = next.C;
                int groups = depthwise ? input.C : l.Groups ?? 1, icg = input.C / groups;
                float[] w = l.Weights!;
                float[]? bias = (l.UseBias ?? true) ? l.Bias : null;
                x = ModePad(x, input, g0!, l.PaddingMode, out input, out Window g);
                float[] y;
                if (l.Rank == 2)
                {
                    if (net.IsKeras)
                        w = depthwise
                            ? KerasDepthwiseToPyTorch(w, input.C, outputs / input.C, g.Kernel[0], g.Kernel[1])
                            : NaiveReference.KerasConv2DToPyTorch(w, outputs, icg, g.Kernel[0], g.Kernel[1]);
                    y = NaiveReference.Conv2D(x, input.C, input.H, input.W, w, bias, outputs, g.Kernel[0], g.Kernel[1],
                        g.Stride[0], g.Stride[1], g.Dilation[0], g.Dilation[1], g.Begin[0], g.Begin[1], g.End[0], g.End[1], groups, out _, out _);
                }
                else
                {
                    if (net.IsKeras)
                        w = NaiveReference.KerasConv1DToPyTorch(w, outputs, icg, g.Kernel[0]);
                    y = NaiveReference.Conv1D(x, input.C, input.W, w, bias, outputs, g.Kernel[0], g.Stride[0], g.Dilation[0],
                        g.Begin[0], g.End[0], groups, out _);
                }
                return Activate(y, next, l.Activation, l.Alpha);
            }
            case LayerOp.ConvTranspose:
            {
                ResolveTranspose(input, l, out TransposeWindow? g);
                int groups = l.Groups ?? 1;
                float[] w = l.Weights!;
                if (net.IsKeras)
                    w = KerasConvTransposeToPyTorch(w, input.C, l.Outputs, g!.Kernel[0], g.Kernel[1]);
                float[] y = NaiveReference.ConvTranspose2D(x, input.C, input.H, input.W, w, (l.UseBias ?? true) ? l.Bias : null, l.Outputs,
                    g!.Kernel[0], g.Kernel[1], g.Stride[0], g.Stride[1], g.Dilation[0], g.Dilation[1], g.Begin[0], g.Begin[1], g.End[0], g.End[1],
                    g.OutPad[0], g.OutPad[1], groups, out _, out _);
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
            case LayerOp.BatchNorm:
            {
                // y = gamma * (x - mean) / sqrt(variance + epsilon) + beta, per channel, by the definition.
                double epsilon = l.Epsilon ?? 1e-5f;
                var y = new float[x.Length];
                int spatial = input.Spatial;
                for (int c = 0; c < input.C; c++)
                    for (int p = 0; p < spatial; p++)
                        y[c * spatial + p] = (float)(l.Gamma![c] * ((double)x[c * spatial + p] - l.Mean![c]) / Math.Sqrt(l.Variance![c] + epsilon) + l.Beta![c]);
                return y;
            }
            case LayerOp.ZeroPad:
            {
                int[] p = ZeroPads(l)!;
                return NaiveReference.Pad2D(x, input.C, input.H, input.W, p[0], p[1], p[2], p[3], PaddingMode.Zeros, out _, out _);
            }
            case LayerOp.ChannelShuffle:
                return NaiveReference.ChannelShuffle(x, input.C, input.Spatial, l.ShuffleGroups);
            default:
                throw new ArgumentOutOfRangeException(nameof(l), l.Op, null);
        }
    }

    /// <summary>Keras DepthwiseConv2D kernel [kh, kw, C, mult] -> PyTorch [C*mult, 1, kh, kw] (output channel c*mult + m).</summary>
    public static float[] KerasDepthwiseToPyTorch(float[] w, int channels, int mult, int kh, int kw)
    {
        var y = new float[w.Length];
        for (int c = 0; c < channels; c++)
            for (int m = 0; m < mult; m++)
                for (int ky = 0; ky < kh; ky++)
                    for (int kx = 0; kx < kw; kx++)
                        y[((c * mult + m) * kh + ky) * kw + kx] = w[((ky * kw + kx) * channels + c) * mult + m];
        return y;
    }

    /// <summary>Keras Conv2DTranspose kernel [kh, kw, out, in] -> PyTorch [in, out, kh, kw] (groups 1).</summary>
    public static float[] KerasConvTransposeToPyTorch(float[] w, int inputs, int outputs, int kh, int kw)
    {
        var y = new float[w.Length];
        for (int i = 0; i < inputs; i++)
            for (int o = 0; o < outputs; o++)
                for (int ky = 0; ky < kh; ky++)
                    for (int kx = 0; kx < kw; kx++)
                        y[((i * outputs + o) * kh + ky) * kw + kx] = w[((ky * kw + kx) * outputs + o) * inputs + i];
        return y;
    }

    /// <summary>An activation with DESIGN.md's defaults (LeakyReLU 0.01, ELU 1); Softmax over channels per position.</summary>
    private static float[] Activate(float[] x, TensorShape s, Activation kind, float? alpha) => kind switch
    {
        Activation.None => x,
        Activation.Softmax => NaiveReference.Softmax(x, s.C, s.Spatial),
        _ => NaiveReference.Activate(x, kind, alpha ?? (kind == Activation.LeakyReLU ? 0.01f : 1f)),
    };
}
