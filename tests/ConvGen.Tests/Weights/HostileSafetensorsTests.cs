using System;
using System.Collections.Generic;
using System.Linq;
using System.Text;
using ConvGen.Generators.Weights;
using Xunit;

namespace ConvGen.Tests.Weights;

/// <summary>
/// Corrupt and crafted files: each is an error message that says what is wrong, never an exception,
/// a hang or a huge allocation.
/// </summary>
public class HostileSafetensorsTests
{
    private static readonly byte[] Eight = new byte[8];

    private static string Entry(string name, string dtype, string shape, string offsets)
        => $"\"{name}\":{{\"dtype\":\"{dtype}\",\"shape\":{shape},\"data_offsets\":{offsets}}}";

    /// <summary>A header of one F32 [2] tensor "w" with the given fields, over 8 bytes of data.</summary>
    private static byte[] One(string dtype = "F32", string shape = "[2]", string offsets = "[0,8]", byte[]? data = null)
        => SafetensorsWriter.Raw("{" + Entry("w", dtype, shape, offsets) + "}", data ?? Eight);

    public static IEnumerable<object[]> Cases()
    {
        object[] Case(string what, byte[] bytes, string message) => new object[] { what, bytes, message };

        yield return Case("empty file", Array.Empty<byte>(), "it is 0 bytes long, too short for the 8-byte header length");
        yield return Case("5 bytes", new byte[] { 1, 0, 0, 0, 0 }, "it is 5 bytes long, too short for the 8-byte header length");
        yield return Case("7 bytes", new byte[7], "it is 7 bytes long, too short for the 8-byte header length");
        yield return Case("header length beyond the file", SafetensorsWriter.Raw("{}", null, headerLength: 100),
            "its header length (100 bytes) runs past the end of the file (10 bytes)");
        yield return Case("header length one past the file", SafetensorsWriter.Raw("{}", null, headerLength: 3),
            "its header length (3 bytes) runs past the end of the file (10 bytes)");
        yield return Case("header length over 100 MB", SafetensorsWriter.Raw("{}", null, headerLength: 100_000_001),
            "its header length (100,000,001 bytes) is more than the 100,000,000 the format allows");
        yield return Case("header length 0xFFFFFFFFFFFFFFFF", SafetensorsWriter.Raw("{}", null, headerLength: ulong.MaxValue),
            "its header length (18,446,744,073,709,551,615 bytes) is more than the 100,000,000 the format allows");
        yield return Case("header length 2^63 (negative as a long)", SafetensorsWriter.Raw("{}", null, headerLength: 1UL << 63),
            "its header length (9,223,372,036,854,775,808 bytes) is more than the 100,000,000 the format allows");
        yield return Case("zero header length", SafetensorsWriter.Raw(""), "its header is not valid JSON: unexpected end at character 0");
        yield return Case("header not UTF-8", SafetensorsWriter.Raw(new byte[] { (byte)'{', 0xFF, 0xFE, (byte)'}' }), "its header is not UTF-8");
        yield return Case("header with a lone continuation byte", SafetensorsWriter.Raw(new byte[] { (byte)'{', (byte)'"', 0x80, (byte)'"', (byte)':', (byte)'1', (byte)'}' }),
            "its header is not UTF-8");
        yield return Case("bad JSON: cut short", SafetensorsWriter.Raw("{\"w\":"), "its header is not valid JSON: unexpected end at character 5");
        yield return Case("bad JSON: no colon", SafetensorsWriter.Raw("{\"w\" 1}"), "its header is not valid JSON: expected ':' at character 5");
        yield return Case("bad JSON: trailing text", SafetensorsWriter.Raw("{} {}"), "its header is not valid JSON: text after the JSON value at character 3");
        yield return Case("bad JSON: unquoted key", SafetensorsWriter.Raw("{w:1}"), "its header is not valid JSON: expected a key at character 1");
        yield return Case("bad JSON: bad literal", SafetensorsWriter.Raw("{\"w\":nul}"), "its header is not valid JSON: unexpected token at character 5");
        yield return Case("bad JSON: unterminated string", SafetensorsWriter.Raw("{\"w"), "its header is not valid JSON: unterminated string at character 3");
        yield return Case("bad JSON: bad escape", SafetensorsWriter.Raw("{\"\\q\":1}"), "its header is not valid JSON: bad escape at character 4");
        yield return Case("bad JSON: bad \\u escape", SafetensorsWriter.Raw("{\"\\u12\"}"), "its header is not valid JSON: bad \\u escape at character 4");
        yield return Case("bad JSON: control character", SafetensorsWriter.Raw("{\"a\nb\":1}"), "its header is not valid JSON: control character in string at character 4");
        yield return Case("bad JSON: not a number", SafetensorsWriter.Raw("{\"w\":-}"), "its header is not valid JSON: expected a value at character 6");
        yield return Case("JSON not an object: array", SafetensorsWriter.Raw("[1,2]"), "its header is not a JSON object");
        yield return Case("JSON not an object: string", SafetensorsWriter.Raw("\"w\""), "its header is not a JSON object");
        yield return Case("JSON not an object: null", SafetensorsWriter.Raw("null"), "its header is not a JSON object");
        yield return Case("entry not an object", SafetensorsWriter.Raw("{\"w\":[1]}", Eight), "tensor 'w' is not described by a JSON object");
        yield return Case("dtype missing", SafetensorsWriter.Raw("{\"w\":{\"shape\":[2],\"data_offsets\":[0,8]}}", Eight), "tensor 'w' has no dtype");
        yield return Case("dtype not a string", SafetensorsWriter.Raw("{\"w\":{\"dtype\":32,\"shape\":[2],\"data_offsets\":[0,8]}}", Eight), "tensor 'w' has no dtype");
        yield return Case("shape missing", SafetensorsWriter.Raw("{\"w\":{\"dtype\":\"F32\",\"data_offsets\":[0,8]}}", Eight), "tensor 'w' has no shape array");
        yield return Case("shape not an array", One(shape: "2"), "tensor 'w' has no shape array");
        yield return Case("data_offsets missing", SafetensorsWriter.Raw("{\"w\":{\"dtype\":\"F32\",\"shape\":[2]}}", Eight), "tensor 'w' has no data_offsets array");
        yield return Case("unknown dtype", One(dtype: "F12"), "tensor 'w' has the unknown dtype 'F12'");
        yield return Case("dtype in lower case", One(dtype: "f32"), "tensor 'w' has the unknown dtype 'f32'");
        yield return Case("negative shape", One(shape: "[-2]"), "tensor 'w' has a shape entry that is not a non-negative integer");
        yield return Case("fractional shape", One(shape: "[1.5]"), "tensor 'w' has a shape entry that is not a non-negative integer");
        yield return Case("string in shape", One(shape: "[\"2\"]"), "tensor 'w' has a shape entry that is not a non-negative integer");
        yield return Case("shape beyond 2^53", One(shape: "[1e300]"), "tensor 'w' has a shape entry that is not a non-negative integer");
        yield return Case("shape of 17 dimensions", One(shape: "[" + string.Join(",", Enumerable.Repeat("1", 17)) + "]"), "tensor 'w' has 17 entries in shape");
        yield return Case("absurd shape", One(shape: "[1e9,1e9]"), "tensor 'w' has the absurd shape [1000000000, 1000000000]");
        yield return Case("absurd shape of many dimensions", One(shape: "[65536,65536,65536,65536]"), "tensor 'w' has the absurd shape [65536, 65536, 65536, 65536]");
        yield return Case("negative offset", One(offsets: "[-8,0]"), "tensor 'w' has a data_offsets entry that is not a non-negative integer");
        yield return Case("one offset", One(offsets: "[8]"), "tensor 'w' needs data_offsets [begin, end]");
        yield return Case("three offsets", One(offsets: "[0,4,8]"), "tensor 'w' needs data_offsets [begin, end]");
        yield return Case("offsets beyond the data", One(offsets: "[0,100]"), "tensor 'w' has data_offsets [0, 100] outside the 8 bytes of data");
        yield return Case("offsets far beyond the data", One(offsets: "[9007199254740984,9007199254740992]"),
            "tensor 'w' has data_offsets [9007199254740984, 9007199254740992] outside the 8 bytes of data");
        yield return Case("begin after end", One(offsets: "[8,0]"), "tensor 'w' has data_offsets [8, 0] outside the 8 bytes of data");
        yield return Case("byte count too small for the shape", One(offsets: "[0,4]"), "tensor 'w' is F32 of shape [2], which is 8 bytes, but its data_offsets span 4");
        yield return Case("byte count too large for the shape", One(dtype: "F16"), "tensor 'w' is F16 of shape [2], which is 4 bytes, but its data_offsets span 8");
        yield return Case("byte count of a non-float dtype", One(dtype: "I64"), "tensor 'w' is I64 of shape [2], which is 16 bytes, but its data_offsets span 8");
        yield return Case("overlapping tensors",
            SafetensorsWriter.Raw("{" + Entry("a", "F32", "[2]", "[0,8]") + "," + Entry("b", "F32", "[2]", "[4,12]") + "}", new byte[12]),
            "tensors 'a' and 'b' overlap");
        yield return Case("the same bytes twice",
            SafetensorsWriter.Raw("{" + Entry("b", "F32", "[2]", "[0,8]") + "," + Entry("a", "F16", "[4]", "[0,8]") + "}", Eight),
            "tensors 'a' and 'b' overlap");
        yield return Case("deeply nested JSON", SafetensorsWriter.Raw(new string('[', 10_000)), "its header is not valid JSON: nesting too deep at character 33");
        yield return Case("deeply nested JSON inside a tensor", SafetensorsWriter.Raw("{\"w\":{\"shape\":" + new string('[', 10_000) + new string(']', 10_000) + "}}"),
            "its header is not valid JSON: nesting too deep at character 45");
        yield return Case("duplicate tensor names",
            SafetensorsWriter.Raw("{" + Entry("w", "F32", "[1]", "[0,4]") + "," + Entry("w", "F32", "[1]", "[4,8]") + "}", Eight),
            "its header is not valid JSON: duplicate key 'w' at character 57");
        yield return Case("duplicate fields", SafetensorsWriter.Raw("{\"w\":{\"dtype\":\"F32\",\"dtype\":\"F16\"}}", Eight),
            "its header is not valid JSON: duplicate key 'dtype' at character 27");
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void A_hostile_file_is_a_clear_error(string what, byte[] bytes, string message)
    {
        WeightsFile file = SafetensorsReader.Read("hostile.safetensors", "/p/hostile.safetensors", bytes);

        Assert.True(file.Error is not null, $"{what}: no error");
        Assert.Equal(message, file.Error);
        Assert.Empty(file.Tensors);
    }

    [Fact]
    public void The_error_positions_in_the_cases_are_where_the_text_goes_wrong()
    {
        // Check the hand-computed positions above against the header text itself.
        string duplicate = "{" + Entry("w", "F32", "[1]", "[0,4]") + "," + Entry("w", "F32", "[1]", "[4,8]") + "}";
        Assert.Equal(57, duplicate.LastIndexOf("\"w\"", StringComparison.Ordinal) + 3);
        string fields = "{\"w\":{\"dtype\":\"F32\",\"dtype\":\"F16\"}}";
        Assert.Equal(27, fields.LastIndexOf("\"dtype\"", StringComparison.Ordinal) + 7);
        string nested = "{\"w\":{\"shape\":" + new string('[', 10_000);
        // Depth 0 is the root object, 1 the entry, 2 the shape array: the 31st '[' opens depth 32 and its value would be depth 33.
        Assert.Equal(45, nested.IndexOf('[') + 31);
    }

    [Fact]
    public void A_file_beyond_256_MiB_is_refused_before_it_is_parsed()
    {
        // A header length that would otherwise be fine: the size check comes first.
        var bytes = new byte[(256 << 20) + 1];
        SafetensorsWriter.LittleEndian(2).CopyTo(bytes, 0);

        WeightsFile file = SafetensorsReader.Read("big.safetensors", "big.safetensors", bytes);

        Assert.Equal("it is 268,435,457 bytes, more than the 268,435,456 ConvGen bakes into code", file.Error);
    }

    [Fact]
    public void A_header_of_100_MB_of_spaces_is_read_without_trouble()
    {
        // The largest header the format allows, around an empty object: bounded work, an empty file.
        var header = new byte[100_000_000];
        header.AsSpan().Fill((byte)' ');
        header[0] = (byte)'{';
        header[^1] = (byte)'}';
        var watch = System.Diagnostics.Stopwatch.StartNew();

        WeightsFile file = SafetensorsReader.Read("spaces.safetensors", "spaces.safetensors", SafetensorsWriter.Raw(header));

        Assert.Null(file.Error);
        Assert.Empty(file.Tensors);
        // A hang guard, not a timing: one linear pass takes a few seconds even in Debug, a quadratic one hours.
        // (10 s failed once on a 2-core machine busy with a second test run: 19.9 s.)
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(60), $"took {watch.Elapsed}");
    }

    [Fact]
    public void The_encoded_copy_damaged_or_without_its_first_line_is_an_error_not_an_exception()
    {
        static WeightsFile Encoded(string text) => WeightsFiles.Read(new Infrastructure.InMemoryAdditionalText("obj/x.safetensors.b64", text), default);

        Assert.Equal("its encoded copy in obj/ is damaged; rebuild", Encoded("convgen-source: x.safetensors\n!!not base64!!").Error);
        Assert.Equal("its encoded copy in obj/ is damaged; rebuild", Encoded("convgen-source: x.safetensors\nAAA").Error);
        Assert.Equal("it is 0 bytes long, too short for the 8-byte header length", Encoded("").Error);
        Assert.Equal("it is 0 bytes long, too short for the 8-byte header length", Encoded("convgen-source: x.safetensors\n").Error);
        WeightsFile good = Encoded("convgen-source: /p/x.safetensors\r\n" + Convert.ToBase64String(Fixtures.Weights("tiny.safetensors"), Base64FormattingOptions.InsertLineBreaks));
        Assert.Null(good.Error);
        Assert.Equal("x.safetensors", good.FileName);
        Assert.Equal("/p/x.safetensors", good.Path);
        Assert.Equal(2, good.Tensors.Count);
    }

    [Fact]
    public void A_raw_safetensors_listed_as_text_is_an_error_that_names_the_build_step()
    {
        WeightsFile raw = WeightsFiles.Read(new Infrastructure.InMemoryAdditionalText("/p/x.safetensors", "\u0090\u0000\u0000{\"w\""), default);

        Assert.True(raw.Raw);
        Assert.Equal("x.safetensors", raw.FileName);
        Assert.Equal("it is listed as it is, not through ConvGen's build step, which hands binary files to the compiler losslessly; "
            + "reference the ConvGen package (or import its build/ConvGen.targets)", raw.Error);
    }

    [Fact]
    public void Hostile_header_text_is_bounded_in_depth_and_work()
    {
        // 1 MB of JSON of each awkward kind, all within the format's header limit: each read is quick.
        string[] headers =
        {
            "{\"w\":\"" + new string('x', 1_000_000) + "\"}",
            "{\"w\":\"" + string.Concat(Enumerable.Repeat("\\u0041", 150_000)) + "\"}",
            "{\"w\":[" + string.Join(",", Enumerable.Repeat("1", 400_000)) + "]}",
            "{" + string.Join(",", Enumerable.Range(0, 50_000).Select(i => $"\"k{i}\":{{\"dtype\":\"U8\",\"shape\":[0],\"data_offsets\":[0,0]}}")) + "}",
            "{\"w\":" + new string('9', 1_000_000) + "}",
        };
        foreach (string header in headers)
        {
            var watch = System.Diagnostics.Stopwatch.StartNew();
            WeightsFile file = SafetensorsReader.Read("h.safetensors", "h.safetensors", SafetensorsWriter.Raw(header));
            Assert.True(watch.Elapsed < TimeSpan.FromSeconds(5), $"{header[..20]}…: took {watch.Elapsed}");
            Assert.True(file.Error is not null || file.Tensors.All(t => t.Values.Count == 0));
        }
    }
}
