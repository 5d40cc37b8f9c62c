using System;
using System.Collections.Immutable;
using System.Diagnostics;
using System.Linq;
using System.Text;
using ConvGen.Generators;
using ConvGen.Generators.Diagnostics;
using ConvGen.Generators.Parsing;
using ConvGen.Generators.Planning;
using ConvGen.Generators.Weights;
using ConvGen.Tests.Infrastructure;
using CsCheck;
using Microsoft.CodeAnalysis;
using Xunit;

namespace ConvGen.Tests.Weights;

/// <summary>
/// Mutated real files (tiny and the trained Digits weights), through the build step's encoder and the
/// generator's reader as in a build: neither ever throws or hangs, and the result is either an error or
/// tensors whose value counts match their shapes. The same mutants then go through binding, shape
/// inference, planning and emission, which must not fail either; so do mutated index and data parts.
/// </summary>
public class SafetensorsFuzzTests
{
    private static readonly byte[] Tiny = Fixtures.Weights("tiny.safetensors");
    private static readonly byte[] Digits = Fixtures.Digits();

    /// <summary>Text spliced into headers: JSON structure, numbers at the edges, names and dtypes the reader knows.</summary>
    private static readonly string[] Tokens =
    {
        "[", "]", "{", "}", ",", ":", "\"", "\\", " ", "-", ".", "e", "0", "1", "9",
        "1e9", "-1", "0.5", "1e400", "9007199254740993", "18446744073709551615", "[]", "{}", "null", "true", "\\u00", "\\u0041",
        "\"dtype\"", "\"shape\"", "\"data_offsets\"", "\"F16\"", "\"BF16\"", "\"F64\"", "\"I64\"", "\"BOOL\"", "\"__metadata__\"",
        "[0,0]", "[1]", "[65536,65536]", "\u00e9", "\ud83d\ude00",
    };

    private enum Kind { FlipBytes, FlipData, Truncate, HeaderLength, Insert, Delete, JsonChar, JsonSplice, JsonDigit }

    private sealed record Mutation(Kind Kind, uint A, uint B, byte[] Bytes, ulong Value)
    {
        public override string ToString() => $"{Kind}(a={A}, b={B}, bytes=[{string.Join(",", Bytes.Take(8))}], value={Value})";
    }

    private static readonly Gen<Mutation> OneMutation = Gen.Select(
        Gen.Enum<Kind>(), Gen.UInt, Gen.UInt, Gen.Byte.Array[1, 16], Gen.ULong,
        (kind, a, b, bytes, value) => new Mutation(kind, a, b, bytes, value));

    private static readonly Gen<Mutation[]> Mutations = OneMutation.Array[1, 3];

    private static readonly Gen<Mutation[]> DataFlips = OneMutation.Select(m => new[] { m with { Kind = Kind.FlipData } });

    private static ulong HeaderLength(byte[] bytes) => bytes.Length < 8 ? 0 : BitConverter.ToUInt64(bytes, 0);

    /// <summary>The header's extent as the file claims it, clamped to the bytes there are.</summary>
    private static (int Start, int Length) Header(byte[] bytes)
    {
        if (bytes.Length <= 8)
            return (8, 0);
        return (8, (int)Math.Min(HeaderLength(bytes), (ulong)(bytes.Length - 8)));
    }

    private static byte[] WithHeaderLength(byte[] bytes, ulong length)
    {
        if (bytes.Length >= 8)
            SafetensorsWriter.LittleEndian(length).CopyTo(bytes, 0);
        return bytes;
    }

    private static byte[] Apply(byte[] seed, Mutation[] mutations)
    {
        byte[] bytes = (byte[])seed.Clone();
        foreach (Mutation m in mutations)
            bytes = Apply(bytes, m);
        return bytes;
    }

    private static byte[] Apply(byte[] bytes, Mutation m)
    {
        int length = bytes.Length;
        switch (m.Kind)
        {
            case Kind.FlipBytes:
                if (length == 0)
                    return bytes;
                for (int i = 0; i < m.Bytes.Length; i++)
                    bytes[(int)((m.A + (ulong)i * m.B) % (ulong)length)] ^= (byte)(m.Bytes[i] | 1);
                return bytes;
            case Kind.FlipData:
            {
                // Inside the data section only: the file stays well-formed, its values change (to NaN, huge, negative…).
                var (start, headerLength) = Header(bytes);
                int data = start + headerLength;
                if (data >= length)
                    return bytes;
                for (int i = 0; i < m.Bytes.Length; i++)
                    bytes[data + (int)((m.A + (ulong)i * m.B) % (ulong)(length - data))] ^= (byte)(m.Bytes[i] | 1);
                return bytes;
            }
            case Kind.Truncate:
                return bytes[..(int)(m.A % (uint)(length + 1))];
            case Kind.HeaderLength:
            {
                ulong actual = HeaderLength(bytes);
                ulong value = (m.B % 4) switch
                {
                    0 => m.Value,                                   // anything at all
                    1 => m.A % (uint)(length + 16),                 // around the file's size
                    2 => actual + (ulong)(m.A % 17) - 8,            // just off the true length
                    _ => (ulong)SafetensorsReader.MaxHeaderBytes + (m.A % 3) - 1, // at ConvGen's limit
                };
                return WithHeaderLength(bytes, value);
            }
            case Kind.Insert:
            {
                int at = (int)(m.A % (uint)(length + 1));
                return bytes[..at].Concat(m.Bytes).Concat(bytes[at..]).ToArray();
            }
            case Kind.Delete:
            {
                if (length == 0)
                    return bytes;
                int at = (int)(m.A % (uint)length), count = (int)Math.Min(m.B % 64 + 1, (uint)(length - at));
                return bytes[..at].Concat(bytes[(at + count)..]).ToArray();
            }
            case Kind.JsonChar:
            {
                var (start, headerLength) = Header(bytes);
                if (headerLength == 0)
                    return bytes;
                string token = Tokens[m.B % (uint)Tokens.Length];
                bytes[start + (int)(m.A % (uint)headerLength)] = token[0] < 128 ? (byte)token[0] : m.Bytes[0];
                return bytes;
            }
            case Kind.JsonSplice:
            {
                // Keeps the framing right (the header length grows or shrinks with the edit), so the damage is in the JSON itself.
                var (start, headerLength) = Header(bytes);
                if (headerLength == 0)
                    return bytes;
                byte[] token = Encoding.UTF8.GetBytes(Tokens[m.B % (uint)Tokens.Length]);
                int at = start + (int)(m.A % (uint)headerLength);
                int removed = (int)Math.Min(m.Value % 4, (ulong)(start + headerLength - at));
                byte[] result = bytes[..at].Concat(token).Concat(bytes[(at + removed)..]).ToArray();
                return WithHeaderLength(result, (ulong)(headerLength + token.Length - removed));
            }
            case Kind.JsonDigit:
            {
                // A digit of a shape or offset changed: JSON stays valid, the numbers go wrong.
                var (start, headerLength) = Header(bytes);
                int[] digits = Enumerable.Range(start, headerLength).Where(i => bytes[i] is >= (byte)'0' and <= (byte)'9').ToArray();
                if (digits.Length == 0)
                    return bytes;
                bytes[digits[m.A % (uint)digits.Length]] = (byte)('0' + m.B % 10);
                return bytes;
            }
            default:
                throw new ArgumentOutOfRangeException(nameof(m));
        }
    }

    /// <summary>Encodes and reads, and checks everything a caller relies on; returns the file for further checks.</summary>
    private static Encoded ReadChecked(byte[] bytes)
    {
        var watch = Stopwatch.StartNew();
        Encoded file;
        float[][] values;
        try
        {
            file = Encoded.Read(bytes, "m.safetensors", "/p");
            values = file.Error is null ? file.AllValues() : Array.Empty<float[]>();
        }
        catch (Exception e)
        {
            throw new Xunit.Sdk.XunitException($"Read threw {e.GetType().Name}: {e.Message}\nfile: {Convert.ToBase64String(bytes)}");
        }
        // A hang guard, not a benchmark: a read of these small files takes well under a millisecond.
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(1), $"a read took {watch.Elapsed}");
        if (file.Error is not null)
        {
            Assert.NotEqual("", file.Error);
            Assert.Empty(file.Tensors);
            return file;
        }
        for (int i = 0; i < file.Tensors.Count; i++)
        {
            Tensor tensor = file.Tensors[i];
            long count = tensor.Shape.Aggregate(1L, (p, d) => p * d);
            Assert.True(tensor.Shape.All(d => d >= 0), $"{tensor.Name}: negative dimension");
            Assert.Equal(tensor.IsFloat ? count : 0, values[i].Length);
        }
        Assert.Equal(file.Tensors.Count, file.Tensors.Select(t => t.Name).Distinct(StringComparer.Ordinal).Count());
        return file;
    }

    [Fact]
    public void Mutated_tiny_files_never_throw_or_hang()
    {
        Mutations.Sample(m => { ReadChecked(Apply(Tiny, m)); }, iter: 3000, print: m => string.Join(" then ", m.Select(x => x.ToString())));
    }

    [Fact]
    public void Mutated_digits_files_never_throw_or_hang()
    {
        Mutations.Sample(m => { ReadChecked(Apply(Digits, m)); }, iter: 2000, print: m => string.Join(" then ", m.Select(x => x.ToString())));
    }

    [Fact]
    public void The_mutations_reach_past_the_header_checks()
    {
        // A fuzzer that only ever hits "not valid JSON" tests little: enough mutants must parse, and
        // many must fail later (offsets, sizes, dtypes) than the framing.
        int valid = 0, late = 0, total = 0;
        Mutations.Sample(m =>
        {
            Encoded file = ReadChecked(Apply(Digits, m));
            lock (Tiny)
            {
                total++;
                if (file.Error is null)
                    valid++;
                else if (file.Error.StartsWith("tensor", StringComparison.Ordinal))
                    late++;
            }
        }, iter: 1000);
        Assert.True(valid > total / 20, $"only {valid} of {total} mutants were valid files");
        Assert.True(late > total / 50, $"only {late} of {total} mutants failed on a tensor entry");
    }

    [Fact]
    public void Random_bytes_never_throw()
    {
        Gen.Byte.Array[0, 64].Sample(bytes =>
        {
            ReadChecked(bytes);
            ReadChecked(SafetensorsWriter.Raw(bytes));
        }, iter: 2000);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Mutated_index_and_data_parts_never_throw(bool mutatePart)
    {
        // The texts the generator is handed: the index (a header line naming the source, numbers, the header
        // as base64, the part names) and the data parts (base64); one of them changed, or cut short.
        EncodedWeights encoded = InMemoryAdditionalText.Weights("/p/digits.safetensors", Digits);
        string index = encoded.GetText().ToString();
        AdditionalText[] parts = encoded.Parts.ToArray();
        string part = parts[0].GetText()!.ToString();
        string target = mutatePart ? part : index;
        Gen.Select(Gen.Int[0, target.Length - 1], Gen.Char, Gen.Int[0, target.Length]).Sample((at, c, cut) =>
        {
            string text = (target[..at] + c + target[(at + 1)..])[..Math.Min(cut, target.Length)];
            WeightsFile file = WeightsFiles.Read(new InMemoryAdditionalText("/obj/digits.safetensors.b64", mutatePart ? index : text), default);
            var read = new WeightsParts(new[] { new DataPart(new InMemoryAdditionalText(parts[0].Path, mutatePart ? text : part)) });
            foreach (Tensor tensor in file.Tensors)
            {
                float[]? values = SafetensorsReader.Values(file, tensor, read, default, out string? error);
                Assert.True(values is null ? error == SafetensorsReader.Damaged : values.Length == (tensor.IsFloat ? tensor.Shape.Aggregate(1L, (p, d) => p * d) : 0));
            }
        }, iter: 1000);
    }

    /// <summary>The Digits sample's declaration, read from samples/Digits/DigitsNet.cs so the two cannot drift apart.</summary>
    internal static string DigitsNetSource => System.IO.File.ReadAllText(System.IO.Path.Combine(Fixtures.RepositoryRoot, "samples", "Digits", "DigitsNet.cs"));

    [Fact]
    public void Mutated_digits_files_bound_to_the_digits_network_give_code_or_diagnostics_never_a_crash()
    {
        var compilation = GeneratorHarness.CreateCompilation(DigitsNetSource);
        ParseResult parsed = NetworkParser.Parse(compilation.GetTypeByMetadataName("DigitsNet")!, default);
        Assert.Empty(parsed.Problems);
        int generated = 0, rejected = 0;

        Gen.OneOf(Mutations, DataFlips, DataFlips).Sample(m =>
        {
            Encoded file = ReadChecked(Apply(Digits, m));
            AnalysisResult analysis = NetworkAnalysis.Analyze(parsed, new[] { file.File with { FileName = "digits.safetensors" } }, file.Parts);
            Assert.DoesNotContain(analysis.Problems, p => p.Id == Descriptors.InternalError.Id);
            // Code exactly when there is no error; an error is always one of the weights diagnostics.
            Assert.Equal(analysis.Plan is null, analysis.Problems.Any(p => p.IsError));
            Assert.All(analysis.Problems.Where(p => p.IsError), p => Assert.Contains(p.Id,
                new[] { "CG0016", "CG0031", "CG0032", "CG0033", "CG0034", "CG0036" }));
            GeneratedSource? source = ConvNetGenerator.Build(parsed, ImmutableArray.Create(file.File with { FileName = "digits.safetensors" }), file.Parts, allowsUnsafe: false, default);
            Assert.True(source is null || source.InternalError is null, source?.InternalError);
            lock (Digits)
            {
                if (source is null)
                    rejected++;
                else
                    generated++;
            }
        }, iter: 300, threads: 1, print: m => string.Join(" then ", m.Select(x => x.ToString())));

        // Byte flips in the data leave a valid file: many mutants must make it all the way to code.
        Assert.True(generated > 50, $"only {generated} mutants gave code ({rejected} did not)");
    }
}
