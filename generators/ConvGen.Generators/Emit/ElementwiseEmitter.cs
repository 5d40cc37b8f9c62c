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
                case StepKind.ToChannelBlocks:
                case StepKind.FromChannelBlocks:
                    ChangeChannelBlocks(w, step);
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

        if (p.ColumnPhases > 1)
        {
            SplitColumnPhases(w, step);
            return;
        }

        // The input rows and columns that land inside the output (negative pads crop).
        int rowStart = Math.Max(0, CeilDiv(-p.Top, p.StrideH)), rowEnd = Math.Min(inH, FloorDiv(outH - 1 - p.Top, p.StrideH) + 1);
        int colStart = Math.Max(0, CeilDiv(-p.Left, p.StrideW)), colEnd = Math.Min(inW, FloorDiv(outW - 1 - p.Left, p.StrideW) + 1);
        // Rows of at least a vector clear only the border; narrower ones clear everything at once (one memset
        // beat a clear per short row: MobileNet's 6-float rows).
        bool borderOnly = p.StrideH == 1 && p.StrideW == 1 && p.Top >= 0 && p.Left >= 0 && p.Bottom >= 0 && p.Right >= 0 && inW >= CodeText.Avx2Floats;
        if (!borderOnly || rowStart >= rowEnd || colStart >= colEnd)
            w.Line($"y.Slice(0, {I(step.Out.Size)}).Clear();");
        if (rowStart >= rowEnd || colStart >= colEnd)
            return;
        // One length check per span, then unchecked row copies in vectors (a CopyTo per short row cost more
        // than the copying: MobileNet's 48-float rows).
        CodeText.UncheckedSpans(w, step.In.Size, step.Out.Size);
        using (w.Open($"for (int c = 0; c < {I(channels)}; c++)"))
        {
            if (borderOnly)
            {
                // Only the border is cleared: the rows above and below, then each copied row's two ends.
                if (p.Top > 0)
                    w.Line($"y.Slice(c * {I(outH * outW)}, {I(p.Top * outW)}).Clear();");
                if (p.Bottom > 0)
                    w.Line($"y.Slice(c * {I(outH * outW)} + {I((p.Top + inH) * outW)}, {I(p.Bottom * outW)}).Clear();");
            }
            using (w.Open($"for (int row = {I(rowStart)}; row < {I(rowEnd)}; row++)"))
            {
                w.Line($"nint from = (c * {I(inH)} + row) * {I(inW)} + {I(colStart)}, to = (c * {I(outH)} + row * {I(p.StrideH)} + {I(p.Top)}) * {I(outW)} + {I(p.Left + colStart * p.StrideW)};");
                if (borderOnly)
                {
                    ClearRun(w, $"to - {I(p.Left)}", p.Left);
                    ClearRun(w, $"to + {I(inW)}", p.Right);
                }
                int width = colEnd - colStart;
                if (p.StrideW == 1)
                    CodeText.CopyFloats(w, "xr", "from", "yr", "to", width);
                else
                    using (w.Open($"for (int col = 0; col < {I(width)}; col++)"))
                        w.Line($"{CodeText.At("yr", $"to + col * {I(p.StrideW)}")} = {CodeText.At("xr", "from + col")};");
            }
        }
    }

    /// <summary>
    /// A zero-bordered copy split by column phase (<see cref="PadGeometry.ColumnPhases"/>): bordered column b
    /// of each row goes to phase plane b % phases, column b / phases. Two phases (stride 2, the usual case)
    /// deinterleave 16 floats per step with AVX2 shuffles where the machine has them: a float at a time, the
    /// split cost more than the stride-2 conv it speeds up (MobileNet's conv1: 21 µs).
    /// </summary>
    private static void SplitColumnPhases(SourceWriter w, Step step)
    {
        string I(int v) => Literal.Int(v);
        PadGeometry p = step.Pad!;
        int phases = p.ColumnPhases, inH = step.In.H, inW = step.In.W, height = step.Out.H / phases, width = step.Out.W;
        // Phase plane q's columns [First(q), Last(q)] hold input columns; the rest of its row is border.
        int First(int q) => CeilDiv(p.Left - q, phases);
        int Last(int q) => FloorDiv(inW - 1 + p.Left - q, phases);
        string Row(string phase) => $"((c * {I(phases)} + {phase}) * {I(height)} + row + {I(p.Top)}) * {I(width)}";
        CodeText.UncheckedSpans(w, step.In.Size, step.Out.Size);
        using (w.Open($"for (int c = 0; c < {I(step.In.C)}; c++)"))
        {
            // The border: whole rows above and below each plane's rows of input, then each row's ends.
            using (w.Open($"for (int q = 0; q < {I(phases)}; q++)"))
            {
                w.Line($"y.Slice((c * {I(phases)} + q) * {I(height * width)}, {I(p.Top * width)}).Clear();");
                w.Line($"y.Slice((c * {I(phases)} + q) * {I(height * width)} + {I((p.Top + inH) * width)}, {I((height - p.Top - inH) * width)}).Clear();");
            }
            using (w.Open($"for (int row = 0; row < {I(inH)}; row++)"))
            {
                w.Line($"nint from = (c * {I(inH)} + row) * {I(inW)};");
                for (int q = 0; q < phases; q++)
                {
                    ClearRun(w, $"{Row(I(q))}", First(q));
                    ClearRun(w, $"{Row(I(q))} + {I(Last(q) + 1)}", width - 1 - Last(q));
                }
                int start = 0;
                if (phases == 2 && (inW - p.Left % 2) / 2 >= 8)
                {
                    // Pairs of input columns (c, c + 1) with c + Left even land side by side in planes 0 and 1:
                    // 8 pairs per step, the last step overlapping pairs already written (the same values again).
                    start = p.Left % 2;
                    int pairs = (inW - start) / 2, j = (start + p.Left) / 2;
                    string V = "global::System.Runtime.Intrinsics.Vector256";
                    w.Line($"nint to0 = {Row("0")} + {I(j)}, to1 = to0 + {I(height * width)};");
                    using (w.Open($"if ({V}.IsHardwareAccelerated)"))
                    {
                        using (w.Open($"for (nint k = 0; ; k += 8)"))
                        {
                            w.Line($"if (k > {I(pairs - 8)}) k = {I(pairs - 8)};");
                            w.Line($"{V}<float> a = {V}.Shuffle({V}.LoadUnsafe(ref xr, (nuint)(from + {I(start)} + 2 * k)), {V}.Create(0, 2, 4, 6, 1, 3, 5, 7));");
                            w.Line($"{V}<float> b = {V}.Shuffle({V}.LoadUnsafe(ref xr, (nuint)(from + {I(start + 8)} + 2 * k)), {V}.Create(0, 2, 4, 6, 1, 3, 5, 7));");
                            w.Line($"{V}.StoreUnsafe({V}.Create({V}.GetLower(a), {V}.GetLower(b)), ref yr, (nuint)(to0 + k));");
                            w.Line($"{V}.StoreUnsafe({V}.Create({V}.GetUpper(a), {V}.GetUpper(b)), ref yr, (nuint)(to1 + k));");
                            w.Line($"if (k == {I(pairs - 8)}) break;");
                        }
                    }
                    using (w.Open("else"))
                    using (w.Open($"for (int k = 0; k < {I(pairs)}; k++)"))
                    {
                        w.Line($"{CodeText.At("yr", "to0 + k")} = {CodeText.At("xr", $"from + {I(start)} + 2 * k")};");
                        w.Line($"{CodeText.At("yr", "to1 + k")} = {CodeText.At("xr", $"from + {I(start + 1)} + 2 * k")};");
                    }
                    if (start == 1)
                        w.Line($"{CodeText.At("yr", $"{Row(I(p.Left % 2))} + {I(p.Left / 2)}")} = {CodeText.At("xr", "from")};");
                    start += 2 * pairs;
                }
                // Columns left (every column of short rows, or with more than two phases), one at a time:
                // unrolled, with each column's place as a constant, up to 32 of them.
                if (start < inW)
                {
                    w.Line($"nint to = {Row("0")};");
                    int Place(int column) => (column + p.Left) % phases * height * width + (column + p.Left) / phases;
                    if (inW - start <= 32)
                        for (int column = start; column < inW; column++)
                            w.Line($"{CodeText.At("yr", $"to + {I(Place(column))}")} = {CodeText.At("xr", $"from + {I(column)}")};");
                    else
                        using (w.Open($"for (int column = {I(start)}; column < {I(inW)}; column++)"))
                            w.Line($"{CodeText.At("yr", $"to + (column + {I(p.Left)}) % {I(phases)} * {I(height * width)} + (column + {I(p.Left)}) / {I(phases)}")} = {CodeText.At("xr", "from + column")};");
                }
            }
        }
    }

    /// <summary>
    /// Plain (C, H, W) to channel blocks (C / 8, H, W, 8) or back. Per block, 8 channels x 8 positions are
    /// one 8x8 transpose of AVX vectors (loads and stores whole vectors either way: a float at a time, the
    /// change cost MobileNet as much as its first 8 depthwise convs); positions left over, a float at a time.
    /// </summary>
    private static void ChangeChannelBlocks(SourceWriter w, Step step)
    {
        string I(int v) => Literal.Int(v);
        int lanes = ChannelBlocks.Lanes, plane = step.In.Spatial, whole = plane / lanes * lanes;
        bool toBlocks = step.Kind == StepKind.ToChannelBlocks;
        // Channel k of block cb at position s: plain (cb * 8 + k) * plane + s, blocked (cb * plane + s) * 8 + k.
        string Plain(string k, string s) => $"(cb * {I(lanes)} + {k}) * {I(plane)} + {s}";
        string Blocked(string k, string s) => $"(cb * {I(plane)} + {s}) * {I(lanes)} + {k}";
        CodeText.UncheckedSpans(w, step.In.Size, step.Out.Size);
        using (w.Open($"for (int cb = 0; cb < {I(step.In.C / lanes)}; cb++)"))
        {
            w.Line("nint s = 0;");
            if (whole > 0)
            {
                string V = "global::System.Runtime.Intrinsics.Vector256", X = "global::System.Runtime.Intrinsics.X86.Avx";
                using (w.Open($"if ({X}.IsSupported)"))
                using (w.Open($"for (; s < {I(whole)}; s += 8)"))
                {
                    // Rows in: 8 channels' runs of 8 positions (or 8 positions' blocks); rows out: the other way.
                    for (int k = 0; k < lanes; k++)
                        w.Line($"{V}<float> r{k} = {V}.LoadUnsafe(ref xr, (nuint)({(toBlocks ? Plain(I(k), "s") : Blocked("0", $"s + {I(k)}"))}));");
                    CodeText.TransposeQuads(w, lanes, k => $"r{k}");
                    for (int k = 0; k < lanes; k++)
                        w.Line($"{V}.StoreUnsafe({CodeText.TransposedRow(k)}, ref yr, (nuint)({(toBlocks ? Blocked("0", $"s + {I(k)}") : Plain(I(k), "s"))}));");
                }
            }
            using (w.Open($"for (; s < {I(plane)}; s++)"))
            using (w.Open($"for (int k = 0; k < {I(lanes)}; k++)"))
                w.Line($"{CodeText.At("yr", toBlocks ? Blocked("k", "s") : Plain("k", "s"))} = {CodeText.At("xr", toBlocks ? Plain("k", "s") : Blocked("k", "s"))};");
        }
    }

    /// <summary>Zeroes <paramref name="count"/> floats from yr[start]: unrolled for the usual pads of a few columns.</summary>
    private static void ClearRun(SourceWriter w, string start, int count)
    {
        if (count > 4)
            w.Line($"y.Slice((int)({start}), {Literal.Int(count)}).Clear();");
        else
            for (int k = 0; k < count; k++)
                w.Line($"{CodeText.At("yr", $"{start} + {Literal.Int(k)}")} = 0f;");
    }

    private static int FloorDiv(int a, int b) => a >= 0 ? a / b : -((-a + b - 1) / b);

    private static int CeilDiv(int a, int b) => -FloorDiv(-a, b);
}
