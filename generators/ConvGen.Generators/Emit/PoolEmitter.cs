using System;
using System.Linq;
using ConvGen.Generators.Helpers;
using ConvGen.Generators.Model;
using ConvGen.Generators.Planning;

namespace ConvGen.Generators.Emit;

/// <summary>
/// Max and average pooling, windowed and global. Interior windows are unrolled with a constant divisor;
/// border windows follow PyTorch: padding never wins a max, and an average divides by the window clipped
/// to the padded input (CountIncludePad) or to the input itself.
/// </summary>
internal static class PoolEmitter
{
    private const int MaxUnrolledTaps = 64;

    public static void Emit(SourceWriter w, Step step)
    {
        Window g = step.Layer!.Window!;
        bool max = step.Kind == StepKind.MaxPool;
        using (w.Open(CodeText.Signature(step)))
        {
            if (IsPairwise(g))
                Pairwise(w, step, max);
            Scalar(w, step, g, max);
        }
    }

    /// <summary>The usual 2x2, stride-2 window over rows of at least 4 outputs: vectors of 4 outputs.</summary>
    private static bool IsPairwise(Window g) => g is { KernelH: 2, KernelW: 2, StrideH: 2, StrideW: 2, DilationH: 1, DilationW: 1, AllInterior: true, OutW: >= 4 };

    /// <summary>Rows of up to this many outputs are written unrolled, one block per 4 outputs (8 blocks at most).</summary>
    private const int MaxUnrolledRow = 32;

    /// <summary>
    /// 4 outputs per step from 2 rows of 8 inputs: the rows combined lane by lane, their even and odd columns
    /// split by one AVX2 permute, then combined - LeNet-5's and the digits net's pools took 7% and 30% of
    /// their run a window at a time. .NET 9's vector Max propagates NaN as MathF.Max does; before .NET 9, and
    /// without AVX2, the scalar code runs.
    /// </summary>
    private static void Pairwise(SourceWriter w, Step step, bool max)
    {
        Window g = step.Layer!.Window!;
        string I(int v) => Literal.Int(v);
        string V = "global::System.Runtime.Intrinsics.Vector256", H = "global::System.Runtime.Intrinsics.Vector128";
        string Op(string vector, string a, string b) => max ? $"{vector}.Max({a}, {b})" : $"{a} + {b}";
        string Load(string at) => $"{V}.LoadUnsafe(ref xr, (nuint)({at}))";
        w.Line("#if NET9_0_OR_GREATER");
        using (w.Open($"if ({V}.IsHardwareAccelerated)"))
        {
            CodeText.UncheckedSpans(w, step.In.Size, step.Out.Size);
            using (w.Open($"for (int c = 0; c < {I(step.Out.C)}; c++)"))
            using (w.Open($"for (int oy = 0; oy < {I(g.OutH)}; oy++)"))
            {
                w.Line($"nint top = (c * {I(g.InH)} + 2 * oy) * {I(g.InW)}, bottom = top + {I(g.InW)}, to = (c * {I(g.OutH)} + oy) * {I(g.OutW)};");
                // The last step overlaps outputs already written (the same values again). Rows of up to
                // MaxUnrolledRow outputs are unrolled: the loop's control cost LeNet-5's 14-wide rows a quarter.
                void FourOutputs(string ox)
                {
                    w.Line($"{V}<float> split = {V}.Shuffle({Op(V, Load($"top + 2 * {ox}"), Load($"bottom + 2 * {ox}"))}, {V}.Create(0, 2, 4, 6, 1, 3, 5, 7));");
                    string pooled = Op(H, $"{V}.GetLower(split)", $"{V}.GetUpper(split)");
                    w.Line($"{H}.StoreUnsafe({(max ? pooled : $"({pooled}) * 0.25f")}, ref yr, (nuint)(to + {ox}));");
                }
                if (g.OutW <= MaxUnrolledRow)
                    for (int ox = 0; ox < g.OutW; ox += 4)
                        using (w.Open(""))
                            FourOutputs(I(Math.Min(ox, g.OutW - 4)));
                else
                    using (w.Open("for (nint ox = 0; ; ox += 4)"))
                    {
                        w.Line($"if (ox > {I(g.OutW - 4)}) ox = {I(g.OutW - 4)};");
                        FourOutputs("ox");
                        w.Line($"if (ox == {I(g.OutW - 4)}) break;");
                    }
            }
            w.Line("return;");
        }
        w.Line("#endif");
    }

    private static void Scalar(SourceWriter w, Step step, Window g, bool max)
    {
        string I(int v) => Literal.Int(v);
        using (w.Open($"for (int c = 0; c < {I(step.Out.C)}; c++)"))
        {
            w.Line($"int xc = c * {I(g.InH * g.InW)};");
            w.Line($"int yo = c * {I(g.OutH * g.OutW)};");
            using (w.Open($"for (int oy = 0; oy < {I(g.OutH)}; oy++)"))
            using (w.Open($"for (int ox = 0; ox < {I(g.OutW)}; ox++)"))
            {
                w.Line("float v;");
                if (g.AllInterior)
                {
                    Interior(w, g, max);
                }
                else if (g.InteriorRowStart == g.InteriorRowEnd || g.InteriorColStart == g.InteriorColEnd)
                {
                    Border(w, g, max, step.Layer!.Spec.CountIncludePad ?? true);
                }
                else
                {
                    using (w.Open($"if (oy >= {I(g.InteriorRowStart)} && oy < {I(g.InteriorRowEnd)} && ox >= {I(g.InteriorColStart)} && ox < {I(g.InteriorColEnd)})"))
                        Interior(w, g, max);
                    using (w.Open("else"))
                        Border(w, g, max, step.Layer!.Spec.CountIncludePad ?? true);
                }
                w.Line($"y[yo + oy * {I(g.OutW)} + ox] = v;");
            }
        }
    }

    private static void Interior(SourceWriter w, Window g, bool max)
    {
        string I(int v) => Literal.Int(v);
        w.Line($"int xi = xc + (oy * {I(g.StrideH)} - {I(g.PadTop)}) * {I(g.InW)} + ox * {I(g.StrideW)} - {I(g.PadLeft)};");
        if (g.Taps > MaxUnrolledTaps)
        {
            w.Line(max ? "v = float.NegativeInfinity;" : "v = 0f;");
            using (w.Open($"for (int ky = 0; ky < {I(g.KernelH)}; ky++)"))
            using (w.Open($"for (int kx = 0; kx < {I(g.KernelW)}; kx++)"))
            {
                string read = $"x[xi + ky * {I(g.DilationH * g.InW)} + kx * {I(g.DilationW)}]";
                w.Line(max ? $"v = global::System.MathF.Max(v, {read});" : $"v += {read};");
            }
            if (!max)
                w.Line($"v /= {I(g.Taps)}f;");
            return;
        }

        var reads = Enumerable.Range(0, g.Taps).Select(t =>
        {
            int offset = t / g.KernelW * g.DilationH * g.InW + t % g.KernelW * g.DilationW;
            return offset == 0 ? "x[xi]" : $"x[xi + {I(offset)}]";
        }).ToList();
        if (max)
        {
            w.Line($"v = {reads[0]};");
            foreach (string read in reads.Skip(1))
                w.Line($"v = global::System.MathF.Max(v, {read});");
        }
        else
        {
            for (int start = 0; start < reads.Count; start += 8)
                w.Line((start == 0 ? "v = " : "  + ") + string.Join(" + ", reads.Skip(start).Take(8)) + (start + 8 >= reads.Count ? ";" : ""));
            w.Line($"v /= {I(g.Taps)}f;");
        }
    }

    private static void Border(SourceWriter w, Window g, bool max, bool countIncludePad)
    {
        string I(int v) => Literal.Int(v);
        if (max)
        {
            w.Line("v = float.NegativeInfinity;");
            using (w.Open($"for (int ky = 0; ky < {I(g.KernelH)}; ky++)"))
            {
                w.Line($"int iy = oy * {I(g.StrideH)} - {I(g.PadTop)} + ky * {I(g.DilationH)};");
                w.Line($"if ((uint)iy >= {I(g.InH)}u) continue;");
                using (w.Open($"for (int kx = 0; kx < {I(g.KernelW)}; kx++)"))
                {
                    w.Line($"int ix = ox * {I(g.StrideW)} - {I(g.PadLeft)} + kx * {I(g.DilationW)};");
                    w.Line($"if ((uint)ix >= {I(g.InW)}u) continue;");
                    w.Line($"v = global::System.MathF.Max(v, x[xc + iy * {I(g.InW)} + ix]);");
                }
            }
            return;
        }

        // PyTorch's avg_pool rule: the window is first clipped to the padded input (its size is the
        // divisor with CountIncludePad), then to the input (the elements summed).
        w.Line($"int y0 = oy * {I(g.StrideH)} - {I(g.PadTop)}, x0 = ox * {I(g.StrideW)} - {I(g.PadLeft)};");
        w.Line($"int y1 = global::System.Math.Min(y0 + {I(g.KernelH)}, {I(g.InH + g.PadBottom)}), x1 = global::System.Math.Min(x0 + {I(g.KernelW)}, {I(g.InW + g.PadRight)});");
        if (countIncludePad)
            w.Line("int count = (y1 - y0) * (x1 - x0);");
        w.Line("y0 = global::System.Math.Max(y0, 0); x0 = global::System.Math.Max(x0, 0);");
        w.Line($"y1 = global::System.Math.Min(y1, {I(g.InH)}); x1 = global::System.Math.Min(x1, {I(g.InW)});");
        if (!countIncludePad)
            w.Line("int count = (y1 - y0) * (x1 - x0);");
        w.Line("v = 0f;");
        using (w.Open("for (int iy = y0; iy < y1; iy++)"))
        using (w.Open("for (int ix = x0; ix < x1; ix++)"))
            w.Line($"v += x[xc + iy * {I(g.InW)} + ix];");
        w.Line("v /= count;");
    }

    /// <summary>
    /// Averages sum a vector of partial sums per plane, then add it up once: a scalar loop chains every add on
    /// the previous one (DS-CNN's 64 planes of 125 took 5.7 µs that way). Maxima stay scalar: MathF.Max
    /// propagates NaN as PyTorch does, a vector max instruction does not.
    /// </summary>
    public static void EmitGlobal(SourceWriter w, Step step)
    {
        bool max = step.Kind == StepKind.GlobalMaxPool;
        int plane = step.In.Spatial;
        string V = CodeText.FloatVector;
        string I(int v) => Literal.Int(v);
        using (w.Open(CodeText.Signature(step)))
        using (w.Open($"for (int c = 0; c < {I(step.In.C)}; c++)"))
        {
            w.Line($"global::System.ReadOnlySpan<float> plane = x.Slice(c * {I(plane)}, {I(plane)});");
            w.Line(max ? "float v = float.NegativeInfinity;" : "float v = 0f;");
            w.Line("int i = 0;");
            if (!max)
            {
                using (w.Open($"if ({I(plane)} >= {V}.Count)"))
                {
                    w.Line($"{V} sum = new {V}(plane);");
                    using (w.Open($"for (i = {V}.Count; i <= {I(plane)} - {V}.Count; i += {V}.Count)"))
                        w.Line($"sum += new {V}(plane.Slice(i));");
                    w.Line($"v = global::System.Numerics.Vector.Dot(sum, {V}.One);");
                }
            }
            using (w.Open($"for (; i < {I(plane)}; i++)"))
                w.Line(max ? "v = global::System.MathF.Max(v, plane[i]);" : "v += plane[i];");
            w.Line(max ? "y[c] = v;" : $"y[c] = v / {I(plane)}f;");
        }
    }
}
