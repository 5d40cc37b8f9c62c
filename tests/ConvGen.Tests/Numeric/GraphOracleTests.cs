using System;
using System.Linq;
using ConvGen.Tests.Reference;
using CsCheck;
using Xunit;

namespace ConvGen.Tests.Numeric;

/// <summary>
/// Checks of the test machinery itself, without the generator: the graph and new-operator config
/// generators make only valid declarations with every output read, and the reference model agrees
/// with itself where two routes must give the same numbers.
/// </summary>
public sealed class GraphOracleTests
{
    [Fact]
    public void Generated_graphs_are_valid_use_every_output_and_evaluate()
    {
        Gen<NetDecl> nets = Gen.OneOf(
            NetGen.GraphNet(Gen.OneOf<Layout?>(null, Layout.ChannelsLast), Gen.OneOf<WeightLayout?>(null, WeightLayout.Keras)),
            NewOperatorNets(Gen.OneOf<Layout?>(null, Layout.ChannelsLast), Gen.OneOf<WeightLayout?>(null, WeightLayout.Keras)));
        nets.Sample(net =>
        {
            Assert.Null(ReferenceModel.Problem(net));
            Assert.Empty(ReferenceModel.UnusedOutputs(net));
            float[] output = ReferenceModel.Run(net, out TensorShape shape);
            Assert.Equal(shape.Size, output.Length);
        }, iter: 300, print: n => DeclWriter.Summary(new[] { n }));
    }

    /// <summary>The single-layer networks of the new operators the numeric property uses.</summary>
    public static Gen<NetDecl> NewOperatorNets(Gen<Layout?>? layout = null, Gen<WeightLayout?>? weightLayout = null) => Gen.Frequency(
        (4, NetGen.Single(NetGen.Image(5, 1, 8), NetGen.NewOperator, layout, weightLayout)),
        (2, NetGen.Single(NetGen.Signal(5, 1, 16), s => NetGen.ConvAnyMode(s), layout, weightLayout)),
        (1, NetGen.Single(NetGen.Signal(6, 1, 12), NetGen.Shuffle, layout, weightLayout)),
        (1, NetGen.Single(Gen.OneOf(NetGen.Vector(12), NetGen.Signal(4, 1, 8)), _ => NetGen.BatchNorm, layout, weightLayout)));

    [Fact]
    public void A_reordered_graph_computes_the_same()
    {
        Gen<NetDecl> nets = NetGen.GraphNet();
        (from net in nets from seed in Gen.Int select (net, seed)).Sample(t =>
        {
            NetDecl reordered = t.net with { Layers = NetGen.Reordered(t.net.Layers, t.seed) };
            Assert.Null(ReferenceModel.Problem(reordered));
            Assert.Equal(ReferenceModel.Run(t.net, out _), ReferenceModel.Run(reordered, out _));
        }, iter: 100);
    }

    [Fact]
    public void Keras_depthwise_weights_are_a_grouped_keras_conv()
    {
        // [kh, kw, C, mult] is the Keras conv layout [kh, kw, in/groups = 1, out = C*mult] with groups = C.
        Gen.Select(Gen.Int[1, 4], Gen.Int[1, 3], Gen.Int[1, 3], Gen.Int[1, 3]).Sample(t =>
        {
            var (c, mult, kh, kw) = t;
            float[] w = Enumerable.Range(0, c * mult * kh * kw).Select(i => (float)i).ToArray();
            Assert.Equal(NaiveReference.KerasConv2DToPyTorch(w, c * mult, 1, kh, kw), ReferenceModel.KerasDepthwiseToPyTorch(w, c, mult, kh, kw));
        }, iter: 50);
    }

    [Fact]
    public void Conv2DTranspose_same_gives_input_times_stride()
    {
        (from s in NetGen.Image(3, 1, 9) from l in NetGen.ConvTranspose(s) select (s, l)).Sample(t =>
        {
            LayerDecl same = t.l with { Padding = Padding.Same, Pad = null, Pads = null, OutputPadding = null, OutputPaddings = null };
            Assert.Null(ReferenceModel.ResolveTranspose(t.s, same, out ReferenceModel.TransposeWindow? g));
            int[] stride = same.Strides ?? Enumerable.Repeat(same.Stride ?? 1, 2).ToArray();
            Assert.Equal(new[] { t.s.H * stride[0], t.s.W * stride[1] }, g!.Out);
        }, iter: 200);
    }

    [Fact]
    public void Zeros_padding_mode_is_the_plain_conv()
    {
        NetGen.Single(NetGen.Image(4, 1, 8), s => NetGen.Conv(s)).Sample(net =>
        {
            NetDecl zeros = net with { Layers = new[] { net.Layers[0] with { PaddingMode = PaddingMode.Zeros } } };
            float[] expected = ReferenceModel.Run(net, out _);
            float[] actual = ReferenceModel.Run(zeros, out _);
            Assert.True(expected.Zip(actual).All(p => NumericCheck.Close(p.Second, p.First)));
        }, iter: 100);
    }

    [Fact]
    public void Broken_graph_declarations_are_invalid_and_unused_outputs_only_warn()
    {
        InvalidNets.Any.Sample(net => Assert.NotNull(ReferenceModel.Problem(net)), iter: 300, print: n => DeclWriter.Summary(new[] { n }));
        InvalidNets.WithUnusedOutput.Sample(net =>
        {
            Assert.Null(ReferenceModel.Problem(net));
            Assert.NotEmpty(ReferenceModel.UnusedOutputs(net));
        }, iter: 100, print: n => DeclWriter.Summary(new[] { n }));
    }
}
