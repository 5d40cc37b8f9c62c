using System;
using System.Collections.Generic;
using System.Linq;
using ConvGen.Tests.Infrastructure;
using CsCheck;
using Microsoft.CodeAnalysis;
using Xunit;

namespace ConvGen.Tests.Numeric;

/// <summary>
/// Broken declarations must yield no code and never make the generator throw (a throw would surface in a
/// user's build as CS8785). Each sample mixes broken networks with valid ones, which must still get code.
/// Only the generator runs here; nothing is compiled, so this property is cheap.
/// </summary>
[Collection(NumericCollection.Name)]
public sealed class InvalidDeclarationTests
{
    [Fact]
    public void Invalid_declarations_generate_no_code_and_do_not_throw()
    {
        Gen<(NetDecl Net, bool Valid)> item = Gen.Frequency(
            (4, InvalidNets.Any.Select(n => (n, false))),
            (1, Gen.OneOf(NetGen.Stack(), InvalidNets.Prefix.Where(n => n.Layers.Length > 0)).Select(n => (n, true))),
            // An unused output is only a warning (CG0028): the network still gets code.
            (1, InvalidNets.WithUnusedOutput.Select(n => (n, true))));
        item.Array[30, 60].Sample(Check, iter: NumericCheck.Iterations(8), print: batch => DeclWriter.Summary(batch.Select(b => b.Net).ToList()));
    }

    private static void Check((NetDecl Net, bool Valid)[] batch)
    {
        var nets = batch.Select(b => b.Net).ToList();
        foreach (var (net, valid) in batch)
        {
            string? problem = ReferenceModel.Problem(net);
            if ((problem is null) != valid)
                throw new InvalidOperationException($"The config generator mislabelled a network ({problem ?? "valid"}):\n{DeclWriter.Class(net, "Net")}");
        }

        GeneratorRun run = GeneratorHarness.Run(NumericCheck.Source(nets, withInvokers: false)); // throws if the generator threw
        if (run.GeneratorDiagnostics.Length > 0)
            throw new NumericMismatchException("The generator reported diagnostics (it should leave them to the analyzer):\n"
                + string.Join("\n", run.GeneratorDiagnostics));

        // The declarations must be valid C#, or this would test the compiler's error recovery instead.
        SyntaxTree declarations = run.Output.SyntaxTrees.First(t => t.FilePath == "Nets.cs");
        var errors = run.Output.GetSemanticModel(declarations).GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error).ToList();
        if (errors.Count > 0)
            throw new InvalidOperationException("The config generator wrote C# that does not compile:\n" + string.Join("\n", errors.Take(5)));

        HashSet<string> generated = NumericCheck.GeneratedClasses(run);
        var wrong = Enumerable.Range(0, nets.Count).Where(i => generated.Contains(NumericCheck.ClassName(i)) != batch[i].Valid).ToList();
        if (wrong.Count > 0)
        {
            throw new NumericMismatchException($"{wrong.Count} of {nets.Count} declarations got code when they should not, or the reverse:\n\n"
                + string.Join("\n", wrong.Take(3).Select(i =>
                    (batch[i].Valid ? "VALID, but no code" : $"INVALID ({ReferenceModel.Problem(nets[i])}), but code was generated") + ":\n"
                    + DeclWriter.Class(nets[i], NumericCheck.ClassName(i), withData: false))));
        }
    }
}

/// <summary>Declarations that are invalid in one way each: a valid prefix of layers, then one broken layer.</summary>
internal static class InvalidNets
{
    /// <summary>Zero to two valid layers on any input; the broken layer goes after them.</summary>
    public static readonly Gen<NetDecl> Prefix = NetGen.Net(
        Gen.OneOf(NetGen.Vector(20), NetGen.Signal(4, 1, 16), NetGen.Image(4, 1, 8)),
        input => from depth in Gen.Int[0, 2]
                 from layers in NetGen.Chain(input, depth, s => s.Rank == 1
                     ? Gen.Frequency((1, NetGen.Dense()), (1, NetGen.Weightless(s)))
                     : Gen.Frequency((2, NetGen.Conv(s, maxKernel: 3)), (1, NetGen.Pool(s, LayerOp.MaxPool, 3)), (1, NetGen.Weightless(s))))
                 select layers);

    public static readonly Gen<NetDecl> Any = Gen.Frequency(
        (8, from prefix in Prefix
            let shape = ReferenceModel.Shapes(prefix)[^1]
            from seed in Gen.Int
            from suffix in BrokenGraph(shape, TensorShape.FromDeclared(prefix.InputShape))
            select Finish(prefix, suffix, seed)),
        (20, from prefix in Prefix
             let shape = ReferenceModel.Shapes(prefix)[^1]
             from broken in Broken(shape)
             select prefix with { Layers = prefix.Layers.Append(broken).ToArray() }),
        (1, Prefix.Select(p => p with { Layers = Array.Empty<LayerDecl>() })),
        (1, from prefix in Prefix
            from shape in Gen.OneOf(new[] { 0, 4 }, new[] { 3, -2 }, new[] { 1, 2, 3, 4 }, new[] { 2, 0, 5 })
            select prefix with { InputShape = shape }))
        .Where(net => ReferenceModel.Problem(net) is not null);

    /// <summary>"p" names the prefix's last layer (the suffix's references use it); parameters filled as a valid net's.</summary>
    private static NetDecl Finish(NetDecl prefix, LayerDecl[] suffix, int seed)
    {
        LayerDecl[] layers = prefix.Layers.Length == 0 ? suffix.Select(l => Rename(l, "p", "input")).ToArray()
            : prefix.Layers.Take(prefix.Layers.Length - 1).Append(prefix.Layers[^1] with { Name = "p" }).Concat(suffix).ToArray();
        return FillParameters(prefix with { Layers = layers }, seed);
    }

    private static LayerDecl Rename(LayerDecl l, string from, string to) => l with
    {
        Input = l.Input == from ? to : l.Input,
        Inputs = l.Inputs.Select(r => r == from ? to : r).ToArray(),
    };

    /// <summary>Weights and BatchNorm statistics for the layers whose input shape can be told; the rest keep what they have.</summary>
    private static NetDecl FillParameters(NetDecl net, int seed)
    {
        var layers = net.Layers.ToArray();
        if (ReferenceModel.Resolve(net, out ReferenceModel.Graph? graph) is not null)
            return net;
        var shapes = new TensorShape?[layers.Length + 1];
        shapes[0] = TensorShape.FromDeclared(net.InputShape);
        foreach (int i in graph!.Order)
        {
            TensorShape?[] inputs = graph.Sources[i].Select(j => shapes[j + 1]).ToArray();
            if (inputs.Any(t => t is null))
                continue;
            TensorShape s = inputs[0]!.Value;
            if (layers[i].HasWeights && layers[i].Weights is null)
                layers[i] = WithWeights(layers[i], s);
            else if (layers[i].Op == LayerOp.BatchNorm && layers[i].Gamma is null)
                layers[i] = layers[i] with { Gamma = Values(s.C), Beta = Values(s.C), Mean = Values(s.C), Variance = Values(s.C) };
            string? problem = layers[i].IsMerge
                ? ReferenceModel.Merge(inputs.Select(t => t!.Value).ToArray(), layers[i], out TensorShape next)
                : ReferenceModel.Next(s, layers[i], out next);
            shapes[i + 1] = problem is null ? next : null;
        }
        return net with { Layers = layers };
    }

    /// <summary>A valid network with one layer whose output nothing reads (a warning, not an error).</summary>
    public static readonly Gen<NetDecl> WithUnusedOutput =
        from prefix in Prefix
        from kind in Gen.OneOf(Activation.ReLU, Activation.Tanh)
        from seed in Gen.Int
        select Finish(prefix, new[]
        {
            new LayerDecl { Op = LayerOp.Activation, Activation = kind, Name = "unused" },
            new LayerDecl { Op = LayerOp.Activation, Activation = Activation.Sigmoid, Input = "p" },
        }, seed);

    private static LayerDecl Act(string? name = null, string? input = null)
        => new() { Op = LayerOp.Activation, Activation = Activation.ReLU, Name = name, Input = input };

    /// <summary>
    /// Layers after a valid prefix (whose last layer is "p") that break the graph or a new operator: an unknown
    /// input, a cycle, a duplicate name, an Add/Concat of fewer than 2 or of mismatched shapes, an
    /// OutputPadding not below the stride or dilation, a Reflect/Circular pad too large, a non-zero
    /// PaddingMode on Conv2DTranspose, a ZeroPad2D of 3 values or on a non-image, a ChannelShuffle whose
    /// groups do not divide.
    /// </summary>
    private static Gen<LayerDecl[]> BrokenGraph(TensorShape s, TensorShape input)
    {
        var options = new List<(int, IGen<LayerDecl[]>)>
        {
            (3, Gen.OneOf(
                new[] { Act(input: "nope") },
                new[] { new LayerDecl { Op = LayerOp.Add, Inputs = new[] { "p", "missing" } } },
                new[] { new LayerDecl { Op = LayerOp.Concat, Inputs = new[] { "q", "p" } } })),
            // Cycles: a reads b, b reads a (forward references are allowed, but not round trips); a self-loop.
            (3, Gen.OneOf(
                new[] { Act("a", "b"), Act("b") },
                new[] { Act("a", "c"), Act("b"), Act("c") },
                new[] { Act("a"), new LayerDecl { Op = LayerOp.Add, Name = "b", Inputs = new[] { "a", "b" } }, Act() },
                new[] { Act("self", "self") })),
            (1, Gen.Const(new[] { Act("twin"), Act("twin") })),
            (2, Gen.OneOf(
                new[] { new LayerDecl { Op = LayerOp.Add, Inputs = new[] { "p" } } },
                new[] { new LayerDecl { Op = LayerOp.Concat, Inputs = new[] { "p" } } },
                new[] { new LayerDecl { Op = LayerOp.Add } })),
        };
        // Add of two shapes: the prefix's output and a layer that changes it.
        LayerDecl changer = s.Rank == 1
            ? new LayerDecl { Op = LayerOp.Dense, Outputs = s.C + 1, Name = "m" }
            : new LayerDecl { Op = LayerOp.Conv, Rank = s.SpatialRank, Outputs = s.C + 1, Kernel = new[] { 1 }, Name = "m" };
        options.Add((3, Gen.OneOf(
            new[] { changer, new LayerDecl { Op = LayerOp.Add, Inputs = new[] { "p", "m" } } },
            new[] { new LayerDecl { Op = LayerOp.Flatten, Name = "m" }, new LayerDecl { Op = LayerOp.Add, Inputs = new[] { "m", "p" } } })
            .Where(x => s.Rank > 1 || x[0].Op != LayerOp.Flatten)));
        if (s.Rank > 1)
        {
            // Concat of different ranks, or of different spatial sizes.
            options.Add((2, Gen.Const(new[] { new LayerDecl { Op = LayerOp.GlobalAvgPool, Name = "m" }, new LayerDecl { Op = LayerOp.Concat, Inputs = new[] { "p", "m" } } })));
            if (s.W > 1)
                options.Add((2, Gen.Const(new[]
                {
                    new LayerDecl { Op = LayerOp.MaxPool, Rank = s.SpatialRank, Kernel = s.Rank == 3 ? new[] { 1, 2 } : new[] { 2 }, Name = "m" },
                    new LayerDecl { Op = LayerOp.Concat, Inputs = new[] { "m", "p" } },
                })));
            // A Reflect pad not smaller than the input, a Circular pad larger than it.
            int smallest = s.SpatialSizes.Min();
            options.Add((3, from mode in Gen.OneOf(PaddingMode.Reflect, PaddingMode.Circular)
                            from extra in Gen.Int[0, 2]
                            let pad = mode == PaddingMode.Reflect ? smallest + extra : smallest + 1 + extra
                            select new[] { new LayerDecl { Op = LayerOp.Conv, Rank = s.SpatialRank, Outputs = 2, Kernel = new[] { 1 }, Pad = pad, PaddingMode = mode } }));
            options.Add((1, Gen.Int[0, 10].Select(extra => new[] { new LayerDecl { Op = LayerOp.ChannelShuffle, ShuffleGroups = s.C + 1 + extra } })
                .Where(x => s.C % x[0].ShuffleGroups != 0)));
        }
        if (s.Rank == 3)
        {
            options.Add((3, from stride in Gen.Int[1, 3]
                            from dilation in Gen.Int[1, 2]
                            from extra in Gen.Int[0, 1]
                            from perAxis in Gen.Bool
                            let outPad = Math.Max(stride, dilation) + extra
                            select new[]
                            {
                                new LayerDecl
                                {
                                    Op = LayerOp.ConvTranspose, Rank = 2, Outputs = 2, Kernel = new[] { 2 }, Stride = stride, Dilation = dilation,
                                    OutputPadding = perAxis ? null : outPad, OutputPaddings = perAxis ? new[] { 0, outPad } : null,
                                },
                            }));
            options.Add((1, Gen.OneOf(PaddingMode.Reflect, PaddingMode.Replicate, PaddingMode.Circular).Select(mode => new[]
                { new LayerDecl { Op = LayerOp.ConvTranspose, Rank = 2, Outputs = 2, Kernel = new[] { 1 }, Pad = 0, PaddingMode = mode } })));
            options.Add((1, Gen.OneOf(new[] { 1, 1, 1 }, new[] { 1, -1 }, new[] { -1 }, new[] { 1, 2, 3, 4, 5 })
                .Select(p => new[] { new LayerDecl { Op = LayerOp.ZeroPad, PadValues = p } })));
        }
        else
        {
            options.Add((1, Gen.Const(new[] { new LayerDecl { Op = LayerOp.ZeroPad, PadValues = new[] { 1 } } })));
            options.Add((1, Gen.Const(new[] { new LayerDecl { Op = LayerOp.DepthwiseConv, Rank = 2, Kernel = new[] { 1 } } })));
        }
        return Gen.Frequency(options.ToArray());
    }

    private static float[] Values(int n) => Enumerable.Repeat(0.5f, Math.Max(n, 0)).ToArray();

    /// <summary>Weights and bias of the length the layer's own (possibly broken) arguments imply.</summary>
    private static LayerDecl WithWeights(LayerDecl l, TensorShape s)
    {
        if (!l.HasWeights)
            return l;
        int groups = Math.Max(1, l.Groups ?? 1);
        int taps = l.KernelPerAxis.Aggregate(1, (p, k) => p * Math.Max(k, 0));
        int outputs = l.Op == LayerOp.DepthwiseConv ? s.C * (l.DepthMultiplier ?? 1) : l.Outputs;
        int count = l.Op switch
        {
            LayerOp.Dense => l.Outputs * s.Size,
            LayerOp.DepthwiseConv => outputs * taps,
            LayerOp.ConvTranspose => s.C * (l.Outputs / groups) * taps,
            _ => l.Outputs * (s.C / groups) * taps,
        };
        return l with { Weights = Values(count), Bias = (l.UseBias ?? true) ? Values(outputs) : null };
    }

    private static int[] Set(int[] values, int index, int value)
    {
        var copy = (int[])values.Clone();
        copy[index] = value;
        return copy;
    }

    /// <summary>A window larger than its input on one axis, with no padding or a scalar Pad that is too small.</summary>
    private static Gen<LayerDecl> TooLarge(TensorShape s, Gen<LayerDecl> layer) =>
        from l in layer
        from axis in Gen.Int[0, s.SpatialRank - 1]
        from extra in Gen.Int[1, 3]
        from pad in Gen.Int[0, 2]
        let poolPad = l.Op == LayerOp.Conv ? pad : 0
        let dilation = l.Dilations?[axis] ?? l.Dilation ?? 1
        let kernel = Set(l.KernelPerAxis, axis, (s.SpatialSizes[axis] + 2 * poolPad - 1) / dilation + 1 + extra)
        select WithWeights(l with { Kernel = kernel, Padding = null, Pads = null, Pad = poolPad > 0 ? poolPad : null }, s);

    private static Gen<LayerDecl> Broken(TensorShape s)
    {
        Gen<LayerDecl> conv = s.Rank > 1 ? NetGen.Conv(s, maxKernel: 3).Select(l => WithWeights(l, s)) : Gen.Const(new LayerDecl { Op = LayerOp.Flatten });
        Gen<LayerDecl> dense = NetGen.Dense().Select(l => WithWeights(l, s));
        var options = new List<(int, IGen<LayerDecl>)>
        {
            // Wrong weight or bias lengths, missing arrays, a Bias with UseBias = false.
            (3, from l in s.Rank > 1 ? conv : dense
                from fault in Gen.Int[0, 4]
                from delta in Gen.OneOf(-2, -1, 1, 3)
                select fault switch
                {
                    0 => l with { Weights = Values(l.Weights!.Length + delta) },
                    1 => l with { Weights = null },
                    2 => l with { UseBias = true, Bias = null },
                    3 => l with { UseBias = null, Bias = Values(l.Outputs + delta) },
                    _ => l with { UseBias = false, Bias = Values(l.Outputs) },
                }),
            // Non-positive sizes.
            (2, from l in s.Rank > 1 ? conv : dense
                from fault in Gen.Int[0, 6]
                from bad in Gen.OneOf(0, -1)
                select fault switch
                {
                    0 when l.Op == LayerOp.Conv => WithWeights(l with { Kernel = Set(l.Kernel, 0, bad) }, s),
                    1 when l.Op == LayerOp.Conv => WithWeights(l with { Stride = bad, Strides = null }, s),
                    2 when l.Op == LayerOp.Conv => WithWeights(l with { Dilation = bad, Dilations = null }, s),
                    3 when l.Op == LayerOp.Conv => WithWeights(l with { Groups = bad }, s),
                    4 when l.Op == LayerOp.Conv => WithWeights(l with { Pad = -1, Pads = null }, s),
                    5 when l.Op == LayerOp.Conv => WithWeights(l with { Pads = Enumerable.Repeat(0, 2 * l.Rank).Append(-1).Skip(1).ToArray(), Pad = null }, s),
                    _ => l with { Outputs = bad, Weights = Values(0), Bias = l.Bias is null ? null : Values(0) },
                }),
        };
        if (s.Rank == 1)
        {
            // Spatial layers on a flat vector.
            options.Add((2, Gen.OneOf(
                new LayerDecl { Op = LayerOp.GlobalAvgPool },
                new LayerDecl { Op = LayerOp.GlobalMaxPool },
                new LayerDecl { Op = LayerOp.MaxPool, Rank = 1, Kernel = new[] { 1 } },
                new LayerDecl { Op = LayerOp.AvgPool, Rank = 2, Kernel = new[] { 1 } })));
            options.Add((2, Gen.Int[1, 2].Select(rank => WithWeights(new LayerDecl { Op = LayerOp.Conv, Rank = rank, Outputs = 2, Kernel = new[] { 1 } }, s))));
            return Gen.Frequency(options.ToArray());
        }

        int rank = s.SpatialRank;
        Gen<LayerOp> poolOp = Gen.OneOf(LayerOp.MaxPool, LayerOp.AvgPool);
        Gen<LayerDecl> pool = poolOp.SelectMany(op => NetGen.Pool(s, op, 3));
        options.AddRange(new (int, IGen<LayerDecl>)[]
        {
            (4, TooLarge(s, NetGen.Conv(s, maxKernel: 3))),
            (3, TooLarge(s, pool)),
            // A pool pad larger than half its window.
            (3, from l in pool
                from axis in Gen.Int[0, rank - 1]
                from end in Gen.Bool
                from extra in Gen.Int[1, 2]
                let span = (l.KernelPerAxis[axis] - 1) * (l.Dilations?[axis] ?? l.Dilation ?? 1) + 1
                select l with { Padding = null, Pad = null, Pads = Set(new int[2 * rank], end ? rank + axis : axis, span / 2 + extra) }),
            // Groups that do not divide the input or output channels.
            (3, from l in NetGen.Conv(s, maxKernel: 3)
                from groups in Gen.Int[2, 7]
                where s.C % groups != 0 || l.Outputs % groups != 0
                select WithWeights(l with { Groups = groups }, s)),
            // Dense on an unflattened input (its weights fit the flattened size).
            (2, dense),
            // A layer of the other spatial rank.
            (2, from l in NetGen.Conv(new TensorShape(rank == 2 ? 2 : 3, s.C, rank == 2 ? 1 : 4, 4), maxKernel: 1)
                select WithWeights(l, s)),
            (1, from op in poolOp
                select new LayerDecl { Op = op, Rank = 3 - rank, Kernel = new[] { 1 } }),
            // Per-axis arrays of the wrong length, and non-positive pool arguments.
            (3, from l in Gen.OneOf(NetGen.Conv(s, maxKernel: 3).Select(c => WithWeights(c, s)), pool)
                from fault in Gen.Int[0, 5]
                select fault switch
                {
                    0 => l with { Strides = Enumerable.Repeat(1, rank + 1).ToArray(), Stride = null },
                    1 => l with { Pads = new int[2 * rank + 1], Pad = null },
                    2 when l.Op != LayerOp.AvgPool => l with { Dilations = Enumerable.Repeat(1, rank == 2 ? 1 : 2).ToArray(), Dilation = null },
                    3 => l with { Strides = Set(Enumerable.Repeat(1, rank).ToArray(), rank - 1, 0), Stride = null },
                    4 when l.Op != LayerOp.Conv => l with { Kernel = Set(l.Kernel, 0, 0) },
                    _ => l with { Stride = -1, Strides = null },
                }),
        });
        return Gen.Frequency(options.ToArray());
    }
}
