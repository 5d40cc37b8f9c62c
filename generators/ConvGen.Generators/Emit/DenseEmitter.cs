using ConvGen.Generators.Helpers;
using ConvGen.Generators.Planning;

namespace ConvGen.Generators.Emit;

/// <summary>Fully connected layers: one dot product of a weight row per unit.</summary>
internal static class DenseEmitter
{
    public static void Emit(SourceWriter w, Step step, string weights, string? bias)
    {
        int inputs = step.In.Size, units = step.Out.Size;
        string I(int v) => Literal.Int(v);
        using (w.Open($"public static void {step.MethodName}(global::System.ReadOnlySpan<float> x, global::System.Span<float> y)"))
        {
            w.Line($"global::System.ReadOnlySpan<float> w = global::System.Runtime.InteropServices.MemoryMarshal.Cast<char, float>({weights});");
            if (bias is not null)
                w.Line($"global::System.ReadOnlySpan<float> b = global::System.Runtime.InteropServices.MemoryMarshal.Cast<char, float>({bias});");
            w.Line($"x = x.Slice(0, {I(inputs)});");
            using (w.Open($"for (int o = 0; o < {I(units)}; o++)"))
            {
                w.Line($"global::System.ReadOnlySpan<float> row = w.Slice(o * {I(inputs)}, {I(inputs)});");
                w.Line(bias is not null ? "float acc = b[o];" : "float acc = 0f;");
                using (w.Open("for (int i = 0; i < row.Length; i++)"))
                    w.Line("acc += row[i] * x[i];");
                w.Line($"y[o] = {ActivationCode.Apply(step.Activation, step.Alpha, "acc")};");
            }
        }
    }
}
