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

        yield return Case("empty file", Array.Empty<byte>(), "it is empty (0 bytes), or not a regular file (a pipe, a socket or a device, which ConvGen does not open)");
        yield return Case("5 bytes", new byte[] { 1, 0, 0, 0, 0 }, "it is 5 bytes long, too short for the 8-byte header length");
        yield return Case("7 bytes", new byte[7], "it is 7 bytes long, too short for the 8-byte header length");
        yield return Case("header length beyond the file", SafetensorsWriter.Raw("{}", null, headerLength: 100),
            "its header length (100 bytes) runs past the end of the file (10 bytes)");
        yield return Case("header length one past the file", SafetensorsWriter.Raw("{}", null, headerLength: 3),
            "its header length (3 bytes) runs past the end of the file (10 bytes)");
        yield return Case("header length over the format's 100 MB", SafetensorsWriter.Raw("{}", null, headerLength: 100_000_001), NotSafetensors);
        yield return Case("header length 0xFFFFFFFFFFFFFFFF", SafetensorsWriter.Raw("{}", null, headerLength: ulong.MaxValue), NotSafetensors);
        yield return Case("header length 2^63 (negative as a long)", SafetensorsWriter.Raw("{}", null, headerLength: 1UL << 63), NotSafetensors);
        yield return Case("header length over ConvGen's 16 MiB", SafetensorsWriter.Raw("{}", null, headerLength: (16 << 20) + 1),
            "its header is 16,777,217 bytes, more than the 16,777,216 (16 MiB) ConvGen reads");
        yield return Case("header length of the format's largest", SafetensorsWriter.Raw("{}", null, headerLength: 100_000_000),
            "its header is 100,000,000 bytes, more than the 16,777,216 (16 MiB) ConvGen reads");
        yield return Case("zero header length", SafetensorsWriter.Raw(""), NoBrace);
        yield return Case("header after a space", SafetensorsWriter.Raw(" {}"), NoBrace);
        yield return Case("a PNG image", Png, NotSafetensors);
        yield return Case("a zip archive", Zip, NotSafetensors);
        yield return Case("a Git LFS pointer", LfsPointer,
            "it is a Git LFS pointer, not the weights themselves; run `git lfs pull` to fetch them");
        yield return Case("a text file", Encoding.UTF8.GetBytes("These are not the weights you are looking for.\n"), NotSafetensors);
        yield return Case("header not UTF-8", SafetensorsWriter.Raw(new byte[] { (byte)'{', 0xFF, 0xFE, (byte)'}' }), "its header is not UTF-8");
        yield return Case("header with a lone continuation byte", SafetensorsWriter.Raw(new byte[] { (byte)'{', (byte)'"', 0x80, (byte)'"', (byte)':', (byte)'1', (byte)'}' }),
            "its header is not UTF-8");
        yield return Case("bad JSON: cut short", SafetensorsWriter.Raw("{\"w\":"), "its header is not valid JSON: unexpected end at byte 5 of the header");
        yield return Case("bad JSON: no colon", SafetensorsWriter.Raw("{\"w\" 1}"), "its header is not valid JSON: expected ':' at byte 5 of the header");
        yield return Case("bad JSON: trailing text", SafetensorsWriter.Raw("{} {}"), "its header is not valid JSON: text after the JSON value at byte 3 of the header");
        yield return Case("bad JSON: unquoted key", SafetensorsWriter.Raw("{w:1}"), "its header is not valid JSON: expected a key at byte 1 of the header");
        yield return Case("bad JSON: bad literal", SafetensorsWriter.Raw("{\"w\":nul}"), "its header is not valid JSON: unexpected token at byte 5 of the header");
        yield return Case("bad JSON: unterminated string", SafetensorsWriter.Raw("{\"w"), "its header is not valid JSON: unterminated string at byte 3 of the header");
        yield return Case("bad JSON: bad escape", SafetensorsWriter.Raw("{\"\\q\":1}"), "its header is not valid JSON: bad escape at byte 4 of the header");
        yield return Case("bad JSON: bad \\u escape", SafetensorsWriter.Raw("{\"\\u12\"}"), "its header is not valid JSON: bad \\u escape at byte 4 of the header");
        yield return Case("bad JSON: control character", SafetensorsWriter.Raw("{\"a\nb\":1}"), "its header is not valid JSON: control character in string at byte 4 of the header");
        yield return Case("bad JSON: a lone minus", SafetensorsWriter.Raw("{\"w\":-}"), "its header is not valid JSON: a '-' without digits at byte 6 of the header");
        yield return Case("bad JSON: not a value", SafetensorsWriter.Raw("{\"w\":}"), "its header is not valid JSON: expected a value at byte 5 of the header");
        yield return Case("JSON not an object: array", SafetensorsWriter.Raw("[1,2]"), NoBrace);
        yield return Case("JSON not an object: string", SafetensorsWriter.Raw("\"w\""), NoBrace);
        yield return Case("JSON not an object: null", SafetensorsWriter.Raw("null"), NoBrace);
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
        yield return Case("deeply nested JSON in the metadata", SafetensorsWriter.Raw("{\"__metadata__\":" + new string('[', 10_000)),
            "its header is not valid JSON: nesting too deep at byte 48 of the header");
        yield return Case("deeply nested JSON inside a tensor", SafetensorsWriter.Raw("{\"w\":{\"shape\":" + new string('[', 10_000) + new string(']', 10_000) + "}}"),
            "its header is not valid JSON: nesting too deep at byte 45 of the header");
        yield return Case("duplicate tensor names",
            SafetensorsWriter.Raw("{" + Entry("w", "F32", "[1]", "[0,4]") + "," + Entry("w", "F32", "[1]", "[4,8]") + "}", Eight),
            "its header is not valid JSON: duplicate key 'w' at byte 57 of the header");
        yield return Case("duplicate fields", SafetensorsWriter.Raw("{\"w\":{\"dtype\":\"F32\",\"dtype\":\"F16\"}}", Eight),
            "its header is not valid JSON: duplicate key 'dtype' at byte 27 of the header");

        // JSON's grammar, strictly: what a lenient reader (the first one) let through.
        string shape = "{\"w\":{\"dtype\":\"F32\",\"shape\":[";
        yield return Case("a number with a leading '+'", One(shape: "[+2]"), $"its header is not valid JSON: a number with a leading '+' at byte {shape.Length} of the header");
        yield return Case("a '+' in the metadata", SafetensorsWriter.Raw("{\"__metadata__\":{\"n\":+4}}"), "its header is not valid JSON: a number with a leading '+' at byte 21 of the header");
        yield return Case("a number with a leading zero", One(shape: "[02]"), $"its header is not valid JSON: a number with a leading zero at byte {shape.Length + 1} of the header");
        yield return Case("a number cut short after its '.'", One(shape: "[2.]"), $"its header is not valid JSON: a number cut short after its '.' at byte {shape.Length + 2} of the header");
        yield return Case("a number cut short in its exponent", One(shape: "[2e]"), $"its header is not valid JSON: a number cut short in its exponent at byte {shape.Length + 2} of the header");
        yield return Case("a lone high surrogate", SafetensorsWriter.Raw("{\"\\uD800\":1}"), "its header is not valid JSON: a \\u escape of an unpaired surrogate at byte 8 of the header");
        yield return Case("a lone low surrogate", SafetensorsWriter.Raw("{\"\\uDC00\":1}"), "its header is not valid JSON: a \\u escape of an unpaired surrogate at byte 8 of the header");
        yield return Case("surrogates reversed", SafetensorsWriter.Raw("{\"\\uDC00\\uD800\":1}"), "its header is not valid JSON: a \\u escape of an unpaired surrogate at byte 8 of the header");
        yield return Case("a high surrogate before a letter", SafetensorsWriter.Raw("{\"\\uD800\\u0041\":1}"), "its header is not valid JSON: a \\u escape of an unpaired surrogate at byte 8 of the header");
        yield return Case("a high surrogate at the end", SafetensorsWriter.Raw("{\"\\uD800\"}"), "its header is not valid JSON: a \\u escape of an unpaired surrogate at byte 8 of the header");
        yield return Case("a NUL in a name", SafetensorsWriter.Raw("{\"a\\u0000b\":1}"), "its header is not valid JSON: a NUL character (\\u0000) in a string at byte 9 of the header");
        yield return Case("a NUL in the metadata", SafetensorsWriter.Raw("{\"__metadata__\":{\"k\":\"\\u0000\"}}"), "its header is not valid JSON: a NUL character (\\u0000) in a string at byte 28 of the header");

        // Names are file content: a message shows them escaped and shortened, never raw.
        yield return Case("a name with a line break and an escape character",
            SafetensorsWriter.Raw("{\"a\\nb\\u001B[31m\":{\"shape\":[2],\"data_offsets\":[0,8]}}", Eight),
            "tensor 'a\\u000Ab\\u001B[31m' has no dtype");
        yield return Case("a name of 100,000 characters",
            SafetensorsWriter.Raw("{\"" + new string('n', 100_000) + "\":{\"shape\":[2],\"data_offsets\":[0,8]}}", Eight),
            "tensor '" + new string('n', 64) + "…' (100,000 characters) has no dtype");
        yield return Case("a right-to-left override in a dtype", One(dtype: "F\\u202E23"), "tensor 'w' has the unknown dtype 'F\\u202E23'");
    }

    private const string NotSafetensors = "it is not a safetensors file (its first 8 bytes are not a plausible header length)";
    private const string NoBrace = "it is not a safetensors file (its header does not start with '{')";

    /// <summary>The start of a real PNG (signature and IHDR chunk), a zip's local header, a Git LFS pointer: listed by mistake.</summary>
    internal static readonly byte[] Png = Convert.FromHexString("89504E470D0A1A0A0000000D49484452000000100000001008060000001FF3FF61");
    internal static readonly byte[] Zip = Convert.FromHexString("504B0304140000000800A2B3C4D5") .Concat(Encoding.ASCII.GetBytes("weights.bin")).ToArray();
    internal static readonly byte[] LfsPointer = Encoding.ASCII.GetBytes(
        "version https://git-lfs.github.com/spec/v1\noid sha256:4d7a214614ab2935c943f9e0ff69d22eadbb8f32b1258daaa5e2ca24d17e2393\nsize 12345\n");

    [Theory]
    [MemberData(nameof(Cases))]
    public void A_hostile_file_is_a_clear_error(string what, byte[] bytes, string message)
    {
        Encoded file = Encoded.Read(bytes, "hostile.safetensors", "/p");

        Assert.True(file.Error is not null, $"{what}: no error");
        Assert.Equal(message, file.Error);
        Assert.Empty(file.Tensors);
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void A_file_the_build_step_refuses_leaves_no_copy_of_its_bytes(string what, byte[] bytes, string message)
    {
        // What the build step writes for a refused file is its path and the reason: no data part, no header.
        var index = Infrastructure.InMemoryAdditionalText.Weights("/p/hostile.safetensors", bytes);
        string text = index.GetText().ToString();
        if (!text.Contains(ConvGenWeightsEncoder.RefusedPrefix, StringComparison.Ordinal))
            return; // refused by the generator's reader, once the header was read
        Assert.Empty(index.Parts);
        Assert.Equal(2, text.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
        Assert.DoesNotContain("git-lfs", message + text, StringComparison.Ordinal);
        Assert.DoesNotContain("sha256", message + text, StringComparison.Ordinal);
        Assert.DoesNotContain("PNG", message + text, StringComparison.Ordinal);
        Assert.DoesNotContain("weights.bin", message + text, StringComparison.Ordinal);
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
        string metadata = "{\"__metadata__\":" + new string('[', 10_000);
        Assert.Equal(48, metadata.IndexOf('[') + 32);
        Assert.Equal(21, "{\"__metadata__\":{\"n\":+4}}".IndexOf('+'));
        Assert.Equal(28, "{\"__metadata__\":{\"k\":\"\\u0000\"}}".IndexOf("\\u", StringComparison.Ordinal) + 6);
        Assert.Equal(8, "{\"\\uD800\":1}".IndexOf("\\u", StringComparison.Ordinal) + 6);
    }

    [Fact]
    public void The_build_step_and_the_reader_agree_on_the_limits()
    {
        Assert.Equal(ConvGenWeightsEncoder.MaxFileBytes, SafetensorsReader.MaxFileBytes);
        Assert.Equal(ConvGenWeightsEncoder.MaxHeaderBytes, SafetensorsReader.MaxHeaderBytes);
        Assert.Equal(ConvGenWeightsEncoder.IndexExtension, WeightsFiles.EncodedExtension);
        Assert.Equal(ConvGenWeightsEncoder.PartExtension, WeightsFiles.PartExtension);
        Assert.Equal(ConvGenWeightsEncoder.SourcePrefix, WeightsFiles.SourcePrefix);
        Assert.Equal(ConvGenWeightsEncoder.AcceptedPrefix, WeightsFiles.AcceptedPrefix);
        Assert.Equal(ConvGenWeightsEncoder.RefusedPrefix, WeightsFiles.RefusedPrefix);
    }

    /// <summary>A stream of <paramref name="length"/> bytes, <paramref name="prefix"/> then zeros, that counts what is read from it.</summary>
    private sealed class SyntheticStream(byte[] prefix, long length) : System.IO.Stream
    {
        public long BytesRead { get; private set; }

        public override int Read(byte[] buffer, int offset, int count)
        {
            int n = (int)Math.Min(count, length - BytesRead);
            for (int i = 0; i < n; i++)
                buffer[offset + i] = BytesRead + i < prefix.Length ? prefix[BytesRead + i] : (byte)0;
            BytesRead += n;
            return n;
        }

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => length;
        public override long Position { get => BytesRead; set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override long Seek(long offset, System.IO.SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }

    private sealed class NoParts : ConvGenWeightsEncoder.IPartStore
    {
        public void Store(string hash, byte[] buffer, int count) => throw new InvalidOperationException("a refused file stored a part");
    }

    [Fact]
    public void A_file_beyond_256_MiB_is_refused_before_a_byte_is_read()
    {
        var stream = new SyntheticStream(SafetensorsWriter.LittleEndian(2), (256L << 20) + 1);

        string index = ConvGenWeightsEncoder.Encode("/p/big.safetensors", stream, stream.Length, new NoParts());

        Assert.Equal(0, stream.BytesRead);
        Assert.Equal("convgen-source: /p/big.safetensors\nconvgen-refused: too-large 268435457\n", index);
        var file = WeightsFiles.Read(new Infrastructure.InMemoryAdditionalText("/obj/big.safetensors.b64", index), default);
        Assert.Equal("it is 268,435,457 bytes, more than the 268,435,456 (256 MiB) ConvGen bakes into code", file.Error);
        Assert.Equal("big.safetensors", file.FileName);
    }

    [Fact]
    public void A_99_MB_header_is_refused_from_its_first_bytes()
    {
        // The probe's file: a header of 99 MB of empty tensors took 51 s and 3.5 GB. The build step reads
        // its length, and stops there.
        byte[] start = SafetensorsWriter.LittleEndian(99_000_000)
            .Concat(Encoding.ASCII.GetBytes("{\"t0\":{\"dtype\":\"F32\",\"shape\":[0],\"data_offsets\":[0,0]},")).ToArray();
        var stream = new SyntheticStream(start, 99_000_100);
        var watch = System.Diagnostics.Stopwatch.StartNew();

        string index = ConvGenWeightsEncoder.Encode("/p/h.safetensors", stream, stream.Length, new NoParts());

        Assert.True(stream.BytesRead <= 64, $"read {stream.BytesRead} bytes");
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(1), $"took {watch.Elapsed}");
        Assert.Equal("its header is 99,000,000 bytes, more than the 16,777,216 (16 MiB) ConvGen reads",
            WeightsFiles.Read(new Infrastructure.InMemoryAdditionalText("/obj/h.safetensors.b64", index), default).Error);
    }

    [Fact]
    public void A_header_at_ConvGens_limit_of_empty_tensors_reads_in_bounded_time()
    {
        // 16 MiB of header, about 270,000 empty tensors, the most ConvGen reads: one lean pass, no JSON tree.
        var header = new StringBuilder("{");
        for (int i = 0; header.Length < (16 << 20) - 100; i++)
            header.Append(i == 0 ? "" : ",").Append("\"t").Append(i).Append("\":{\"dtype\":\"F32\",\"shape\":[0],\"data_offsets\":[0,0]}");
        header.Append('}');
        while (header.Length < 16 << 20)
            header.Append(' ');
        byte[] bytes = SafetensorsWriter.Raw(header.ToString());
        var watch = System.Diagnostics.Stopwatch.StartNew();

        Encoded file = Encoded.Read(bytes);

        Assert.Null(file.Error);
        Assert.True(file.Tensors.Count > 250_000, $"{file.Tensors.Count} tensors");
        // A hang guard, not a timing: well under a second on an idle machine, 11.8 s once on a 2-core one under a
        // load average of 15 (three builds at once); minutes would be the quadratic reader this replaced.
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(60), $"took {watch.Elapsed}");
    }

    [Fact]
    public void A_header_of_16_MiB_of_spaces_is_read_without_trouble()
    {
        // The largest header ConvGen reads, around an empty object: bounded work, an empty file.
        var header = new byte[16 << 20];
        header.AsSpan().Fill((byte)' ');
        header[0] = (byte)'{';
        header[^2] = (byte)'}';
        var watch = System.Diagnostics.Stopwatch.StartNew();

        Encoded file = Encoded.Read(SafetensorsWriter.Raw(header));

        Assert.Null(file.Error);
        Assert.Empty(file.Tensors);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(10), $"took {watch.Elapsed}");
    }

    [Fact]
    public void A_damaged_index_is_an_error_not_an_exception()
    {
        static WeightsFile Index(string text) => WeightsFiles.Read(new Infrastructure.InMemoryAdditionalText("/obj/x.safetensors.b64", text), default);
        string good = Infrastructure.InMemoryAdditionalText.Weights("/p/x.safetensors", Fixtures.Weights("tiny.safetensors")).GetText().ToString();
        string[] lines = good.Split('\n');

        Assert.Null(Index(good).Error);
        Assert.Equal("/p/x.safetensors", Index(good).Path);
        string damaged = SafetensorsReader.Damaged;
        Assert.Equal(damaged, Index("").Error);
        Assert.Equal(damaged, Index("convgen-source: /p/x.safetensors\n").Error);
        Assert.Equal(damaged, Index("convgen-source: /p/x.safetensors\nAAAA\n").Error);
        Assert.Equal(damaged, Index(good.Replace(lines[2], "!!" + lines[2][2..], StringComparison.Ordinal)).Error);
        Assert.Equal(damaged, Index(good.Replace(lines[2], lines[2][..^4], StringComparison.Ordinal)).Error);
        Assert.Equal(damaged, Index(good.Replace(lines[3], "", StringComparison.Ordinal)).Error);
        Assert.Equal(damaged, Index(good.Replace(lines[3], lines[3] + "\n" + lines[3], StringComparison.Ordinal)).Error);
        Assert.Equal(damaged, Index(good.Replace(lines[3], "not-a-hash", StringComparison.Ordinal)).Error);
        Assert.Equal(damaged, Index(good.Replace(" 1048576\n", " 0\n", StringComparison.Ordinal)).Error);
        Assert.Equal(damaged, Index(lines[0] + "\nconvgen-refused: a-reason-from-another-version\n").Error);
        // The format before this one (the whole file as base64 after the first line) says to rebuild, too.
        Assert.Equal(damaged, Index("convgen-source: /p/x.safetensors\n" + Convert.ToBase64String(Fixtures.Weights("tiny.safetensors"))).Error);
    }

    [Fact]
    public void A_missing_or_damaged_data_part_is_an_error_when_a_tensor_is_bound()
    {
        var index = Infrastructure.InMemoryAdditionalText.Weights("/p/x.safetensors", Fixtures.Weights("tiny.safetensors"));
        WeightsFile file = WeightsFiles.Read(index, default);
        var part = Assert.Single(index.Parts);
        string text = part.GetText()!.ToString();
        Tensor w = file.Find("w")!;

        float[]? Values(params Microsoft.CodeAnalysis.AdditionalText[] parts)
            => SafetensorsReader.Values(file, w, WeightsParts.From(parts), default, out _);

        Assert.Equal(new float[] { 0, 1, 2, 3, 4, 5 }, Values(part));
        Assert.Null(Values());
        Assert.Null(Values(new Infrastructure.InMemoryAdditionalText(part.Path, text[..^4])));
        Assert.Null(Values(new Infrastructure.InMemoryAdditionalText(part.Path, "%" + text[1..])));
        SafetensorsReader.Values(file, w, WeightsParts.None, default, out string? error);
        Assert.Equal(SafetensorsReader.Damaged, error);
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
        // 1 MB of JSON of each awkward kind, all within ConvGen's header limit: each read is quick.
        string[] headers =
        {
            "{\"w\":\"" + new string('x', 1_000_000) + "\"}",
            "{\"w\":\"" + string.Concat(Enumerable.Repeat("\\u0041", 150_000)) + "\"}",
            "{\"w\":[" + string.Join(",", Enumerable.Repeat("1", 400_000)) + "]}",
            "{" + string.Join(",", Enumerable.Range(0, 50_000).Select(i => $"\"k{i}\":{{\"dtype\":\"U8\",\"shape\":[0],\"data_offsets\":[0,0]}}")) + "}",
            "{\"w\":" + new string('9', 1_000_000) + "}",
            "{\"w\":{\"dtype\":\"F32\",\"shape\":[" + new string('9', 1_000_000) + "],\"data_offsets\":[0,0]}}",
            "{\"w\":{\"dtype\":\"F32\",\"shape\":[1." + new string('0', 1_000_000) + "],\"data_offsets\":[0,4]}}",
            "{\"w\":{" + string.Join(",", Enumerable.Range(0, 50_000).Select(i => $"\"f{i}\":{i}")) + "}}",
        };
        foreach (string header in headers)
        {
            var watch = System.Diagnostics.Stopwatch.StartNew();
            Encoded file = Encoded.Read(SafetensorsWriter.Raw(header));
            Assert.True(watch.Elapsed < TimeSpan.FromSeconds(5), $"{header[..20]}…: took {watch.Elapsed}");
            Assert.True(file.Error is not null || file.AllValues().All(v => v.Length == 0));
        }
    }
}
