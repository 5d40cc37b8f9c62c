using System;
using System.Collections.Generic;
using System.IO;
using System.Runtime.InteropServices;
using System.Text.Json;

namespace ConvGen.Benchmarks;

/// <summary>The files the benchmarks read at set-up, embedded in this assembly (see the .csproj).</summary>
internal static class Resources
{
    public static byte[] Read(string name)
    {
        using Stream stream = typeof(Resources).Assembly.GetManifestResourceStream(name)
            ?? throw new InvalidOperationException($"Embedded resource '{name}' is missing; see ConvGen.Benchmarks.csproj.");
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }

    /// <summary>Floats of an embedded little-endian float32 file, from <paramref name="offset"/> for <paramref name="count"/> values.</summary>
    public static float[] ReadFloats(string name, int offset, int count)
        => MemoryMarshal.Cast<byte, float>(Read(name).AsSpan(offset * sizeof(float), count * sizeof(float))).ToArray();

    /// <summary>
    /// The F32 tensors of a safetensors file, read by hand as a user would without a library: an 8-byte
    /// little-endian header length, a JSON header of name → dtype, shape, data_offsets, then the raw data.
    /// </summary>
    public static Dictionary<string, float[]> ReadSafetensors(string name)
    {
        byte[] bytes = Read(name);
        long headerLength = BitConverter.ToInt64(bytes, 0);
        int dataStart = 8 + checked((int)headerLength);
        using JsonDocument header = JsonDocument.Parse(bytes.AsMemory(8, (int)headerLength));
        var tensors = new Dictionary<string, float[]>();
        foreach (JsonProperty tensor in header.RootElement.EnumerateObject())
        {
            if (tensor.Name == "__metadata__" || tensor.Value.GetProperty("dtype").GetString() != "F32")
                continue;
            JsonElement offsets = tensor.Value.GetProperty("data_offsets");
            int begin = offsets[0].GetInt32(), end = offsets[1].GetInt32();
            tensors[tensor.Name] = MemoryMarshal.Cast<byte, float>(bytes.AsSpan(dataStart + begin, end - begin)).ToArray();
        }
        return tensors;
    }
}
