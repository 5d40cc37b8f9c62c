using System.Linq;
using System.Threading.Tasks;
using ConvGen.Tests.Infrastructure;
using Microsoft.CodeAnalysis;
using Xunit;

namespace ConvGen.Tests;

public class AnalyzerTests
{
    [Fact]
    public async Task A_kernel_larger_than_the_pooled_map_is_an_error_at_the_kernel_argument()
    {
        const string source = """
            using ConvGen;
            [ConvNet(1, 8, 8)]
            [MaxPool2D(2, Name = "pool1")]
            [Conv2D(4, 5, Name = "conv3", Weights = W(100), Bias = W(4))]
            public static partial class Net;
            """;

        var diagnostic = Assert.Single(await AnalyzerHarness.Diagnostics(Declarations.Expand(source)));

        Assert.Equal("CG0001", diagnostic.Id);
        Assert.Equal(DiagnosticSeverity.Error, diagnostic.Severity);
        Assert.Equal("5", diagnostic.Text());
        Assert.Equal(
            "Conv2D 'conv3' has a 5x5 window but its input (after MaxPool2D 'pool1') is 4x4x1; the output would be empty. "
            + "Use Padding.Same, a kernel of at most 4x4, or remove a pooling layer before it.",
            diagnostic.GetMessage());
    }

    [Fact]
    public async Task Weights_of_the_wrong_length_point_at_the_weights()
    {
        const string source = """
            using ConvGen;
            [ConvNet(2, 6, 6)]
            [Conv2D(3, 2, 3, Weights = W(17), Bias = W(3))]
            public static partial class Net;
            """;

        var diagnostic = Assert.Single(await AnalyzerHarness.Diagnostics(Declarations.Expand(source)));

        Assert.Equal("CG0002", diagnostic.Id);
        Assert.StartsWith("Weights = new float[] { ", diagnostic.Text());
        Assert.Equal("Conv2D 'conv2d' needs 36 weights (3 filters x 2 input channels x 2x3) but got 17", diagnostic.GetMessage());
    }

    [Fact]
    public async Task The_valid_showcase_networks_get_only_parity_notes()
    {
        var diagnostics = await AnalyzerHarness.Diagnostics(ShowcaseNetworks.Source);

        Assert.All(diagnostics, d => Assert.Equal(DiagnosticSeverity.Info, d.Severity));
        Assert.Equal(new[] { "CG0101", "CG0102", "CG0103" }, diagnostics.Select(d => d.Id).Order());
    }
}
