using ConvGen.Generators.Helpers;
using ConvGen.Generators.Model;

namespace ConvGen.Generators.Emit;

/// <summary>C# expressions for the element-wise activations, applied to a variable.</summary>
internal static class ActivationCode
{
    public static string Apply(ActivationKind kind, float alpha, string v) => kind switch
    {
        ActivationKind.None => v,
        ActivationKind.ReLU => $"({v} < 0f ? 0f : {v})", // NaN passes, as in PyTorch
        ActivationKind.ReLU6 => $"global::System.MathF.Min(global::System.MathF.Max({v}, 0f), 6f)",
        ActivationKind.LeakyReLU => $"({v} > 0f ? {v} : {Literal.Float(alpha)} * {v})",
        ActivationKind.Sigmoid => $"(1f / (1f + global::System.MathF.Exp(-{v})))",
        ActivationKind.Tanh => $"global::System.MathF.Tanh({v})",
        ActivationKind.HardSwish => $"({v} * global::System.MathF.Min(global::System.MathF.Max({v} + 3f, 0f), 6f) * (1f / 6f))",
        ActivationKind.ELU => $"({v} > 0f ? {v} : {Literal.Float(alpha)} * (global::System.MathF.Exp({v}) - 1f))",
        _ => throw new System.ArgumentOutOfRangeException(nameof(kind), kind, "Softmax is a step of its own"),
    };

    /// <summary>The activation on a <c>Vector&lt;float&gt;</c>, or null when it has no cheap vector form (then it runs per element).</summary>
    public static string? ApplyVector(ActivationKind kind, string v)
        => ApplyVector(kind, v, "global::System.Numerics.Vector", CodeText.FloatVector + ".Zero", $"new {CodeText.FloatVector}(6f)");

    /// <summary>The same on a fixed-width vector: <paramref name="vector"/> is <c>Vector128</c> or <c>Vector256</c> (fully qualified).</summary>
    public static string? ApplyVector(ActivationKind kind, string v, string vector)
        => ApplyVector(kind, v, vector, vector + "<float>.Zero", vector + ".Create(6f)");

    private static string? ApplyVector(ActivationKind kind, string v, string vector, string zero, string six) => kind switch
    {
        ActivationKind.None => v,
        ActivationKind.ReLU => $"Relu({v})", // the kernels class's helper (NetworkEmitter.WriteRelu)
        ActivationKind.ReLU6 => $"{vector}.Min({vector}.Max({v}, {zero}), {six})",
        _ => null,
    };
}
