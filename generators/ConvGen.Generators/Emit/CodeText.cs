namespace ConvGen.Generators.Emit;

/// <summary>Pieces of generated C# that several emitters write.</summary>
internal static class CodeText
{
    /// <summary>The SIMD vector whose width the machine chooses: 4 floats on SSE/NEON, 8 on AVX2, 16 on AVX-512.</summary>
    public const string FloatVector = "global::System.Numerics.Vector<float>";

    /// <summary>A weights property (UTF-16 code units, see NetworkEmitter.WriteData) read as floats.</summary>
    public static string Floats(string data) => $"global::System.Runtime.InteropServices.MemoryMarshal.Cast<char, float>({data})";
}
