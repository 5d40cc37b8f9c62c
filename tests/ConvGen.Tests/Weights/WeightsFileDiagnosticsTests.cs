using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using System.Threading.Tasks;
using ConvGen.Tests.Infrastructure;
using Microsoft.CodeAnalysis;
using Xunit;

namespace ConvGen.Tests.Weights;

/// <summary>
/// The weights-file diagnostics (CG0030-CG0036, and CG0016 for a file's values) as a build reports
/// them: id, exact message, and the attribute argument they point at. Also near misses that must
/// stay silent.
/// </summary>
public class WeightsFileDiagnosticsTests
{
    private static AdditionalText DigitsFile(string path = "/proj/data/digits.safetensors") => InMemoryAdditionalText.Weights(path, Fixtures.Digits());

    private static Task<ImmutableArray<Diagnostic>> Diagnostics(string source, params AdditionalText[] files)
        => AnalyzerHarness.Diagnostics(Declarations.Expand(source), files);

    private static void AssertDiagnostic(Diagnostic diagnostic, string id, string text, string message)
    {
        Assert.Equal(id, diagnostic.Id);
        Assert.Equal(DiagnosticSeverity.Error, diagnostic.Severity);
        Assert.Equal(message, diagnostic.GetMessage());
        Assert.Equal(text, diagnostic.Text());
    }

    // ------------------------------------------------------------------ CG0030

    [Fact]
    public async Task CG0030_a_weights_file_that_is_not_listed()
    {
        const string source = """
            using ConvGen;
            [ConvNet(4, WeightsFile = "model.safetensors")]
            [Dense(2, Name = "fc")]
            public static partial class Net;
            """;

        var diagnostic = Assert.Single(await Diagnostics(source, DigitsFile()));

        AssertDiagnostic(diagnostic, "CG0030", "WeightsFile = \"model.safetensors\"",
            "WeightsFile 'model.safetensors' is not among the project's AdditionalFiles; add <AdditionalFiles Include=\"model.safetensors\" /> to the project file");
    }

    [Fact]
    public async Task CG0030_with_no_additional_files_at_all()
    {
        const string source = """
            using ConvGen;
            [ConvNet(4, WeightsFile = "weights/model.safetensors")]
            [Dense(2, Name = "fc")]
            public static partial class Net;
            """;

        var diagnostic = Assert.Single(await Diagnostics(source));

        AssertDiagnostic(diagnostic, "CG0030", "WeightsFile = \"weights/model.safetensors\"",
            "WeightsFile 'weights/model.safetensors' is not among the project's AdditionalFiles; add <AdditionalFiles Include=\"weights/model.safetensors\" /> to the project file");
    }

    // ------------------------------------------------------------------ CG0031

    [Fact]
    public async Task CG0031_a_corrupt_file()
    {
        const string source = """
            using ConvGen;
            [ConvNet(4, WeightsFile = "broken.safetensors")]
            [Dense(2, Name = "fc")]
            public static partial class Net;
            """;
        byte[] corrupt = SafetensorsWriter.Raw("{\"fc.weight\":{\"dtype\":\"F32\",\"shape\":[2,4],\"data_offsets\":[0,32]}}", new byte[16]);

        var diagnostic = Assert.Single(await Diagnostics(source, InMemoryAdditionalText.Weights("/proj/broken.safetensors", corrupt)));

        AssertDiagnostic(diagnostic, "CG0031", "WeightsFile = \"broken.safetensors\"",
            "WeightsFile 'broken.safetensors' cannot be read: tensor 'fc.weight' has data_offsets [0, 32] outside the 16 bytes of data");
    }

    [Fact]
    public async Task CG0031_a_truncated_file()
    {
        const string source = """
            using ConvGen;
            [ConvNet(1, 8, 8, WeightsFile = "digits.safetensors")]
            [Conv2D(16, 3, Pad = 1, UseBias = false, Name = "conv1")]
            public static partial class Net;
            """;
        byte[] truncated = Fixtures.Digits()[..20_000];

        var diagnostic = Assert.Single(await Diagnostics(source, InMemoryAdditionalText.Weights("/proj/digits.safetensors", truncated)));

        AssertDiagnostic(diagnostic, "CG0031", "WeightsFile = \"digits.safetensors\"",
            "WeightsFile 'digits.safetensors' cannot be read: tensor 'conv2.bias' has data_offsets [19272, 19400] outside the 19,240 bytes of data");
    }

    [Fact]
    public async Task CG0031_a_damaged_encoded_copy()
    {
        const string source = """
            using ConvGen;
            [ConvNet(4, WeightsFile = "model.safetensors")]
            [Dense(2, Name = "fc")]
            public static partial class Net;
            """;

        var diagnostic = Assert.Single(await Diagnostics(source,
            new InMemoryAdditionalText("/proj/obj/convgen/model.safetensors.b64", "convgen-source: /proj/model.safetensors\n%%%")));

        AssertDiagnostic(diagnostic, "CG0031", "WeightsFile = \"model.safetensors\"",
            "WeightsFile 'model.safetensors' cannot be read: its encoded copy in obj/ is damaged; rebuild");
    }

    [Fact]
    public async Task CG0031_a_raw_safetensors_listed_without_the_build_step()
    {
        const string source = """
            using ConvGen;
            [ConvNet(4, WeightsFile = "x.safetensors")]
            [Dense(2, Name = "fc")]
            public static partial class Net;
            """;

        var diagnostic = Assert.Single(await Diagnostics(source, new InMemoryAdditionalText("x.safetensors", "\u0088\0\0\0\0\0\0\0{\"fc.weight\":{")));

        AssertDiagnostic(diagnostic, "CG0031", "WeightsFile = \"x.safetensors\"",
            "WeightsFile 'x.safetensors' cannot be read: it is listed as it is, not through ConvGen's build step, which hands binary files "
            + "to the compiler losslessly; reference the ConvGen package (or import its build/ConvGen.targets)");
    }

    // ------------------------------------------------------------------ CG0032

    [Fact]
    public async Task CG0032_a_missing_tensor_lists_the_closest_names_with_their_shapes()
    {
        const string source = """
            using ConvGen;
            [ConvNet(16, 4, 4, WeightsFile = "digits.safetensors")]
            [Conv2D(32, 3, Pad = 1, Name = "conv3")]
            public static partial class Net;
            """;

        var diagnostics = await Diagnostics(source, DigitsFile());

        Assert.Equal(2, diagnostics.Length);
        AssertDiagnostic(diagnostics[0], "CG0032", "Name = \"conv3\"",
            "Conv2D 'conv3' needs tensor 'conv3.weight' [32, 16, 3, 3] but 'digits.safetensors' has no tensor of that name; "
            + "closest: 'conv2.weight' [32, 16, 3, 3], 'conv1.weight' [16, 1, 3, 3], 'bn1.weight' [16]");
        AssertDiagnostic(diagnostics[1], "CG0032", "Name = \"conv3\"",
            "Conv2D 'conv3' needs tensor 'conv3.bias' [32] but 'digits.safetensors' has no tensor of that name; "
            + "closest: 'conv2.bias' [32], 'bn1.bias' [16], 'fc.bias' [10]; if the layer has none, set UseBias = false");
    }

    [Fact]
    public async Task CG0032_a_missing_bias_says_to_set_UseBias_false()
    {
        // conv1 was trained with bias=False: the file has conv1.weight but no conv1.bias.
        const string source = """
            using ConvGen;
            [ConvNet(1, 8, 8, WeightsFile = "digits.safetensors")]
            [Conv2D(16, 3, Pad = 1, Name = "conv1")]
            public static partial class Net;
            """;

        var diagnostic = Assert.Single(await Diagnostics(source, DigitsFile()));

        AssertDiagnostic(diagnostic, "CG0032", "Name = \"conv1\"",
            "Conv2D 'conv1' needs tensor 'conv1.bias' [16] but 'digits.safetensors' has no tensor of that name; "
            + "closest: 'bn1.bias' [16], 'bn1.weight' [16], 'bn1.running_var' [16]; if the layer has none, set UseBias = false");
    }

    [Fact]
    public async Task CG0032_a_default_layer_name_points_at_the_whole_attribute()
    {
        // Without a Name, the layer is "dense" (Keras style) and there is no Name argument to point at.
        const string source = """
            using ConvGen;
            [ConvNet(128, WeightsFile = "digits.safetensors")]
            [Dense(10)]
            public static partial class Net;
            """;

        var diagnostics = await Diagnostics(source, DigitsFile());

        Assert.Equal(2, diagnostics.Length);
        AssertDiagnostic(diagnostics[0], "CG0032", "Dense(10)",
            "Dense 'dense' needs tensor 'dense.weight' [10, 128] but 'digits.safetensors' has no tensor of that name; "
            + "closest: 'fc.weight' [10, 128], 'bn1.weight' [16], 'conv1.weight' [16, 1, 3, 3]");
        Assert.Equal("CG0032", diagnostics[1].Id);
        Assert.StartsWith("Dense 'dense' needs tensor 'dense.bias' [10]", diagnostics[1].GetMessage());
    }

    [Fact]
    public async Task CG0032_from_an_empty_file()
    {
        const string source = """
            using ConvGen;
            [ConvNet(3, WeightsFile = "empty.safetensors")]
            [Dense(2, Name = "fc", UseBias = false)]
            public static partial class Net;
            """;

        var diagnostic = Assert.Single(await Diagnostics(source, InMemoryAdditionalText.Weights("/p/empty.safetensors", new SafetensorsWriter().ToBytes())));

        AssertDiagnostic(diagnostic, "CG0032", "Name = \"fc\"",
            "Dense 'fc' needs tensor 'fc.weight' [2, 3] but 'empty.safetensors' has no tensor of that name (the file has no tensors)");
    }

    // ------------------------------------------------------------------ CG0033

    [Fact]
    public async Task CG0033_a_tensor_of_another_shape()
    {
        const string source = """
            using ConvGen;
            [ConvNet(1, 8, 8, WeightsFile = "digits.safetensors")]
            [Conv2D(4, 3, UseBias = false, Name = "conv1")]
            public static partial class Net;
            """;

        var diagnostic = Assert.Single(await Diagnostics(source, DigitsFile()));

        AssertDiagnostic(diagnostic, "CG0033", "Name = \"conv1\"",
            "Conv2D 'conv1': tensor 'conv1.weight' in 'digits.safetensors' has shape [16, 1, 3, 3] (144 values) "
            + "but the declaration needs [4, 1, 3, 3] (36 values: 4 filters x 1 input channel x 3x3)");
    }

    [Fact]
    public async Task CG0033_the_right_count_in_the_wrong_layout_is_still_a_mismatch()
    {
        // fc.weight is [10, 128] (PyTorch); a Keras-layout network needs [128, 10]: same count, wrong order.
        const string source = """
            using ConvGen;
            [ConvNet(128, WeightsFile = "digits.safetensors", WeightLayout = WeightLayout.Keras)]
            [Dense(10, Name = "fc")]
            public static partial class Net;
            """;

        var diagnostic = Assert.Single(await Diagnostics(source, DigitsFile()));

        AssertDiagnostic(diagnostic, "CG0033", "Name = \"fc\"",
            "Dense 'fc': tensor 'fc.weight' in 'digits.safetensors' has shape [10, 128] (1280 values) "
            + "but the declaration needs [128, 10] (1280 values: 128 inputs x 10 units, Keras order)");
    }

    [Fact]
    public async Task CG0033_on_every_layer_whose_tensors_differ_later_layers_still_checked()
    {
        // conv1 with 8 filters: conv1.weight and all four bn1 tensors differ; conv2 is then fed 8 channels.
        const string source = """
            using ConvGen;
            [ConvNet(1, 8, 8, WeightsFile = "digits.safetensors")]
            [Conv2D(8, 3, Pad = 1, UseBias = false, Name = "conv1")]
            [BatchNorm(Name = "bn1")]
            [Conv2D(32, 3, Pad = 1, Name = "conv2")]
            public static partial class Net;
            """;

        var diagnostics = await Diagnostics(source, DigitsFile());

        Assert.All(diagnostics, d => Assert.Equal("CG0033", d.Id));
        Assert.Equal(new[]
        {
            "conv1.weight", "bn1.weight", "bn1.bias", "bn1.running_mean", "bn1.running_var", "conv2.weight",
        }, diagnostics.Select(d => d.GetMessage().Split('\'')[3]));
        Assert.Equal("BatchNorm 'bn1': tensor 'bn1.running_var' in 'digits.safetensors' has shape [16] (16 values) but the declaration needs [8] (8 values: one per channel)",
            diagnostics[4].GetMessage());
        Assert.Equal("Name = \"bn1\"", diagnostics[4].Text());
    }

    // ------------------------------------------------------------------ CG0034

    [Fact]
    public async Task CG0034_a_tensor_that_is_not_floating_point()
    {
        const string source = """
            using ConvGen;
            [ConvNet(3, WeightsFile = "ints.safetensors")]
            [Dense(2, Name = "x", UseBias = false)]
            public static partial class Net;
            """;
        byte[] ints = new SafetensorsWriter().AddRaw("x.weight", "I64", new long[] { 2, 3 }, new byte[48]).ToBytes();

        var diagnostic = Assert.Single(await Diagnostics(source, InMemoryAdditionalText.Weights("/p/ints.safetensors", ints)));

        AssertDiagnostic(diagnostic, "CG0034", "Name = \"x\"",
            "Dense 'x': tensor 'x.weight' in 'ints.safetensors' is I64; ConvGen reads F32, F16, BF16 and F64 tensors");
    }

    [Fact]
    public async Task CG0034_comes_before_the_shape_check()
    {
        // A U8 tensor of the wrong shape too: the dtype is what to fix first, so that is what is said.
        const string source = """
            using ConvGen;
            [ConvNet(3, WeightsFile = "ints.safetensors")]
            [Dense(2, Name = "bn1", UseBias = false)]
            public static partial class Net;
            """;
        byte[] file = new SafetensorsWriter().AddRaw("bn1.weight", "U8", new long[] { 1380 }, new byte[1380]).ToBytes();

        var diagnostic = Assert.Single(await Diagnostics(source, InMemoryAdditionalText.Weights("/p/ints.safetensors", file)));

        AssertDiagnostic(diagnostic, "CG0034", "Name = \"bn1\"",
            "Dense 'bn1': tensor 'bn1.weight' in 'ints.safetensors' is U8; ConvGen reads F32, F16, BF16 and F64 tensors");
    }

    // ------------------------------------------------------------------ CG0035

    private static readonly AdditionalText[] TwoModels =
    {
        InMemoryAdditionalText.Weights("/proj/a/model.safetensors", SafetensorsWriter.File(("fc.weight", "F32", new long[] { 2, 3 }, new float[6]), ("fc.bias", "F32", new long[] { 2 }, new float[2]))),
        InMemoryAdditionalText.Weights("/proj/b/model.safetensors", SafetensorsWriter.File(("fc.weight", "F32", new long[] { 5, 3 }, new float[15]), ("fc.bias", "F32", new long[] { 5 }, new float[5]))),
    };

    [Fact]
    public async Task CG0035_two_listed_files_of_the_same_name()
    {
        const string source = """
            using ConvGen;
            [ConvNet(3, WeightsFile = "model.safetensors")]
            [Dense(2, Name = "fc")]
            public static partial class Net;
            """;

        var diagnostic = Assert.Single(await Diagnostics(source, TwoModels));

        AssertDiagnostic(diagnostic, "CG0035", "WeightsFile = \"model.safetensors\"",
            "WeightsFile 'model.safetensors' matches several AdditionalFiles (/proj/a/model.safetensors, /proj/b/model.safetensors); give enough of its path to tell them apart");
    }

    [Theory]
    [InlineData("a/model.safetensors")]
    [InlineData("./a/model.safetensors")]
    [InlineData("a\\\\model.safetensors")]
    [InlineData("proj/a/model.safetensors")]
    public async Task CG0035_giving_the_path_resolves_it(string path)
    {
        string source = $$"""
            using ConvGen;
            [ConvNet(3, WeightsFile = "{{path}}")]
            [Dense(2, Name = "fc")]
            public static partial class Net;
            """;

        Assert.Empty(await Diagnostics(source, TwoModels));
    }

    [Fact]
    public async Task CG0035_the_path_picks_the_file_it_names()
    {
        // b's tensors have 5 units: naming b must bind b, so a 2-unit layer mismatches.
        const string source = """
            using ConvGen;
            [ConvNet(3, WeightsFile = "b/model.safetensors")]
            [Dense(2, Name = "fc")]
            public static partial class Net;
            """;

        var diagnostics = await Diagnostics(source, TwoModels);

        Assert.Equal(new[] { "CG0033", "CG0033" }, diagnostics.Select(d => d.Id));
        Assert.Contains("has shape [5, 3]", diagnostics[0].GetMessage());
    }

    [Fact]
    public async Task CG0035_a_path_that_names_neither_file_is_not_listed()
    {
        const string source = """
            using ConvGen;
            [ConvNet(3, WeightsFile = "c/model.safetensors")]
            [Dense(2, Name = "fc")]
            public static partial class Net;
            """;

        var diagnostic = Assert.Single(await Diagnostics(source, TwoModels));

        Assert.Equal("CG0030", diagnostic.Id);
        Assert.Equal("WeightsFile = \"c/model.safetensors\"", diagnostic.Text());
    }

    [Fact]
    public async Task CG0035_a_folder_whose_name_starts_with_a_dot_is_not_another_folder()
    {
        // ".models/model.safetensors" names /proj/.models, not /proj/models: binding the other file
        // would silently use weights the author did not ask for.
        AdditionalText[] files =
        {
            InMemoryAdditionalText.Weights("/proj/.models/model.safetensors", SafetensorsWriter.File(("fc.weight", "F32", new long[] { 2, 3 }, new float[6]), ("fc.bias", "F32", new long[] { 2 }, new float[2]))),
            InMemoryAdditionalText.Weights("/proj/models/model.safetensors", SafetensorsWriter.File(("fc.weight", "F32", new long[] { 5, 3 }, new float[15]), ("fc.bias", "F32", new long[] { 5 }, new float[5]))),
        };
        const string source = """
            using ConvGen;
            [ConvNet(3, WeightsFile = ".models/model.safetensors")]
            [Dense(2, Name = "fc")]
            public static partial class Net;
            """;

        var diagnostics = await Diagnostics(source, files);

        Assert.True(diagnostics.IsEmpty, string.Join("; ", diagnostics.Select(d => d.Id + " " + d.GetMessage())));
    }

    [Fact] // A WeightsFile path must match where it is given, even when only one file has that name.
    public async Task CG0030_a_path_naming_another_folder_than_the_only_listed_file()
    {
        // Only b/model.safetensors is listed; the author named a/model.safetensors (a typo, or a forgotten
        // AdditionalFiles line). Binding b's weights silently is the risk; a CG0030 would say what is wrong.
        const string source = """
            using ConvGen;
            [ConvNet(3, WeightsFile = "a/model.safetensors")]
            [Dense(2, Name = "fc")]
            public static partial class Net;
            """;
        AdditionalText onlyB = InMemoryAdditionalText.Weights("/proj/b/model.safetensors",
            SafetensorsWriter.File(("fc.weight", "F32", new long[] { 2, 3 }, new float[6]), ("fc.bias", "F32", new long[] { 2 }, new float[2])));

        var diagnostic = Assert.Single(await Diagnostics(source, onlyB));

        AssertDiagnostic(diagnostic, "CG0030", "WeightsFile = \"a/model.safetensors\"",
            "WeightsFile 'a/model.safetensors' is not among the project's AdditionalFiles; add <AdditionalFiles Include=\"a/model.safetensors\" /> to the project file");
    }

    // ------------------------------------------------------------------ CG0036

    [Fact]
    public async Task CG0036_a_negative_running_variance()
    {
        const string source = """
            using ConvGen;
            [ConvNet(2, 3, 3, WeightsFile = "bn.safetensors")]
            [BatchNorm(Name = "bn")]
            public static partial class Net;
            """;
        byte[] file = SafetensorsWriter.File(
            ("bn.weight", "F32", new long[] { 2 }, new[] { 1f, 1f }),
            ("bn.bias", "F32", new long[] { 2 }, new[] { 0f, 0f }),
            ("bn.running_mean", "F32", new long[] { 2 }, new[] { 0f, -3f }),
            ("bn.running_var", "F32", new long[] { 2 }, new[] { 1f, -0.5f }));

        var diagnostic = Assert.Single(await Diagnostics(source, InMemoryAdditionalText.Weights("/p/bn.safetensors", file)));

        AssertDiagnostic(diagnostic, "CG0036", "Name = \"bn\"",
            "BatchNorm 'bn': the variance holds a negative value (-0.5) at index 1, which has no square root");
    }

    [Fact]
    public async Task CG0036_an_inline_variance_points_at_Variance()
    {
        const string source = """
            using ConvGen;
            [ConvNet(2, 3, 3)]
            [BatchNorm(Name = "bn", Gamma = new[] { 1f, 1f }, Beta = new[] { 0f, 0f }, Mean = new[] { 0f, 0f }, Variance = new[] { -2f, 1f })]
            public static partial class Net;
            """;

        var diagnostic = Assert.Single(await Diagnostics(source));

        AssertDiagnostic(diagnostic, "CG0036", "Variance = new[] { -2f, 1f }",
            "BatchNorm 'bn': the variance holds a negative value (-2) at index 0, which has no square root");
    }

    // ------------------------------------------------------------------ CG0016

    [Fact]
    public async Task CG0016_a_NaN_in_a_file_tensor()
    {
        const string source = """
            using ConvGen;
            [ConvNet(3, WeightsFile = "nan.safetensors")]
            [Dense(2, Name = "fc")]
            public static partial class Net;
            """;
        byte[] file = SafetensorsWriter.File(
            ("fc.weight", "F32", new long[] { 2, 3 }, new[] { 1f, 2f, 3f, 4f, float.NaN, 6f }),
            ("fc.bias", "F32", new long[] { 2 }, new[] { 0f, 0f }));

        var diagnostic = Assert.Single(await Diagnostics(source, InMemoryAdditionalText.Weights("/p/nan.safetensors", file)));

        AssertDiagnostic(diagnostic, "CG0016", "Name = \"fc\"", "Dense 'fc': tensor 'fc.weight' holds a non-finite value (NaN) at index 4");
    }

    [Fact]
    public async Task CG0016_an_F16_infinity_in_a_bias()
    {
        const string source = """
            using ConvGen;
            [ConvNet(3, WeightsFile = "inf.safetensors")]
            [Dense(2, Name = "fc")]
            public static partial class Net;
            """;
        byte[] file = SafetensorsWriter.File(
            ("fc.weight", "F16", new long[] { 2, 3 }, new float[6]),
            ("fc.bias", "F16", new long[] { 2 }, new[] { 0f, float.NegativeInfinity }));

        var diagnostic = Assert.Single(await Diagnostics(source, InMemoryAdditionalText.Weights("/p/inf.safetensors", file)));

        AssertDiagnostic(diagnostic, "CG0016", "Name = \"fc\"", "Dense 'fc': tensor 'fc.bias' holds a non-finite value (-Infinity) at index 1");
    }

    [Fact]
    public async Task CG0016_an_F64_value_beyond_float_range()
    {
        // Finite in the file, infinite once narrowed to float: still caught.
        const string source = """
            using ConvGen;
            [ConvNet(2, WeightsFile = "wide.safetensors")]
            [Dense(1, Name = "fc", UseBias = false)]
            public static partial class Net;
            """;
        byte[] file = new SafetensorsWriter().AddDoubles("fc.weight", new long[] { 1, 2 }, 1.0, 1e300).ToBytes();

        var diagnostic = Assert.Single(await Diagnostics(source, InMemoryAdditionalText.Weights("/p/wide.safetensors", file)));

        AssertDiagnostic(diagnostic, "CG0016", "Name = \"fc\"", "Dense 'fc': tensor 'fc.weight' holds a non-finite value (Infinity) at index 1");
    }

    [Fact]
    public async Task CG0016_a_BatchNorm_whose_scale_overflows_float()
    {
        // Every tensor is finite, but gamma / sqrt(var + eps) is 3e38 / sqrt(1e-5), about 1e41: the
        // generated code would multiply by infinity. That is as wrong as an infinite weight.
        const string source = """
            using ConvGen;
            [ConvNet(1, 2, 2, WeightsFile = "bn.safetensors")]
            [BatchNorm(Name = "bn")]
            public static partial class Net;
            """;
        byte[] file = SafetensorsWriter.File(
            ("bn.weight", "F32", new long[] { 1 }, new[] { 3e38f }),
            ("bn.bias", "F32", new long[] { 1 }, new[] { 0f }),
            ("bn.running_mean", "F32", new long[] { 1 }, new[] { 0f }),
            ("bn.running_var", "F32", new long[] { 1 }, new[] { 0f }));

        var diagnostics = await Diagnostics(source, InMemoryAdditionalText.Weights("/p/bn.safetensors", file));

        Assert.Contains(diagnostics, d => d.Severity == DiagnosticSeverity.Error && d.GetMessage().Contains("non-finite", System.StringComparison.Ordinal));
    }

    // ------------------------------------------------------------------ near misses

    [Fact]
    public async Task The_trained_digits_network_binds_without_a_word()
    {
        // Extra tensors (bn1.num_batches_tracked, an I64) are ignored; conv1 has no bias and says so.
        var diagnostics = await AnalyzerHarness.Diagnostics(SafetensorsFuzzTests.DigitsNetSource, new[] { DigitsFile() });

        Assert.Empty(diagnostics);
    }

    public static IEnumerable<object[]> NearMisses()
    {
        byte[] nan = SafetensorsWriter.File(
            ("fc.weight", "F32", new long[] { 2, 3 }, new float[6]), ("fc.bias", "F32", new long[] { 2 }, new float[2]),
            ("unused.weight", "F32", new long[] { 1 }, new[] { float.NaN }));
        byte[] zeroVariance = SafetensorsWriter.File(
            ("bn.weight", "F32", new long[] { 2 }, new[] { 1f, 1f }), ("bn.bias", "F32", new long[] { 2 }, new[] { 0f, 0f }),
            ("bn.running_mean", "F32", new long[] { 2 }, new[] { -1f, 0f }), ("bn.running_var", "F32", new long[] { 2 }, new[] { 0f, 0f }));
        byte[] halves = SafetensorsWriter.File(("fc.weight", "F16", new long[] { 2, 3 }, new[] { 65504f, -65504f, 6e-8f, 0f, -0f, 1f }), ("fc.bias", "BF16", new long[] { 2 }, new[] { 3e38f, -1f }));
        object[] Case(string what, string declaration, params AdditionalText[] files) => new object[] { what, declaration, files };

        yield return Case("a NaN in a tensor no layer uses",
            "[ConvNet(3, WeightsFile = \"m.safetensors\")]\n[Dense(2, Name = \"fc\")]", InMemoryAdditionalText.Weights("/p/m.safetensors", nan));
        yield return Case("the nonfinite fixture listed but not used",
            "[ConvNet(3, WeightsFile = \"m.safetensors\")]\n[Dense(2, Name = \"fc\")]",
            InMemoryAdditionalText.Weights("/p/m.safetensors", nan), InMemoryAdditionalText.Weights("/p/nonfinite.safetensors", Fixtures.Weights("nonfinite.safetensors")));
        yield return Case("a zero (not negative) variance, a negative mean",
            "[ConvNet(2, 3, 3, WeightsFile = \"bn.safetensors\")]\n[BatchNorm(Name = \"bn\")]", InMemoryAdditionalText.Weights("/p/bn.safetensors", zeroVariance));
        yield return Case("F16 and BF16 extremes that are finite",
            "[ConvNet(3, WeightsFile = \"h.safetensors\")]\n[Dense(2, Name = \"fc\")]", InMemoryAdditionalText.Weights("/p/h.safetensors", halves));
        yield return Case("a layer with inline weights in a network with a file that lacks it",
            "[ConvNet(3, WeightsFile = \"m.safetensors\")]\n[Dense(2, Name = \"fc\")]\n[Dense(1, Name = \"out\", Weights = W(2), Bias = W(1))]",
            InMemoryAdditionalText.Weights("/p/m.safetensors", nan));
        yield return Case("UseBias = false and no bias tensor",
            "[ConvNet(1, 8, 8, WeightsFile = \"digits.safetensors\")]\n[Conv2D(16, 3, Pad = 1, UseBias = false, Name = \"conv1\")]", DigitsFile());
        yield return Case("a corrupt weights file no network names",
            "[ConvNet(3)]\n[Dense(2, Weights = W(6), Bias = W(2))]", InMemoryAdditionalText.Weights("/p/bad.safetensors", new byte[3]));
        yield return Case("a raw file listed next to its own encoded copy",
            "[ConvNet(3, WeightsFile = \"m.safetensors\")]\n[Dense(2, Name = \"fc\")]",
            new InMemoryAdditionalText("/p/m.safetensors", "binary junk"), InMemoryAdditionalText.Weights("/p/m.safetensors", nan));
        yield return Case("the file name in another case",
            "[ConvNet(3, WeightsFile = \"M.SafeTensors\")]\n[Dense(2, Name = \"fc\")]", InMemoryAdditionalText.Weights("/p/m.safetensors", nan));
        yield return Case("two files of different names",
            "[ConvNet(3, WeightsFile = \"m.safetensors\")]\n[Dense(2, Name = \"fc\")]",
            InMemoryAdditionalText.Weights("/p/a/m.safetensors", nan), InMemoryAdditionalText.Weights("/p/a/digits.safetensors", Fixtures.Digits()));
        yield return Case("Keras layout with Keras-shaped tensors",
            "[ConvNet(1, 4, 4, WeightsFile = \"k.safetensors\", WeightLayout = WeightLayout.Keras)]\n[Conv2D(2, 3, Name = \"c\")]\n[Flatten]\n[Dense(3, Name = \"d\")]",
            InMemoryAdditionalText.Weights("/p/k.safetensors", SafetensorsWriter.File(
                ("c.weight", "F32", new long[] { 3, 3, 1, 2 }, new float[18]), ("c.bias", "F32", new long[] { 2 }, new float[2]),
                ("d.weight", "F32", new long[] { 8, 3 }, new float[24]), ("d.bias", "F32", new long[] { 3 }, new float[3]))));
    }

    [Theory]
    [MemberData(nameof(NearMisses))]
    public async Task A_near_miss_reports_nothing(string what, string declaration, AdditionalText[] files)
    {
        string source = "using ConvGen;\n" + declaration + "\npublic static partial class Net;";

        var diagnostics = await Diagnostics(source, files);

        Assert.True(diagnostics.IsEmpty, $"{what}: {string.Join("; ", diagnostics.Select(d => d.Id + " " + d.GetMessage()))}");
    }
}
