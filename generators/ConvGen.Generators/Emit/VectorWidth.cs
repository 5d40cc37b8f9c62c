using System;
using ConvGen.Generators.Helpers;
using ConvGen.Generators.Planning;

namespace ConvGen.Generators.Emit;

/// <summary>
/// The explicit vector types of the kernels written twice, once per width: <c>Vector256</c> (a group of 8
/// floats in one vector) where the machine has it, else <c>Vector128</c> (two per group: SSE, Arm's NEON).
/// </summary>
internal readonly record struct VectorWidth(string Vector, int Count)
{
    /// <summary>Floats per group: a channel block, or a Dense layer's vector of units.</summary>
    public const int Group = ChannelBlocks.Lanes;

    public static readonly VectorWidth Wide = new("global::System.Runtime.Intrinsics.Vector256", 8);
    public static readonly VectorWidth Narrow = new("global::System.Runtime.Intrinsics.Vector128", 4);

    /// <summary>Writes <paramref name="body"/> for <see cref="Wide"/> where it is hardware accelerated, else for <see cref="Narrow"/>.</summary>
    public static void Dispatch(SourceWriter w, Action<VectorWidth> body)
    {
        using (w.Open($"if ({Wide.Vector}.IsHardwareAccelerated)"))
            body(Wide);
        using (w.Open("else"))
            body(Narrow);
    }

    /// <summary>A scope where <c>h</c> runs over the vectors of one group (one of Vector256, two of Vector128).</summary>
    public SourceWriter.Block Halves(SourceWriter w)
    {
        SourceWriter.Block scope = w.Open(Count == Group ? "" : $"for (nint h = 0; h < {Group}; h += {Count})");
        if (Count == Group)
            w.Line("const nint h = 0;");
        return scope;
    }

    public string Load(string reference, string at) => $"{Vector}.LoadUnsafe(ref {reference}, (nuint)({at}))";

    /// <summary>Stores a vector into <c>yr</c> with the activation applied: in the vector where it has a vector form, else per element after the store.</summary>
    public void StoreActivated(SourceWriter w, Step step, string value, string at)
    {
        string? activated = ActivationCode.ApplyVector(step.Activation, value);
        w.Line($"{Vector}.StoreUnsafe({activated ?? value}, ref yr, (nuint)({at}));");
        if (activated is null)
            using (w.Open($"for (nint j = {at}; j < {at} + {Count}; j++)"))
                w.Line($"{CodeText.At("yr", "j")} = {ActivationCode.Apply(step.Activation, step.Alpha, CodeText.At("yr", "j"))};");
    }
}
