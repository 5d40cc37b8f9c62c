using System;
using System.Collections.Generic;
using System.Linq;
using CsCheck;

namespace ConvGen.Tests.Numeric;

/// <summary>
/// Generators for the issue-5 operators (DepthwiseConv2D, Conv2DTranspose, padding modes, ZeroPad2D,
/// ChannelShuffle, BatchNorm) and for graphs: residual blocks ending in Add, branches joined by Concat,
/// long skips to earlier tensors, and the same graphs written in a shuffled order (forward references).
/// Every generated graph reads every layer's output (no CG0028).
/// </summary>
public static partial class NetGen
{
    // ---------------------------------------------------------------- the new single layers

    /// <summary>A conv (Conv1D/2D or depthwise) whose resolved pads are sometimes filled by Reflect, Replicate or Circular.</summary>
    public static Gen<LayerDecl> WithPaddingMode(TensorShape s, Gen<LayerDecl> conv) =>
        from l in conv
        from pick in Gen.Int[0, 9]
        select PickMode(s, l, pick);

    private static LayerDecl PickMode(TensorShape s, LayerDecl l, int pick)
    {
        if (pick < 3 || ReferenceModel.ResolveWindow(s, l, out ReferenceModel.Window? g) is not null)
            return l;
        if (pick == 3)
            return l with { PaddingMode = ConvGen.PaddingMode.Zeros };
        int[] input = s.SpatialSizes;
        var modes = new List<PaddingMode> { ConvGen.PaddingMode.Replicate };
        if (Enumerable.Range(0, input.Length).All(a => g!.Begin[a] < input[a] && g.End[a] < input[a]))
            modes.Add(ConvGen.PaddingMode.Reflect);
        if (Enumerable.Range(0, input.Length).All(a => g!.Begin[a] <= input[a] && g.End[a] <= input[a]))
            modes.Add(ConvGen.PaddingMode.Circular);
        return l with { PaddingMode = modes[pick % modes.Count] };
    }

    /// <summary>A Conv1D/Conv2D with every window option, padding modes included.</summary>
    public static Gen<LayerDecl> ConvAnyMode(TensorShape s, int maxKernel = 5, int maxFilters = 8)
        => WithPaddingMode(s, Conv(s, maxKernel, maxFilters));

    /// <summary>A DepthwiseConv2D: the Conv2D window options, DepthMultiplier omitted or 1-3, padding modes.</summary>
    public static Gen<LayerDecl> Depthwise(TensorShape s, int maxKernel = 5) => WithPaddingMode(s,
        from l in Conv(s, maxKernel)
        from mult in Gen.OneOf<int?>(null, 1, 1, 2, 3)
        select l with { Op = LayerOp.DepthwiseConv, Outputs = 0, Groups = null, DepthMultiplier = mult });

    /// <summary>
    /// A Conv2DTranspose: groups, Stride/Strides 1-3, Dilation(s) 1-2, kernels 1-4, Valid/Same/Pad/Pads
    /// (pads overriding a Padding now and then), OutputPadding(s) below the stride or the dilation.
    /// </summary>
    public static Gen<LayerDecl> ConvTranspose(TensorShape s, int maxFilters = 6) =>
        (from groups in Gen.Frequency((3, Gen.Const(1)), (1, Gen.Const(s.C)), (1, Gen.OneOf(Divisors(s.C))))
         from writeGroups in Gen.Int[0, 2]
         from perGroup in Gen.Int[1, Math.Max(2, maxFilters / groups)]
         from stride in AxisParam(2, 3)
         from dilation in AxisParam(2, 2)
         from kernel in Kernel(2, new[] { 4, 4 })
         from pad in Gen.Frequency(
             (3, ValidPadding),
             (3, SamePadding),
             (1, from p in Gen.Int[0, 2] from padding in OverriddenPadding select new PadSpec(padding, p, null)),
             (2, from pads in Gen.Int[0, 2].Array[4] from padding in OverriddenPadding select new PadSpec(padding, null, pads)))
         let limit = Enumerable.Range(0, 2).Select(a => Math.Max(stride.Resolved[a], dilation.Resolved[a]) - 1).ToArray()
         from outPad in Gen.Frequency(
             (3, Gen.Const(((int?)null, (int[]?)null))),
             (1, Gen.Int[0, limit.Min()].Select(v => ((int?)v, (int[]?)null))),
             (1, Gen.Select(Gen.Int[0, limit[0]], Gen.Int[0, limit[1]], (a, b) => ((int?)null, (int[]?)new[] { a, b }))))
         from zeros in Gen.Frequency((5, Gen.Const(default(PaddingMode?))), (1, Gen.Const((PaddingMode?)ConvGen.PaddingMode.Zeros)))
         from useBias in UseBias
         from activation in AnyActivation
         select new LayerDecl
         {
             Op = LayerOp.ConvTranspose,
             Rank = 2,
             Outputs = groups * perGroup,
             Kernel = kernel,
             Stride = stride.Scalar,
             Strides = stride.PerAxis,
             Dilation = dilation.Scalar,
             Dilations = dilation.PerAxis,
             Padding = pad.Padding,
             Pad = pad.Pad,
             Pads = pad.Pads,
             OutputPadding = outPad.Item1,
             OutputPaddings = outPad.Item2,
             PaddingMode = zeros,
             Groups = groups > 1 || writeGroups == 0 ? groups : null,
             UseBias = useBias,
             Activation = activation.Kind,
             Alpha = activation.Alpha,
         }).Where(l => ReferenceModel.ResolveTranspose(s, l, out _) is null);

    /// <summary>ZeroPad2D with one, two or four values of 0-3.</summary>
    public static readonly Gen<LayerDecl> ZeroPad =
        from count in Gen.OneOf(1, 2, 4)
        from values in Gen.Int[0, 3].Array[count]
        select new LayerDecl { Op = LayerOp.ZeroPad, PadValues = values };

    /// <summary>ChannelShuffle with groups dividing the channels (1 now and then).</summary>
    public static Gen<LayerDecl> Shuffle(TensorShape s)
    {
        int[] divisors = Divisors(s.C);
        int[] proper = divisors.Where(d => d > 1).ToArray();
        return (proper.Length > 0 ? Gen.Frequency((4, Gen.OneOf(proper)), (1, Gen.Const(1))) : Gen.Const(1))
            .Select(g => new LayerDecl { Op = LayerOp.ChannelShuffle, ShuffleGroups = g });
    }

    /// <summary>An inline BatchNorm (statistics filled last), Epsilon omitted or given.</summary>
    public static readonly Gen<LayerDecl> BatchNorm =
        Gen.OneOf<float?>(null, null, 1e-3f, 0.1f).Select(eps => new LayerDecl { Op = LayerOp.BatchNorm, Epsilon = eps });

    /// <summary>One of the new operators that fits a (C, H, W) input.</summary>
    public static Gen<LayerDecl> NewOperator(TensorShape s) => Gen.Frequency(
        (4, ConvAnyMode(s)),
        (4, Depthwise(s)),
        (4, ConvTranspose(s)),
        (2, ZeroPad),
        (2, Shuffle(s)),
        (2, BatchNorm));

    // ---------------------------------------------------------------- shape-preserving layers (residual branches)

    /// <summary>A conv that keeps the size: stride 1 with Same, or explicit pads adding up to the dilated span - 1.</summary>
    private static Gen<LayerDecl> SizeKeepingConv(TensorShape s, int filters, bool depthwise)
    {
        int rank = s.SpatialRank;
        int[] divisors = Divisors(Gcd(s.C, filters));
        return WithPaddingMode(s,
            from groups in Gen.Frequency((3, Gen.Const(1)), (1, Gen.OneOf(divisors)))
            from dilation in Gen.Frequency((3, Gen.Const(1)), (1, Gen.Int[1, 2]))
            from kernel in Gen.Int[1, 3].Array[rank == 2 ? 2 : 1]
            from same in Gen.Frequency((3, Gen.Const(true)), (2, Gen.Const(false)))
            from begins in Gen.Int[0, 100].Array[rank]
            from writeStride in Gen.Bool
            from useBias in UseBias
            from activation in Gen.Frequency((2, Gen.Const((Kind: Activation.None, Alpha: (float?)null))), (2, AnyActivation))
            let totals = kernel.Select(k => dilation * (k - 1)).ToArray()
            let b = Enumerable.Range(0, rank).Select(a => begins[a] % (totals[a] + 1)).ToArray()
            select new LayerDecl
            {
                Op = depthwise ? LayerOp.DepthwiseConv : LayerOp.Conv,
                Rank = rank,
                Outputs = depthwise ? 0 : filters,
                Kernel = rank == 2 && kernel[0] == kernel[1] && writeStride ? new[] { kernel[0] } : kernel,
                Stride = writeStride ? 1 : null,
                Dilation = dilation == 1 ? null : dilation,
                Padding = same ? Padding.Same : null,
                Pads = same ? null : b.Concat(Enumerable.Range(0, rank).Select(a => totals[a] - b[a])).ToArray(),
                Groups = depthwise || (groups == 1 && !writeStride) ? null : groups,
                DepthMultiplier = depthwise && filters != s.C ? filters / s.C : null,
                UseBias = useBias,
                Activation = activation.Kind,
                Alpha = activation.Alpha,
            });
    }

    private static int Gcd(int a, int b) => b == 0 ? a : Gcd(b, a % b);

    /// <summary>A pool that keeps the size: Same with stride 1.</summary>
    private static Gen<LayerDecl> SizeKeepingPool(TensorShape s) =>
        from op in Gen.OneOf(LayerOp.MaxPool, LayerOp.AvgPool)
        from k in Gen.Int[1, 3]
        from include in op == LayerOp.AvgPool ? OptionalBool : Gen.Const(default(bool?))
        select new LayerDecl { Op = op, Rank = s.SpatialRank, Kernel = new[] { k }, Stride = 1, Padding = Padding.Same, CountIncludePad = include };

    /// <summary>A layer whose output has the input's shape.</summary>
    private static Gen<LayerDecl> ShapePreserving(TensorShape s) => s.Rank == 1
        ? Gen.Frequency(
            (4, Dense().Select(d => d with { Outputs = s.C })),
            (2, BatchNorm),
            (1, Gen.Const(new LayerDecl { Op = LayerOp.Dropout })),
            (2, AnyActivation.Select(a => new LayerDecl { Op = LayerOp.Activation, Activation = a.Kind, Alpha = a.Alpha })))
        : Gen.Frequency(
            (5, SizeKeepingConv(s, s.C, depthwise: false)),
            (s.Rank == 3 ? 2 : 0, SizeKeepingConv(s, s.C, depthwise: true)),
            (2, BatchNorm),
            (2, AnyActivation.Where(a => a.Kind != Activation.Softmax).Select(a => new LayerDecl { Op = LayerOp.Activation, Activation = a.Kind, Alpha = a.Alpha })),
            (1, SizeKeepingPool(s)),
            (1, Shuffle(s)),
            // A no-op the generator may alias to its input: an in-place layer after it must not clobber that input.
            (1, Gen.Const(new LayerDecl { Op = LayerOp.Dropout })));

    /// <summary>A layer that keeps the spatial size but may change the channels (Concat branches).</summary>
    private static Gen<LayerDecl> SpatialPreserving(TensorShape s) => s.Rank == 1
        ? Gen.Frequency((4, Dense(8)), (1, BatchNorm))
        : Gen.Frequency(
            (5, Gen.Int[1, 6].SelectMany(f => SizeKeepingConv(s, f, depthwise: false))),
            (s.Rank == 3 ? 2 : 0, Gen.Int[1, 3].SelectMany(m => SizeKeepingConv(s, s.C * m, depthwise: true))),
            (1, BatchNorm),
            (1, SizeKeepingPool(s)),
            (1, Shuffle(s)));

    // ---------------------------------------------------------------- graphs

    /// <summary>The reference name of layer <paramref name="index"/> (given to the layers something reads).</summary>
    private static string Ref(int index) => index < 0 ? "input" : "n" + index;

    /// <summary>Layers generated so far, and what later blocks may read: references with their shapes.</summary>
    private sealed record Built(LayerDecl[] Layers, TensorShape Shape, (string Ref, TensorShape Shape)[] Tensors)
    {
        public int Next => Layers.Length;

        public string Prev => Ref(Layers.Length - 1);

        public Built Append(LayerDecl[] layers)
        {
            LayerDecl[] all = Layers.Concat(layers).ToArray();
            TensorShape[] shapes = ReferenceModel.Shapes(new NetDecl { InputShape = Declared(Tensors[0].Shape), Layers = NameReferenced(all) }, checkWeights: false);
            var tensors = Tensors.Concat(Enumerable.Range(Layers.Length, layers.Length).Select(k => (Ref(k), shapes[k + 1]))).ToArray();
            return new Built(all, shapes[^1], tensors);
        }

        public TensorShape InputShape => Tensors[0].Shape;
    }

    /// <summary>Gives every layer that something reads by name its reference name.</summary>
    private static LayerDecl[] NameReferenced(LayerDecl[] layers)
    {
        // Layers already named keep their names (a reordered graph's positions no longer match them).
        var owned = layers.Select(l => l.Name).Where(n => n is not null).ToHashSet();
        var referenced = layers.SelectMany(l => l.Inputs.Append(l.Input)).Where(r => r is not null && r != "input").ToHashSet();
        return layers.Select((l, i) => l.Name is null && referenced.Contains(Ref(i)) && !owned.Contains(Ref(i)) ? l with { Name = Ref(i) } : l).ToArray();
    }

    /// <summary>A block of layers after <paramref name="b"/>: a plain layer, a residual block, or a Concat of branches.</summary>
    private static Gen<Built> Block(Built b, Func<TensorShape, Gen<LayerDecl>> plain)
    {
        TensorShape s = b.Shape;
        return Gen.Frequency(
            (3, plain(s).Select(l => b.Append(new[] { l }))),
            (3, Residual(b)),
            (3, Concat(b)));
    }

    /// <summary>
    /// A residual block: a branch of 1-2 shape-preserving layers reading the block input, sometimes a second
    /// branch (explicit Input), then Add of the branch ends with the block input and/or the network input.
    /// </summary>
    private static Gen<Built> Residual(Built b)
    {
        TensorShape s = b.Shape;
        string blockIn = b.Prev;
        bool inputFits = b.Next > 0 && b.InputShape == s;
        return
            from n1 in Gen.Int[1, 2]
            from branch1 in Branch(s, n1, ShapePreserving)
            from two in Gen.Frequency((3, Gen.Const(false)), (1, Gen.Const(true)))
            from branch2 in two ? Branch(s, 1, ShapePreserving) : Gen.Const(Array.Empty<LayerDecl>())
            from withBlockIn in Gen.Frequency((4, Gen.Const(true)), (1, Gen.Const(false)))
            from withInput in inputFits ? Gen.Frequency((3, Gen.Const(false)), (1, Gen.Const(true))) : Gen.Const(false)
            from order in Gen.Int
            let end1 = Ref(b.Next + n1 - 1)
            let end2 = Ref(b.Next + n1 + branch2.Length - 1)
            let operands = new[] { end1 }
                .Concat(two ? new[] { end2 } : Array.Empty<string>())
                .Concat(withBlockIn || (!two && !withInput) ? new[] { blockIn } : Array.Empty<string>())
                .Concat(withInput ? new[] { "input" } : Array.Empty<string>())
                .Distinct().ToArray()
            let second = branch2.Select((l, i) => i == 0 ? l with { Input = blockIn } : l)
            select b.Append(branch1.Concat(second).Append(new LayerDecl { Op = LayerOp.Add, Inputs = Permute(operands, order) }).ToArray());
    }

    /// <summary>
    /// 2-3 branches, each reading the block input or an earlier tensor of the same rank and spatial size (the
    /// first branch by default, the others by Input), each of 0-2 layers that keep the spatial size, joined by Concat.
    /// </summary>
    private static Gen<Built> Concat(Built b)
    {
        TensorShape s = b.Shape;
        string[] sources = b.Tensors.Where(t => t.Shape.Rank == s.Rank && t.Shape.H == s.H && t.Shape.W == s.W && t.Ref != b.Prev)
            .Select(t => t.Ref).ToArray();
        TensorShape ShapeOf(string r) => b.Tensors.First(t => t.Ref == r).Shape;
        return
            from count in Gen.Int[2, 3]
            from lengths in Gen.Int[0, 2].Array[count]
            from picks in Gen.Int[0, 99].Array[count]
            let srcs = Enumerable.Range(0, count).Select(i => i == 0 || sources.Length == 0 || picks[i] % 3 != 0 ? b.Prev : sources[picks[i] % sources.Length]).ToArray()
            // An empty branch is its source itself; keep the operands distinct.
            let lens = Enumerable.Range(0, count).Select(i => lengths[i] == 0 && srcs.Take(i).Contains(srcs[i]) ? 1 : lengths[i]).ToArray()
            from branches in Branches(srcs.Select(ShapeOf).ToArray(), lens)
            select ConcatBlock(b, srcs, branches);
    }

    private static Built ConcatBlock(Built b, string[] srcs, LayerDecl[][] branches)
    {
        var layers = new List<LayerDecl>();
        var operands = new List<string>();
        for (int i = 0; i < branches.Length; i++)
        {
            LayerDecl[] branch = branches[i];
            if (branch.Length == 0)
            {
                operands.Add(srcs[i]);
                continue;
            }
            // The first branch reads the layer above by default; any other reads its source by name.
            bool byDefault = layers.Count == 0 && srcs[i] == b.Prev;
            layers.AddRange(branch.Select((l, j) => j == 0 && !byDefault ? l with { Input = srcs[i] } : l));
            operands.Add(Ref(b.Next + layers.Count - 1));
        }
        return b.Append(layers.Append(new LayerDecl { Op = LayerOp.Concat, Inputs = operands.ToArray() }).ToArray());
    }

    private static Gen<LayerDecl[][]> Branches(TensorShape[] shapes, int[] lengths)
    {
        Gen<LayerDecl[][]> result = Gen.Const(Array.Empty<LayerDecl[]>());
        for (int i = shapes.Length - 1; i >= 0; i--)
        {
            Gen<LayerDecl[][]> rest = result;
            result = Branch(shapes[i], lengths[i], SpatialPreserving).SelectMany(first => rest.Select(r => r.Prepend(first).ToArray()));
        }
        return result;
    }

    /// <summary>A chain of <paramref name="count"/> layers from <paramref name="step"/>, each knowing its input shape.</summary>
    private static Gen<LayerDecl[]> Branch(TensorShape s, int count, Func<TensorShape, Gen<LayerDecl>> step) => Chain(s, count, step);

    private static string[] Permute(string[] values, int seed)
    {
        var random = new Random(seed);
        return values.OrderBy(_ => random.Next()).ToArray();
    }

    /// <summary>
    /// A graph of 1 to <paramref name="blocks"/> blocks on <paramref name="input"/> (plain layers from
    /// <paramref name="plain"/>, residual blocks, Concats), every output read, named where read.
    /// </summary>
    public static Gen<LayerDecl[]> Graph(TensorShape input, int blocks, Func<TensorShape, Gen<LayerDecl>> plain)
    {
        Gen<Built> Grow(Built b, int left) => left == 0
            ? Gen.Const(b)
            : Block(b, plain).SelectMany(next => Grow(next, left - 1));
        var start = new Built(Array.Empty<LayerDecl>(), input, new[] { ("input", input) });
        return
            from count in Gen.Int[1, blocks]
            from built in Grow(start, count)
            select NameReferenced(built.Layers);
    }

    /// <summary>
    /// The same graph written in another order: every input made explicit, every layer named where read,
    /// then all but the last layer shuffled, so layers read layers written below them (forward references).
    /// </summary>
    public static LayerDecl[] Reordered(LayerDecl[] layers, int seed)
    {
        var explicitInputs = layers.Select((l, i) => l.IsMerge || l.Input is not null ? l : l with { Input = Ref(i - 1) }).ToArray();
        LayerDecl[] named = NameReferenced(explicitInputs);
        var random = new Random(seed);
        return named.Take(named.Length - 1).OrderBy(_ => random.Next()).Append(named[^1]).ToArray();
    }

    /// <summary>A plain feature layer of a graph: any conv (padding modes too), a pool, a new operator, or a shape keeper.</summary>
    private static Gen<LayerDecl> GraphFeature(TensorShape s) => s.Rank switch
    {
        1 => Gen.Frequency((3, Dense(10)), (1, BatchNorm), (1, ShapeKeeping)),
        2 => Gen.Frequency(
            (4, ConvAnyMode(s, maxKernel: 4, maxFilters: 6)),
            (1, Pool(s, LayerOp.AvgPool, 3)),
            (1, Pool(s, LayerOp.MaxPool, 3).Where(l => !ReferenceModel.HasPaddingOnlyWindow(s, l))),
            (1, BatchNorm),
            (1, Shuffle(s))),
        _ => Gen.Frequency(
            (3, ConvAnyMode(s, maxKernel: 4, maxFilters: 6)),
            (2, Depthwise(s, maxKernel: 4)),
            (s.H * s.W <= 64 ? 2 : 0, ConvTranspose(s, maxFilters: 4)),
            (1, Pool(s, LayerOp.AvgPool, 3)),
            (1, Pool(s, LayerOp.MaxPool, 3).Where(l => !ReferenceModel.HasPaddingOnlyWindow(s, l))),
            (s.H * s.W <= 100 ? 1 : 0, ZeroPad),
            (1, BatchNorm),
            (1, Shuffle(s))),
    };

    /// <summary>
    /// A graph network: on an image or a signal, blocks of features (residual, Concat, plain), then often a
    /// head (global pool or Flatten and Dense blocks, residual or concatenated too); or a vector input with
    /// Dense blocks. Written in order, or now and then shuffled (forward references).
    /// </summary>
    public static Gen<NetDecl> GraphNet(Gen<Layout?>? layout = null, Gen<WeightLayout?>? weightLayout = null) => Net(
        Gen.Frequency((4, Image(4, 3, 9)), (2, Signal(4, 4, 16)), (1, Vector(12))),
        input =>
            from features in Graph(input, 3, GraphFeature)
            let shape = ReferenceModel.Shapes(new NetDecl { InputShape = Declared(input), Layers = features }, checkWeights: false)[^1]
            from head in shape.Rank == 1 ? Gen.Const(Array.Empty<LayerDecl>()) : Gen.Frequency(
                (1, Gen.Const(Array.Empty<LayerDecl>())),
                (2, from reduce in shape.Size <= 150 ? Gen.OneOf(LayerOp.GlobalAvgPool, LayerOp.GlobalMaxPool, LayerOp.Flatten) : Gen.OneOf(LayerOp.GlobalAvgPool, LayerOp.GlobalMaxPool)
                    select new[] { new LayerDecl { Op = reduce } }))
            from tail in head.Length == 0 ? Gen.Const(Array.Empty<LayerDecl>())
                : VectorTail(features.Length + 1, TensorShape.Vector(ReduceSize(shape, head[0].Op)))
            from reorder in Gen.Frequency((3, Gen.Const(false)), (1, Gen.Const(true)))
            from seed in Gen.Int
            let all = NameReferenced(features.Concat(head).Concat(tail).ToArray())
            select reorder ? Reordered(all, seed) : all,
        layout, weightLayout);

    private static int ReduceSize(TensorShape s, LayerOp op) => op == LayerOp.Flatten ? s.Size : s.C;

    /// <summary>Dense blocks (plain, residual, Concat) on a vector that is layer <paramref name="offset"/> - 1's output.</summary>
    private static Gen<LayerDecl[]> VectorTail(int offset, TensorShape s)
    {
        // Build as a graph on a vector input, then shift the references past the layers before it.
        return Graph(s, 2, GraphFeature).Select(layers => layers.Select(l => l with
        {
            Name = Shift(l.Name, offset),
            Input = Shift(l.Input, offset, offset - 1),
            Inputs = l.Inputs.Select(r => Shift(r, offset, offset - 1)!).ToArray(),
        }).ToArray());
    }

    /// <summary>n{k} -> n{k + offset}; "input" -> the layer just before the tail.</summary>
    private static string? Shift(string? reference, int offset, int before = -1) => reference switch
    {
        null => null,
        "input" => before < 0 ? "input" : Ref(before),
        _ => Ref(int.Parse(reference.AsSpan(1)) + offset),
    };
}
