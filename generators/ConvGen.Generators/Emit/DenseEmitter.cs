using ConvGen.Generators.Helpers;
using ConvGen.Generators.Planning;

namespace ConvGen.Generators.Emit;

/// <summary>Fully connected layers: one vectorized dot product of a weight row per unit.</summary>
internal static class DenseEmitter
{
    public static void Emit(SourceWriter w, Step step, string weights, string? bias)
    {
        int inputs = step.In.Size, units = step.Out.Size;
        string I(int v) => Literal.Int(v);
        using (w.Open($"public static void {step.MethodName}(global::System.ReadOnlySpan<float> x, global::System.Span<float> y)"))
        {
            w.Line($"global::System.ReadOnlySpan<float> w = {CodeText.Floats(weights)};");
            if (bias is not null)
                w.Line($"global::System.ReadOnlySpan<float> b = {CodeText.Floats(bias)};");
            w.Line($"x = x.Slice(0, {I(inputs)});");
            using (w.Open($"for (int o = 0; o < {I(units)}; o++)"))
            {
                w.Line($"global::System.ReadOnlySpan<float> row = w.Slice(o * {I(inputs)}, {I(inputs)});");
                // A vector of products per step, widths as the machine has them, then the remainder.
                w.Line($"{CodeText.FloatVector} sum = {CodeText.FloatVector}.Zero;");
                w.Line("int i = 0;");
                using (w.Open($"for (; i <= {I(inputs)} - {CodeText.FloatVector}.Count; i += {CodeText.FloatVector}.Count)"))
                    w.Line($"sum += new {CodeText.FloatVector}(row.Slice(i)) * new {CodeText.FloatVector}(x.Slice(i));");
                w.Line((bias is not null ? "float acc = b[o] + " : "float acc = ") + "global::System.Numerics.Vector.Dot(sum, " + CodeText.FloatVector + ".One);");
                using (w.Open($"for (; i < {I(inputs)}; i++)"))
                    w.Line("acc += row[i] * x[i];");
                w.Line($"y[o] = {ActivationCode.Apply(step.Activation, step.Alpha, "acc")};");
            }
        }
    }
}
