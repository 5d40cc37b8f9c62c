using ConvGen.Generators.Helpers;
using ConvGen.Generators.Model;
using ConvGen.Generators.Planning;

namespace ConvGen.Generators.Emit;

/// <summary>Steps that touch each element once: activations, softmax, layout changes and copies. All are safe in place.</summary>
internal static class ElementwiseEmitter
{
    public static void Emit(SourceWriter w, Step step, string? scale = null, string? shift = null)
    {
        string I(int v) => Literal.Int(v);
        using (w.Open($"public static void {step.MethodName}(global::System.ReadOnlySpan<float> x, global::System.Span<float> y)"))
        {
            int channels = step.In.C, plane = step.In.Spatial;
            switch (step.Kind)
            {
                case StepKind.Activation:
                    using (w.Open($"for (int i = 0; i < {I(step.In.Size)}; i++)"))
                    {
                        w.Line("float v = x[i];");
                        w.Line($"y[i] = {ActivationCode.Apply(step.Activation, step.Alpha, "v")};");
                    }
                    break;
                case StepKind.Softmax:
                    // Over channels at each position; subtracting the maximum keeps exp from overflowing.
                    using (w.Open($"for (int s = 0; s < {I(plane)}; s++)"))
                    {
                        w.Line("float max = float.NegativeInfinity;");
                        using (w.Open($"for (int c = 0; c < {I(channels)}; c++)"))
                            w.Line($"max = global::System.MathF.Max(max, x[c * {I(plane)} + s]);");
                        w.Line("float sum = 0f;");
                        using (w.Open($"for (int c = 0; c < {I(channels)}; c++)"))
                        {
                            w.Line($"float e = global::System.MathF.Exp(x[c * {I(plane)} + s] - max);");
                            w.Line($"y[c * {I(plane)} + s] = e;");
                            w.Line("sum += e;");
                        }
                        w.Line("float scale = 1f / sum;");
                        using (w.Open($"for (int c = 0; c < {I(channels)}; c++)"))
                            w.Line($"y[c * {I(plane)} + s] *= scale;");
                    }
                    break;
                case StepKind.BatchNorm:
                    w.Line($"global::System.ReadOnlySpan<float> scale = {CodeText.Floats(scale!)};");
                    w.Line($"global::System.ReadOnlySpan<float> shift = {CodeText.Floats(shift!)};");
                    using (w.Open($"for (int c = 0; c < {I(channels)}; c++)"))
                    using (w.Open($"for (int i = c * {I(plane)}; i < (c + 1) * {I(plane)}; i++)"))
                        w.Line("y[i] = x[i] * scale[c] + shift[c];");
                    break;
                case StepKind.Pad:
                {
                    Window g = step.Layer!.Window!;
                    int width = step.Out.W;
                    w.Line("y.Slice(0, " + I(step.Out.Size) + ").Clear();");
                    using (w.Open($"for (int c = 0; c < {I(channels)}; c++)"))
                    using (w.Open($"for (int row = 0; row < {I(g.InH)}; row++)"))
                        w.Line($"x.Slice((c * {I(g.InH)} + row) * {I(g.InW)}, {I(g.InW)}).CopyTo(y.Slice((c * {I(step.Out.H)} + row + {I(g.PadTop)}) * {I(width)} + {I(g.PadLeft)}));");
                    break;
                }
                case StepKind.ToChannelsLast:
                    using (w.Open($"for (int c = 0; c < {I(channels)}; c++)"))
                    using (w.Open($"for (int s = 0; s < {I(plane)}; s++)"))
                        w.Line($"y[s * {I(channels)} + c] = x[c * {I(plane)} + s];");
                    break;
                case StepKind.ToChannelsFirst:
                    using (w.Open($"for (int s = 0; s < {I(plane)}; s++)"))
                    using (w.Open($"for (int c = 0; c < {I(channels)}; c++)"))
                        w.Line($"y[c * {I(plane)} + s] = x[s * {I(channels)} + c];");
                    break;
                default:
                    w.Line($"x.Slice(0, {I(step.In.Size)}).CopyTo(y);");
                    break;
            }
        }
    }
}
