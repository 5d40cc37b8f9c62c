using System.Linq;
using ConvGen.Generators.Helpers;
using ConvGen.Generators.Planning;

namespace ConvGen.Generators.Emit;

/// <summary>
/// Fully connected layers: dot products of weight rows with the input, <see cref="RowsPerPass"/> rows per pass
/// so that each input vector loaded feeds that many fused multiply-adds into independent accumulators (one
/// accumulator per row would wait on the previous add: the chain, not the multiplier, set the pace).
/// </summary>
internal static class DenseEmitter
{
    private const int RowsPerPass = 4;

    /// <summary>
    /// A Dense that reads a map in channel blocks (<see cref="Step.Blocked"/>) has each weight row permuted at
    /// build time to match: (c, p) of the flattened (C, H, W) map sits at (c / 8, p, c % 8).
    /// </summary>
    public static float[] WeightsForBlocks(Step step)
    {
        int units = step.Out.Size, inputs = step.In.Size, channels = step.In.C, positions = step.In.Spatial, lanes = ChannelBlocks.Lanes;
        var permuted = new float[units * inputs];
        for (int o = 0; o < units; o++)
            for (int c = 0; c < channels; c++)
                for (int p = 0; p < positions; p++)
                    permuted[o * inputs + (c / lanes * positions + p) * lanes + c % lanes] = step.Layer!.Weights[o * inputs + c * positions + p];
        return permuted;
    }

    public static void Emit(SourceWriter w, Step step, string weights, string? bias)
    {
        int inputs = step.In.Size, units = step.Out.Size;
        string V = CodeText.FloatVector;
        string I(int v) => Literal.Int(v);
        using (w.Open($"public static void {step.MethodName}(global::System.ReadOnlySpan<float> x, global::System.Span<float> y)"))
        {
            w.Line($"global::System.ReadOnlySpan<float> w = {CodeText.Floats(weights)};");
            if (bias is not null)
                w.Line($"global::System.ReadOnlySpan<float> b = {CodeText.Floats(bias)};");
            // One length check per span; every unchecked access below stays inside them by construction.
            w.Line($"_ = x[{I(inputs - 1)}];");
            w.Line($"_ = y[{I(units - 1)}];");
            w.Line($"_ = w[{I(inputs * units - 1)}];");
            w.Line($"ref float xr = ref {CodeText.Ref("x")};");
            w.Line($"ref float wr = ref {CodeText.Ref("w")};");
            w.Line("int o = 0;");
            if (units >= RowsPerPass)
                using (w.Open($"for (; o <= {I(units - RowsPerPass)}; o += {I(RowsPerPass)})"))
                    Rows(RowsPerPass);
            using (w.Open($"for (; o < {I(units)}; o++)"))
                Rows(1);
        }

        void Rows(int rows)
        {
            var r = Enumerable.Range(0, rows).ToList();
            w.Line($"nint row = (nint)o * {I(inputs)};");
            w.Line(string.Join(" ", r.Select(k => $"{V} s{k} = {V}.Zero;")));
            w.Line("nint i = 0;");
            using (w.Open($"for (; i <= {I(inputs)} - {V}.Count; i += {V}.Count)"))
            {
                w.Line($"{V} xv = {CodeText.Load("xr", "i")};");
                foreach (int k in r)
                    w.Line($"s{k} = MulAdd({CodeText.Load("wr", $"row + {I(k * inputs)} + i")}, xv, s{k});");
            }
            foreach (int k in r)
                w.Line($"float a{k} = {(bias is not null ? $"b[o + {I(k)}] + " : "")}global::System.Numerics.Vector.Dot(s{k}, {V}.One);");
            using (w.Open($"for (; i < {I(inputs)}; i++)"))
            {
                w.Line($"float xi = {CodeText.At("xr", "i")};");
                foreach (int k in r)
                    w.Line($"a{k} += {CodeText.At("wr", $"row + {I(k * inputs)} + i")} * xi;");
            }
            foreach (int k in r)
                w.Line($"y[o + {I(k)}] = {ActivationCode.Apply(step.Activation, step.Alpha, $"a{k}")};");
        }
    }
}
