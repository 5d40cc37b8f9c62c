using System.Linq;
using System.Threading.Tasks;
using ConvGen.Tests.Infrastructure;
using Microsoft.CodeAnalysis;
using Xunit;

namespace ConvGen.Tests.Numeric;

/// <summary>
/// The diagnostics of graph declarations and the issue-5 operators: one small broken declaration each,
/// the ID the analyzer must report, and whether the generator still writes code (only for a warning).
/// The random broken declarations of <see cref="InvalidDeclarationTests"/> cover the same faults at volume.
/// </summary>
public sealed class GraphDiagnosticsTests
{
    [Theory]
    // CG0021: Input names no layer.
    [InlineData("CG0021", "[ConvNet(2, 6, 6)]\n[Conv2D(2, 1, Input = \"stem\", Weights = W(4), Bias = W(2))]")]
    [InlineData("CG0021", "[ConvNet(2, 6, 6)]\n[Conv2D(2, 1, Name = \"c\", Weights = W(4), Bias = W(2))]\n[Add(\"c\", \"stem\")]")]
    // CG0027: a reads b, b reads a (the layer above); a forward reference alone is fine, a round trip is a cycle.
    [InlineData("CG0027", "[ConvNet(2, 6, 6)]\n[Activation(Activation.ReLU, Name = \"a\", Input = \"b\")]\n[Activation(Activation.Tanh, Name = \"b\")]")]
    [InlineData("CG0027", "[ConvNet(2, 6, 6)]\n[Activation(Activation.ReLU, Name = \"a\")]\n[Add(\"a\", \"b\", Name = \"b\")]\n[Activation(Activation.Tanh)]")]
    // CG0029: Add of (3, 6, 6) and (2, 6, 6); Concat of 6x6 and 3x3.
    [InlineData("CG0029", "[ConvNet(2, 6, 6)]\n[Conv2D(3, 1, Name = \"c\", Weights = W(6), Bias = W(3))]\n[Add(\"input\", \"c\")]")]
    [InlineData("CG0029", "[ConvNet(2, 6, 6)]\n[MaxPool2D(2, Name = \"m\")]\n[Concat(\"input\", \"m\")]")]
    // CG0015: Add of one input; OutputPadding not below the stride or dilation; a Reflect pad not below the input.
    [InlineData("CG0015", "[ConvNet(2, 6, 6)]\n[Add(\"input\")]")]
    [InlineData("CG0015", "[ConvNet(2, 6, 6)]\n[Conv2DTranspose(2, 3, Stride = 2, OutputPadding = 2, Weights = W(36), Bias = W(2))]")]
    [InlineData("CG0015", "[ConvNet(2, 3, 3)]\n[Conv2D(2, 1, Pad = 3, PaddingMode = PaddingMode.Reflect, Weights = W(4), Bias = W(2))]")]
    public async Task A_broken_graph_or_new_operator_gets_its_diagnostic_and_no_code(string id, string attributes)
    {
        string source = Declarations.Expand("using ConvGen;\n" + attributes + "\npublic static partial class Net;\n");
        var diagnostics = await AnalyzerHarness.Diagnostics(source);
        Assert.True(diagnostics.Any(d => d.Id == id && d.Severity == DiagnosticSeverity.Error),
            $"expected {id}, got:\n" + string.Join("\n", diagnostics));
        Assert.DoesNotContain("Net", NumericCheck.GeneratedClasses(GeneratorHarness.Run(source.Replace("class Net;", "class Net_0;"))));
    }

    [Fact]
    public async Task An_unused_output_is_a_warning_and_the_network_still_gets_code()
    {
        string source = Declarations.Expand("""
            using ConvGen;
            [ConvNet(2, 6, 6)]
            [Conv2D(2, 1, Name = "c", Weights = W(4), Bias = W(2))]
            [Activation(Activation.ReLU, Name = "dead")]
            [Activation(Activation.Sigmoid, Input = "c")]
            public static partial class Net_0;
            """);
        var diagnostics = await AnalyzerHarness.Diagnostics(source);
        Diagnostic unused = Assert.Single(diagnostics, d => d.Id == "CG0028");
        Assert.Equal(DiagnosticSeverity.Warning, unused.Severity);
        Assert.DoesNotContain(diagnostics, d => d.Severity == DiagnosticSeverity.Error);
        Assert.Contains("Net_0", NumericCheck.GeneratedClasses(GeneratorHarness.Run(source)));
    }
}
