using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Globalization;
using System.Linq;
using System.Reflection;
using System.Text;
using ConvGen.Generators.Analyzers;
using ConvGen.Tests.Infrastructure;
using ConvGen.Tests.Numeric;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Text;
using Xunit;

namespace ConvGen.Tests.Hardening;

/// <summary>
/// The memory-safety argument by test (issue 17): the generated kernels load and store without bounds checks
/// because construction keeps every index inside its span. Every dilation, pad, stride, kernel, channel count
/// and input size near 2^16, 2^28, 2^30 and 2^31 - 1 either fails at build time with an error, or builds and
/// runs inside guard regions (canary floats around input, output and scratch, scratch full of garbage) with
/// the naive reference's result.
/// </summary>
public class ExtremeSizeTests
{
    private static readonly int[] Extremes =
    {
        1 << 16, (1 << 28) - 1, 1 << 28, (1 << 28) + 1, 1 << 30, int.MaxValue,
    };

    /// <summary>Accepted networks above this many floats (input + output + scratch) build and compile but are not run: a test process cannot hold several of them.</summary>
    private const long MaxRunFloats = 1L << 25;

    private static LayerDecl Conv(int rank, int filters, params int[] kernel) => new() { Op = LayerOp.Conv, Rank = rank, Outputs = filters, Kernel = kernel };

    private static LayerDecl Pool(LayerOp op, int rank, params int[] window) => new() { Op = op, Rank = rank, Kernel = window };

    private static LayerDecl Transpose(int filters, params int[] kernel) => new() { Op = LayerOp.ConvTranspose, Rank = 2, Outputs = filters, Kernel = kernel };

    /// <summary>A declaration with the extreme value x in one place: its input shape and layers.</summary>
    private sealed record Template(string Name, Func<int, int[]> Input, Func<int, LayerDecl> Layer);

    private static readonly int[] Image = { 4, 8, 8 };

    private static readonly Template[] Templates =
    {
        // The probe's out-of-bounds writes: dilated Same convs and huge explicit pads.
        new("conv3x3 dilation, Same", _ => Image, x => Conv(2, 2, 3) with { Dilation = x, Padding = Padding.Same }),
        new("conv1x3 dilation, Same", _ => Image, x => Conv(2, 2, 1, 3) with { Dilation = x, Padding = Padding.Same }),
        new("conv5x5 dilation, Same", _ => Image, x => Conv(2, 2, 5) with { Dilation = x, Padding = Padding.Same }),
        new("conv3x3 pad = dilation", _ => Image, x => Conv(2, 2, 3) with { Dilation = x, Pad = x }),
        new("conv3x3 dilation, Valid", _ => Image, x => Conv(2, 2, 3) with { Dilation = x }),
        new("conv1x1 dilation", _ => Image, x => Conv(2, 2, 1) with { Dilation = x }),
        new("conv3x3 pad, stride", _ => Image, x => Conv(2, 2, 3) with { Pad = x, Stride = x }),
        new("conv3x3 pads top/right, stride", _ => Image, x => Conv(2, 2, 3) with { Pads = new[] { x, 0, 0, x }, Strides = new[] { x, x } }),
        new("conv3x3 pad", _ => Image, x => Conv(2, 2, 3) with { Pad = x }),
        new("conv3x3 stride", _ => Image, x => Conv(2, 2, 3) with { Stride = x }),
        new("conv3x3 stride, Same", _ => Image, x => Conv(2, 2, 3) with { Stride = x, Padding = Padding.Same }),
        new("conv3x3 stride across, pad 1", _ => Image, x => Conv(2, 2, 3) with { Strides = new[] { 1, x }, Pad = 1 }),
        new("conv kernel x by 1, Same", _ => new[] { 1, 4, 4 }, x => Conv(2, 1, x, 1) with { Padding = Padding.Same }),
        new("conv kernel 1 by x, Valid", _ => new[] { 1, 4, 4 }, x => Conv(2, 1, 1, x)),
        new("conv filters", _ => new[] { 1, 2, 2 }, x => Conv(2, x, 1)),
        new("conv groups", _ => Image, x => Conv(2, 2, 3) with { Groups = x }),
        new("depthwise multiplier", _ => new[] { 1, 2, 2 }, x => new LayerDecl { Op = LayerOp.DepthwiseConv, Rank = 2, Kernel = new[] { 1 }, DepthMultiplier = x }),
        new("depthwise dilation, Same", _ => Image, x => new LayerDecl { Op = LayerOp.DepthwiseConv, Rank = 2, Kernel = new[] { 3 }, Dilation = x, Padding = Padding.Same }),
        new("conv1d dilation, Same", _ => new[] { 2, 8 }, x => Conv(1, 2, 3) with { Dilation = x, Padding = Padding.Same }),
        new("conv1d stride, pad", _ => new[] { 2, 8 }, x => Conv(1, 2, 3) with { Stride = x, Pad = x }),
        new("transpose stride", _ => new[] { 1, 1, 1 }, x => Transpose(1, 3) with { Stride = x }),
        new("transpose stride, Same", _ => Image, x => Transpose(1, 1) with { Stride = x, Padding = Padding.Same }),
        new("transpose stride down", _ => new[] { 1, 2, 1 }, x => Transpose(1, 3) with { Strides = new[] { x, 1 } }),
        new("transpose stride down, Same", _ => new[] { 1, 1, 1 }, x => Transpose(1, 3) with { Strides = new[] { x, 1 }, Padding = Padding.Same }),
        new("transpose dilation down", _ => new[] { 1, 1, 1 }, x => Transpose(1, 3) with { Dilations = new[] { x, 1 } }),
        new("transpose pad", _ => Image, x => Transpose(1, 3) with { Pad = x }),
        new("transpose stride, pad", _ => new[] { 1, 3, 1 }, x => Transpose(1, 3) with { Strides = new[] { x, 1 }, Pads = new[] { x / 2, 0, x / 2, 0 } }),
        new("transpose output padding", _ => new[] { 1, 1, 1 }, x => Transpose(1, 3) with { Strides = new[] { x, 1 }, OutputPaddings = new[] { x - 1, 0 } }),
        new("maxpool stride", _ => Image, x => Pool(LayerOp.MaxPool, 2, 2) with { Stride = x }),
        new("maxpool window", _ => Image, x => Pool(LayerOp.MaxPool, 2, x)),
        new("maxpool dilation, Same", _ => Image, x => Pool(LayerOp.MaxPool, 2, 2) with { Dilation = x, Padding = Padding.Same }),
        new("maxpool ceil, stride", _ => Image, x => Pool(LayerOp.MaxPool, 2, 3) with { Pad = 1, Stride = x, CeilMode = true }),
        new("avgpool ceil, stride", _ => Image, x => Pool(LayerOp.AvgPool, 2, 2) with { Stride = x, CeilMode = true, CountIncludePad = false }),
        new("avgpool pad, stride", _ => Image, x => Pool(LayerOp.AvgPool, 2, 3) with { Pad = 1, Strides = new[] { x, 1 } }),
        new("maxpool1d stride", _ => new[] { 2, 8 }, x => Pool(LayerOp.MaxPool, 1, 2) with { Stride = x }),
        new("zeropad all", _ => new[] { 1, 1, 1 }, x => new LayerDecl { Op = LayerOp.ZeroPad, PadValues = new[] { x } }),
        new("zeropad right", _ => new[] { 1, 1, 1 }, x => new LayerDecl { Op = LayerOp.ZeroPad, PadValues = new[] { 0, 0, 0, x } }),
        new("channel shuffle", x => new[] { Math.Min(x, 1 << 16), 1, 1 }, x => new LayerDecl { Op = LayerOp.ChannelShuffle, ShuffleGroups = x }),
        new("input channels", x => new[] { x, 1, 1 }, _ => Pool(LayerOp.MaxPool, 2, 1)),
        new("input rows, 3x1 Same conv", x => new[] { 1, x, 1 }, _ => Conv(2, 1, 3, 1) with { Padding = Padding.Same }),
        new("input columns, 1x3 padded conv", x => new[] { 1, 1, x }, _ => Conv(2, 1, 1, 3) with { Pads = new[] { 0, 1, 0, 1 } }),
        new("input length, conv1d", x => new[] { 1, x }, _ => Conv(1, 1, 3) with { Padding = Padding.Same }),
        new("dense units", _ => new[] { 4 }, x => new LayerDecl { Op = LayerOp.Dense, Outputs = x }),
    };

    /// <summary>Every template at every extreme, alone and followed by a layer that reads its output from scratch.</summary>
    private static List<(string Description, NetDecl Net)> Cases()
    {
        var cases = new List<(string, NetDecl)>();
        foreach (Template template in Templates)
        {
            foreach (int x in Extremes)
            {
                LayerDecl layer = template.Layer(x);
                int[] input = template.Input(x);
                cases.Add(($"{template.Name} at {x}", WithParameters(new NetDecl { InputShape = input, Layers = new[] { layer } })));
                // A 1x1 max pool after it: the extreme layer then writes scratch, and the planner places its output.
                LayerDecl next = input.Length == 1 ? new LayerDecl { Op = LayerOp.Softmax } : Pool(LayerOp.MaxPool, input.Length - 1, 1);
                cases.Add(($"{template.Name} at {x}, then {next.Op}", WithParameters(new NetDecl { InputShape = input, Layers = new[] { layer, next } })));
            }
        }
        return cases;
    }

    /// <summary>Weights, bias and input from a seeded formula, where they are small enough to write; absurd ones are left out (the build must fail anyway).</summary>
    private static NetDecl WithParameters(NetDecl net)
    {
        const long MaxWritten = 1 << 17;
        static float[] Values(long n, int seed) => Enumerable.Range(0, (int)n).Select(i => (float)Math.Sin(0.37 * i + seed) * 0.5f).ToArray();
        long inputSize = net.InputShape.Aggregate(1L, (p, d) => p * d);
        int channels = net.InputShape[0];
        LayerDecl l = net.Layers[0];
        long taps = l.KernelPerAxis.Aggregate(1L, (p, k) => p * k);
        long? count = l.Op switch
        {
            LayerOp.Conv => (long)l.Outputs * (channels / Math.Max(1, l.Groups ?? 1)) * taps,
            LayerOp.DepthwiseConv => (long)channels * (l.DepthMultiplier ?? 1) * taps,
            LayerOp.ConvTranspose => (long)channels * l.Outputs * taps,
            LayerOp.Dense => (long)l.Outputs * channels,
            _ => null,
        };
        long outputs = l.Op == LayerOp.DepthwiseConv ? (long)channels * (l.DepthMultiplier ?? 1) : l.Outputs;
        if (count is { } n)
            l = n <= MaxWritten && outputs <= MaxWritten ? l with { Weights = Values(n, 1), Bias = Values(outputs, 2) } : l with { UseBias = false };
        var layers = net.Layers.ToArray();
        layers[0] = l;
        return net with { Layers = layers, Input = inputSize <= MaxRunFloats ? Values(inputSize, 3) : Array.Empty<float>() };
    }

    [Fact]
    public async System.Threading.Tasks.Task Extreme_sizes_fail_at_build_time_or_run_inside_guard_regions_with_the_reference_result()
    {
        var cases = Cases();
        var source = new StringBuilder("using ConvGen;\n\n");
        for (int i = 0; i < cases.Count; i++)
            source.Append(DeclWriter.Class(cases[i].Net, NumericCheck.ClassName(i))).Append('\n');

        GeneratorRun run = GeneratorHarness.Run(source.ToString());
        var generated = NumericCheck.GeneratedClasses(run);
        // Guarded invokers for the networks that were generated, in the same assembly.
        string invokers = GuardedRun.Source + string.Concat(generated.Select(GuardedRun.Invoker));
        Assembly assembly = GeneratorHarness.Load(run with { Output = run.Output.AddSyntaxTrees(CSharpSyntaxTree.ParseText(invokers, GeneratorHarness.ParseOptions)) });
        var analyzers = ImmutableArray.Create<DiagnosticAnalyzer>(new ConvNetAnalyzer());
        var analyzer = await run.Output.WithAnalyzers(analyzers).GetAnalyzerDiagnosticsAsync();
        Assert.DoesNotContain(analyzer, d => d.Id == "AD0001");
        SyntaxTree declarations = run.Output.SyntaxTrees.First(t => t.FilePath == "Nets.cs");

        var failures = new List<string>();
        int ran = 0, refused = 0, tooLargeToRun = 0;
        for (int i = 0; i < cases.Count; i++)
        {
            string name = NumericCheck.ClassName(i);
            var (description, net) = cases[i];
            var span = ClassSpan(declarations, name);
            var errors = analyzer.Where(d => d.Severity == DiagnosticSeverity.Error && d.Location.SourceTree == declarations && span.Contains(d.Location.SourceSpan)).ToList();
            if (!generated.Contains(name))
            {
                refused++;
                if (errors.Count == 0)
                    failures.Add($"{description}: no code and no error");
                continue;
            }
            if (errors.Count > 0)
                failures.Add($"{description}: code generated despite {errors[0]}");
            long floats = (long)GeneratorHarness.Constant(assembly, name, "InputLength") + GeneratorHarness.Constant(assembly, name, "OutputLength")
                + GeneratorHarness.Constant(assembly, name, "ScratchLength");
            if (floats > MaxRunFloats)
            {
                tooLargeToRun++;
                continue;
            }
            ran++;
            if (ReferenceModel.Problem(net) is { } problem)
            {
                failures.Add($"{description}: generated, but the reference finds it invalid ({problem})");
                continue;
            }
            float[] expected = ReferenceModel.Run(net, out _);
            try
            {
                float[] actual = GuardedRun.Invoke(assembly, name, ReferenceModel.MemoryInput(net));
                int bad = Enumerable.Range(0, expected.Length).FirstOrDefault(j => !NumericCheck.Close(actual[j], expected[j]), -1);
                if (bad >= 0)
                    failures.Add($"{description}: output [{bad}] is {actual[bad]}, the reference {expected[bad]}");
            }
            catch (Exception e)
            {
                failures.Add($"{description}: {e.GetType().Name}: {e.Message}");
            }
        }
        Assert.True(failures.Count == 0, $"{failures.Count} of {cases.Count} cases failed:\n" + string.Join("\n", failures.Take(30)));
        // The sweep must exercise both outcomes, and run most of what builds.
        Assert.True(ran >= 100 && refused >= 100 && tooLargeToRun <= ran / 4, $"ran {ran}, refused {refused}, built but too large to run {tooLargeToRun}");
    }

    /// <summary>From a class's [ConvNet] attribute to its name: where its diagnostics are.</summary>
    private static TextSpan ClassSpan(SyntaxTree declarations, string name)
    {
        string text = declarations.ToString();
        int end = text.IndexOf($"partial class {name} ", StringComparison.Ordinal);
        int start = text.LastIndexOf("[ConvNet(", end, StringComparison.Ordinal);
        return TextSpan.FromBounds(start, end);
    }
}
