using System.Linq;
using System.Threading.Tasks;
using ConvGen.CodeFixes;
using ConvGen.Tests.Infrastructure;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeFixes;
using Xunit;

namespace ConvGen.Tests;

/// <summary>
/// Every code fix, before and after, on the whole source text; then the analyzer runs again on the
/// fixed source (through the generator, as a build does) and the diagnostic must be gone.
/// </summary>
public class CodeFixTests
{
    private static async Task AssertFix(CodeFixProvider provider, string id, string key, string before, string expectedTitle, string expectedAfter)
    {
        var (title, after) = await CodeFixHarness.Fix(Declarations.Expand(before), provider, id, key);

        Assert.Equal(expectedTitle, title);
        Assert.Equal(Declarations.Expand(expectedAfter), after);
        Assert.DoesNotContain(await AnalyzerHarness.Diagnostics(after), d => d.Id == id);
    }

    // ---- CG0001: window larger than its input ----

    [Fact]
    public Task Padding_Same_goes_after_the_kernel() => AssertFix(
        new WindowTooLargeCodeFixProvider(), "CG0001", WindowTooLargeCodeFixProvider.UsePaddingSameKey,
        """
        using ConvGen;
        [ConvNet(1, 8, 8)]
        [MaxPool2D(2, Name = "pool1")]
        [Conv2D(4, 5, Name = "conv3", Weights = W(100), Bias = W(4))]
        public static partial class Net;
        """,
        "Use Padding.Same",
        """
        using ConvGen;
        [ConvNet(1, 8, 8)]
        [MaxPool2D(2, Name = "pool1")]
        [Conv2D(4, 5, Padding = Padding.Same, Name = "conv3", Weights = W(100), Bias = W(4))]
        public static partial class Net;
        """);

    [Fact]
    public Task Padding_Same_replaces_the_padding_and_removes_explicit_pads() => AssertFix(
        new WindowTooLargeCodeFixProvider(), "CG0001", WindowTooLargeCodeFixProvider.UsePaddingSameKey,
        """
        using ConvGen;
        [ConvNet(1, 4, 4)]
        [Conv2D(1, 5, Padding = Padding.Valid, Pads = new[] { 0, 0, 0, 0 }, Weights = W(25), Bias = W(1))]
        public static partial class Net;
        """,
        "Use Padding.Same",
        """
        using ConvGen;
        [ConvNet(1, 4, 4)]
        [Conv2D(1, 5, Padding = Padding.Same, Weights = W(25), Bias = W(1))]
        public static partial class Net;
        """);

    [Fact]
    public Task Padding_Same_takes_the_place_of_Pad_in_a_one_argument_a_line_attribute() => AssertFix(
        new WindowTooLargeCodeFixProvider(), "CG0001", WindowTooLargeCodeFixProvider.UsePaddingSameKey,
        """
        using ConvGen;
        [ConvNet(1, 4, 4)]
        [MaxPool2D(
            5,
            Pad = 0,
            Name = "pool")]
        public static partial class Net;
        """,
        "Use Padding.Same",
        """
        using ConvGen;
        [ConvNet(1, 4, 4)]
        [MaxPool2D(
            5,
            Padding = Padding.Same,
            Name = "pool")]
        public static partial class Net;
        """);

    [Fact]
    public Task Padding_Same_is_qualified_without_a_using() => AssertFix(
        new WindowTooLargeCodeFixProvider(), "CG0001", WindowTooLargeCodeFixProvider.UsePaddingSameKey,
        """
        [ConvGen.ConvNet(1, 3)]
        [ConvGen.AvgPool1D(5)]
        public static partial class Net;
        """,
        "Use Padding.Same",
        """
        [ConvGen.ConvNet(1, 3)]
        [ConvGen.AvgPool1D(5, Padding = ConvGen.Padding.Same)]
        public static partial class Net;
        """);

    [Fact]
    public Task A_square_kernel_that_fits_stays_one_argument() => AssertFix(
        new WindowTooLargeCodeFixProvider(), "CG0001", WindowTooLargeCodeFixProvider.UseWindowThatFitsKey,
        """
        using ConvGen;
        [ConvNet(1, 8, 8)]
        [MaxPool2D(2, Name = "pool1")]
        [Conv2D(4, 5, Name = "conv3", Weights = W(64), Bias = W(4))]
        public static partial class Net;
        """,
        "Use a kernel of 4x4",
        """
        using ConvGen;
        [ConvNet(1, 8, 8)]
        [MaxPool2D(2, Name = "pool1")]
        [Conv2D(4, 4, Name = "conv3", Weights = W(64), Bias = W(4))]
        public static partial class Net;
        """);

    [Fact]
    public Task A_kernel_that_fits_only_as_a_rectangle_becomes_height_and_width() => AssertFix(
        new WindowTooLargeCodeFixProvider(), "CG0001", WindowTooLargeCodeFixProvider.UseWindowThatFitsKey,
        """
        using ConvGen;
        [ConvNet(1, 3, 6)]
        [Conv2D(2, 5, Weights = W(30), Bias = W(2))]
        public static partial class Net;
        """,
        "Use a kernel of 3x5",
        """
        using ConvGen;
        [ConvNet(1, 3, 6)]
        [Conv2D(2, 3, 5, Weights = W(30), Bias = W(2))]
        public static partial class Net;
        """);

    [Fact]
    public Task A_named_kernel_size_becomes_named_height_and_width() => AssertFix(
        new WindowTooLargeCodeFixProvider(), "CG0001", WindowTooLargeCodeFixProvider.UseWindowThatFitsKey,
        """
        using ConvGen;
        [ConvNet(1, 3, 6)]
        [Conv2D(filters: 2, kernelSize: 5, Weights = W(30), Bias = W(2))]
        public static partial class Net;
        """,
        "Use a kernel of 3x5",
        """
        using ConvGen;
        [ConvNet(1, 3, 6)]
        [Conv2D(filters: 2, kernelHeight: 3, kernelWidth: 5, Weights = W(30), Bias = W(2))]
        public static partial class Net;
        """);

    [Fact]
    public Task A_height_and_width_kernel_keeps_both_arguments() => AssertFix(
        new WindowTooLargeCodeFixProvider(), "CG0001", WindowTooLargeCodeFixProvider.UseWindowThatFitsKey,
        """
        using ConvGen;
        [ConvNet(1, 2, 2)]
        [Conv2D(1, 5, 3, Weights = W(4), Bias = W(1))]
        public static partial class Net;
        """,
        "Use a kernel of 2x2",
        """
        using ConvGen;
        [ConvNet(1, 2, 2)]
        [Conv2D(1, 2, 2, Weights = W(4), Bias = W(1))]
        public static partial class Net;
        """);

    [Fact]
    public Task A_pool_window_that_fits() => AssertFix(
        new WindowTooLargeCodeFixProvider(), "CG0001", WindowTooLargeCodeFixProvider.UseWindowThatFitsKey,
        """
        using ConvGen;
        [ConvNet(2, 3)]
        [MaxPool1D(5, Stride = 1)]
        public static partial class Net;
        """,
        "Use a pool size of 3",
        """
        using ConvGen;
        [ConvNet(2, 3)]
        [MaxPool1D(3, Stride = 1)]
        public static partial class Net;
        """);

    [Fact]
    public Task A_rectangular_pool_window_that_fits() => AssertFix(
        new WindowTooLargeCodeFixProvider(), "CG0001", WindowTooLargeCodeFixProvider.UseWindowThatFitsKey,
        """
        using ConvGen;
        [ConvNet(1, 6, 2)]
        [AvgPool2D(3)]
        public static partial class Net;
        """,
        "Use a pool size of 3x2",
        """
        using ConvGen;
        [ConvNet(1, 6, 2)]
        [AvgPool2D(3, 2)]
        public static partial class Net;
        """);

    // ---- CG0002: weights of the wrong length ----

    [Fact]
    public Task Weights_for_two_filters_set_filters_to_two() => AssertFix(
        new WeightsLengthCodeFixProvider(), "CG0002", WeightsLengthCodeFixProvider.SetOutputsKey,
        """
        using ConvGen;
        [ConvNet(2, 6, 6)]
        [Conv2D(3, 2, 3, Weights = W(24), Bias = W(2))]
        public static partial class Net;
        """,
        "Set filters to 2",
        """
        using ConvGen;
        [ConvNet(2, 6, 6)]
        [Conv2D(2, 2, 3, Weights = W(24), Bias = W(2))]
        public static partial class Net;
        """);

    [Fact]
    public Task Weights_for_two_units_set_units_to_two() => AssertFix(
        new WeightsLengthCodeFixProvider(), "CG0002", WeightsLengthCodeFixProvider.SetOutputsKey,
        """
        using ConvGen;
        [ConvNet(4)]
        [Dense(3, Weights = W(8), Bias = W(2))]
        public static partial class Net;
        """,
        "Set units to 2",
        """
        using ConvGen;
        [ConvNet(4)]
        [Dense(2, Weights = W(8), Bias = W(2))]
        public static partial class Net;
        """);

    [Fact]
    public async Task Weights_that_are_no_whole_number_of_filters_get_no_fix()
    {
        const string source = """
            using ConvGen;
            [ConvNet(2, 6, 6)]
            [Conv2D(3, 2, 3, Weights = W(17), Bias = W(3))]
            public static partial class Net;
            """;
        var analyzed = await CodeFixHarness.Analyze(Declarations.Expand(source));
        var diagnostic = analyzed.Single("CG0002");

        Assert.False(diagnostic.Properties.ContainsKey("InferredOutputs"));
        Assert.Empty(await CodeFixHarness.Fixes(new WeightsLengthCodeFixProvider(), analyzed.Document, diagnostic));
    }

    // ---- CG0018: bias missing ----

    [Fact]
    public Task A_zero_bias_goes_after_the_weights() => AssertFix(
        new MissingBiasCodeFixProvider(), "CG0018", MissingBiasCodeFixProvider.AddZeroBiasKey,
        """
        using ConvGen;
        [ConvNet(4)]
        [Dense(3, Weights = W(12), Name = "fc")]
        public static partial class Net;
        """,
        "Add a zero bias of 3 values",
        """
        using ConvGen;
        [ConvNet(4)]
        [Dense(3, Weights = W(12), Bias = new float[] { 0f, 0f, 0f }, Name = "fc")]
        public static partial class Net;
        """);

    [Fact]
    public Task A_zero_bias_keeps_one_argument_a_line() => AssertFix(
        new MissingBiasCodeFixProvider(), "CG0018", MissingBiasCodeFixProvider.AddZeroBiasKey,
        """
        using ConvGen;
        [ConvNet(1, 4, 4)]
        [Conv2D(2, 3,
            Activation = Activation.ReLU,
            Weights = W(18)
        )]
        public static partial class Net;
        """,
        "Add a zero bias of 2 values",
        """
        using ConvGen;
        [ConvNet(1, 4, 4)]
        [Conv2D(2, 3,
            Activation = Activation.ReLU,
            Weights = W(18),
            Bias = new float[] { 0f, 0f }
        )]
        public static partial class Net;
        """);

    [Fact]
    public async Task Fix_all_adds_every_missing_bias_in_the_document()
    {
        // A layer with an error stops shape inference after it, so each network has one.
        const string source = """
            using ConvGen;

            [ConvNet(4)]
            [Dense(2, Weights = W(8))]
            public static partial class First;

            [ConvNet(2, 5)]
            [Conv1D(1, 3, Weights = W(6))]
            public static partial class Second;
            """;

        string after = await CodeFixHarness.FixAll(Declarations.Expand(source), new MissingBiasCodeFixProvider(), "CG0018", MissingBiasCodeFixProvider.AddZeroBiasKey);

        Assert.Equal(Declarations.Expand("""
            using ConvGen;

            [ConvNet(4)]
            [Dense(2, Weights = W(8), Bias = new float[] { 0f, 0f })]
            public static partial class First;

            [ConvNet(2, 5)]
            [Conv1D(1, 3, Weights = W(6), Bias = new float[] { 0f })]
            public static partial class Second;
            """), after);
        Assert.DoesNotContain(await AnalyzerHarness.Diagnostics(after), d => d.Severity == DiagnosticSeverity.Error);
    }

    // ---- every provider: no hint, no fix that needs it ----

    [Theory]
    [InlineData("CG0001", "[ConvNet(1, 4, 4)] [MaxPool2D(5)]")]
    [InlineData("CG0002", "[ConvNet(4)] [Dense(3, Weights = W(8), Bias = W(3))]")]
    [InlineData("CG0018", "[ConvNet(4)] [Dense(3, Weights = W(12))]")]
    public async Task Without_its_hint_no_fix_that_needs_it_is_offered(string id, string attributes)
    {
        string source = "using ConvGen;\n" + attributes + "\npublic static partial class Net;\n";
        var analyzed = await CodeFixHarness.Analyze(Declarations.Expand(source));
        CodeFixProvider provider = id switch
        {
            "CG0001" => new WindowTooLargeCodeFixProvider(),
            "CG0002" => new WeightsLengthCodeFixProvider(),
            _ => new MissingBiasCodeFixProvider(),
        };
        Diagnostic original = analyzed.Single(id);
        Assert.NotEmpty(original.Properties);
        Assert.Equal(id == "CG0001" ? 2 : 1, (await CodeFixHarness.Fixes(provider, analyzed.Document, original)).Length);

        // The same diagnostic without its properties (as another tool, or an older analyzer, might report it).
        Diagnostic bare = Diagnostic.Create(original.Descriptor, original.Location, original.Properties.Clear());
        var fixes = await CodeFixHarness.Fixes(provider, analyzed.Document, bare);

        // Padding.Same needs no hint, so CG0001 still offers that one.
        Assert.Equal(id == "CG0001" ? new[] { WindowTooLargeCodeFixProvider.UsePaddingSameKey } : new string[0], fixes.Select(f => f.EquivalenceKey));
    }
}
