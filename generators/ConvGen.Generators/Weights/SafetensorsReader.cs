using System;
using System.Threading;
using ConvGen.Generators.Helpers;

namespace ConvGen.Generators.Weights;

/// <summary>
/// The values of a bound tensor, from the data parts ConvGen's build step wrote (base64, one part per
/// <see cref="WeightsFile.ChunkBytes"/> of the data section): only the parts the tensor lies in are read,
/// and of those only the base64 that covers its bytes is decoded. F32, F16, BF16 and F64 widen to float
/// exactly (F64 rounds to nearest).
/// </summary>
internal static class SafetensorsReader
{
    /// <summary>Larger files are refused by the build step before they are opened.</summary>
    public const long MaxFileBytes = 256L << 20;

    /// <summary>ConvGen's limit on the JSON header; the format's own is 100,000,000 bytes.</summary>
    public const long MaxHeaderBytes = 16L << 20;

    public const string Damaged = "its encoded copy in obj/ is damaged; rebuild";

    /// <summary>The tensor's values in file order (empty for a dtype that is not floating point), or null with <paramref name="error"/>.</summary>
    public static float[]? Values(WeightsFile file, Tensor tensor, WeightsParts parts, CancellationToken cancellationToken, out string? error)
    {
        error = null;
        if (!tensor.IsFloat)
            return Array.Empty<float>();
        byte[]? bytes = Bytes(file, tensor.Begin, tensor.End, parts, cancellationToken);
        if (bytes is null)
        {
            error = Damaged;
            return null;
        }
        return tensor.DType switch
        {
            "F32" => Widen(bytes, 4, raw => FloatBits.FromBits((uint)raw)),
            "F16" => Widen(bytes, 2, raw => HalfToFloat((ushort)raw)),
            "BF16" => Widen(bytes, 2, raw => FloatBits.FromBits((uint)raw << 16)),
            _ => Widen(bytes, 8, raw => (float)BitConverter.Int64BitsToDouble((long)raw)),
        };
    }

    /// <summary>Bytes [<paramref name="begin"/>, <paramref name="end"/>) of the data section, or null if a part is missing or damaged.</summary>
    private static byte[]? Bytes(WeightsFile file, long begin, long end, WeightsParts parts, CancellationToken cancellationToken)
    {
        // Base64 in slices of 16K quads (48 KiB of bytes), so no buffer grows with the tensor but the result.
        const int SliceBytes = 3 * 16384;
        var result = new byte[end - begin];
        var chars = new char[(int)Math.Min(SliceBytes / 3 * 4 + 8, (end - begin + 5) / 3 * 4 + 8)];
        for (long at = begin; at < end;)
        {
            long part = at / file.ChunkBytes;
            int within = (int)(at % file.ChunkBytes);
            int partLength = (int)Math.Min(file.ChunkBytes, file.DataLength - part * file.ChunkBytes);
            int take = (int)Math.Min(partLength - within, end - at);
            if (part >= file.Parts.Count || parts.Text(file.Parts[(int)part], cancellationToken) is not { } text || text.Length != (partLength + 2L) / 3 * 4)
                return null;
            for (int done = 0; done < take;)
            {
                int sliceStart = within + done, sliceLength = Math.Min(take - done, SliceBytes);
                int firstQuad = sliceStart / 3, endQuad = (sliceStart + sliceLength + 2) / 3;
                int count = (endQuad - firstQuad) * 4;
                text.CopyTo(firstQuad * 4, chars, 0, count);
                byte[] decoded;
                try
                {
                    decoded = Convert.FromBase64CharArray(chars, 0, count);
                }
                catch (FormatException)
                {
                    return null;
                }
                int skip = sliceStart - firstQuad * 3;
                if (decoded.Length < skip + sliceLength)
                    return null;
                Array.Copy(decoded, skip, result, at - begin + done, sliceLength);
                done += sliceLength;
            }
            at += take;
        }
        return result;
    }

    private static float[] Widen(byte[] bytes, int size, Func<ulong, float> widen)
    {
        var values = new float[bytes.Length / size];
        for (int i = 0; i < values.Length; i++)
        {
            ulong raw = 0;
            for (int b = size - 1; b >= 0; b--)
                raw = (raw << 8) | bytes[i * size + b]; // little-endian, whatever the build machine's order
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
            return FloatBits.FromBits(sign | 0x7F800000u | (mantissa << 13));
        return FloatBits.FromBits(sign | ((uint)(exponent - 15 + 127) << 23) | (mantissa << 13));
    }
}
