using System;
using System.Linq;
using System.Text;
using System.Text.Json;
using ConvGen.Generators.Weights;
using Xunit;

namespace ConvGen.Tests.Weights;

/// <summary>
/// The reader on well-formed files, through the build step's encoder as in a build: the committed fixtures
/// (made by PyTorch/NumPy, see make_fixtures.py), the trained Digits file, and files written by
/// <see cref="SafetensorsWriter"/>. Expected values come from the fixtures' JSON or from System.Text.Json
/// and BitConverter, never from the reader itself.
/// </summary>
public class SafetensorsReaderTests
{
    private static Encoded Read(byte[] bytes, string name = "test.safetensors") => Encoded.Read(bytes, name);

    private static uint Bits(float value) => BitConverter.SingleToUInt32Bits(value);

    [Theory]
    [InlineData("f32")]
    [InlineData("f16")]
    [InlineData("bf16")]
    public void Every_dtype_fixture_widens_to_exactly_the_expected_float32_bits(string tensor)
    {
        using var expected = JsonDocument.Parse(Fixtures.WeightsText("dtypes.expected.json"));
        JsonElement entry = expected.RootElement.GetProperty(tensor);
        uint[] bits = entry.GetProperty("bits").EnumerateArray().Select(b => b.GetUInt32()).ToArray();

        Encoded file = Read(Fixtures.Weights("dtypes.safetensors"), "dtypes.safetensors");

        Assert.Null(file.Error);
        Tensor read = Assert.Single(file.Tensors, t => t.Name == tensor);
        Assert.Equal(entry.GetProperty("dtype").GetString(), read.DType);
        Assert.Equal(new long[] { 12 }, read.Shape.ToArray());
        Assert.True(read.IsFloat);
        // Bit for bit, so -0, subnormals and max are checked exactly, not within a tolerance.
        string[] probes = expected.RootElement.GetProperty("probes").EnumerateArray().Select(p => p.GetString()!).ToArray();
        float[] values = file.Values(tensor);
        for (int i = 0; i < bits.Length; i++)
            Assert.True(bits[i] == Bits(values[i]), $"{tensor} probe '{probes[i]}': expected 0x{bits[i]:X8}, read 0x{Bits(values[i]):X8} ({values[i]})");
    }

    [Fact]
    public void The_dtype_fixture_lists_its_tensors_and_skips_the_metadata()
    {
        Encoded file = Read(Fixtures.Weights("dtypes.safetensors"), "dtypes.safetensors");

        Assert.Null(file.Error);
        Assert.Equal(new[] { "bf16", "f16", "f32" }, file.Tensors.Select(t => t.Name).Order(StringComparer.Ordinal));
        Assert.Equal("dtypes.safetensors", file.File.FileName);
        Assert.Equal("/models/dtypes.safetensors", file.File.Path);
        Assert.False(file.File.Raw);
    }

    [Fact]
    public void Half_edge_cases_widen_exactly()
    {
        // Every one of the 65,536 halves against .NET's own conversion (exact: every half is a float).
        for (int raw = 0; raw <= ushort.MaxValue; raw++)
        {
            float expected = (float)BitConverter.UInt16BitsToHalf((ushort)raw);
            float actual = SafetensorsReader.HalfToFloat((ushort)raw);
            if (float.IsNaN(expected))
                Assert.True(float.IsNaN(actual), $"0x{raw:X4} should be NaN, is {actual}");
            else
                Assert.True(Bits(expected) == Bits(actual), $"0x{raw:X4}: expected 0x{Bits(expected):X8}, got 0x{Bits(actual):X8}");
        }
    }

    [Fact]
    public void Tiny_reads_as_written()
    {
        Encoded file = Read(Fixtures.Weights("tiny.safetensors"), "tiny.safetensors");

        Assert.Null(file.Error);
        Assert.Equal(2, file.Tensors.Count);
        Tensor w = file.Find("w")!, b = file.Find("b")!;
        Assert.Equal("F32", w.DType);
        Assert.Equal(new long[] { 2, 3 }, w.Shape.ToArray());
        Assert.Equal("[2, 3]", w.ShapeText);
        Assert.Equal(new float[] { 0, 1, 2, 3, 4, 5 }, file.Values("w"));
        Assert.Equal(new long[] { 2 }, b.Shape.ToArray());
        Assert.Equal(new[] { 0.5f, -0.5f }, file.Values("b"));
        Assert.Null(file.Find("c"));
    }

    [Fact]
    public void Nonfinite_values_are_read_as_they_are()
    {
        // Rejecting them is the binder's job (CG0016), and only for tensors a network uses.
        Encoded file = Read(Fixtures.Weights("nonfinite.safetensors"), "nonfinite.safetensors");

        Assert.Null(file.Error);
        float[] bad = file.Values("bad");
        Assert.Equal(1f, bad[0]);
        Assert.True(float.IsNaN(bad[1]));
        Assert.Equal(3f, bad[2]);
        Assert.Equal(new[] { float.PositiveInfinity }, file.Values("inf16"));
        Assert.Equal("F16", file.Find("inf16")!.DType);
    }

    [Fact]
    public void The_digits_file_reads_every_tensor_as_an_independent_parse_of_it_says()
    {
        byte[] bytes = Fixtures.Digits();
        Encoded file = Read(bytes, "digits.safetensors");
        Assert.Null(file.Error);

        // Independent oracle: System.Text.Json for the header, BitConverter for the data.
        long headerLength = BitConverter.ToInt64(bytes, 0);
        Assert.Equal(752, headerLength);
        using var header = JsonDocument.Parse(Encoding.UTF8.GetString(bytes, 8, (int)headerLength));
        var entries = header.RootElement.EnumerateObject().Where(p => p.Name != "__metadata__").ToList();
        Assert.Equal(10, entries.Count);
        Assert.Equal(entries.Select(e => e.Name).Order(StringComparer.Ordinal), file.Tensors.Select(t => t.Name).Order(StringComparer.Ordinal));
        foreach (var entry in entries)
        {
            Tensor tensor = file.Find(entry.Name)!;
            string dtype = entry.Value.GetProperty("dtype").GetString()!;
            long[] shape = entry.Value.GetProperty("shape").EnumerateArray().Select(d => d.GetInt64()).ToArray();
            long begin = entry.Value.GetProperty("data_offsets")[0].GetInt64();
            Assert.Equal(dtype, tensor.DType);
            Assert.Equal(shape, tensor.Shape.ToArray());
            if (dtype != "F32")
                continue;
            long count = shape.Aggregate(1L, (p, d) => p * d);
            float[] values = file.Values(entry.Name);
            Assert.Equal(count, values.Length);
            for (int i = 0; i < count; i++)
                Assert.Equal(Bits(BitConverter.ToSingle(bytes, (int)(8 + headerLength + begin + 4 * i))), Bits(values[i]));
        }
        Assert.Equal("[16, 1, 3, 3]", file.Find("conv1.weight")!.ShapeText);
        Assert.Equal("[]", file.Find("bn1.num_batches_tracked")!.ShapeText);
    }

    [Fact]
    public void Tensors_of_other_dtypes_are_listed_without_values()
    {
        // The Digits file's own I64 scalar, bn1.num_batches_tracked (= 1380).
        Encoded digits = Read(Fixtures.Digits());
        Tensor tracked = digits.Find("bn1.num_batches_tracked")!;
        Assert.Equal("I64", tracked.DType);
        Assert.Empty(tracked.Shape);
        Assert.False(tracked.IsFloat);
        Assert.Empty(digits.Values("bn1.num_batches_tracked"));

        string[] dtypes = { "I64", "I32", "I16", "I8", "U64", "U32", "U16", "U8", "BOOL", "F8_E4M3", "F8_E5M2" };
        int[] sizes = { 8, 4, 2, 1, 8, 4, 2, 1, 1, 1, 1 };
        var writer = new SafetensorsWriter().Add("f", "F32", new long[] { 2 }, 1f, 2f);
        for (int i = 0; i < dtypes.Length; i++)
            writer.AddRaw("t" + i, dtypes[i], new long[] { 3 }, Enumerable.Repeat((byte)0x7F, 3 * sizes[i]).ToArray());

        Encoded file = Read(writer.ToBytes());

        Assert.Null(file.Error);
        Assert.Equal(dtypes.Length + 1, file.Tensors.Count);
        for (int i = 0; i < dtypes.Length; i++)
        {
            Tensor tensor = file.Find("t" + i)!;
            Assert.Equal(dtypes[i], tensor.DType);
            Assert.Equal(new long[] { 3 }, tensor.Shape.ToArray());
            Assert.False(tensor.IsFloat);
            Assert.Empty(file.Values("t" + i));
        }
        Assert.Equal(new[] { 1f, 2f }, file.Values("f"));
    }

    [Theory]
    [InlineData("F32")]
    [InlineData("F16")]
    [InlineData("BF16")]
    [InlineData("F64")]
    public void Written_float_tensors_read_back_as_the_writer_widens_them(string dtype)
    {
        var random = new Random(7);
        float[] values = Enumerable.Range(0, 37).Select(_ => (float)(random.NextDouble() * 8 - 4)).Append(0f).Append(-0f).Append(1e-6f).ToArray();
        byte[] bytes = new SafetensorsWriter()
            .Add("a.weight", dtype, new long[] { 2, 4 }, values.Take(8).ToArray())
            .Add("a.bias", dtype, new long[] { values.Length - 8 }, values.Skip(8).ToArray())
            .Metadata("format", "pt")
            .ToBytes();

        Encoded file = Read(bytes);

        Assert.Null(file.Error);
        Assert.Equal(values.Take(8).Select(v => Bits(SafetensorsWriter.Widen(dtype, v))), file.Values("a.weight").Select(Bits));
        Assert.Equal(values.Skip(8).Select(v => Bits(SafetensorsWriter.Widen(dtype, v))), file.Values("a.bias").Select(Bits));
    }

    [Fact]
    public void F64_values_round_to_the_nearest_float()
    {
        byte[] bytes = new SafetensorsWriter().AddDoubles("d", new long[] { 4 }, 0.1, 1.0 / 3, -1e-300, 1e300).ToBytes();

        float[] values = Read(bytes).Values("d");

        Assert.Equal(new[] { 0.1f, 1f / 3, -0f, float.PositiveInfinity }.Select(Bits), values.Select(Bits));
    }

    [Fact]
    public void Edge_cases_the_format_allows_are_read()
    {
        // A scalar, a zero-size tensor (no bytes), gaps between tensors, escapes in names, an empty header object.
        string header = """
            {"s":{"dtype":"F32","shape":[],"data_offsets":[0,4]},
             "z":{"dtype":"F16","shape":[0,5],"data_offsets":[4,4]},
             "gap\u002Eafter":{"dtype":"BF16","shape":[1],"data_offsets":[8,10]},
             "__metadata__":{"format":"pt"}}
            """;
        byte[] data = BitConverter.GetBytes(2.5f).Concat(new byte[4]).Concat(new byte[] { 0x80, 0x3F }).ToArray();

        Encoded file = Read(SafetensorsWriter.Raw(header, data));

        Assert.Null(file.Error);
        Assert.Equal(new[] { 2.5f }, file.Values("s"));
        Assert.Empty(file.Find("s")!.Shape);
        Assert.Empty(file.Values("z"));
        Assert.Equal(new[] { 1f }, file.Values("gap.after"));

        Encoded empty = Read(SafetensorsWriter.Raw("{}"));
        Assert.Null(empty.Error);
        Assert.Empty(empty.Tensors);
    }
}
