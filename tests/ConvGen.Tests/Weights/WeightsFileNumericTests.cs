using System;
using System.Globalization;
using System.Linq;
using System.Reflection;
using ConvGen.Tests.Infrastructure;
using ConvGen.Tests.Reference;
using Microsoft.CodeAnalysis;
using Xunit;

namespace ConvGen.Tests.Weights;

/// <summary>
/// Networks whose weights come from a file compute what the independent reference computes from the
/// same values written inline: PyTorch and Keras layouts, F32/F16/BF16/F64 files, BatchNorm folded and
/// not. (The trained Digits model against PyTorch's own logits is <see cref="DigitsTests"/>.)
/// </summary>
public class WeightsFileNumericTests
{
    private static string F(float[] values) => "new float[] { " + string.Join(", ", values.Select(v => v.ToString("R", CultureInfo.InvariantCulture) + "f")) + " }";

    private static float[] Random(int seed, int count, float low = -1, float high = 1)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, count).Select(_ => (float)(low + random.NextDouble() * (high - low))).ToArray();
    }

    private static (Assembly Assembly, GeneratorRun Run) Compile(string source, params AdditionalText[] files)
    {
        GeneratorRun run = GeneratorHarness.Run("using ConvGen;\n" + source, additionalFiles: files);
        return (GeneratorHarness.Load(run), run);
    }

    private static string Invoker(string className) => GeneratorHarness.WithInvoker(className, "");

    private static void AssertClose(float[] expected, float[] actual, float tolerance = 1e-4f)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
            Assert.True(Math.Abs(expected[i] - actual[i]) <= tolerance * Math.Max(1, Math.Abs(expected[i])),
                $"[{i}]: expected {expected[i]}, got {actual[i]}");
    }

    [Fact]
    public void A_dense_layer_from_a_file_computes_the_known_answer()
    {
        // tiny.safetensors' values under bindable names: w = [[0, 1, 2], [3, 4, 5]], b = [0.5, -0.5].
        byte[] file = SafetensorsWriter.File(
            ("fc.weight", "F32", new long[] { 2, 3 }, new float[] { 0, 1, 2, 3, 4, 5 }),
            ("fc.bias", "F32", new long[] { 2 }, new[] { 0.5f, -0.5f }));
        string source = """
            [ConvNet(3, WeightsFile = "tiny.safetensors")]
            [Dense(2, Name = "fc")]
            public static partial class Tiny;
            """ + Invoker("Tiny");

        var (assembly, _) = Compile(source, InMemoryAdditionalText.Weights("/p/tiny.safetensors", file));

        Assert.Equal(new[] { 8.5f, 25.5f }, GeneratorHarness.Invoker(assembly, "Tiny")(new[] { 1f, 2f, 3f }));
    }

    /// <summary>A small 2-D net: conv (pad 1, ReLU), max pool, conv (tanh), flatten, dense.</summary>
    private const string Net2D = """
        [Conv2D(3, 3, Pad = 1, Activation = Activation.ReLU, Name = "c1"{{c1}})]
        [MaxPool2D(2)]
        [Conv2D(4, 2, Activation = Activation.Tanh, Name = "c2"{{c2}})]
        [Flatten]
        [Dense(5, Name = "fc"{{fc}})]
        """;

    private static string Layers(string template, string c1, string c2, string fc)
        => template.Replace("{{c1}}", c1).Replace("{{c2}}", c2).Replace("{{fc}}", fc);

    private static string Inline(float[] w, float[] b) => $", Weights = {F(w)}, Bias = {F(b)}";

    [Theory]
    [InlineData("F32")]
    [InlineData("F16")]
    [InlineData("BF16")]
    [InlineData("F64")]
    public void A_pytorch_layout_file_matches_the_reference_on_the_same_values(string dtype)
    {
        // Input (2, 6, 6) -> c1 (3, 6, 6) -> pool (3, 3, 3) -> c2 (4, 2, 2) -> 16 -> fc 5.
        float[] c1w = Random(1, 3 * 2 * 9), c1b = Random(2, 3), c2w = Random(3, 4 * 3 * 4), c2b = Random(4, 4), fcw = Random(5, 5 * 16), fcb = Random(6, 5);
        byte[] file = new SafetensorsWriter()
            .Add("c1.weight", dtype, new long[] { 3, 2, 3, 3 }, c1w).Add("c1.bias", dtype, new long[] { 3 }, c1b)
            .Add("c2.weight", dtype, new long[] { 4, 3, 2, 2 }, c2w).Add("c2.bias", dtype, new long[] { 4 }, c2b)
            .Add("fc.weight", dtype, new long[] { 5, 16 }, fcw).Add("fc.bias", dtype, new long[] { 5 }, fcb)
            .ToBytes();
        float[] W(float[] v) => v.Select(x => SafetensorsWriter.Widen(dtype, x)).ToArray();
        string source =
            "[ConvNet(2, 6, 6, WeightsFile = \"net.safetensors\")]\n" + Layers(Net2D, "", "", "") + "public static partial class FromFile;\n"
            + "[ConvNet(2, 6, 6)]\n" + Layers(Net2D, Inline(W(c1w), W(c1b)), Inline(W(c2w), W(c2b)), Inline(W(fcw), W(fcb))) + "public static partial class Inline;\n"
            + Invoker("FromFile") + Invoker("Inline");

        var (assembly, _) = Compile(source, InMemoryAdditionalText.Weights("/p/net.safetensors", file));

        var fromFile = GeneratorHarness.Invoker(assembly, "FromFile");
        var inline = GeneratorHarness.Invoker(assembly, "Inline");
        for (int seed = 0; seed < 5; seed++)
        {
            float[] input = Random(100 + seed, 2 * 6 * 6);
            float[] actual = fromFile(input);
            // Same values, same plan: the same code, so the same bits.
            Assert.Equal(inline(input), actual);
            AssertClose(ReferenceNetwork.Run(assembly.GetType("Inline")!, input), actual);
        }
    }

    [Fact]
    public void A_keras_layout_file_is_reordered_exactly_as_its_pytorch_transposition()
    {
        // The same network twice: one file in Keras order (conv [kh, kw, in, out], dense [in, out]), one
        // in PyTorch order transposed here, independently of ConvGen; both also against the reference.
        float[] c1 = Random(11, 3 * 3 * 2 * 3), c1b = Random(12, 3), c2 = Random(13, 2 * 2 * 3 * 4), c2b = Random(14, 4), fc = Random(15, 16 * 5), fcb = Random(16, 5);
        float[] c1Torch = KerasConvToTorch(c1, 3, 3, 2, 3), c2Torch = KerasConvToTorch(c2, 2, 2, 3, 4), fcTorch = KerasDenseToTorch(fc, 16, 5);
        byte[] keras = new SafetensorsWriter()
            .Add("c1.weight", "F32", new long[] { 3, 3, 2, 3 }, c1).Add("c1.bias", "F32", new long[] { 3 }, c1b)
            .Add("c2.weight", "F32", new long[] { 2, 2, 3, 4 }, c2).Add("c2.bias", "F32", new long[] { 4 }, c2b)
            .Add("fc.weight", "F32", new long[] { 16, 5 }, fc).Add("fc.bias", "F32", new long[] { 5 }, fcb)
            .ToBytes();
        byte[] torch = new SafetensorsWriter()
            .Add("c1.weight", "F32", new long[] { 3, 2, 3, 3 }, c1Torch).Add("c1.bias", "F32", new long[] { 3 }, c1b)
            .Add("c2.weight", "F32", new long[] { 4, 3, 2, 2 }, c2Torch).Add("c2.bias", "F32", new long[] { 4 }, c2b)
            .Add("fc.weight", "F32", new long[] { 5, 16 }, fcTorch).Add("fc.bias", "F32", new long[] { 5 }, fcb)
            .ToBytes();
        string source =
            "[ConvNet(2, 6, 6, WeightsFile = \"keras.safetensors\", WeightLayout = WeightLayout.Keras)]\n" + Layers(Net2D, "", "", "") + "public static partial class KerasFile;\n"
            + "[ConvNet(2, 6, 6, WeightsFile = \"torch.safetensors\")]\n" + Layers(Net2D, "", "", "") + "public static partial class TorchFile;\n"
            + "[ConvNet(2, 6, 6, WeightLayout = WeightLayout.Keras)]\n" + Layers(Net2D, Inline(c1, c1b), Inline(c2, c2b), Inline(fc, fcb)) + "public static partial class KerasInline;\n"
            + Invoker("KerasFile") + Invoker("TorchFile");

        var (assembly, _) = Compile(source, InMemoryAdditionalText.Weights("/p/keras.safetensors", keras), InMemoryAdditionalText.Weights("/p/torch.safetensors", torch));

        for (int seed = 0; seed < 5; seed++)
        {
            float[] input = Random(200 + seed, 2 * 6 * 6);
            float[] fromKeras = GeneratorHarness.Invoker(assembly, "KerasFile")(input);
            Assert.Equal(GeneratorHarness.Invoker(assembly, "TorchFile")(input), fromKeras);
            AssertClose(ReferenceNetwork.Run(assembly.GetType("KerasInline")!, input), fromKeras);
        }
    }

    [Fact]
    public void A_keras_layout_file_for_a_1d_network()
    {
        // Conv1D Keras kernels are [k, in, out].
        float[] cw = Random(21, 3 * 2 * 4), cb = Random(22, 4), dw = Random(23, 4 * 6 * 3), db = Random(24, 3);
        var torchConv = new float[cw.Length];
        for (int t = 0; t < 3; t++)
            for (int i = 0; i < 2; i++)
                for (int o = 0; o < 4; o++)
                    torchConv[(o * 2 + i) * 3 + t] = cw[(t * 2 + i) * 4 + o];
        byte[] keras = new SafetensorsWriter()
            .Add("c.weight", "F32", new long[] { 3, 2, 4 }, cw).Add("c.bias", "F32", new long[] { 4 }, cb)
            .Add("d.weight", "F32", new long[] { 24, 3 }, dw).Add("d.bias", "F32", new long[] { 3 }, db).ToBytes();
        string layers = "[Conv1D(4, 3, Name = \"c\"{{c1}})]\n[Flatten]\n[Dense(3, Name = \"d\"{{fc}})]\n";
        string source =
            "[ConvNet(2, 8, WeightsFile = \"k1.safetensors\", WeightLayout = WeightLayout.Keras)]\n" + Layers(layers, "", "", "") + "public static partial class KerasFile;\n"
            + "[ConvNet(2, 8)]\n" + Layers(layers, Inline(torchConv, cb), "", Inline(KerasDenseToTorch(dw, 24, 3), db)) + "public static partial class TorchInline;\n"
            + Invoker("KerasFile");

        var (assembly, _) = Compile(source, InMemoryAdditionalText.Weights("/p/k1.safetensors", keras));

        float[] input = Random(300, 16);
        AssertClose(ReferenceNetwork.Run(assembly.GetType("TorchInline")!, input), GeneratorHarness.Invoker(assembly, "KerasFile")(input));
    }

    private static float[] KerasConvToTorch(float[] keras, int kh, int kw, int inC, int outC)
    {
        var torch = new float[keras.Length];
        for (int y = 0; y < kh; y++)
            for (int x = 0; x < kw; x++)
                for (int i = 0; i < inC; i++)
                    for (int o = 0; o < outC; o++)
                        torch[((o * inC + i) * kh + y) * kw + x] = keras[((y * kw + x) * inC + i) * outC + o];
        return torch;
    }

    private static float[] KerasDenseToTorch(float[] keras, int inputs, int units)
    {
        var torch = new float[keras.Length];
        for (int i = 0; i < inputs; i++)
            for (int u = 0; u < units; u++)
                torch[u * inputs + i] = keras[i * units + u];
        return torch;
    }

    /// <summary>BatchNorm in inference mode, by its definition, per channel of a channels-first tensor.</summary>
    private static float[] BatchNormByHand(float[] x, int channels, float[] gamma, float[] beta, float[] mean, float[] variance, double epsilon)
    {
        int spatial = x.Length / channels;
        var y = new float[x.Length];
        for (int c = 0; c < channels; c++)
            for (int s = 0; s < spatial; s++)
                y[c * spatial + s] = (float)(gamma[c] * (x[c * spatial + s] - (double)mean[c]) / Math.Sqrt(variance[c] + epsilon) + beta[c]);
        return y;
    }

    private static byte[] BatchNormFile(string convName, float[] convW, float[] convB, string bnName, float[] gamma, float[] beta, float[] mean, float[] variance, string dtype = "F32")
    {
        long[] one = { gamma.Length };
        return new SafetensorsWriter()
            .Add(convName + ".weight", "F32", new long[] { gamma.Length, 2, 3, 3 }, convW).Add(convName + ".bias", "F32", new long[] { gamma.Length }, convB)
            .Add(bnName + ".weight", dtype, one, gamma).Add(bnName + ".bias", dtype, one, beta)
            .Add(bnName + ".running_mean", dtype, one, mean).Add(bnName + ".running_var", dtype, one, variance)
            .AddRaw(bnName + ".num_batches_tracked", "I64", Array.Empty<long>(), BitConverter.GetBytes(1380L))
            .ToBytes();
    }

    [Theory]
    [InlineData(true, 1e-5f)]
    [InlineData(false, 1e-5f)]
    [InlineData(true, 1e-2f)]
    [InlineData(false, 0.5f)]
    public void BatchNorm_from_a_file_folded_or_not_matches_its_definition(bool folded, float epsilon)
    {
        // Folded: conv without activation, BatchNorm, then ReLU. Not folded: conv with ReLU, then BatchNorm.
        float[] w = Random(31, 3 * 2 * 9), b = Random(32, 3);
        float[] gamma = Random(33, 3, 0.5f, 1.5f), beta = Random(34, 3, -0.5f, 0.5f), mean = Random(35, 3), variance = Random(36, 3, 0.1f, 2f);
        byte[] file = BatchNormFile("conv", w, b, "bn", gamma, beta, mean, variance);
        string eps = epsilon.ToString("R", CultureInfo.InvariantCulture) + "f";
        string source = folded
            ? $$"""
                [ConvNet(2, 5, 5, WeightsFile = "bn.safetensors")]
                [Conv2D(3, 3, Pad = 1, Name = "conv")]
                [BatchNorm(Name = "bn", Epsilon = {{eps}})]
                [Activation(Activation.ReLU)]
                public static partial class Net;
                [ConvNet(2, 5, 5)]
                [Conv2D(3, 3, Pad = 1, Weights = {{F(w)}}, Bias = {{F(b)}})]
                public static partial class ConvOnly;
                """
            : $$"""
                [ConvNet(2, 5, 5, WeightsFile = "bn.safetensors")]
                [Conv2D(3, 3, Pad = 1, Activation = Activation.ReLU, Name = "conv")]
                [BatchNorm(Name = "bn", Epsilon = {{eps}})]
                public static partial class Net;
                [ConvNet(2, 5, 5)]
                [Conv2D(3, 3, Pad = 1, Activation = Activation.ReLU, Weights = {{F(w)}}, Bias = {{F(b)}})]
                public static partial class ConvOnly;
                """;

        var (assembly, run) = Compile(source + Invoker("Net"), InMemoryAdditionalText.Weights("/p/bn.safetensors", file));

        string generated = run.Sources.Single(s => s.HintName == "Net.g.cs").SourceText.ToString();
        Assert.Equal(folded, generated.Contains("folded into conv", StringComparison.Ordinal));
        for (int seed = 0; seed < 5; seed++)
        {
            float[] input = Random(400 + seed, 2 * 5 * 5, -2, 2);
            float[] expected = BatchNormByHand(ReferenceNetwork.Run(assembly.GetType("ConvOnly")!, input), 3, gamma, beta, mean, variance, epsilon);
            if (folded)
                expected = expected.Select(v => Math.Max(v, 0f)).ToArray();
            AssertClose(expected, GeneratorHarness.Invoker(assembly, "Net")(input));
        }
    }

    [Theory]
    [InlineData("F16")]
    [InlineData("BF16")]
    public void BatchNorm_statistics_in_half_precision_are_widened_before_use(string dtype)
    {
        float[] w = Random(41, 3 * 2 * 9), b = Random(42, 3);
        float[] gamma = Random(43, 3, 0.5f, 1.5f), beta = Random(44, 3, -0.5f, 0.5f), mean = Random(45, 3), variance = Random(46, 3, 0.1f, 2f);
        byte[] file = BatchNormFile("conv", w, b, "bn", gamma, beta, mean, variance, dtype);
        string source = $$"""
            [ConvNet(2, 4, 4, WeightsFile = "bn.safetensors")]
            [Conv2D(3, 3, Pad = 1, Name = "conv")]
            [BatchNorm(Name = "bn")]
            public static partial class Net;
            [ConvNet(2, 4, 4)]
            [Conv2D(3, 3, Pad = 1, Weights = {{F(w)}}, Bias = {{F(b)}})]
            public static partial class ConvOnly;
            """ + Invoker("Net");
        float[] Widen(float[] v) => v.Select(x => SafetensorsWriter.Widen(dtype, x)).ToArray();

        var (assembly, _) = Compile(source, InMemoryAdditionalText.Weights("/p/bn.safetensors", file));

        float[] input = Random(500, 32, -2, 2);
        float[] expected = BatchNormByHand(ReferenceNetwork.Run(assembly.GetType("ConvOnly")!, input), 3, Widen(gamma), Widen(beta), Widen(mean), Widen(variance), 1e-5);
        AssertClose(expected, GeneratorHarness.Invoker(assembly, "Net")(input));
    }

    [Fact]
    public void A_dense_layer_then_BatchNorm_from_a_file_folds_and_matches()
    {
        // BatchNorm1d after Linear, channels = units.
        float[] w = Random(51, 4 * 6), b = Random(52, 4);
        float[] gamma = Random(53, 4, 0.5f, 1.5f), beta = Random(54, 4, -0.5f, 0.5f), mean = Random(55, 4), variance = Random(56, 4, 0.1f, 2f);
        byte[] file = new SafetensorsWriter()
            .Add("fc.weight", "F32", new long[] { 4, 6 }, w).Add("fc.bias", "F32", new long[] { 4 }, b)
            .Add("norm.weight", "F32", new long[] { 4 }, gamma).Add("norm.bias", "F32", new long[] { 4 }, beta)
            .Add("norm.running_mean", "F32", new long[] { 4 }, mean).Add("norm.running_var", "F32", new long[] { 4 }, variance).ToBytes();
        string source = $$"""
            [ConvNet(6, WeightsFile = "fc.safetensors")]
            [Dense(4, Name = "fc")]
            [BatchNorm(Name = "norm")]
            public static partial class Net;
            """ + Invoker("Net");

        var (assembly, run) = Compile(source, InMemoryAdditionalText.Weights("/p/fc.safetensors", file));

        Assert.Contains("folded into fc", run.Sources.Single().SourceText.ToString(), StringComparison.Ordinal);
        float[] input = Random(600, 6, -2, 2);
        float[] expected = BatchNormByHand(NaiveReference.Dense(input, w, b, 4), 4, gamma, beta, mean, variance, 1e-5);
        AssertClose(expected, GeneratorHarness.Invoker(assembly, "Net")(input));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void A_grouped_convolution_from_a_file(bool keras)
    {
        // 4 input channels, 6 filters, 2 groups: PyTorch [6, 2, 3, 3], Keras [3, 3, 2, 6].
        float[] w = Random(61, 6 * 2 * 9), b = Random(62, 6);
        long[] shape = keras ? new long[] { 3, 3, 2, 6 } : new long[] { 6, 2, 3, 3 };
        byte[] file = new SafetensorsWriter().Add("g.weight", "F32", shape, w).Add("g.bias", "F32", new long[] { 6 }, b).ToBytes();
        string layout = keras ? ", WeightLayout = WeightLayout.Keras" : "";
        string source = $$"""
            [ConvNet(4, 5, 5, WeightsFile = "g.safetensors"{{layout}})]
            [Conv2D(6, 3, Groups = 2, Name = "g")]
            public static partial class Net;
            [ConvNet(4, 5, 5{{layout}})]
            [Conv2D(6, 3, Groups = 2, Weights = {{F(w)}}, Bias = {{F(b)}})]
            public static partial class Inline;
            """ + Invoker("Net");

        var (assembly, _) = Compile(source, InMemoryAdditionalText.Weights("/p/g.safetensors", file));

        float[] input = Random(700, 100);
        AssertClose(ReferenceNetwork.Run(assembly.GetType("Inline")!, input), GeneratorHarness.Invoker(assembly, "Net")(input));
    }

    [Fact]
    public void A_channels_last_keras_network_with_an_unfolded_BatchNorm_from_a_file()
    {
        // The usual Keras export: channels-last activations, Keras weight order, BatchNorm after a ReLU conv.
        float[] w = Random(71, 3 * 3 * 2 * 3), b = Random(72, 3);
        float[] gamma = Random(73, 3, 0.5f, 1.5f), beta = Random(74, 3, -0.5f, 0.5f), mean = Random(75, 3), variance = Random(76, 3, 0.1f, 2f);
        byte[] file = new SafetensorsWriter()
            .Add("conv.weight", "F32", new long[] { 3, 3, 2, 3 }, w).Add("conv.bias", "F32", new long[] { 3 }, b)
            .Add("bn.weight", "F32", new long[] { 3 }, gamma).Add("bn.bias", "F32", new long[] { 3 }, beta)
            .Add("bn.running_mean", "F32", new long[] { 3 }, mean).Add("bn.running_var", "F32", new long[] { 3 }, variance).ToBytes();
        string source = $$"""
            [ConvNet(2, 4, 5, WeightsFile = "k.safetensors", Layout = Layout.ChannelsLast, WeightLayout = WeightLayout.Keras)]
            [Conv2D(3, 3, Padding = Padding.Same, Activation = Activation.ReLU, Name = "conv")]
            [BatchNorm(Name = "bn", Epsilon = 0.001f)]
            public static partial class Net;
            [ConvNet(2, 4, 5, Layout = Layout.ChannelsLast, WeightLayout = WeightLayout.Keras)]
            [Conv2D(3, 3, Padding = Padding.Same, Activation = Activation.ReLU, Weights = {{F(w)}}, Bias = {{F(b)}})]
            public static partial class ConvOnly;
            """ + Invoker("Net");

        var (assembly, _) = Compile(source, InMemoryAdditionalText.Weights("/p/k.safetensors", file));

        float[] input = Random(800, 40, -2, 2);
        // (H, W, C) in memory: channel = index % 3.
        float[] conv = ReferenceNetwork.Run(assembly.GetType("ConvOnly")!, input);
        float[] expected = conv.Select((v, i) => (float)(gamma[i % 3] * (v - (double)mean[i % 3]) / Math.Sqrt(variance[i % 3] + 0.001f) + beta[i % 3])).ToArray();
        AssertClose(expected, GeneratorHarness.Invoker(assembly, "Net")(input));
    }

    [Theory]
    [InlineData("[BatchNorm(Name = \"bn\")]", 2 * 4 * 4)]
    [InlineData("[MaxPool2D(2)]\n[BatchNorm(Name = \"bn\")]", 2 * 2 * 2)]
    [InlineData("[Flatten]\n[BatchNorm(Name = \"bn\")]", 2 * 4 * 4)]
    public void A_BatchNorm_with_nothing_to_fold_into(string layers, int outputs)
    {
        // First layer, after a pool, after a flatten (BatchNorm1d over 32 features).
        int channels = layers.Contains("Flatten", StringComparison.Ordinal) ? 32 : 2;
        float[] gamma = Random(81, channels, 0.5f, 1.5f), beta = Random(82, channels, -0.5f, 0.5f), mean = Random(83, channels), variance = Random(84, channels, 0.1f, 2f);
        long[] shape = { channels };
        byte[] file = new SafetensorsWriter().Add("bn.weight", "F32", shape, gamma).Add("bn.bias", "F32", shape, beta)
            .Add("bn.running_mean", "F32", shape, mean).Add("bn.running_var", "F32", shape, variance).ToBytes();
        string source = "[ConvNet(2, 4, 4, WeightsFile = \"bn.safetensors\")]\n" + layers + "\npublic static partial class Net;\n" + Invoker("Net");

        var (assembly, run) = Compile(source, InMemoryAdditionalText.Weights("/p/bn.safetensors", file));

        Assert.DoesNotContain("folded into", run.Sources.Single().SourceText.ToString(), StringComparison.Ordinal);
        float[] input = Random(900, 32, -2, 2);
        float[] before = layers.Contains("MaxPool", StringComparison.Ordinal)
            ? NaiveReference.MaxPool2D(input, 2, 4, 4, 2, 2, 2, 2, 1, 1, 0, 0, 0, 0, false, out _, out _)
            : input;
        float[] expected = BatchNormByHand(before, channels, gamma, beta, mean, variance, 1e-5);
        Assert.Equal(outputs, expected.Length);
        AssertClose(expected, GeneratorHarness.Invoker(assembly, "Net")(input));
    }
}
