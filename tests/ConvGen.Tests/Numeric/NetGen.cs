using System;
using System.Collections.Generic;
using System.Linq;
using CsCheck;

namespace ConvGen.Tests.Numeric;

/// <summary>
/// CsCheck generators of valid network declarations. Every choice is made knowing the shape it applies
/// to, so windows always fit their (padded) input and groups always divide: invalid configurations are
/// never produced (rather than skipped at run time). Weights, biases and inputs come last, from a
/// generated seed, so the structure shrinks independently of the values.
/// </summary>
public static partial class NetGen
{
    private static readonly Activation[] AllActivations = Enum.GetValues<Activation>();

    private static int[] Repeat(int value, int count) => Enumerable.Repeat(value, count).ToArray();

    // ---------------------------------------------------------------- small pieces

    private static Gen<float?> AlphaFor(Activation kind) => kind switch
    {
        // Omitted half the time so the defaults (0.01 and 1) are checked too.
        Activation.LeakyReLU => Gen.Frequency((1, Gen.Const(default(float?))), (2, Gen.Float[0.001f, 0.5f].Select(v => (float?)v))),
        Activation.ELU => Gen.Frequency((1, Gen.Const(default(float?))), (2, Gen.Float[0.1f, 2f].Select(v => (float?)v))),
        _ => Gen.Const(default(float?)),
    };

    /// <summary>Any activation, with a random Alpha where it has one.</summary>
    public static readonly Gen<(Activation Kind, float? Alpha)> AnyActivation =
        from kind in Gen.OneOf(AllActivations)
        from alpha in AlphaFor(kind)
        select (kind, alpha);

    private static readonly Gen<bool?> UseBias = Gen.Frequency((3, Gen.Const(default(bool?))), (1, Gen.Const((bool?)true)), (3, Gen.Const((bool?)false)));

    private static readonly Gen<bool?> OptionalBool = Gen.OneOf<bool?>(null, false, true);

    /// <summary>A stride or dilation: omitted (1), scalar, or per axis; returns (scalar, per axis, resolved).</summary>
    private static Gen<(int? Scalar, int[]? PerAxis, int[] Resolved)> AxisParam(int rank, int max) => Gen.Frequency(
        (3, Gen.Const(((int?)null, (int[]?)null, Repeat(1, rank)))),
        (2, Gen.Int[1, max].Select(v => ((int?)v, (int[]?)null, Repeat(v, rank)))),
        (2, Gen.Int[1, max].Array[rank].Select(a => ((int?)null, (int[]?)a, a))));

    /// <summary>How the padding is written. Explicit pads sometimes come with a Padding that they override.</summary>
    private sealed record PadSpec(Padding? Padding, int? Pad, int[]? Pads)
    {
        public bool IsSame => Pads is null && Pad is null && Padding == ConvGen.Padding.Same;

        public int Begin(int axis) => Pads?[axis] ?? Pad ?? 0;

        public int End(int axis, int rank) => Pads?[rank + axis] ?? Pad ?? 0;
    }

    private static readonly Gen<Padding?> OverriddenPadding =
        Gen.Frequency((4, Gen.Const(default(Padding?))), (1, Gen.Const((Padding?)Padding.Same)), (1, Gen.Const((Padding?)Padding.Valid)));

    private static readonly Gen<PadSpec> ValidPadding = Gen.OneOf(new PadSpec(null, null, null), new PadSpec(Padding.Valid, null, null));

    private static readonly Gen<PadSpec> SamePadding = Gen.Const(new PadSpec(Padding.Same, null, null));

    private static Gen<PadSpec> ConvPadding(int rank) => Gen.Frequency(
        (3, ValidPadding),
        (3, SamePadding),
        (2, from p in Gen.Int[0, 3] from padding in OverriddenPadding select new PadSpec(padding, p, null)),
        (3, from pads in Gen.Int[0, 3].Array[2 * rank] from padding in OverriddenPadding select new PadSpec(padding, null, pads)));

    /// <summary>Divisors of n, for Groups.</summary>
    private static int[] Divisors(int n) => Enumerable.Range(1, n).Where(d => n % d == 0).ToArray();

    // ---------------------------------------------------------------- layers

    /// <summary>
    /// A Conv1D/Conv2D that fits <paramref name="s"/>: groups from plain to depthwise (with a multiplier),
    /// every stride/dilation/padding form, kernels as large as the padded input allows (so outputs reach 1).
    /// </summary>
    public static Gen<LayerDecl> Conv(TensorShape s, int maxKernel = 7, int maxFilters = 8)
    {
        int rank = s.SpatialRank;
        int[] input = s.SpatialSizes;
        return
            from groups in Gen.Frequency((3, Gen.Const(1)), (2, Gen.Const(s.C)), (2, Gen.OneOf(Divisors(s.C))))
            from writeGroups in Gen.Int[0, 2]
            from perGroup in Gen.Int[1, Math.Max(2, maxFilters / groups)]
            from stride in AxisParam(rank, 3)
            from dilation in AxisParam(rank, 3)
            from pad in ConvPadding(rank)
            from kernel in Kernel(rank, Enumerable.Range(0, rank).Select(a => pad.IsSame
                ? maxKernel
                : Math.Min(maxKernel, (input[a] + pad.Begin(a) + pad.End(a, rank) - 1) / dilation.Resolved[a] + 1)).ToArray())
            from useBias in UseBias
            from activation in AnyActivation
            select new LayerDecl
            {
                Op = LayerOp.Conv,
                Rank = rank,
                Outputs = groups * perGroup,
                Kernel = kernel,
                Stride = stride.Scalar,
                Strides = stride.PerAxis,
                Dilation = dilation.Scalar,
                Dilations = dilation.PerAxis,
                Padding = pad.Padding,
                Pad = pad.Pad,
                Pads = pad.Pads,
                Groups = groups > 1 || writeGroups == 0 ? groups : null,
                UseBias = useBias,
                Activation = activation.Kind,
                Alpha = activation.Alpha,
            };
    }

    /// <summary>A kernel as written: one size (square in 2-D), or (kh, kw) square or not; each at most its axis's maximum.</summary>
    private static Gen<int[]> Kernel(int rank, int[] maxPerAxis)
    {
        if (rank == 1)
            return Gen.Int[1, maxPerAxis[0]].Select(k => new[] { k });
        int square = Math.Min(maxPerAxis[0], maxPerAxis[1]);
        return Gen.Frequency(
            (2, Gen.Int[1, square].Select(k => new[] { k })),
            (1, Gen.Int[1, square].Select(k => new[] { k, k })),
            (3, Gen.Select(Gen.Int[1, maxPerAxis[0]], Gen.Int[1, maxPerAxis[1]], (kh, kw) => new[] { kh, kw })));
    }

    /// <summary>
    /// A MaxPool or AvgPool that fits <paramref name="s"/>: window, stride (default = window), MaxPool
    /// dilation, Valid/Same/explicit pads of at most half the window, CeilMode, CountIncludePad.
    /// </summary>
    public static Gen<LayerDecl> Pool(TensorShape s, LayerOp op, int maxPool = 5)
    {
        int rank = s.SpatialRank;
        int[] input = s.SpatialSizes;
        bool max = op == LayerOp.MaxPool;
        return
            from kernel in Kernel(rank, Repeat(maxPool, rank))
            from stride in Gen.Frequency(
                (3, Gen.Const(((int?)null, (int[]?)null))),
                (2, Gen.Int[1, 3].Select(v => ((int?)v, (int[]?)null))),
                (2, Gen.Int[1, 3].Array[rank].Select(a => ((int?)null, (int[]?)a))))
            from dilation in max ? AxisParam(rank, 3) : Gen.Const((Scalar: (int?)null, PerAxis: (int[]?)null, Resolved: Repeat(1, rank)))
            let k = rank == 2 && kernel.Length == 1 ? new[] { kernel[0], kernel[0] } : kernel
            let span = Enumerable.Range(0, rank).Select(a => (k[a] - 1) * dilation.Resolved[a] + 1).ToArray()
            from pad in PoolPadding(rank, input, span)
            from ceil in OptionalBool
            from include in max ? Gen.Const(default(bool?)) : OptionalBool
            select new LayerDecl
            {
                Op = op,
                Rank = rank,
                Kernel = kernel,
                Stride = stride.Item1,
                Strides = stride.Item2,
                Dilation = dilation.Scalar,
                Dilations = dilation.PerAxis,
                Padding = pad.Padding,
                Pad = pad.Pad,
                Pads = pad.Pads,
                CeilMode = ceil,
                CountIncludePad = include,
            };
    }

    /// <summary>The pool paddings that make the window fit while keeping every pad at most half the window.</summary>
    private static Gen<PadSpec> PoolPadding(int rank, int[] input, int[] span)
    {
        var options = new List<(int, IGen<PadSpec>)> { (3, SamePadding) };
        if (Enumerable.Range(0, rank).All(a => span[a] <= input[a]))
            options.Add((3, ValidPadding));

        // One Pad for every side: at least what the largest shortfall needs, at most half the smallest window.
        int low = Enumerable.Range(0, rank).Max(a => Math.Max(0, (span[a] - input[a] + 1) / 2));
        int high = span.Min() / 2;
        if (low <= high)
            options.Add((2, from p in Gen.Int[low, high] from padding in OverriddenPadding select new PadSpec(padding, p, null)));

        // Per side: the begin pad leaves room for an end pad of at most half the window.
        Gen<(int B, int E)> Sides(int a) =>
            from b in Gen.Int[Math.Max(0, (span[a] + 1) / 2 - input[a]), span[a] / 2]
            from e in Gen.Int[Math.Max(0, span[a] - input[a] - b), span[a] / 2]
            select (b, e);
        Gen<int[]> pads = rank == 1
            ? Sides(0).Select(x => new[] { x.B, x.E })
            : Gen.Select(Sides(0), Sides(1), (y, x) => new[] { y.B, x.B, y.E, x.E });
        options.Add((3, from p in pads from padding in OverriddenPadding select new PadSpec(padding, null, p)));
        return Gen.Frequency(options.ToArray());
    }

    /// <summary>A Dense layer over a flat input.</summary>
    public static Gen<LayerDecl> Dense(int maxUnits = 12) =>
        from units in Gen.Int[1, maxUnits]
        from useBias in UseBias
        from activation in AnyActivation
        select new LayerDecl { Op = LayerOp.Dense, Outputs = units, UseBias = useBias, Activation = activation.Kind, Alpha = activation.Alpha };

    /// <summary>A layer without weights that keeps the shape: Dropout, Softmax, or an Activation of any kind.</summary>
    public static readonly Gen<LayerDecl> ShapeKeeping = Gen.Frequency(
        (1, Gen.Frequency((1, Gen.Const(default(float?))), (1, Gen.Float[0f, 0.9f].Select(r => (float?)r)))
            .Select(rate => new LayerDecl { Op = LayerOp.Dropout, DropoutRate = rate })),
        (1, Gen.Const(new LayerDecl { Op = LayerOp.Softmax })),
        (3, AnyActivation.Select(a => new LayerDecl { Op = LayerOp.Activation, Activation = a.Kind, Alpha = a.Alpha })));

    /// <summary>Any weightless layer <paramref name="s"/> accepts: the shape keepers, Flatten and (on 1-D/2-D) the global pools.</summary>
    public static Gen<LayerDecl> Weightless(TensorShape s) => s.Rank == 1
        ? Gen.Frequency((4, ShapeKeeping), (1, Gen.Const(new LayerDecl { Op = LayerOp.Flatten })))
        : Gen.Frequency(
            (4, ShapeKeeping),
            (2, Gen.Const(new LayerDecl { Op = LayerOp.Flatten })),
            (2, Gen.Const(new LayerDecl { Op = LayerOp.GlobalAvgPool })),
            (2, Gen.Const(new LayerDecl { Op = LayerOp.GlobalMaxPool })));

    // ---------------------------------------------------------------- inputs and networks

    public static Gen<TensorShape> Image(int maxC, int minHw, int maxHw) =>
        Gen.Select(Gen.Int[1, maxC], Gen.Int[minHw, maxHw], Gen.Int[minHw, maxHw], (c, h, w) => new TensorShape(3, c, h, w));

    public static Gen<TensorShape> Signal(int maxC, int minL, int maxL) =>
        Gen.Select(Gen.Int[1, maxC], Gen.Int[minL, maxL], (c, l) => new TensorShape(2, c, 1, l));

    public static Gen<TensorShape> Vector(int maxN) => Gen.Int[1, maxN].Select(TensorShape.Vector);

    private static int[] Declared(TensorShape s) => s.Rank switch
    {
        1 => new[] { s.C },
        2 => new[] { s.C, s.W },
        _ => new[] { s.C, s.H, s.W },
    };

    private static TensorShape After(TensorShape s, LayerDecl layer)
    {
        if (ReferenceModel.Next(s, layer, out TensorShape next, checkWeights: false) is { } problem)
            throw new InvalidOperationException($"The config generator made an invalid layer ({problem}): {DeclWriter.Layer(layer, withData: false)} on {s}");
        return next;
    }

    /// <summary>
    /// Layers chosen one after another, each knowing its input shape. <paramref name="step"/> returns
    /// null to stop.
    /// </summary>
    public static Gen<LayerDecl[]> Chain(TensorShape s, int count, Func<TensorShape, Gen<LayerDecl>?> step)
    {
        if (count == 0 || step(s) is not { } next)
            return Gen.Const(Array.Empty<LayerDecl>());
        return next.SelectMany(layer => Chain(After(s, layer), count - 1, step).Select(rest => rest.Prepend(layer).ToArray()));
    }

    /// <summary>A network on an input from <paramref name="input"/> whose layers <paramref name="layers"/> chooses; weights and input from a seed.</summary>
    public static Gen<NetDecl> Net(Gen<TensorShape> input, Func<TensorShape, Gen<LayerDecl[]>> layers,
        Gen<Layout?>? layout = null, Gen<WeightLayout?>? weightLayout = null) =>
        from shape in input
        from body in layers(shape)
        from l in layout ?? Gen.Const(default(Layout?))
        from wl in weightLayout ?? Gen.Const(default(WeightLayout?))
        from seed in Gen.Int
        select Finalize(new NetDecl { InputShape = Declared(shape), Layout = l, WeightLayout = wl, Layers = ForWeightLayout(body, wl) }, seed);

    /// <summary>Keras has no grouped Conv2DTranspose, so its groups go (the shapes do not depend on them).</summary>
    private static LayerDecl[] ForWeightLayout(LayerDecl[] layers, WeightLayout? weightLayout) => weightLayout == ConvGen.WeightLayout.Keras
        ? layers.Select(l => l.Op == LayerOp.ConvTranspose ? l with { Groups = null } : l).ToArray()
        : layers;

    /// <summary>A network of a single layer.</summary>
    public static Gen<NetDecl> Single(Gen<TensorShape> input, Func<TensorShape, Gen<LayerDecl>> layer,
        Gen<Layout?>? layout = null, Gen<WeightLayout?>? weightLayout = null)
        => Net(input, s => layer(s).Select(l => new[] { l }), layout, weightLayout);

    /// <summary>
    /// A sequential stack: up to four feature layers (conv, pools, shape keepers) on an image or a signal,
    /// then often a head (Flatten or a global pool, Dropout, one or two Dense layers, a final Softmax).
    /// </summary>
    public static Gen<NetDecl> Stack(Gen<Layout?>? layout = null, Gen<WeightLayout?>? weightLayout = null) => Net(
        Gen.OneOf(Image(4, 3, 14), Signal(4, 4, 32)),
        input =>
            from depth in Gen.Int[1, 4]
            from body in Chain(input, depth, s => Gen.Frequency(
                (5, Conv(s, maxKernel: 5)),
                (2, Pool(s, LayerOp.MaxPool, 3).Where(l => !ReferenceModel.HasPaddingOnlyWindow(s, l))),
                (2, Pool(s, LayerOp.AvgPool, 3)),
                (1, ShapeKeeping)))
            let features = body.Aggregate(input, After)
            from head in Head(features)
            select body.Concat(head).ToArray(),
        layout, weightLayout);

    private static Gen<LayerDecl[]> Head(TensorShape s)
    {
        var reducers = new List<LayerDecl> { new() { Op = LayerOp.GlobalAvgPool }, new() { Op = LayerOp.GlobalMaxPool } };
        if (s.Size <= 256)
            reducers.Add(new LayerDecl { Op = LayerOp.Flatten }); // larger flattens would bloat the Dense weights
        var classifier =
            from reduce in Gen.OneOf(reducers.ToArray())
            from dropout in Gen.Bool
            from dense in Dense().Array[1, 2]
            from final in Gen.OneOf(Array.Empty<LayerDecl>(), new[] { new LayerDecl { Op = LayerOp.Softmax } },
                new[] { new LayerDecl { Op = LayerOp.Activation, Activation = Activation.Softmax } })
            select new[] { reduce }.Concat(dropout ? new[] { new LayerDecl { Op = LayerOp.Dropout } } : Array.Empty<LayerDecl>())
                .Concat(dense).Concat(final).ToArray();
        return Gen.Frequency(
            (1, Gen.Const(Array.Empty<LayerDecl>())),
            (1, Gen.Const(new[] { new LayerDecl { Op = LayerOp.Softmax } })),
            (4, classifier));
    }

    /// <summary>
    /// Fills weights (scaled by 1/sqrt(fan-in), like PyTorch's default init, so deep stacks stay in a sane
    /// range), biases and the input from <paramref name="seed"/>, and checks the result is valid.
    /// </summary>
    public static NetDecl Finalize(NetDecl net, int seed)
    {
        var random = new Random(seed);
        float Uniform(double bound) => (float)((random.NextDouble() * 2 - 1) * bound);
        float[] Fill(int n, double bound) => Enumerable.Range(0, n).Select(_ => Uniform(bound)).ToArray();
        float[] Between(int n, double low, double high) => Enumerable.Range(0, n).Select(_ => (float)(low + random.NextDouble() * (high - low))).ToArray();

        if (net.Layers.Length == 0)
            return net with { Input = Fill(net.InputShape.Aggregate(1, (p, d) => p * d), 3.0) }; // a prefix for broken declarations
        TensorShape[] inputs;
        try
        {
            inputs = ReferenceModel.InputShapes(net, checkWeights: false);
        }
        catch (InvalidOperationException e)
        {
            throw new InvalidOperationException($"The config generator made an invalid network ({e.Message}): {DeclWriter.Summary(new[] { net })}");
        }
        var layers = new LayerDecl[net.Layers.Length];
        for (int i = 0; i < layers.Length; i++)
        {
            LayerDecl l = net.Layers[i];
            TensorShape s = inputs[i];
            if (l.HasWeights && l.Weights is null)
            {
                int taps = l.KernelPerAxis.Aggregate(1, (p, k) => p * k);
                (int count, int fanIn, int outputs) = l.Op switch
                {
                    LayerOp.Dense => (l.Outputs * s.C, s.C, l.Outputs),
                    LayerOp.DepthwiseConv => (s.C * (l.DepthMultiplier ?? 1) * taps, taps, s.C * (l.DepthMultiplier ?? 1)),
                    LayerOp.ConvTranspose => (s.C * (l.Outputs / (l.Groups ?? 1)) * taps, s.C / (l.Groups ?? 1) * taps, l.Outputs),
                    _ => (l.Outputs * (s.C / (l.Groups ?? 1)) * taps, s.C / (l.Groups ?? 1) * taps, l.Outputs),
                };
                l = l with
                {
                    Weights = Fill(count, 1.5 / Math.Sqrt(fanIn)),
                    Bias = (l.UseBias ?? true) ? Fill(outputs, 0.5) : null,
                };
            }
            else if (l.Op == LayerOp.BatchNorm && l.Gamma is null)
            {
                l = l with { Gamma = Between(s.C, 0.5, 1.5), Beta = Fill(s.C, 0.5), Mean = Fill(s.C, 1.0), Variance = Between(s.C, 0.2, 2.0) };
            }
            layers[i] = l;
        }
        int inputSize = net.InputShape.Aggregate(1, (p, d) => p * d);
        NetDecl result = net with { Layers = layers, Input = Fill(inputSize, 3.0) };
        if (ReferenceModel.Problem(result) is { } problem)
            throw new InvalidOperationException($"The config generator made an invalid network ({problem}): {DeclWriter.Summary(new[] { result })}");
        return result;
    }
}
