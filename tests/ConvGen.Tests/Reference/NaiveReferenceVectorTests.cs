using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.Json;
using Xunit;
using Xunit.Abstractions;

namespace ConvGen.Tests.Reference;

/// <summary>
/// Pins <see cref="NaiveReference"/> to PyTorch: every case in Vectors/pytorch_vectors.json (written by
/// Vectors/make_vectors.py) must come out with the same shape and values within 1e-5 + 1e-4*|expected|.
/// </summary>
public sealed class NaiveReferenceVectorTests
{
    private const double AbsTolerance = 1e-5;
    private const double RelTolerance = 1e-4;

    // The document stays alive for the whole run so the JsonElements stay valid.
    private static readonly Lazy<JsonElement[]> Cases = new(LoadCases);

    private static JsonElement[] LoadCases()
    {
        string path = Path.Combine(AppContext.BaseDirectory, "Vectors", "pytorch_vectors.json");
        JsonDocument doc = JsonDocument.Parse(File.ReadAllText(path));
        return doc.RootElement.GetProperty("cases").EnumerateArray().ToArray();
    }

    /// <summary>One row per single-op case, shown as its index, op and scalar parameters.</summary>
    public static TheoryData<VectorCase> AllCases()
    {
        var data = new TheoryData<VectorCase>();
        JsonElement[] cases = Cases.Value;
        for (int i = 0; i < cases.Length; i++)
        {
            // Whole networks are run by ReferenceNetworkDagTests (their declarations live there).
            if (Str(cases[i], "op") != "network")
            {
                data.Add(new VectorCase(i, Describe(i, cases[i])));
            }
        }
        return data;
    }

    /// <summary>The cases that also carry their weights in Keras layout.</summary>
    public static TheoryData<VectorCase> KerasCases()
    {
        var data = new TheoryData<VectorCase>();
        JsonElement[] cases = Cases.Value;
        for (int i = 0; i < cases.Length; i++)
        {
            if (cases[i].TryGetProperty("keras_weight", out _))
            {
                data.Add(new VectorCase(i, Describe(i, cases[i])));
            }
        }
        return data;
    }

    /// <summary>
    /// A row of the vector theories. xunit truncates string arguments in test names to 50 characters but
    /// shows a serializable object's ToString() whole, so the full case description reaches the test name.
    /// </summary>
    public sealed class VectorCase : IXunitSerializable
    {
        public int Index { get; private set; }

        public string Name { get; private set; } = "";

        public VectorCase()
        {
        }

        public VectorCase(int index, string name)
        {
            Index = index;
            Name = name;
        }

        public void Deserialize(IXunitSerializationInfo info)
        {
            Index = info.GetValue<int>(nameof(Index));
            Name = info.GetValue<string>(nameof(Name));
        }

        public void Serialize(IXunitSerializationInfo info)
        {
            info.AddValue(nameof(Index), Index);
            info.AddValue(nameof(Name), Name);
        }

        public override string ToString() => Name;
    }

    [Fact]
    public void VectorFileIsComplete()
    {
        JsonElement[] cases = Cases.Value;
        // A truncated or regenerated-by-mistake file must not pass silently.
        Assert.True(cases.Length >= 100, $"only {cases.Length} cases in pytorch_vectors.json");
        string[] ops = cases.Select(c => Str(c, "op")).Distinct().ToArray();
        string[] required =
        [
            "conv2d", "conv1d", "max_pool2d", "max_pool1d", "avg_pool2d", "avg_pool1d", "linear",
            "global_avg_pool", "global_max_pool", "softmax", "activation",
            "conv_transpose2d", "pad2d", "pad_conv2d", "pad_conv1d", "channel_shuffle", "add", "concat",
        ];
        Assert.Empty(required.Except(ops));
        Assert.True(cases.Count(c => c.TryGetProperty("keras_weight", out _)) >= 4, "too few Keras-layout cases");
        Assert.True(cases.Count(c => Str(c, "op") == "conv_transpose2d") >= 20, "too few conv_transpose2d cases");
        foreach (string mode in new[] { "Reflect", "Replicate", "Circular" })
        {
            Assert.Contains(cases, c => Str(c, "op") == "pad_conv2d" && Str(c, "mode") == mode);
            Assert.Contains(cases, c => Str(c, "op") == "pad_conv1d" && Str(c, "mode") == mode);
        }
    }

    [Theory]
    [MemberData(nameof(AllCases))]
    public void MatchesPyTorch(VectorCase vectorCase)
    {
        JsonElement c = Cases.Value[vectorCase.Index];
        float[] input = Floats(c, "input");
        Assert.Equal(Shape(c, "input_shape").Aggregate(1, (a, b) => a * b), input.Length);

        (float[] actual, int[] shape) = Run(c, input);

        Assert.Equal(Shape(c, "expected_shape"), shape);
        AssertClose(vectorCase.Name, Floats(c, "expected"), actual);
    }

    [Theory]
    [MemberData(nameof(KerasCases))]
    public void KerasWeightsConvertToPyTorchLayout(VectorCase vectorCase)
    {
        JsonElement c = Cases.Value[vectorCase.Index];
        float[] keras = Floats(c, "keras_weight");
        float[] pytorch = Floats(c, "weight");
        int[] kerasShape = Shape(c, "keras_weight_shape");
        float[] converted = Str(c, "op") switch
        {
            // Keras shapes: conv2d [kh, kw, icg, oc], conv1d [k, icg, oc], dense [in, units].
            "conv2d" => NaiveReference.KerasConv2DToPyTorch(keras, kerasShape[3], kerasShape[2], kerasShape[0], kerasShape[1]),
            "conv1d" => NaiveReference.KerasConv1DToPyTorch(keras, kerasShape[2], kerasShape[1], kerasShape[0]),
            "linear" => NaiveReference.KerasDenseToPyTorch(keras, kerasShape[0], kerasShape[1]),
            // Keras Conv2DTranspose [kh, kw, out, in] -> PyTorch [in, out, kh, kw]: ReferenceNetwork's converter.
            "conv_transpose2d" => ReferenceNetwork.KerasConvTranspose2DToPyTorch(keras, kerasShape[3], kerasShape[2], kerasShape[0], kerasShape[1]),
            string op => throw new InvalidOperationException($"{vectorCase.Name}: no Keras converter for '{op}'"),
        };
        // A permutation must reproduce the PyTorch weights bit for bit.
        Assert.Equal(pytorch, converted);
    }

    [Fact]
    public void KerasDenseToPyTorchTransposes()
    {
        // Keras [in=2, units=3] = [[1,2,3],[4,5,6]] -> PyTorch [units=3, in=2] = [[1,4],[2,5],[3,6]].
        float[] keras = [1, 2, 3, 4, 5, 6];
        Assert.Equal(new float[] { 1, 4, 2, 5, 3, 6 }, NaiveReference.KerasDenseToPyTorch(keras, inputs: 2, units: 3));
    }

    [Fact]
    public void KerasConv2DToPyTorchPermutesEveryAxis()
    {
        // Encode each Keras index (ky, kx, i, o) as the value 1000*ky + 100*kx + 10*i + o, shapes all distinct.
        const int kh = 2, kw = 3, icg = 4, oc = 5;
        var keras = new float[kh * kw * icg * oc];
        for (int ky = 0; ky < kh; ky++)
            for (int kx = 0; kx < kw; kx++)
                for (int i = 0; i < icg; i++)
                    for (int o = 0; o < oc; o++)
                        keras[((ky * kw + kx) * icg + i) * oc + o] = 1000 * ky + 100 * kx + 10 * i + o;

        float[] pt = NaiveReference.KerasConv2DToPyTorch(keras, oc, icg, kh, kw);

        for (int o = 0; o < oc; o++)
            for (int i = 0; i < icg; i++)
                for (int ky = 0; ky < kh; ky++)
                    for (int kx = 0; kx < kw; kx++)
                        Assert.Equal(1000 * ky + 100 * kx + 10 * i + o, pt[((o * icg + i) * kh + ky) * kw + kx]);
    }

    [Fact]
    public void KerasConv1DToPyTorchPermutesEveryAxis()
    {
        const int k = 3, icg = 2, oc = 4;
        var keras = new float[k * icg * oc];
        for (int kx = 0; kx < k; kx++)
            for (int i = 0; i < icg; i++)
                for (int o = 0; o < oc; o++)
                    keras[(kx * icg + i) * oc + o] = 100 * kx + 10 * i + o;

        float[] pt = NaiveReference.KerasConv1DToPyTorch(keras, oc, icg, k);

        for (int o = 0; o < oc; o++)
            for (int i = 0; i < icg; i++)
                for (int kx = 0; kx < k; kx++)
                    Assert.Equal(100 * kx + 10 * i + o, pt[(o * icg + i) * k + kx]);
    }

    [Fact]
    public void ChannelsLastRoundTrips()
    {
        // (C=2, S=3) = [[0,1,2],[10,11,12]] -> (S=3, C=2) = [[0,10],[1,11],[2,12]].
        float[] chw = [0, 1, 2, 10, 11, 12];
        float[] hwc = NaiveReference.ToChannelsLast(chw, c: 2, spatial: 3);
        Assert.Equal(new float[] { 0, 10, 1, 11, 2, 12 }, hwc);
        Assert.Equal(chw, NaiveReference.ToChannelsFirst(hwc, c: 2, spatial: 3));
    }

    [Theory]
    [InlineData(5, 3, 1, 1, 1, 1)]
    [InlineData(6, 2, 1, 1, 0, 1)] // even kernel: the odd element goes to the end
    [InlineData(7, 3, 2, 1, 1, 1)]
    [InlineData(8, 3, 2, 1, 0, 1)]
    [InlineData(8, 1, 2, 1, 0, 0)]
    [InlineData(9, 3, 1, 2, 2, 2)]
    [InlineData(3, 3, 3, 1, 0, 0)]
    [InlineData(2, 5, 1, 1, 2, 2)]
    public void SamePadsFollowSameUpper(int input, int kernel, int stride, int dilation, int begin, int end)
    {
        Assert.Equal((begin, end), NaiveReference.SamePads(input, kernel, stride, dilation));
        // SAME means ceil(in / stride) outputs.
        Assert.Equal((input + stride - 1) / stride, NaiveReference.OutputSize(input, kernel, stride, dilation, begin, end));
    }

    [Fact]
    public void SoftmaxIsNotElementWise()
    {
        Assert.Throws<ArgumentException>(() => NaiveReference.Activate(1f, Activation.Softmax, 0f));
    }

    // ------------------------------------------------------------------ dispatch

    private static (float[] Output, int[] Shape) Run(JsonElement c, float[] x)
    {
        string op = Str(c, "op");
        switch (op)
        {
            case "conv2d":
            {
                int ch = Int(c, "c"), h = Int(c, "h"), w = Int(c, "w"), oc = Int(c, "oc"), kh = Int(c, "kh"), kw = Int(c, "kw");
                int sh = Int(c, "sh"), sw = Int(c, "sw"), dh = Int(c, "dh"), dw = Int(c, "dw");
                int pt = Int(c, "pad_top"), pl = Int(c, "pad_left"), pb = Int(c, "pad_bottom"), pr = Int(c, "pad_right");
                if (Bool(c, "same"))
                {
                    Assert.Equal((pt, pb), NaiveReference.SamePads(h, kh, sh, dh));
                    Assert.Equal((pl, pr), NaiveReference.SamePads(w, kw, sw, dw));
                }
                float[] y = NaiveReference.Conv2D(x, ch, h, w, Floats(c, "weight"), OptionalFloats(c, "bias"), oc, kh, kw,
                    sh, sw, dh, dw, pt, pl, pb, pr, Int(c, "groups"), out int oh, out int ow);
                return (y, [oc, oh, ow]);
            }
            case "conv1d":
            {
                int l = Int(c, "l"), oc = Int(c, "oc"), k = Int(c, "k"), s = Int(c, "s"), d = Int(c, "d");
                int pl = Int(c, "pad_left"), pr = Int(c, "pad_right");
                if (Bool(c, "same"))
                {
                    Assert.Equal((pl, pr), NaiveReference.SamePads(l, k, s, d));
                }
                float[] y = NaiveReference.Conv1D(x, Int(c, "c"), l, Floats(c, "weight"), OptionalFloats(c, "bias"), oc, k,
                    s, d, pl, pr, Int(c, "groups"), out int ol);
                return (y, [oc, ol]);
            }
            case "max_pool2d":
            {
                int ch = Int(c, "c"), h = Int(c, "h"), w = Int(c, "w"), kh = Int(c, "kh"), kw = Int(c, "kw");
                int sh = Int(c, "sh"), sw = Int(c, "sw"), dh = Int(c, "dh"), dw = Int(c, "dw");
                int pt = Int(c, "pad_top"), pl = Int(c, "pad_left"), pb = Int(c, "pad_bottom"), pr = Int(c, "pad_right");
                if (Bool(c, "same"))
                {
                    Assert.Equal((pt, pb), NaiveReference.SamePads(h, kh, sh, dh));
                    Assert.Equal((pl, pr), NaiveReference.SamePads(w, kw, sw, dw));
                }
                float[] y = NaiveReference.MaxPool2D(x, ch, h, w, kh, kw, sh, sw, dh, dw, pt, pl, pb, pr,
                    Bool(c, "ceil_mode"), out int oh, out int ow);
                return (y, [ch, oh, ow]);
            }
            case "max_pool1d":
            {
                int ch = Int(c, "c"), l = Int(c, "l"), k = Int(c, "k"), s = Int(c, "s"), d = Int(c, "d");
                int pl = Int(c, "pad_left"), pr = Int(c, "pad_right");
                if (Bool(c, "same"))
                {
                    Assert.Equal((pl, pr), NaiveReference.SamePads(l, k, s, d));
                }
                float[] y = NaiveReference.MaxPool1D(x, ch, l, k, s, d, pl, pr, Bool(c, "ceil_mode"), out int ol);
                return (y, [ch, ol]);
            }
            case "avg_pool2d":
            {
                int ch = Int(c, "c"), h = Int(c, "h"), w = Int(c, "w"), kh = Int(c, "kh"), kw = Int(c, "kw");
                int sh = Int(c, "sh"), sw = Int(c, "sw");
                int pt = Int(c, "pad_top"), pl = Int(c, "pad_left"), pb = Int(c, "pad_bottom"), pr = Int(c, "pad_right");
                if (Bool(c, "same"))
                {
                    Assert.Equal((pt, pb), NaiveReference.SamePads(h, kh, sh, 1));
                    Assert.Equal((pl, pr), NaiveReference.SamePads(w, kw, sw, 1));
                }
                float[] y = NaiveReference.AvgPool2D(x, ch, h, w, kh, kw, sh, sw, pt, pl, pb, pr,
                    Bool(c, "ceil_mode"), Bool(c, "count_include_pad"), out int oh, out int ow);
                return (y, [ch, oh, ow]);
            }
            case "avg_pool1d":
            {
                int ch = Int(c, "c"), l = Int(c, "l"), k = Int(c, "k"), s = Int(c, "s");
                int pl = Int(c, "pad_left"), pr = Int(c, "pad_right");
                if (Bool(c, "same"))
                {
                    Assert.Equal((pl, pr), NaiveReference.SamePads(l, k, s, 1));
                }
                float[] y = NaiveReference.AvgPool1D(x, ch, l, k, s, pl, pr, Bool(c, "ceil_mode"), Bool(c, "count_include_pad"), out int ol);
                return (y, [ch, ol]);
            }
            case "linear":
            {
                int units = Int(c, "units");
                Assert.Equal(Int(c, "inputs"), x.Length);
                return (NaiveReference.Dense(x, Floats(c, "weight"), OptionalFloats(c, "bias"), units), [units]);
            }
            case "global_avg_pool":
            {
                int ch = Int(c, "c");
                return (NaiveReference.GlobalAvgPool(x, ch, Int(c, "spatial")), [ch]);
            }
            case "global_max_pool":
            {
                int ch = Int(c, "c");
                return (NaiveReference.GlobalMaxPool(x, ch, Int(c, "spatial")), [ch]);
            }
            case "softmax":
                return (NaiveReference.Softmax(x, Int(c, "c"), Int(c, "spatial")), Shape(c, "input_shape"));
            case "activation":
            {
                var kind = Enum.Parse<Activation>(Str(c, "kind"));
                return (NaiveReference.Activate(x, kind, (float)c.GetProperty("alpha").GetDouble()), [x.Length]);
            }
            case "conv_transpose2d":
            {
                int ch = Int(c, "c"), h = Int(c, "h"), w = Int(c, "w"), oc = Int(c, "oc"), kh = Int(c, "kh"), kw = Int(c, "kw");
                float[] y = NaiveReference.ConvTranspose2D(x, ch, h, w, Floats(c, "weight"), OptionalFloats(c, "bias"), oc, kh, kw,
                    Int(c, "sh"), Int(c, "sw"), Int(c, "dh"), Int(c, "dw"),
                    Int(c, "pad_top"), Int(c, "pad_left"), Int(c, "pad_bottom"), Int(c, "pad_right"),
                    Int(c, "out_pad_h"), Int(c, "out_pad_w"), Int(c, "groups"), out int oh, out int ow);
                return (y, [oc, oh, ow]);
            }
            case "pad2d":
            {
                int ch = Int(c, "c");
                float[] y = NaiveReference.Pad2D(x, ch, Int(c, "h"), Int(c, "w"),
                    Int(c, "pad_top"), Int(c, "pad_left"), Int(c, "pad_bottom"), Int(c, "pad_right"),
                    Enum.Parse<PaddingMode>(Str(c, "mode")), out int oh, out int ow);
                return (y, [ch, oh, ow]);
            }
            case "pad_conv2d":
            {
                // padding_mode: pad with the mode, then convolve with zero pads.
                int ch = Int(c, "c"), h = Int(c, "h"), w = Int(c, "w"), oc = Int(c, "oc"), kh = Int(c, "kh"), kw = Int(c, "kw");
                int sh = Int(c, "sh"), sw = Int(c, "sw"), dh = Int(c, "dh"), dw = Int(c, "dw");
                int pt = Int(c, "pad_top"), pl = Int(c, "pad_left"), pb = Int(c, "pad_bottom"), pr = Int(c, "pad_right");
                if (Bool(c, "same"))
                {
                    Assert.Equal((pt, pb), NaiveReference.SamePads(h, kh, sh, dh));
                    Assert.Equal((pl, pr), NaiveReference.SamePads(w, kw, sw, dw));
                }
                float[] padded = NaiveReference.Pad2D(x, ch, h, w, pt, pl, pb, pr, Enum.Parse<PaddingMode>(Str(c, "mode")), out int ph, out int pw);
                float[] y = NaiveReference.Conv2D(padded, ch, ph, pw, Floats(c, "weight"), OptionalFloats(c, "bias"), oc, kh, kw,
                    sh, sw, dh, dw, 0, 0, 0, 0, Int(c, "groups"), out int oh, out int ow);
                return (y, [oc, oh, ow]);
            }
            case "pad_conv1d":
            {
                int ch = Int(c, "c"), l = Int(c, "l"), oc = Int(c, "oc"), k = Int(c, "k"), s = Int(c, "s"), d = Int(c, "d");
                int pl = Int(c, "pad_left"), pr = Int(c, "pad_right");
                if (Bool(c, "same"))
                {
                    Assert.Equal((pl, pr), NaiveReference.SamePads(l, k, s, d));
                }
                // 1-D is h = 1 with no top/bottom pads.
                float[] padded = NaiveReference.Pad2D(x, ch, 1, l, 0, pl, 0, pr, Enum.Parse<PaddingMode>(Str(c, "mode")), out int ph, out int pw);
                Assert.Equal(1, ph);
                float[] y = NaiveReference.Conv1D(padded, ch, pw, Floats(c, "weight"), OptionalFloats(c, "bias"), oc, k,
                    s, d, 0, 0, Int(c, "groups"), out int ol);
                return (y, [oc, ol]);
            }
            case "channel_shuffle":
                return (NaiveReference.ChannelShuffle(x, Int(c, "c"), Int(c, "spatial"), Int(c, "groups")), Shape(c, "input_shape"));
            case "add":
            {
                float[][] inputs = [x, .. Others(c)];
                Assert.Equal(Int(c, "n"), inputs.Length);
                return (NaiveReference.Add(inputs), Shape(c, "input_shape"));
            }
            case "concat":
            {
                float[][] inputs = [x, .. Others(c)];
                Assert.Equal(Int(c, "n"), inputs.Length);
                int[] shape = Shape(c, "input_shape");
                shape[0] = Shape(c, "expected_shape")[0]; // channels (or the vector length) add up
                return (NaiveReference.Concat(inputs), shape);
            }
            default:
                throw new InvalidOperationException($"Unknown op '{op}' in pytorch_vectors.json");
        }
    }

    // ------------------------------------------------------------------ helpers

    private static void AssertClose(string name, float[] expected, float[] actual)
    {
        Assert.Equal(expected.Length, actual.Length);
        int bad = 0;
        string? first = null;
        for (int i = 0; i < expected.Length; i++)
        {
            double e = expected[i], a = actual[i];
            // Written as !(<=) so a NaN result counts as a mismatch.
            if (!(Math.Abs(a - e) <= AbsTolerance + RelTolerance * Math.Abs(e)))
            {
                bad++;
                first ??= string.Create(CultureInfo.InvariantCulture, $"[{i}] expected {e:R}, got {a:R}");
            }
        }
        Assert.True(bad == 0, $"{name}: {bad} of {expected.Length} values differ; first {first}");
    }

    private static string Describe(int index, JsonElement c)
    {
        var sb = new StringBuilder();
        sb.Append(CultureInfo.InvariantCulture, $"#{index:D3} {Str(c, "op")}");
        foreach (JsonProperty p in c.EnumerateObject())
        {
            switch (p.Value.ValueKind)
            {
                case JsonValueKind.Number:
                    sb.Append(CultureInfo.InvariantCulture, $" {p.Name}={p.Value.GetRawText()}");
                    break;
                case JsonValueKind.True:
                case JsonValueKind.False:
                    sb.Append(CultureInfo.InvariantCulture, $" {p.Name}={(p.Value.GetBoolean() ? "1" : "0")}");
                    break;
                case JsonValueKind.String when p.Name != "op":
                    sb.Append(CultureInfo.InvariantCulture, $" {p.Name}={p.Value.GetString()}");
                    break;
                default:
                    break; // arrays and nulls (tensors) are not part of the name
            }
        }
        if (c.TryGetProperty("keras_weight", out _))
        {
            sb.Append(" keras");
        }
        return sb.ToString();
    }

    private static int Int(JsonElement c, string name) => c.GetProperty(name).GetInt32();

    private static bool Bool(JsonElement c, string name) => c.GetProperty(name).GetBoolean();

    private static string Str(JsonElement c, string name) =>
        c.GetProperty(name).GetString() ?? throw new InvalidOperationException($"'{name}' is null");

    private static int[] Shape(JsonElement c, string name) =>
        c.GetProperty(name).EnumerateArray().Select(e => e.GetInt32()).ToArray();

    // Parsed as double, then rounded to float: the same two steps numpy took when the script built its float32 tensors.
    private static float[] Floats(JsonElement c, string name) =>
        c.GetProperty(name).EnumerateArray().Select(e => (float)e.GetDouble()).ToArray();

    private static float[][] Others(JsonElement c) =>
        c.GetProperty("others").EnumerateArray().Select(t => t.EnumerateArray().Select(e => (float)e.GetDouble()).ToArray()).ToArray();

    private static float[]? OptionalFloats(JsonElement c, string name) =>
        c.TryGetProperty(name, out JsonElement v) && v.ValueKind != JsonValueKind.Null ? Floats(c, name) : null;
}
