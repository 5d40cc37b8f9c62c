using System;
using ConvGen.Generators.Helpers;
using ConvGen.Generators.Planning;

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

    /// <summary>
    /// A one-input step's method: input <c>x</c>, output <c>y</c>, and <c>work</c>, the scratch its kernel works in,
    /// when it has some (<see cref="Step.Work"/>).
    /// </summary>
    public static string Signature(Step step)
        => $"public static void {step.MethodName}(global::System.ReadOnlySpan<float> x, global::System.Span<float> y{(step.Work is null ? "" : ", global::System.Span<float> work")})";

    /// <summary>Floats rounded up to whole 64-byte cache lines: parts of a work span then start where vectors load fastest.</summary>
    public static int WholeLines(int floats) => (floats + 15) / 16 * 16;

    /// <summary>
    /// A kernel's unchecked access to its input <c>x</c> and output <c>y</c>: one length check per span (every
    /// access after it stays inside by construction, so unchecked access stays memory safe), then refs
    /// <c>xr</c> and <c>yr</c> to their first elements.
    /// </summary>
    public static void UncheckedSpans(SourceWriter w, int inputLength, int outputLength)
    {
        w.Line($"_ = x[{Literal.Int(inputLength - 1)}];");
        w.Line($"_ = y[{Literal.Int(outputLength - 1)}];");
        w.Line($"ref float xr = ref {Ref("x")};");
        w.Line($"ref float yr = ref {Ref("y")};");
    }

    /// <summary>
    /// <paramref name="span"/> over a data property of <paramref name="length"/> floats, one bounds check on its last
    /// element, and a ref (<paramref name="span"/> + "r") for the unchecked access that stays inside it.
    /// </summary>
    public static void DataSpan(SourceWriter w, string span, string property, int length)
    {
        w.Line($"global::System.ReadOnlySpan<float> {span} = {Floats(property)};");
        w.Line($"_ = {span}[{Literal.Int(length - 1)}];");
        w.Line($"ref float {span}r = ref {Ref(span)};");
    }

    /// <summary>A ref to a span's first element, for unchecked access.</summary>
    public static string Ref(string span) => $"global::System.Runtime.InteropServices.MemoryMarshal.GetReference({span})";

    /// <summary>
    /// Copies <paramref name="count"/> floats from <c>fromRef[from]</c> to <c>toRef[to]</c>, unchecked: runs under a vector
    /// move one float at a time, unrolled (a span CopyTo per 5-float row cost more than the copying:
    /// DS-CNN's 25x5 maps), longer ones whole vectors with the last one overlapping.
    /// </summary>
    public static void CopyFloats(SourceWriter w, string fromRef, string from, string toRef, string to, int count)
    {
        string I(int v) => Literal.Int(v);
        if (count < Avx2Floats)
        {
            for (int k = 0; k < count; k++)
                w.Line($"{At(toRef, $"{to} + {I(k)}")} = {At(fromRef, $"{from} + {I(k)}")};");
            return;
        }
        using (w.Open($"if ({I(count)} >= {FloatVector}.Count)"))
        {
            w.Line("nint k = 0;");
            using (w.Open($"for (; k < {I(count)} - {FloatVector}.Count; k += {FloatVector}.Count)"))
                w.Line(Store(Load(fromRef, $"{from} + k"), toRef, $"{to} + k"));
            w.Line(Store(Load(fromRef, $"{from} + {I(count)} - {FloatVector}.Count"), toRef, $"{to} + {I(count)} - {FloatVector}.Count"));
        }
        using (w.Open("else"))
        using (w.Open($"for (int k = 0; k < {I(count)}; k++)"))
            w.Line($"{At(toRef, $"{to} + k")} = {At(fromRef, $"{from} + k")};");
    }

    /// <summary>
    /// The vector width (floats) that build-time choices assume: AVX2's. The code itself runs at the machine's
    /// width; only thresholds (rows worth vectorizing, runs worth a vector copy) are set by this one.
    /// </summary>
    public const int Avx2Floats = 8;

    /// <summary>A weights property (UTF-16 code units, see NetworkEmitter.WriteData) read as floats.</summary>
    public static string Floats(string data) => $"global::System.Runtime.InteropServices.MemoryMarshal.Cast<char, float>({data})";

    /// <summary>
    /// The in-lane half of an AVX transpose of 4 or 8 <c>Vector256</c> rows (<paramref name="row"/>(k)): unpacks into
    /// <c>pair</c>s, shuffles into <c>quad</c>s. Quad q &lt; 4 holds column q of rows 0-3 in its lower half and
    /// column q + 4 in its upper; quad q + 4 the same for rows 4-7. An 8x8 transpose's row k is then
    /// <see cref="TransposedRow"/>(k); a 4x8 one's column k is the lower (k &lt; 4) or upper half of quad k % 4.
    /// </summary>
    public static void TransposeQuads(SourceWriter w, int rows, Func<int, string> row)
    {
        const string V = "global::System.Runtime.Intrinsics.Vector256", Avx = "global::System.Runtime.Intrinsics.X86.Avx";
        for (int k = 0; k < rows; k += 2)
            w.Line($"{V}<float> pair{k} = {Avx}.UnpackLow({row(k)}, {row(k + 1)}), pair{k + 1} = {Avx}.UnpackHigh({row(k)}, {row(k + 1)});");
        for (int k = 0; k < rows; k += 4)
            w.Line($"{V}<float> quad{k} = {Avx}.Shuffle(pair{k}, pair{k + 2}, 0x44), quad{k + 1} = {Avx}.Shuffle(pair{k}, pair{k + 2}, 0xEE), "
                + $"quad{k + 2} = {Avx}.Shuffle(pair{k + 1}, pair{k + 3}, 0x44), quad{k + 3} = {Avx}.Shuffle(pair{k + 1}, pair{k + 3}, 0xEE);");
    }

    /// <summary>Row k of an 8x8 transpose after <see cref="TransposeQuads"/>: the matching halves of two quads.</summary>
    public static string TransposedRow(int k)
        => $"global::System.Runtime.Intrinsics.X86.Avx.Permute2x128(quad{k % 4}, quad{k % 4 + 4}, {(k < 4 ? "0x20" : "0x31")})";
}
