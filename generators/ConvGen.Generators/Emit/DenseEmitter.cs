using System;
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

    private const int Lanes = VectorWidth.Group;

    /// <summary>Output vectors (of 8) per pass of the kernel vectorized over outputs: 8 accumulators.</summary>
    private const int VectorsPerPass = 8;

    /// <summary>
    /// From 8 units on, a Dense is vectorized over its outputs (<see cref="EmitOverOutputs"/>); below, over its
    /// inputs, a few rows at a time.
    /// </summary>
    public static bool VectorizesOverOutputs(Step step) => step.Out.Size >= Lanes;

    /// <summary>
    /// The weights as the kernel reads them: <c>[out, in]</c> (in the input's channel blocks for a blocked Dense),
    /// and vectorized over outputs packed <c>[pass, in, 8 x vectors of the pass]</c>, the last vector's columns
    /// ending at the last unit (overlapping the one before when 8 does not divide the units).
    /// </summary>
    public static float[] WeightsFor(Step step)
    {
        float[] rows = step.Blocked ? WeightsForBlocks(step) : step.Layer!.Weights.ToArray();
        if (!VectorizesOverOutputs(step))
            return rows;
        int inputs = step.In.Size, units = step.Out.Size, vectors = (units + Lanes - 1) / Lanes;
        var packed = new float[vectors * Lanes * inputs];
        for (int first = 0; first < vectors; first += VectorsPerPass)
        {
            int count = Math.Min(VectorsPerPass, vectors - first);
            for (int i = 0; i < inputs; i++)
                for (int v = 0; v < count; v++)
                    for (int lane = 0; lane < Lanes; lane++)
                        packed[first * Lanes * inputs + (i * count + v) * Lanes + lane] = rows[(Column(units, first + v) + lane) * inputs + i];
        }
        return packed;
    }

    public static string WeightsDescription(Step step)
        => (VectorizesOverOutputs(step) ? "packed [passes of up to 64 units, in, the pass's units]" : "[out, in]") + (step.Blocked ? ", in in channel blocks (C / 8, H, W, 8)" : "");

    /// <summary>The first unit of output vector v: 8 v, or 8 before the end for the last one.</summary>
    private static int Column(int units, int v) => Math.Min(v * Lanes, units - Lanes);

    /// <summary>
    /// A Dense that reads a map in channel blocks (<see cref="Step.Blocked"/>) has each weight row permuted at
    /// build time to match: (c, p) of the flattened (C, H, W) map sits at (c / 8, p, c % 8).
    /// </summary>
    private static float[] WeightsForBlocks(Step step)
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
        if (VectorizesOverOutputs(step))
        {
            EmitOverOutputs(w, step, weights, bias);
            return;
        }
        int inputs = step.In.Size, units = step.Out.Size;
        string V = CodeText.FloatVector;
        string I(int v) => Literal.Int(v);
        using (w.Open(CodeText.Signature(step)))
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

    /// <summary>
    /// y = b + W x vectorized over the outputs: per pass, 8 vectors of 8 units accumulate x[i] (broadcast) times
    /// a packed weight vector, input by input, so the weights stream in one contiguous run and no horizontal
    /// sums are left at the end. LeNet-5's fc1 (400 → 120, 192 KB of weights from L2) ran 17–20% faster than
    /// 4 rows of dot products per pass. The last vector overlaps the one before when 8 does not divide the
    /// units (the same values again). On <c>Vector256</c>, else <c>Vector128</c> by halves.
    /// </summary>
    private static void EmitOverOutputs(SourceWriter w, Step step, string weights, string? bias)
    {
        int inputs = step.In.Size, units = step.Out.Size, vectors = (units + Lanes - 1) / Lanes;
        string I(int v) => Literal.Int(v);
        using (w.Open(CodeText.Signature(step)))
        {
            CodeText.DataSpan(w, "w", weights, vectors * Lanes * inputs);
            if (bias is not null)
                CodeText.DataSpan(w, "b", bias, units);
            CodeText.UncheckedSpans(w, inputs, units);
            VectorWidth.Dispatch(w, Passes);
        }

        void Passes(VectorWidth width)
        {
            if (vectors >= VectorsPerPass)
                using (w.Open($"for (nint first = 0; first <= {I(vectors - VectorsPerPass)}; first += {I(VectorsPerPass)})"))
                    Pass(width, VectorsPerPass);
            if (vectors % VectorsPerPass != 0)
                using (w.Open(""))
                {
                    w.Line($"const nint first = {I(vectors - vectors % VectorsPerPass)};");
                    Pass(width, vectors % VectorsPerPass);
                }
            w.Line("return;");
        }

        void Pass(VectorWidth width, int passVectors)
        {
            var vs = Enumerable.Range(0, passVectors).ToList();
            string vector = width.Vector;
            using (width.Halves(w))
            {
                // Each vector's first unit; only the network's last vector can overlap the one before.
                w.Line(string.Join(" ", vs.Select(v => $"nint c{v} = global::System.Math.Min((first + {I(v)}) * {I(Lanes)}, {I(units - Lanes)}) + h;")));
                foreach (int v in vs)
                    w.Line($"{vector}<float> a{v} = {(bias is not null ? width.Load("br", $"c{v}") : $"{vector}<float>.Zero")};");
                using (w.Open($"for (nint i = 0, wi = first * {I(Lanes * inputs)} + h; i < {I(inputs)}; i++, wi += {I(Lanes * passVectors)})"))
                {
                    w.Line($"{vector}<float> xi = {vector}.Create({CodeText.At("xr", "i")});");
                    foreach (int v in vs)
                        w.Line($"a{v} = MulAdd({width.Load("wr", $"wi + {I(v * Lanes)}")}, xi, a{v});");
                }
                foreach (int v in vs)
                    width.StoreActivated(w, step, $"a{v}", $"c{v}");
            }
        }
    }
}
