using System;
using System.Linq;
using ConvGen.Generators.Helpers;
using ConvGen.Generators.Model;
using ConvGen.Generators.Planning;

namespace ConvGen.Generators.Emit;

/// <summary>
/// Convolutions (1-D and 2-D, strided, dilated, grouped, zero-padded). Weights are repacked at build
/// time so the output channels of one tap are contiguous; for each output position a
/// <c>Vector&lt;float&gt;</c> of output channels accumulates at once (an input value broadcast times a vector
/// of weights), the width chosen by the machine (SSE/NEON 4, AVX2 8, AVX-512 16). Channels left over,
/// and groups too narrow to vectorize (depthwise), take scalar code over the same weights. Windows wholly
/// inside the input use constant tap offsets; only positions that read padding check bounds.
/// </summary>
internal static class ConvEmitter
{
    /// <summary>Above this many taps the interior keeps a tap loop, so a huge kernel cannot explode the source.</summary>
    private const int MaxUnrolledTaps = 64;

    /// <summary>
    /// Below this many output channels per group a vector over channels is mostly empty (depthwise convs):
    /// those keep the scalar kernel above.
    /// </summary>
    private const int MinChannelsToVectorize = 4;

    private static bool VectorizesOverChannels(Step step) => step.Out.C / step.Layer!.Spec.Groups >= MinChannelsToVectorize;

    /// <summary>
    /// Weights repacked at build time from PyTorch's <c>[out, in/groups, kh, kw]</c> to
    /// <c>[groups, in/groups, kh, kw, out/groups]</c>: the output channels of one tap are contiguous, so
    /// one vector load feeds <c>Vector&lt;float&gt;.Count</c> output channels at once.
    /// </summary>
    public static float[] PackForChannels(Step step)
    {
        LayerPlan layer = step.Layer!;
        int groups = layer.Spec.Groups, outPerGroup = step.Out.C / groups, inPerGroup = step.In.C / groups, taps = layer.Window!.Taps;
        var packed = new float[layer.Weights.Count];
        for (int g = 0; g < groups; g++)
            for (int o = 0; o < outPerGroup; o++)
                for (int i = 0; i < inPerGroup; i++)
                    for (int t = 0; t < taps; t++)
                        packed[((g * inPerGroup + i) * taps + t) * outPerGroup + o] = layer.Weights[((g * outPerGroup + o) * inPerGroup + i) * taps + t];
        return packed;
    }

    public static void Emit(SourceWriter w, Step step, string packedWeights, string? bias)
    {
        LayerPlan layer = step.Layer!;
        Window g = layer.Window!;
        int groups = layer.Spec.Groups;
        int inPerGroup = step.In.C / groups, outPerGroup = step.Out.C / groups;
        int inPlane = g.InH * g.InW, outPlane = g.OutH * g.OutW, taps = g.Taps;
        string I(int v) => Literal.Int(v);
        string Act(string v) => ActivationCode.Apply(step.Activation, step.Alpha, v);

        using (w.Open($"public static void {step.MethodName}(global::System.ReadOnlySpan<float> x, global::System.Span<float> y)"))
        {
            w.Line($"global::System.ReadOnlySpan<float> w = {CodeText.Floats(packedWeights)};");
            if (bias is not null)
                w.Line($"global::System.ReadOnlySpan<float> b = {CodeText.Floats(bias)};");
            using (w.Open($"for (int oy = 0; oy < {I(g.OutH)}; oy++)"))
            using (w.Open($"for (int ox = 0; ox < {I(g.OutW)}; ox++)"))
            {
                w.Line($"int yo = oy * {I(g.OutW)} + ox;");
                if (g.InteriorRowStart == g.InteriorRowEnd || g.InteriorColStart == g.InteriorColEnd)
                {
                    // Every window reads padding: only the checked path.
                    PackedBorder(w, step, g, groups, inPerGroup, outPerGroup, inPlane, outPlane, bias is not null);
                    return;
                }
                if (!g.AllInterior)
                {
                    using (w.Open($"if (oy < {I(g.InteriorRowStart)} || oy >= {I(g.InteriorRowEnd)} || ox < {I(g.InteriorColStart)} || ox >= {I(g.InteriorColEnd)})"))
                    {
                        PackedBorder(w, step, g, groups, inPerGroup, outPerGroup, inPlane, outPlane, bias is not null);
                        w.Line("continue;");
                    }
                }
                w.Line($"int xo = (oy * {I(g.StrideH)} - {I(g.PadTop)}) * {I(g.InW)} + ox * {I(g.StrideW)} - {I(g.PadLeft)};");
                if (groups == 1)
                {
                    w.Line("const int g = 0;");
                    ChannelBlocks();
                }
                else
                {
                    using (w.Open($"for (int g = 0; g < {I(groups)}; g++)"))
                        ChannelBlocks();
                }
            }
        }

        // Vectors of output channels, then the channels left over, one at a time.
        void ChannelBlocks()
        {
            w.Line("int oc = 0;");
            if (VectorizesOverChannels(step))
            {
                using (w.Open($"for (; oc <= {I(outPerGroup)} - {CodeText.FloatVector}.Count; oc += {CodeText.FloatVector}.Count)"))
                {
                    w.Line(bias is not null ? $"{CodeText.FloatVector} acc = new {CodeText.FloatVector}(b.Slice(g * {I(outPerGroup)} + oc));" : $"{CodeText.FloatVector} acc = {CodeText.FloatVector}.Zero;");
                    w.Line($"int xi = g * {I(inPerGroup * inPlane)} + xo, wi = g * {I(inPerGroup * taps * outPerGroup)} + oc;");
                    TapLoop(w, g, inPerGroup, outPerGroup, (offset, weight) => $"new {CodeText.FloatVector}(x[xi + {offset}]) * new {CodeText.FloatVector}(w.Slice(wi + {weight}))");
                    using (w.Open($"for (int j = 0; j < {CodeText.FloatVector}.Count; j++)"))
                    {
                        w.Line("float v = acc[j];");
                        w.Line($"y[(g * {I(outPerGroup)} + oc + j) * {I(outPlane)} + yo] = {Act("v")};");
                    }
                }
            }
            using (w.Open($"for (; oc < {I(outPerGroup)}; oc++)"))
            {
                w.Line(bias is not null ? $"float acc = b[g * {I(outPerGroup)} + oc];" : "float acc = 0f;");
                w.Line($"int xi = g * {I(inPerGroup * inPlane)} + xo, wi = g * {I(inPerGroup * taps * outPerGroup)} + oc;");
                TapLoop(w, g, inPerGroup, outPerGroup, (offset, weight) => $"x[xi + {offset}] * w[wi + {weight}]");
                w.Line($"y[(g * {I(outPerGroup)} + oc) * {I(outPlane)} + yo] = {Act("acc")};");
            }
        }
    }

    /// <summary>
    /// Sums over input channels and taps: <paramref name="term"/> gets the input offset and the packed
    /// weight offset of a tap, as constants when the taps are unrolled (up to <see cref="MaxUnrolledTaps"/>),
    /// as expressions of ky and kx otherwise.
    /// </summary>
    private static void TapLoop(SourceWriter w, Window g, int inPerGroup, int outPerGroup, Func<string, string, string> term)
    {
        string I(int v) => Literal.Int(v);
        int taps = g.Taps;
        using (w.Open($"for (int ic = 0; ic < {I(inPerGroup)}; ic++, xi += {I(g.InH * g.InW)}, wi += {I(taps * outPerGroup)})"))
        {
            if (taps <= MaxUnrolledTaps)
            {
                var terms = Enumerable.Range(0, taps)
                    .Select(t => term(I(t / g.KernelW * g.DilationH * g.InW + t % g.KernelW * g.DilationW), I(t * outPerGroup)))
                    .ToList();
                for (int start = 0; start < terms.Count; start += 3)
                    w.Line((start == 0 ? "acc += " : "     + ") + string.Join(" + ", terms.Skip(start).Take(3)) + (start + 3 >= terms.Count ? ";" : ""));
            }
            else
            {
                using (w.Open($"for (int ky = 0; ky < {I(g.KernelH)}; ky++)"))
                using (w.Open($"for (int kx = 0; kx < {I(g.KernelW)}; kx++)"))
                    w.Line("acc += " + term($"ky * {I(g.DilationH * g.InW)} + kx * {I(g.DilationW)}", $"(ky * {I(g.KernelW)} + kx) * {I(outPerGroup)}") + ";");
            }
        }
    }

    /// <summary>A position whose window reads padding: every output channel, scalar, skipping taps outside the input.</summary>
    private static void PackedBorder(SourceWriter w, Step step, Window g, int groups, int inPerGroup, int outPerGroup, int inPlane, int outPlane, bool hasBias)
    {
        string I(int v) => Literal.Int(v);
        // (Names differ from the interior code's: C# forbids reusing them in the enclosing scope.)
        using (w.Open($"for (int channel = 0; channel < {I(step.Out.C)}; channel++)"))
        {
            w.Line(groups > 1 ? $"int group = channel / {I(outPerGroup)}, o = channel % {I(outPerGroup)};" : "const int group = 0; int o = channel;");
            w.Line(hasBias ? "float sum = b[channel];" : "float sum = 0f;");
            using (w.Open($"for (int ic = 0; ic < {I(inPerGroup)}; ic++)"))
            using (w.Open($"for (int ky = 0; ky < {I(g.KernelH)}; ky++)"))
            {
                w.Line($"int iy = oy * {I(g.StrideH)} - {I(g.PadTop)} + ky * {I(g.DilationH)};");
                w.Line($"if ((uint)iy >= {I(g.InH)}u) continue;");
                using (w.Open($"for (int kx = 0; kx < {I(g.KernelW)}; kx++)"))
                {
                    w.Line($"int ix = ox * {I(g.StrideW)} - {I(g.PadLeft)} + kx * {I(g.DilationW)};");
                    w.Line($"if ((uint)ix >= {I(g.InW)}u) continue;");
                    w.Line($"sum += x[(group * {I(inPerGroup)} + ic) * {I(inPlane)} + iy * {I(g.InW)} + ix] * w[(((group * {I(inPerGroup)} + ic) * {I(g.KernelH)} + ky) * {I(g.KernelW)} + kx) * {I(outPerGroup)} + o];");
                }
            }
            w.Line($"y[channel * {I(outPlane)} + yo] = {ActivationCode.Apply(step.Activation, step.Alpha, "sum")};");
        }
    }
}
