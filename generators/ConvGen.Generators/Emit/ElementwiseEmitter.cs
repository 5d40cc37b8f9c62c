using System;
using System.Linq;
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
        string parameters = step.Sources.Count == 1
            ? "global::System.ReadOnlySpan<float> x"
            : string.Join(", ", Enumerable.Range(0, step.Sources.Count).Select(k => $"global::System.ReadOnlySpan<float> x{k}"));
        using (w.Open($"public static void {step.MethodName}({parameters}, global::System.Span<float> y)"))
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
                    Pad(w, step);
                    break;
                case StepKind.Add:
                {
                    // Vectors while they fit (in place is safe: each element is read before it is written), then the rest.
                    string V = CodeText.FloatVector;
                    string? vectorActivation = ActivationCode.ApplyVector(step.Activation, "v");
                    w.Line("int i = 0;");
                    if (vectorActivation is not null)
                    {
                        using (w.Open($"for (; i <= {I(step.Out.Size)} - {V}.Count; i += {V}.Count)"))
                        {
                            w.Line($"{V} v = {string.Join(" + ", Enumerable.Range(0, step.Sources.Count).Select(k => $"new {V}(x{k}.Slice(i))"))};");
                            w.Line($"({vectorActivation}).CopyTo(y.Slice(i));");
                        }
                    }
                    using (w.Open($"for (; i < {I(step.Out.Size)}; i++)"))
                    {
                        w.Line($"float v = {string.Join(" + ", Enumerable.Range(0, step.Sources.Count).Select(k => $"x{k}[i]"))};");
                        w.Line($"y[i] = {ActivationCode.Apply(step.Activation, step.Alpha, "v")};");
                    }
                    break;
                }
                case StepKind.Concat:
                {
                    // Channels first, a channel concat is the inputs end to end.
                    int offset = 0;
                    for (int k = 0; k < step.Inputs.Count; k++)
                    {
                        w.Line($"x{k}.Slice(0, {I(step.Inputs[k].Size)}).CopyTo(y.Slice({I(offset)}));");
                        offset += step.Inputs[k].Size;
                    }
                    break;
                }
                case StepKind.ChannelShuffle:
                {
                    int groups = step.Layer!.Spec.Groups, perGroup = channels / groups;
                    using (w.Open($"for (int g = 0; g < {I(groups)}; g++)"))
                    using (w.Open($"for (int k = 0; k < {I(perGroup)}; k++)"))
                        w.Line($"x.Slice((g * {I(perGroup)} + k) * {I(plane)}, {I(plane)}).CopyTo(y.Slice((k * {I(groups)} + g) * {I(plane)}));");
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

    /// <summary>
    /// A bordered copy: input (y, x) lands at (y * StrideH + Top, x * StrideW + Left). Zeros everywhere else,
    /// or (stride 1) the border PyTorch's padding mode reads: the mirror image, the edge, or the wrap-around.
    /// </summary>
    private static void Pad(SourceWriter w, Step step)
    {
        string I(int v) => Literal.Int(v);
        PadGeometry p = step.Pad!;
        int channels = step.In.C, inH = step.In.H, inW = step.In.W, outH = step.Out.H, outW = step.Out.W;
        if (p.Mode != PaddingModeKind.Zeros)
        {
            string map = p.Mode switch
            {
                PaddingModeKind.Reflect => "i < 0 ? -i : i >= n ? 2 * n - 2 - i : i",
                PaddingModeKind.Replicate => "i < 0 ? 0 : i >= n ? n - 1 : i",
                _ => "i < 0 ? i + n : i >= n ? i - n : i", // Circular: shape inference keeps pads within one period
            };
            w.Line($"static int Source(int i, int n) => {map};");
            using (w.Open($"for (int c = 0; c < {I(channels)}; c++)"))
            using (w.Open($"for (int py = 0; py < {I(outH)}; py++)"))
            {
                w.Line($"int row = (c * {I(inH)} + Source(py - {I(p.Top)}, {I(inH)})) * {I(inW)};");
                using (w.Open($"for (int px = 0; px < {I(outW)}; px++)"))
                    w.Line($"y[(c * {I(outH)} + py) * {I(outW)} + px] = x[row + Source(px - {I(p.Left)}, {I(inW)})];");
            }
            return;
        }

        // The input rows and columns that land inside the output (negative pads crop).
        int rowStart = Math.Max(0, CeilDiv(-p.Top, p.StrideH)), rowEnd = Math.Min(inH, FloorDiv(outH - 1 - p.Top, p.StrideH) + 1);
        int colStart = Math.Max(0, CeilDiv(-p.Left, p.StrideW)), colEnd = Math.Min(inW, FloorDiv(outW - 1 - p.Left, p.StrideW) + 1);
        w.Line($"y.Slice(0, {I(step.Out.Size)}).Clear();");
        if (rowStart >= rowEnd || colStart >= colEnd)
            return;
        using (w.Open($"for (int c = 0; c < {I(channels)}; c++)"))
        using (w.Open($"for (int row = {I(rowStart)}; row < {I(rowEnd)}; row++)"))
        {
            w.Line($"int from = (c * {I(inH)} + row) * {I(inW)}, to = (c * {I(outH)} + row * {I(p.StrideH)} + {I(p.Top)}) * {I(outW)} + {I(p.Left)};");
            if (p.StrideW == 1)
                w.Line($"x.Slice(from + {I(colStart)}, {I(colEnd - colStart)}).CopyTo(y.Slice(to + {I(colStart)}));");
            else
                using (w.Open($"for (int col = {I(colStart)}; col < {I(colEnd)}; col++)"))
                    w.Line($"y[to + col * {I(p.StrideW)}] = x[from + col];");
        }
    }

    private static int FloorDiv(int a, int b) => a >= 0 ? a / b : -((-a + b - 1) / b);

    private static int CeilDiv(int a, int b) => -FloorDiv(-a, b);
}
