using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;
using ConvGen.Generators.Helpers;

namespace ConvGen.Generators.Weights;

/// <summary>
/// Reads the safetensors format (an 8-byte little-endian header length, a JSON header naming each
/// tensor's dtype, shape and byte range, then the raw data) and widens F32, F16, BF16 and F64 tensors to
/// float. Every bound is checked before it is used: a corrupt or hostile file is an error message,
/// never an exception, a hang or a huge allocation.
/// </summary>
internal static class SafetensorsReader
{
    /// <summary>Larger files are refused: baking them into source would make a build unreasonably slow.</summary>
    public const long MaxFileBytes = 256L << 20;

    /// <summary>The safetensors format's own limit on the header.</summary>
    public const long MaxHeaderBytes = 100_000_000;

    private static readonly Dictionary<string, int> s_dtypeSizes = new(StringComparer.Ordinal)
    {
        ["F64"] = 8, ["F32"] = 4, ["F16"] = 2, ["BF16"] = 2,
        ["I64"] = 8, ["I32"] = 4, ["I16"] = 2, ["I8"] = 1,
        ["U64"] = 8, ["U32"] = 4, ["U16"] = 2, ["U8"] = 1,
        ["BOOL"] = 1, ["F8_E4M3"] = 1, ["F8_E5M2"] = 1,
    };

    public static WeightsFile Read(string fileName, string path, byte[] bytes)
    {
        try
        {
            return new WeightsFile(fileName, path, ReadTensors(bytes).ToEquatableArray(), null);
        }
        catch (FormatException e)
        {
            return new WeightsFile(fileName, path, EquatableArray<Tensor>.Empty, e.Message);
        }
    }

    private static List<Tensor> ReadTensors(byte[] bytes)
    {
        if (bytes.LongLength > MaxFileBytes)
            throw Bad(FormattableString.Invariant($"it is {bytes.LongLength:N0} bytes, more than the {MaxFileBytes:N0} ConvGen bakes into code"));
        if (bytes.Length < 8)
            throw Bad(FormattableString.Invariant($"it is {bytes.Length} bytes long, too short for the 8-byte header length"));
        ulong headerLength = LittleEndianUInt64(bytes);
        if (headerLength > MaxHeaderBytes)
            throw Bad(FormattableString.Invariant($"its header length ({headerLength:N0} bytes) is more than the {MaxHeaderBytes:N0} the format allows"));
        if ((long)headerLength > bytes.Length - 8)
            throw Bad(FormattableString.Invariant($"its header length ({headerLength:N0} bytes) runs past the end of the file ({bytes.Length:N0} bytes)"));

        string header;
        try
        {
            header = new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(bytes, 8, (int)headerLength);
        }
        catch (ArgumentException)
        {
            throw Bad("its header is not UTF-8");
        }
        object? json;
        try
        {
            json = MiniJson.Parse(header);
        }
        catch (FormatException e)
        {
            throw Bad("its header is not valid JSON: " + e.Message);
        }
        if (json is not Dictionary<string, object?> entries)
            throw Bad("its header is not a JSON object");

        long dataStart = 8 + (long)headerLength, dataLength = bytes.Length - dataStart;
        var tensors = new List<(Tensor Tensor, long Begin, long End)>();
        foreach (var entry in entries.OrderBy(e => e.Key, StringComparer.Ordinal))
        {
            if (entry.Key == "__metadata__")
                continue;
            tensors.Add(ReadEntry(entry.Key, entry.Value, bytes, dataStart, dataLength));
        }

        // Byte ranges may leave gaps but must not overlap: overlapping tensors are a corrupt or crafted file.
        var byOffset = tensors.Where(t => t.End > t.Begin).OrderBy(t => t.Begin).ToList();
        for (int i = 1; i < byOffset.Count; i++)
            if (byOffset[i].Begin < byOffset[i - 1].End)
                throw Bad(FormattableString.Invariant($"tensors '{byOffset[i - 1].Tensor.Name}' and '{byOffset[i].Tensor.Name}' overlap"));
        return tensors.Select(t => t.Tensor).ToList();
    }

    private static (Tensor, long, long) ReadEntry(string name, object? value, byte[] bytes, long dataStart, long dataLength)
    {
        if (value is not Dictionary<string, object?> fields)
            throw Bad(FormattableString.Invariant($"tensor '{name}' is not described by a JSON object"));
        if (!fields.TryGetValue("dtype", out object? dtypeValue) || dtypeValue is not string dtype)
            throw Bad(FormattableString.Invariant($"tensor '{name}' has no dtype"));
        if (!s_dtypeSizes.TryGetValue(dtype, out int elementSize))
            throw Bad(FormattableString.Invariant($"tensor '{name}' has the unknown dtype '{dtype}'"));
        long[] shape = Integers(fields, "shape", name);
        long[] offsets = Integers(fields, "data_offsets", name);
        if (offsets.Length != 2)
            throw Bad(FormattableString.Invariant($"tensor '{name}' needs data_offsets [begin, end]"));

        long count = 1;
        foreach (long dimension in shape)
        {
            // Checked against the limit at each step, so no product can overflow.
            count *= dimension;
            if (count > Shapes.ShapeInference.MaxElements)
                throw Bad(FormattableString.Invariant($"tensor '{name}' has the absurd shape [{string.Join(", ", shape)}]"));
        }
        long begin = offsets[0], end = offsets[1];
        if (begin > end || end > dataLength)
            throw Bad(FormattableString.Invariant($"tensor '{name}' has data_offsets [{begin}, {end}] outside the {dataLength:N0} bytes of data"));
        if (end - begin != count * elementSize)
            throw Bad(FormattableString.Invariant($"tensor '{name}' is {dtype} of shape [{string.Join(", ", shape)}], which is {count * elementSize:N0} bytes, but its data_offsets span {end - begin:N0}"));

        var values = dtype switch
        {
            "F32" => Convert(bytes, dataStart + begin, count, 4, raw => Float((uint)raw)),
            "F16" => Convert(bytes, dataStart + begin, count, 2, raw => HalfToFloat((ushort)raw)),
            "BF16" => Convert(bytes, dataStart + begin, count, 2, raw => Float((uint)raw << 16)),
            "F64" => Convert(bytes, dataStart + begin, count, 8, raw => (float)BitConverter.Int64BitsToDouble((long)raw)),
            _ => Array.Empty<float>(),
        };
        return (new Tensor(name, dtype, shape.ToEquatableArray(), values.ToEquatableArray()), begin, end);
    }

    private static long[] Integers(Dictionary<string, object?> fields, string key, string tensor)
    {
        if (!fields.TryGetValue(key, out object? value) || value is not List<object?> items)
            throw Bad(FormattableString.Invariant($"tensor '{tensor}' has no {key} array"));
        if (items.Count > 16)
            throw Bad(FormattableString.Invariant($"tensor '{tensor}' has {items.Count} entries in {key}"));
        return items.Select(item => item is double d && d >= 0 && d <= (1L << 53) && Math.Floor(d) == d
                ? (long)d
                : throw Bad(FormattableString.Invariant($"tensor '{tensor}' has a {key} entry that is not a non-negative integer")))
            .ToArray();
    }

    private static float[] Convert(byte[] bytes, long offset, long count, int size, Func<ulong, float> widen)
    {
        var values = new float[count];
        for (long i = 0; i < count; i++)
        {
            ulong raw = 0;
            long at = offset + i * size;
            for (int b = size - 1; b >= 0; b--)
                raw = (raw << 8) | bytes[at + b]; // little-endian, whatever the build machine's order
            values[i] = widen(raw);
        }
        return values;
    }

    /// <summary>IEEE 754 binary16 to binary32, exactly (every half is a float).</summary>
    internal static float HalfToFloat(ushort half)
    {
        uint sign = (uint)(half >> 15) << 31;
        int exponent = (half >> 10) & 0x1F;
        uint mantissa = (uint)half & 0x3FF;
        if (exponent == 0)
        {
            // Zero or subnormal: mantissa x 2^-24, exact in float.
            float magnitude = mantissa * 5.9604644775390625E-8f;
            return sign != 0 ? -magnitude : magnitude;
        }
        if (exponent == 31)
            return Float(sign | 0x7F800000u | (mantissa << 13));
        return Float(sign | ((uint)(exponent - 15 + 127) << 23) | (mantissa << 13));
    }

    private static float Float(uint bits) => FloatBits.FromBits(bits);

    private static ulong LittleEndianUInt64(byte[] bytes)
    {
        ulong value = 0;
        for (int b = 7; b >= 0; b--)
            value = (value << 8) | bytes[b];
        return value;
    }

    private static FormatException Bad(string why) => new(why);
}
