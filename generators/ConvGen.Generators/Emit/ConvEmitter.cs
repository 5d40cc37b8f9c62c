using System.Linq;
using ConvGen.Generators.Helpers;
using ConvGen.Generators.Model;
using ConvGen.Generators.Planning;

namespace ConvGen.Generators.Emit;

/// <summary>
/// Convolutions (1-D and 2-D, strided, dilated, grouped, zero-padded). Windows that lie wholly inside
/// the input run the unrolled tap sum with constant offsets and no bounds checks; only the border
/// outputs that read padding take the checked path.
/// </summary>
internal static class ConvEmitter
{
    /// <summary>Above this many taps the interior keeps a tap loop, so a huge kernel cannot explode the source.</summary>
    private const int MaxUnrolledTaps = 64;

    public static void Emit(SourceWriter w, Step step, string weights, string? bias)
    {
        LayerPlan layer = step.Layer!;
        Window g = layer.Window!;
        int groups = layer.Spec.Groups;
        int inPerGroup = step.In.C / groups, outPerGroup = step.Out.C / groups;
        int inPlane = g.InH * g.InW, outPlane = g.OutH * g.OutW, taps = g.Taps;
        string I(int v) => Literal.Int(v);

        using (w.Open($"public static void {step.MethodName}(global::System.ReadOnlySpan<float> x, global::System.Span<float> y)"))
        {
            w.Line($"global::System.ReadOnlySpan<float> w = global::System.Runtime.InteropServices.MemoryMarshal.Cast<char, float>({weights});");
            if (bias is not null)
                w.Line($"global::System.ReadOnlySpan<float> b = global::System.Runtime.InteropServices.MemoryMarshal.Cast<char, float>({bias});");
            using (w.Open($"for (int oc = 0; oc < {I(step.Out.C)}; oc++)"))
            {
                w.Line(groups > 1 ? $"int xc = oc / {I(outPerGroup)} * {I(inPerGroup * inPlane)};" : "const int xc = 0;");
                w.Line($"int wo = oc * {I(inPerGroup * taps)};");
                w.Line($"int yo = oc * {I(outPlane)};");
                w.Line(bias is not null ? "float bias = b[oc];" : "const float bias = 0f;");
                using (w.Open($"for (int oy = 0; oy < {I(g.OutH)}; oy++)"))
                using (w.Open($"for (int ox = 0; ox < {I(g.OutW)}; ox++)"))
                {
                    w.Line("float acc = bias;");
                    if (g.AllInterior)
                    {
                        Interior(w, g, inPerGroup, inPlane);
                    }
                    else if (g.InteriorRowStart == g.InteriorRowEnd || g.InteriorColStart == g.InteriorColEnd)
                    {
                        Border(w, g, inPerGroup);
                    }
                    else
                    {
                        using (w.Open($"if (oy >= {I(g.InteriorRowStart)} && oy < {I(g.InteriorRowEnd)} && ox >= {I(g.InteriorColStart)} && ox < {I(g.InteriorColEnd)})"))
                            Interior(w, g, inPerGroup, inPlane);
                        using (w.Open("else"))
                            Border(w, g, inPerGroup);
                    }
                    w.Line($"y[yo + oy * {I(g.OutW)} + ox] = {ActivationCode.Apply(step.Activation, step.Alpha, "acc")};");
                }
            }
        }
    }

    /// <summary>The whole window is inside the input: constant tap offsets from the window's corner.</summary>
    private static void Interior(SourceWriter w, Window g, int inPerGroup, int inPlane)
    {
        string I(int v) => Literal.Int(v);
        w.Line($"int xi = xc + (oy * {I(g.StrideH)} - {I(g.PadTop)}) * {I(g.InW)} + ox * {I(g.StrideW)} - {I(g.PadLeft)};");
        w.Line("int wi = wo;");
        string loop = $"for (int ic = 0; ic < {I(inPerGroup)}; ic++, xi += {I(inPlane)}, wi += {I(g.Taps)})";
        if (g.Taps <= MaxUnrolledTaps)
        {
            var terms = Enumerable.Range(0, g.Taps).Select(t =>
            {
                int offset = t / g.KernelW * g.DilationH * g.InW + t % g.KernelW * g.DilationW;
                return $"w[wi{(t == 0 ? "" : " + " + I(t))}] * x[xi{(offset == 0 ? "" : " + " + I(offset))}]";
            }).ToList();
            using (w.Open(loop))
            {
                for (int start = 0; start < terms.Count; start += 4)
                    w.Line((start == 0 ? "acc += " : "     + ") + string.Join(" + ", terms.Skip(start).Take(4)) + (start + 4 >= terms.Count ? ";" : ""));
            }
        }
        else
        {
            using (w.Open(loop))
            using (w.Open($"for (int ky = 0; ky < {I(g.KernelH)}; ky++)"))
            using (w.Open($"for (int kx = 0; kx < {I(g.KernelW)}; kx++)"))
                w.Line($"acc += w[wi + ky * {I(g.KernelW)} + kx] * x[xi + ky * {I(g.DilationH * g.InW)} + kx * {I(g.DilationW)}];");
        }
    }

    /// <summary>The window reads padding: skip the taps that fall outside the input (zeros).</summary>
    private static void Border(SourceWriter w, Window g, int inPerGroup)
    {
        string I(int v) => Literal.Int(v);
        using (w.Open($"for (int ic = 0; ic < {I(inPerGroup)}; ic++)"))
        using (w.Open($"for (int ky = 0; ky < {I(g.KernelH)}; ky++)"))
        {
            w.Line($"int iy = oy * {I(g.StrideH)} - {I(g.PadTop)} + ky * {I(g.DilationH)};");
            w.Line($"if ((uint)iy >= {I(g.InH)}u) continue;");
            using (w.Open($"for (int kx = 0; kx < {I(g.KernelW)}; kx++)"))
            {
                w.Line($"int ix = ox * {I(g.StrideW)} - {I(g.PadLeft)} + kx * {I(g.DilationW)};");
                w.Line($"if ((uint)ix >= {I(g.InW)}u) continue;");
                w.Line($"acc += w[wo + (ic * {I(g.KernelH)} + ky) * {I(g.KernelW)} + kx] * x[xc + (ic * {I(g.InH)} + iy) * {I(g.InW)} + ix];");
            }
        }
    }
}
