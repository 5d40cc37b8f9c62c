using System;
using System.Linq;
using System.Threading.Tasks;
using ConvGen.Generators;
using ConvGen.Tests.Infrastructure;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Xunit;

namespace ConvGen.Tests;

/// <summary>How the generator behaves in a build: caching, broken declarations, run-time checks.</summary>
public class GeneratorBehaviourTests
{
    [Fact]
    public void An_unrelated_edit_reruns_no_emission()
    {
        CSharpCompilation first = GeneratorHarness.CreateCompilation(ShowcaseNetworks.Source);
        GeneratorDriver driver = GeneratorHarness.CreateDriver().RunGenerators(first);

        // A new file elsewhere in the project: a new compilation, same networks.
        CSharpCompilation second = first.AddSyntaxTrees(CSharpSyntaxTree.ParseText(
            "namespace Elsewhere; public static class Unrelated { public static int Answer => 42; }", GeneratorHarness.ParseOptions, path: "Unrelated.cs"));
        GeneratorRunResult rerun = driver.RunGenerators(second).GetRunResult().Results.Single();

        foreach (string step in new[] { TrackingNames.Parse, TrackingNames.Build })
        {
            var outputs = rerun.TrackedSteps[step].SelectMany(s => s.Outputs).ToList();
            Assert.Equal(ShowcaseNetworks.All.Count, outputs.Count);
            Assert.All(outputs, o => Assert.True(o.Reason is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged,
                $"step {step} re-ran ({o.Reason}) after an unrelated edit"));
        }
        Assert.All(rerun.TrackedOutputSteps.SelectMany(s => s.Value).SelectMany(s => s.Outputs),
            o => Assert.Equal(IncrementalStepRunReason.Cached, o.Reason));
    }

    [Fact]
    public void Allowing_unsafe_code_reruns_emission_for_SkipLocalsInit()
    {
        CSharpCompilation first = GeneratorHarness.CreateCompilation(ShowcaseNetworks.Source);
        GeneratorDriver driver = GeneratorHarness.CreateDriver().RunGenerators(first);

        GeneratorRunResult rerun = driver.RunGenerators(first.WithOptions(first.Options.WithAllowUnsafe(true))).GetRunResult().Results.Single();

        Assert.All(rerun.TrackedSteps[TrackingNames.Parse].SelectMany(s => s.Outputs),
            o => Assert.True(o.Reason is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged, $"Parse re-ran ({o.Reason})"));
        Assert.Contains(rerun.TrackedSteps[TrackingNames.Build].SelectMany(s => s.Outputs), o => o.Reason == IncrementalStepRunReason.Modified);
        Assert.Contains(rerun.GeneratedSources, s => s.SourceText.ToString().Contains("SkipLocalsInit", StringComparison.Ordinal));
    }

    [Fact]
    public void Editing_a_network_reruns_its_emission_only()
    {
        CSharpCompilation first = GeneratorHarness.CreateCompilation(ShowcaseNetworks.Source);
        GeneratorDriver driver = GeneratorHarness.CreateDriver().RunGenerators(first);
        SyntaxTree tree = first.SyntaxTrees.Single();
        SyntaxTree edited = tree.WithChangedText(tree.GetText().Replace(
            tree.GetText().ToString().IndexOf("[Dense(3, Activation = Activation.Tanh", StringComparison.Ordinal), "[Dense(3, Activation = Activation.Tanh".Length,
            "[Dense(3, Activation = Activation.Sigmoid"));

        GeneratorRunResult rerun = driver.RunGenerators(first.ReplaceSyntaxTree(tree, edited)).GetRunResult().Results.Single();

        var build = rerun.TrackedSteps[TrackingNames.Build].SelectMany(s => s.Outputs).ToList();
        Assert.Equal(1, build.Count(o => o.Reason == IncrementalStepRunReason.Modified));
        Assert.Contains("Sigmoid", rerun.GeneratedSources.Single(s => s.HintName == "Showcase.DenseOnly.g.cs").SourceText.ToString());
    }

    [Theory]
    [InlineData("[ConvNet(1, 4, 4)]\n[Conv2D(1, 5, Weights = W(25), Bias = W(1))]\npublic static partial class KernelTooLarge;")]
    [InlineData("[ConvNet(1, 4, 4)]\n[Conv2D(1, 3, Weights = W(8), Bias = W(1))]\npublic static partial class WrongWeights;")]
    [InlineData("[ConvNet(1, 4, 4)]\n[Conv2D(0, 3)]\npublic static partial class ZeroFilters;")]
    [InlineData("[ConvNet(1, 4, 4)]\n[Conv2D(2, 3, Groups = 2, Weights = W(18), Bias = W(2))]\npublic static partial class GroupsDoNotDivide;")]
    [InlineData("[ConvNet(3, 4, 4)]\n[Dense(2, Weights = W(96), Bias = W(2))]\npublic static partial class DenseWithoutFlatten;")]
    [InlineData("[ConvNet(1, 4, 4)]\n[MaxPool2D(2, Pad = 2)]\npublic static partial class PoolPadTooLarge;")]
    [InlineData("[ConvNet(1, 4, 4)]\n[Conv2D(1, 3, Weights = W(9))]\npublic static partial class MissingBias;")]
    [InlineData("[ConvNet(1, 4, 4)]\n[Conv1D(1, 3, Weights = W(3), Bias = W(1))]\npublic static partial class WrongRank;")]
    [InlineData("[ConvNet]\n[Flatten]\npublic static partial class NoShape;")]
    [InlineData("[ConvNet(1, 0, 4)]\n[Flatten]\npublic static partial class ZeroSize;")]
    [InlineData("[ConvNet(1, 4, 4)]\n[Flatten]\npublic static class NotPartial { }")]
    [InlineData("[ConvNet(1, 4, 4)]\n[Conv2D(1, 3, Strides = new[] { 1 }, Weights = W(9), Bias = W(1))]\npublic static partial class WrongStrideCount;")]
    [InlineData("[ConvNet(1, 4, 4)]\n[Conv2D(1, 3, Weights = null, Bias = null)]\npublic static partial class NullArrays;")]
    [InlineData("[ConvNet(1, 4, 4)]\n[Conv2D(1, 3, Activation = (Activation)99, Weights = W(9), Bias = W(1))]\npublic static partial class BadEnum;")]
    public async Task A_broken_declaration_gives_no_code_and_no_crash_and_an_error(string declaration)
    {
        string source = "using ConvGen;\n" + Declarations.Expand(declaration);

        GeneratorRun run = GeneratorHarness.Run(source);

        Assert.Empty(run.Sources);
        Assert.Empty(run.GeneratorDiagnostics);
        // The C# itself is valid: the only thing wrong is the network, and the analyzer says what.
        Assert.Empty(run.CompilationDiagnostics());
        Assert.Contains(await AnalyzerHarness.Diagnostics(source), d => d.Severity == DiagnosticSeverity.Error);
    }

    [Theory]
    [InlineData(63, 36, "input must hold exactly 64 floats but holds 63.")]
    [InlineData(64, 35, "output must hold exactly 36 floats but holds 35.")]
    [InlineData(65, 36, "input must hold exactly 64 floats but holds 65.")]
    public void Run_rejects_spans_of_the_wrong_length(int inputLength, int outputLength, string message)
    {
        var input = new float[inputLength];
        var output = new float[outputLength];

        var error = Assert.Throws<ArgumentException>(() => TutorialVerticalLineDetector.Run(input, output));

        Assert.StartsWith(message, error.Message);
        Assert.Equal(message.Split(' ')[0], error.ParamName);
    }

    [Fact]
    public void Run_rejects_scratch_that_is_too_short_and_accepts_a_longer_one()
    {
        var input = new float[LargeScratchNet.InputLength];
        var output = new float[LargeScratchNet.OutputLength];

        // The analyzer catches this at build time (CG0024); the run-time check is what is under test here.
#pragma warning disable CG0024
        var error = Assert.Throws<ArgumentException>(() => LargeScratchNet.Run(input, output, new float[LargeScratchNet.ScratchLength - 1]));
#pragma warning restore CG0024
        Assert.StartsWith($"scratch must hold at least {LargeScratchNet.ScratchLength} floats", error.Message);

        LargeScratchNet.Run(input, output, new float[LargeScratchNet.ScratchLength + 100]);
    }
}

/// <summary>
/// Max pooling keeps PyTorch's NaN rule on every path: a window holding a NaN gives NaN (the vectorized 2x2
/// stride-2 path relies on .NET 9's NaN-propagating vector Max; the scalar path on MathF.Max).
/// </summary>
public class MaxPoolNaNTests
{
    [Theory]
    [InlineData("[MaxPool2D(2)]", 2, 2)] // the vector path: 2x2, stride 2, rows of 5 outputs
    [InlineData("[MaxPool2D(3, Stride = 1)]", 3, 1)] // the scalar path
    public void A_window_holding_a_NaN_pools_to_NaN(string pool, int kernel, int stride)
    {
        const int channels = 2, height = 6, width = 10;
        string source = GeneratorHarness.WithInvoker("Pooled", $"using ConvGen;\n[ConvNet({channels}, {height}, {width})]\n{pool}\npublic static partial class Pooled;");
        var run = GeneratorHarness.Run(source);
        var pooled = GeneratorHarness.Invoker(GeneratorHarness.Load(run), "Pooled");

        var input = Enumerable.Range(0, channels * height * width).Select(i => (float)Math.Sin(i)).ToArray();
        input[13] = float.NaN; // channel 0, row 1, column 3
        input[60 + 48] = float.NaN; // channel 1, row 4, column 8
        float[] output = pooled(input);

        int outH = (height - kernel) / stride + 1, outW = (width - kernel) / stride + 1;
        Assert.Equal(channels * outH * outW, output.Length);
        for (int c = 0; c < channels; c++)
            for (int oy = 0; oy < outH; oy++)
                for (int ox = 0; ox < outW; ox++)
                {
                    var window = from ky in Enumerable.Range(0, kernel)
                                 from kx in Enumerable.Range(0, kernel)
                                 select input[(c * height + oy * stride + ky) * width + ox * stride + kx];
                    float expected = window.Any(float.IsNaN) ? float.NaN : window.Max();
                    Assert.Equal(expected, output[(c * outH + oy) * outW + ox]);
                }
    }
}

/// <summary>
/// ReLU and ReLU6 pass NaN through on every path, as PyTorch's do and as every other activation and max pool here
/// do (v &lt; 0 ? 0 : v, then at most 6). Until stop 15 every ReLU path gave 0 for NaN (v &gt; 0 ? v : 0), and the
/// vector ReLU6 leaned on .NET 9's IEEE Max and Min. Through an identity 1x1 conv, so the fused kernels apply
/// them; a NaN in any channel makes every channel's sum at that position NaN. Inputs reach ±8, so ReLU6 clips.
/// </summary>
public class ReluTests
{
    [Theory]
    [InlineData("ReLU", 8, 6, 10)] // channel blocks (Vector256 kernels)
    [InlineData("ReLU", 3, 5, 7)] // plain planes (Vector<float> rows and their tails)
    [InlineData("ReLU6", 8, 6, 10)]
    [InlineData("ReLU6", 3, 5, 7)]
    public void Relu_passes_NaN_through_on_every_path(string activation, int channels, int height, int width)
    {
        string identity = string.Join(", ", Enumerable.Range(0, channels * channels).Select(i => i % (channels + 1) == 0 ? "1f" : "0f"));
        string source = GeneratorHarness.WithInvoker("Rectified", $"using ConvGen;\n[ConvNet({channels}, {height}, {width})]\n"
            + $"[Conv2D({channels}, 1, Activation = Activation.{activation}, Weights = new float[] {{ {identity} }}, Bias = new float[] {{ {string.Join(", ", Enumerable.Repeat("0f", channels))} }})]\npublic static partial class Rectified;");
        var rectified = GeneratorHarness.Invoker(GeneratorHarness.Load(GeneratorHarness.Run(source)), "Rectified");

        int plane = height * width;
        var input = Enumerable.Range(0, channels * plane).Select(i => 8 * (float)Math.Sin(i)).ToArray();
        foreach (int i in new[] { 0, 5, plane / 2, plane - 1 })
            input[(i % channels) * plane + i] = float.NaN;
        float[] output = rectified(input);

        Assert.Equal(channels * plane, output.Length);
        float top = activation == "ReLU6" ? 6f : float.PositiveInfinity;
        for (int p = 0; p < plane; p++)
        {
            bool nan = Enumerable.Range(0, channels).Any(c => float.IsNaN(input[c * plane + p]));
            for (int c = 0; c < channels; c++)
            {
                float x = input[c * plane + p], expected = nan ? float.NaN : Math.Min(x > 0f ? x : 0f, top), actual = output[c * plane + p];
                Assert.True(nan ? float.IsNaN(actual) : expected == actual, $"channel {c}, position {p}: expected {expected}, got {actual}");
            }
        }
    }
}
