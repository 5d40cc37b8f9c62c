namespace ConvGen.Generators.Emit;

/// <summary>Pieces of generated C# that several emitters write.</summary>
internal static class CodeText
{
    /// <summary>The SIMD vector whose width the machine chooses: 4 floats on SSE/NEON, 8 on AVX2, 16 on AVX-512.</summary>
    public const string FloatVector = "global::System.Numerics.Vector<float>";

    /// <summary>Unchecked vector load and store (the kernel's span lengths are checked once, on entry).</summary>
    public static string Load(string reference, string index) => $"global::System.Numerics.Vector.LoadUnsafe(ref {reference}, (nuint)({index}))";

    public static string Store(string value, string reference, string index) => $"global::System.Numerics.Vector.StoreUnsafe({value}, ref {reference}, (nuint)({index}));";

    /// <summary>An unchecked element read.</summary>
    public static string At(string reference, string index) => $"global::System.Runtime.CompilerServices.Unsafe.Add(ref {reference}, {index})";

    /// <summary>A ref to a span's first element, for unchecked access.</summary>
    public static string Ref(string span) => $"global::System.Runtime.InteropServices.MemoryMarshal.GetReference({span})";

    /// <summary>A weights property (UTF-16 code units, see NetworkEmitter.WriteData) read as floats.</summary>
    public static string Floats(string data) => $"global::System.Runtime.InteropServices.MemoryMarshal.Cast<char, float>({data})";
}
