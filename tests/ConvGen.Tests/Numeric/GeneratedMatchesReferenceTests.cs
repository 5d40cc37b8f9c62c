using System.Linq;
using CsCheck;
using Xunit;

namespace ConvGen.Tests.Numeric;

/// <summary>
/// Property tests: random valid declarations go through the real generator and the compiler, and every
/// generated network must match <see cref="ReferenceModel"/> (NaiveReference, pinned to PyTorch) within
/// 1e-4 relative, with the same InputLength and OutputLength. Each sample is a batch of networks compiled
/// together. CsCheck picks the seed; a failure prints the seed and the declarations that disagree.
/// Set CONVGEN_NUMERIC_SCALE (e.g. 10) to run more samples.
/// </summary>
[Collection(NumericCollection.Name)]
public sealed class GeneratedMatchesReferenceTests
{
    /// <summary>Checks <paramref name="samples"/> batches of <paramref name="perBatch"/>/2 to <paramref name="perBatch"/> networks.</summary>
    private static void Property(Gen<NetDecl> net, int perBatch, int samples)
        => net.Array[perBatch / 2, perBatch].Sample(NumericCheck.Check, iter: NumericCheck.Iterations(samples), print: DeclWriter.Summary);

    private static readonly Gen<Layout?> ChannelsLast = Gen.Const((Layout?)Layout.ChannelsLast);

    private static readonly Gen<WeightLayout?> Keras = Gen.Const((WeightLayout?)WeightLayout.Keras);

    private static readonly Gen<Layout?> DefaultOrChannelsFirst = Gen.OneOf<Layout?>(null, Layout.ChannelsFirst);

    private static readonly Gen<WeightLayout?> DefaultOrPyTorch = Gen.OneOf<WeightLayout?>(null, WeightLayout.PyTorch);

    /// <summary>Kernels up to 7x7, and now and then up to 10x10 so the generator's tap-loop path (over 64 taps) runs too.</summary>
    [Fact]
    public void Conv2D_matches_reference()
        => Property(NetGen.Single(NetGen.Image(6, 1, 10), s => Gen.Frequency((6, NetGen.Conv(s)), (1, NetGen.Conv(s, maxKernel: 10)))),
            perBatch: 40, samples: 6);

    /// <summary>Rows of 8 to 20 outputs and up to 12 filters: the vectorized row kernel's channel blocks, remainders and row tails.</summary>
    [Fact]
    public void Wide_Conv2D_matches_reference()
        => Property(NetGen.Single(NetGen.Image(6, 8, 20), s => NetGen.Conv(s, maxKernel: 5, maxFilters: 12)), perBatch: 30, samples: 4);

    /// <summary>
    /// Inputs of 5,000 to 14,000 floats read by a padded first conv: a bordered copy would cost more scratch
    /// than the plan allows, so one-group and depthwise convs stage their planes on the stack instead.
    /// </summary>
    [Fact]
    public void Padded_convs_without_a_bordered_copy_match_reference()
        => Property(NetGen.Single(
                from c in Gen.Int[12, 24] from h in Gen.Int[20, 24] from w in Gen.Int[20, 24] select new TensorShape(3, c, h, w),
                s => NetGen.Conv(s, maxKernel: 5, maxFilters: 12)),
            perBatch: 16, samples: 3);

    /// <summary>
    /// Convs strided across (2 or 3) over rows of 16 to 48: the bordered copy splits columns by phase, two
    /// phases with the vector deinterleave or its float-by-float tail, three float by float, and the stride-1
    /// kernels read the phase planes. 1-D and 2-D, any padding, groups, dilation.
    /// </summary>
    [Fact]
    public void Convs_strided_across_match_reference()
        => Property(Gen.OneOf(
                NetGen.Single(NetGen.Image(5, 16, 40), s => NetGen.Conv(s, maxKernel: 5, maxFilters: 12).Where(StridedAcross)),
                NetGen.Single(NetGen.Signal(6, 16, 48), s => NetGen.Conv(s, maxKernel: 5, maxFilters: 12).Where(StridedAcross))),
            perBatch: 24, samples: 4);

    /// <summary>
    /// 3x3 stride-1 convs, 8 to 20 input channels, a multiple of 4 filters, on maps whose Winograd blocks take
    /// four, two or one tile rows, or half a row (64 wide); padded, or unpadded on 2 more rows and columns;
    /// every activation, with and without bias.
    /// </summary>
    [Fact]
    public void Winograd_convs_match_reference()
        => Property(NetGen.Net(
                from c in Gen.Int[8, 20]
                from padded in Gen.Bool
                from h in Gen.OneOf(Gen.Const(8), Gen.Const(16), Gen.Const(32))
                from w in Gen.OneOf(Gen.Const(8), Gen.Const(16), Gen.Const(32), Gen.Const(64))
                select new TensorShape(3, c, padded ? h : h + 2, padded ? w : w + 2),
                s => from filters in Gen.Int[1, 6]
                     from bias in Gen.Bool
                     from activation in NetGen.AnyActivation
                     select new[]
                     {
                         new LayerDecl
                         {
                             Op = LayerOp.Conv, Rank = 2, Outputs = 4 * filters, Kernel = new[] { 3 },
                             Pad = s.H % 8 == 0 ? 1 : null, UseBias = bias, Activation = activation.Kind, Alpha = activation.Alpha,
                         },
                     }),
            perBatch: 12, samples: 3);

    /// <summary>
    /// 5x5 stride-1 convs on even maps feeding readers of channel blocks (a pool, a Flatten and Dense), as in
    /// LeNet-5: on a plain input of 4 to 8 channels Winograd F(2x2, 5x5) gathers it into a block; on 16 channels
    /// of a short-row map the conv runs blocked, as F(2x2, 5x5) too. Maps of 2 to 12, padded or not; every
    /// activation, with and without bias.
    /// </summary>
    [Fact]
    public void Winograd_5x5_convs_match_reference()
        => Property(NetGen.Net(
                from c in Gen.OneOf(Gen.Int[4, 8], Gen.Const(16))
                from h in Gen.Int[1, 6]
                from w in Gen.Int[1, 6]
                select new TensorShape(3, c, 2 * h, 2 * w),
                s => from padded in Gen.Bool
                     from filters in Gen.Int[1, 3]
                     from bias in Gen.Bool
                     from activation in NetGen.AnyActivation
                     from pool in Gen.Int[0, 2]
                     let conv = new LayerDecl
                     {
                         Op = LayerOp.Conv, Rank = 2, Outputs = 8 * filters, Kernel = new[] { 5 },
                         Pad = padded || s.H < 6 || s.W < 6 ? 2 : null, UseBias = bias, Activation = activation.Kind, Alpha = activation.Alpha,
                     }
                     select (pool switch
                     {
                         0 => new[] { conv },
                         1 => new[] { conv, new LayerDecl { Op = LayerOp.MaxPool, Rank = 2, Kernel = new[] { 2 } } },
                         _ => new[] { conv, new LayerDecl { Op = LayerOp.AvgPool, Rank = 2, Kernel = new[] { 2 } } },
                     }).Append(new LayerDecl { Op = LayerOp.Flatten }).Append(new LayerDecl { Op = LayerOp.Dense, Outputs = 5 }).ToArray()),
            perBatch: 12, samples: 3);

    /// <summary>
    /// 2x2, stride-2 max and average pools on the plain layout over rows of 4 to 45 outputs: the vector path
    /// unrolls rows of up to 32 outputs and loops over longer ones, its last step overlapping when 4 does not
    /// divide the row; odd input sizes leave a last row and column out.
    /// </summary>
    [Fact]
    public void Pairwise_pools_match_reference()
        => Property(NetGen.Net(
                from c in Gen.Int[1, 3]
                from h in Gen.Int[2, 9]
                from w in Gen.Int[8, 91]
                select new TensorShape(3, c, h, w),
                s => from max in Gen.Bool
                     select new[]
                     {
                         new LayerDecl { Op = max ? LayerOp.MaxPool : LayerOp.AvgPool, Rank = 2, Kernel = new[] { 2 } },
                         new LayerDecl { Op = LayerOp.Flatten }, new LayerDecl { Op = LayerOp.Dense, Outputs = 3 },
                     }),
            perBatch: 12, samples: 3);

    /// <summary>
    /// Depthwise and pointwise convs on 8 to 24 channels (a multiple of 8: the planner runs them in channel
    /// blocks), any window options and activations, now and then a BatchNorm or a conv that may write its
    /// output in channel blocks (the blocked channel kernel's vectors run over channels); ending in a global average
    /// pool, a Flatten and Dense (back to the plain layout), or the last conv. Images, and signals (a Conv1D
    /// with a group per channel is depthwise).
    /// </summary>
    [Fact]
    public void Depthwise_separable_chains_match_reference()
        => Property(NetGen.Net(
                Gen.OneOf(
                    from c in Gen.Int[1, 3] from h in Gen.Int[3, 14] from w in Gen.Int[3, 14] select new TensorShape(3, 8 * c, h, w),
                    from c in Gen.Int[1, 3] from l in Gen.Int[4, 40] select new TensorShape(2, 8 * c, 1, l)),
                s => from depth in Gen.Int[2, 5]
                     from body in NetGen.Chain(s, depth, t => t.C % 8 != 0 ? null : Gen.Frequency(
                         (4, t.Rank == 3
                             ? NetGen.Depthwise(t, maxKernel: 5).Select(l => l with { DepthMultiplier = null })
                             : NetGen.Conv(t, maxKernel: 5).Select(l => l with { Groups = t.C, Outputs = t.C })),
                         (4, Pointwise(t)),
                         (2, NetGen.Conv(t, maxKernel: 5).Select(l => l with { Groups = null, Outputs = 8 * (1 + l.Outputs % 2) })),
                         (1, NetGen.BatchNorm)))
                     from head in Gen.Int[0, 2]
                     select head switch
                     {
                         0 => body.Append(new LayerDecl { Op = LayerOp.GlobalAvgPool }).Append(new LayerDecl { Op = LayerOp.Dense, Outputs = 5 }).ToArray(),
                         1 => body.Append(new LayerDecl { Op = LayerOp.Flatten }).Append(new LayerDecl { Op = LayerOp.Dense, Outputs = 5 }).ToArray(),
                         _ => body,
                     }),
            perBatch: 16, samples: 4);

    /// <summary>
    /// The digits and LeNet-5 nets' shape of network on 1, 4 to 8 or 16 channels: one-group convs of up to 5x5 (any stride,
    /// dilation, padding, activation) with a multiple of 8 filters on short rows (the planner runs them in
    /// channel blocks; 3x3 stride-1 ones on even maps as Winograd) and on longer ones (they may write blocks), max and average pools of any window (they
    /// run in blocks between blocked steps, scalar on padding-free windows of over 9 taps too), ending in a
    /// Flatten and a Dense that reads the blocks through permuted weights, or in a pool. Images and signals.
    /// </summary>
    [Fact]
    public void Channel_blocked_conv_and_pool_stacks_match_reference()
        => Property(NetGen.Net(
                Gen.OneOf(
                    from c in Gen.OneOf(Gen.Const(1), Gen.Int[4, 8], Gen.Const(8), Gen.Const(16)) from h in Gen.Int[3, 12] from w in Gen.Int[3, 12] select new TensorShape(3, c, h, w),
                    from c in Gen.OneOf(Gen.Const(1), Gen.Const(8)) from l in Gen.Int[3, 16] select new TensorShape(2, c, 1, l)),
                s => from depth in Gen.Int[2, 5]
                     from body in NetGen.Chain(s, depth, t => Gen.Frequency(
                         (4, NetGen.Conv(t, maxKernel: 5).Select(l => l with { Groups = null, Outputs = 8 * (1 + l.Outputs % 2) })),
                         (2, WinogradShaped(t, 3)),
                         (2, WinogradShaped(t, 5)),
                         (2, NetGen.Pool(t, LayerOp.MaxPool, maxPool: 4).Where(l => !ReferenceModel.HasPaddingOnlyWindow(t, l))),
                         (2, NetGen.Pool(t, LayerOp.AvgPool, maxPool: 4))))
                     from flatten in Gen.Bool
                     select flatten
                         ? body.Append(new LayerDecl { Op = LayerOp.Flatten }).Append(new LayerDecl { Op = LayerOp.Dense, Outputs = 5 }).ToArray()
                         : body),
            perBatch: 16, samples: 4);

    /// <summary>
    /// A 3x3 or 5x5 stride-1 conv padded to keep its map: on an even map the blocked Winograd kernel, F(2x2, 3x3)
    /// in channel blocks, F(2x2, 5x5) also on a plain input of 4 to 8 channels (gathered into a block).
    /// </summary>
    private static Gen<LayerDecl> WinogradShaped(TensorShape s, int kernel) =>
        from blocks in Gen.Int[1, 3]
        from bias in Gen.Bool
        from activation in NetGen.AnyActivation
        select new LayerDecl
        {
            Op = LayerOp.Conv, Rank = s.SpatialRank, Outputs = 8 * blocks, Kernel = new[] { kernel }, Pad = kernel / 2,
            UseBias = bias, Activation = activation.Kind, Alpha = activation.Alpha,
        };

    private static Gen<LayerDecl> Pointwise(TensorShape s) =>
        from blocks in Gen.Int[1, 3]
        from bias in Gen.Bool
        from activation in NetGen.AnyActivation
        select new LayerDecl
        {
            Op = LayerOp.Conv, Rank = s.SpatialRank, Outputs = 8 * blocks, Kernel = new[] { 1 },
            UseBias = bias, Activation = activation.Kind, Alpha = activation.Alpha,
        };

    private static bool StridedAcross(LayerDecl conv) => (conv.Strides is { } strides ? strides[strides.Length - 1] : conv.Stride ?? 1) >= 2;

    [Fact]
    public void Conv1D_matches_reference()
        => Property(NetGen.Single(NetGen.Signal(6, 1, 24), s => NetGen.Conv(s)), perBatch: 40, samples: 4);

    [Fact]
    public void MaxPool1D_and_2D_match_reference() => Property(Pools(LayerOp.MaxPool), perBatch: 60, samples: 4);

    [Fact]
    public void AvgPool1D_and_2D_match_reference() => Property(Pools(LayerOp.AvgPool), perBatch: 60, samples: 4);

    /// <summary>Windows up to 5, and now and then up to 9x9 so the generator's loop path (over 64 taps) runs too.</summary>
    private static Gen<NetDecl> Pools(LayerOp op) => Gen.Frequency(
        (3, NetGen.Single(NetGen.Image(4, 1, 10), s => NetGen.Pool(s, op))),
        (1, NetGen.Single(NetGen.Image(3, 6, 10), s => NetGen.Pool(s, op, maxPool: 9))),
        (3, NetGen.Single(NetGen.Signal(4, 1, 24), s => NetGen.Pool(s, op))));

    /// <summary>One to three Dense layers on a flat input, every activation, with and without bias.</summary>
    [Fact]
    public void Dense_matches_reference()
        => Property(NetGen.Net(NetGen.Vector(40), s =>
            from depth in Gen.Int[1, 3]
            from layers in NetGen.Chain(s, depth, _ => NetGen.Dense())
            select layers), perBatch: 60, samples: 4);

    /// <summary>GlobalAvgPool, GlobalMaxPool, Flatten, Dropout, Softmax and Activation layers, chained on any rank.</summary>
    [Fact]
    public void Weightless_layers_match_reference()
        => Property(NetGen.Net(Gen.OneOf(NetGen.Vector(30), NetGen.Signal(6, 1, 16), NetGen.Image(6, 1, 8)), s =>
            from depth in Gen.Int[1, 3]
            from layers in NetGen.Chain(s, depth, NetGen.Weightless)
            select layers), perBatch: 60, samples: 4);

    /// <summary>conv → pool → conv → flatten/global pool → dense → softmax and the like.</summary>
    [Fact]
    public void Sequential_stacks_match_reference()
        => Property(NetGen.Stack(DefaultOrChannelsFirst, DefaultOrPyTorch), perBatch: 24, samples: 6);

    /// <summary>
    /// Layout.ChannelsLast: the input is fed (H, W, C) / (L, C), the output comes back in that order, and a
    /// Flatten before a Dense flattens in HWC order, so the Dense weights index that order.
    /// </summary>
    [Fact]
    public void Channels_last_matches_reference()
        => Property(Gen.Frequency(
            (3, NetGen.Stack(ChannelsLast)),
            (2, NetGen.Single(NetGen.Image(6, 1, 8), s => NetGen.Conv(s), ChannelsLast)),
            (1, NetGen.Single(NetGen.Signal(6, 1, 16), s => NetGen.Conv(s), ChannelsLast)),
            (1, NetGen.Single(Gen.OneOf(NetGen.Image(4, 1, 8), NetGen.Signal(4, 1, 16)),
                s => Gen.OneOf(NetGen.Pool(s, LayerOp.MaxPool), NetGen.Pool(s, LayerOp.AvgPool)), ChannelsLast)),
            (1, NetGen.Net(Gen.OneOf(NetGen.Image(6, 1, 6), NetGen.Signal(6, 1, 12)),
                s => NetGen.Chain(s, 3, NetGen.Weightless), ChannelsLast)),
            (2, NetGen.Net(Gen.OneOf(NetGen.Image(5, 1, 6), NetGen.Signal(5, 1, 16)),
                s => NetGen.Dense().Select(d => new[] { new LayerDecl { Op = LayerOp.Flatten }, d }), ChannelsLast))),
            perBatch: 30, samples: 4);

    /// <summary>WeightLayout.Keras: conv weights [k..., in/groups, out], Dense [in, out], in either layout.</summary>
    [Fact]
    public void Keras_weight_layout_matches_reference()
    {
        Gen<Layout?> anyLayout = Gen.OneOf<Layout?>(null, Layout.ChannelsFirst, Layout.ChannelsLast);
        Property(Gen.Frequency(
            (3, NetGen.Stack(anyLayout, Keras)),
            (2, NetGen.Single(NetGen.Image(6, 1, 8), s => NetGen.Conv(s), anyLayout, Keras)),
            (1, NetGen.Single(NetGen.Signal(6, 1, 16), s => NetGen.Conv(s), anyLayout, Keras)),
            (2, NetGen.Net(Gen.OneOf(NetGen.Vector(30), NetGen.Image(4, 1, 6), NetGen.Signal(4, 1, 16)),
                s => from dense in NetGen.Dense().Array[1, 2]
                     select (s.Rank == 1 ? dense : dense.Prepend(new LayerDecl { Op = LayerOp.Flatten })).ToArray(),
                anyLayout, Keras))),
            perBatch: 30, samples: 4);
    }
    private static readonly Gen<Layout?> AnyLayout = Gen.OneOf<Layout?>(null, Layout.ChannelsFirst, Layout.ChannelsLast);

    private static readonly Gen<WeightLayout?> AnyWeightLayout = Gen.OneOf<WeightLayout?>(null, WeightLayout.PyTorch, WeightLayout.Keras);

    /// <summary>
    /// DepthwiseConv2D (DepthMultiplier), Conv2DTranspose (Stride(s), Pad(s), Same, OutputPadding(s),
    /// Dilation(s), Groups), Conv1D/Conv2D/DepthwiseConv2D with Reflect/Replicate/Circular padding,
    /// ZeroPad2D, ChannelShuffle and BatchNorm, one layer each, in every layout and weight layout.
    /// </summary>
    [Fact]
    public void New_operators_match_reference()
        => Property(GraphOracleTests.NewOperatorNets(AnyLayout, AnyWeightLayout), perBatch: 40, samples: 4);

    /// <summary>
    /// Graphs: residual blocks (Add of 2-3 tensors, the network input among them now and then), Concat of
    /// 2-3 branches reading earlier tensors by Input (vectors too), the new operators between them, a head
    /// of Dense blocks; some written in a shuffled order (forward references). Every layout and weight layout.
    /// </summary>
    [Fact]
    public void Graphs_match_reference()
        => Property(NetGen.GraphNet(AnyLayout, AnyWeightLayout), perBatch: 24, samples: 5);
}

/// <summary>The numeric properties each use every core (CsCheck runs samples in parallel), so they run one at a time.</summary>
[CollectionDefinition(Name)]
public sealed class NumericCollection
{
    public const string Name = "Numeric";
}
