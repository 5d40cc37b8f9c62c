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

    /// <summary>
    /// The activation on a vector variable (<c>Vector&lt;float&gt;</c>, <c>Vector256&lt;float&gt;</c> or <c>Vector128&lt;float&gt;</c>:
    /// the kernels class has <c>Relu</c> and <c>Relu6</c> for each, NetworkEmitter.WriteClamps), or null when it has no
    /// cheap vector form (then it runs per element).
    /// </summary>
    public static string? ApplyVector(ActivationKind kind, string v) => kind switch
    {
        ActivationKind.None => v,
        ActivationKind.ReLU => $"Relu({v})",
        ActivationKind.ReLU6 => $"Relu6({v})",
        _ => null,
    };
}
