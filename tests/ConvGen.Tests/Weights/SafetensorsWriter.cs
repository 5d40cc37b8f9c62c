using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Runtime.CompilerServices;
using System.Text;

namespace ConvGen.Tests.Weights;

/// <summary>
/// Writes safetensors files for tests: an 8-byte little-endian header length, a JSON header (padded
/// with spaces to a multiple of 8, as the Python writer does), then each tensor's bytes in the order
/// added. Independent of ConvGen's reader. Floats are stored as F32, F16, BF16 or F64 with
/// round-to-nearest-even; <see cref="Widen"/> says what a correct reader gives back.
/// </summary>
public sealed class SafetensorsWriter
{
    private readonly List<(string Name, string DType, long[] Shape, byte[] Data)> _tensors = new();
    private readonly Dictionary<string, string> _metadata = new(StringComparer.Ordinal);

    /// <summary>A float tensor stored as <paramref name="dtype"/> (F32, F16, BF16 or F64).</summary>
    public SafetensorsWriter Add(string name, string dtype, long[] shape, params float[] values)
    {
        long count = shape.Aggregate(1L, (p, d) => p * d);
        if (count != values.Length)
            throw new ArgumentException($"{name}: shape [{string.Join(", ", shape)}] holds {count} values, not {values.Length}");
        byte[] data = dtype switch
        {
            "F32" => values.SelectMany(v => BitConverter.GetBytes(v)).ToArray(),
            "F16" => values.SelectMany(v => BitConverter.GetBytes(BitConverter.HalfToUInt16Bits((Half)v))).ToArray(),
            "BF16" => values.SelectMany(v => BitConverter.GetBytes(ToBFloat16(v))).ToArray(),
            "F64" => values.SelectMany(v => BitConverter.GetBytes((double)v)).ToArray(),
            _ => throw new ArgumentException($"not a float dtype: {dtype}"),
        };
        return AddRaw(name, dtype, shape, data);
    }

    /// <summary>An F64 tensor from doubles (to store values a float cannot hold).</summary>
    public SafetensorsWriter AddDoubles(string name, long[] shape, params double[] values)
        => AddRaw(name, "F64", shape, values.SelectMany(BitConverter.GetBytes).ToArray());

    /// <summary>A tensor of any dtype from its raw little-endian bytes.</summary>
    public SafetensorsWriter AddRaw(string name, string dtype, long[] shape, byte[] data)
    {
        _tensors.Add((name, dtype, shape, data));
        return this;
    }

    public SafetensorsWriter Metadata(string key, string value)
    {
        _metadata[key] = value;
        return this;
    }

    public byte[] ToBytes()
    {
        var header = new StringBuilder("{");
        long offset = 0;
        foreach (var (name, dtype, shape, data) in _tensors)
        {
            if (header.Length > 1)
                header.Append(',');
            header.Append(Quote(name)).Append(":{\"dtype\":").Append(Quote(dtype))
                .Append(",\"shape\":[").Append(string.Join(",", shape.Select(d => d.ToString(CultureInfo.InvariantCulture)))).Append(']')
                .Append(",\"data_offsets\":[").Append(offset.ToString(CultureInfo.InvariantCulture)).Append(',')
                .Append((offset + data.Length).ToString(CultureInfo.InvariantCulture)).Append("]}");
            offset += data.Length;
        }
        if (_metadata.Count > 0)
        {
            if (header.Length > 1)
                header.Append(',');
            header.Append("\"__metadata__\":{").Append(string.Join(",", _metadata.Select(m => Quote(m.Key) + ":" + Quote(m.Value)))).Append('}');
        }
        header.Append('}');
        while (header.Length % 8 != 0)
            header.Append(' ');
        return Raw(header.ToString(), _tensors.SelectMany(t => t.Data).ToArray());
    }

    /// <summary>A one-call file: <c>File(("fc.weight", "F32", [2, 3], values), …)</c>.</summary>
    public static byte[] File(params (string Name, string DType, long[] Shape, float[] Values)[] tensors)
    {
        var writer = new SafetensorsWriter();
        foreach (var t in tensors)
            writer.Add(t.Name, t.DType, t.Shape, t.Values);
        return writer.ToBytes();
    }

    /// <summary>
    /// Any header text and data, framed as safetensors: the header's UTF-8 length (or
    /// <paramref name="headerLength"/>, to lie about it), the header, the data.
    /// </summary>
    public static byte[] Raw(string header, byte[]? data = null, ulong? headerLength = null)
        => Raw(Encoding.UTF8.GetBytes(header), data, headerLength);

    public static byte[] Raw(byte[] header, byte[]? data = null, ulong? headerLength = null)
    {
        var bytes = new List<byte>();
        bytes.AddRange(LittleEndian(headerLength ?? (ulong)header.Length));
        bytes.AddRange(header);
        bytes.AddRange(data ?? Array.Empty<byte>());
        return bytes.ToArray();
    }

    public static byte[] LittleEndian(ulong value)
    {
        var bytes = new byte[8];
        for (int i = 0; i < 8; i++)
            bytes[i] = (byte)(value >> (8 * i));
        return bytes;
    }

    /// <summary>The float a correct reader gives for <paramref name="value"/> stored as <paramref name="dtype"/>.</summary>
    public static float Widen(string dtype, float value) => dtype switch
    {
        "F32" or "F64" => value,
        "F16" => (float)(Half)value,
        "BF16" => BitConverter.Int32BitsToSingle(ToBFloat16(value) << 16),
        _ => throw new ArgumentException($"not a float dtype: {dtype}"),
    };

    /// <summary>bfloat16 bits of a float, rounded to nearest even (as PyTorch's conversion); NaN stays a quiet NaN.</summary>
    public static ushort ToBFloat16(float value)
    {
        uint bits = BitConverter.SingleToUInt32Bits(value);
        if (float.IsNaN(value))
            return (ushort)((bits >> 16) | 0x0040);
        uint rounded = bits + 0x7FFF + ((bits >> 16) & 1);
        return (ushort)(rounded >> 16);
    }

    private static string Quote(string text)
    {
        var quoted = new StringBuilder("\"");
        foreach (char c in text)
        {
            if (c is '"' or '\\')
                quoted.Append('\\').Append(c);
            else if (c < ' ')
                quoted.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
            else
                quoted.Append(c);
        }
        return quoted.Append('"').ToString();
    }
}

/// <summary>The committed fixture files, read from the source tree.</summary>
public static class Fixtures
{
    private static readonly Lazy<string> s_root = new(() => FindRoot());

    /// <summary>The repository root (the folder holding ConvGen.sln).</summary>
    public static string RepositoryRoot => s_root.Value;

    /// <summary>A file of tests/ConvGen.Tests/Weights.</summary>
    public static byte[] Weights(string name) => System.IO.File.ReadAllBytes(Path.Combine(RepositoryRoot, "tests", "ConvGen.Tests", "Weights", name));

    public static string WeightsText(string name) => System.IO.File.ReadAllText(Path.Combine(RepositoryRoot, "tests", "ConvGen.Tests", "Weights", name));

    /// <summary>A file of samples/Digits/data.</summary>
    public static byte[] Digits(string name = "digits.safetensors") => System.IO.File.ReadAllBytes(Path.Combine(RepositoryRoot, "samples", "Digits", "data", name));

    /// <summary>Up from the test binaries (bin/ lives inside the repository), else from this file's path at build time.</summary>
    private static string FindRoot([CallerFilePath] string thisFile = "")
    {
        foreach (string start in new[] { AppContext.BaseDirectory, Path.GetDirectoryName(thisFile) ?? "" })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
                if (System.IO.File.Exists(Path.Combine(dir.FullName, "ConvGen.sln")))
                    return dir.FullName;
        }
        throw new InvalidOperationException("Cannot find the repository root (ConvGen.sln) above " + AppContext.BaseDirectory);
    }
}
