using System;
using System.Linq;
using ConvGen.Generators.Helpers;
using ConvGen.Generators.Model;
using ConvGen.Generators.Planning;
using ConvGen.Generators.Shapes;

namespace ConvGen.Generators.Emit;

/// <summary>
/// Convolutions (1-D and 2-D, strided, dilated, grouped, zero-padded), with one of three kernels chosen
/// per layer at build time, all on <c>Vector&lt;float&gt;</c> (the machine's width):
/// <list type="bullet">
/// <item>the <b>row kernel</b>, vectorized along output rows (stride 1 across, a copy split by column phase
/// for convs strided across, or strided depthwise by computing every column), for convs whose windows all
/// lie inside the input (a bordered copy or planes staged in its work span);</item>
/// <item>the <b>blocked channel kernel</b>, vectorized over output channels with weights repacked to
/// <c>[groups, in, kh, kw, out]</c>, for strided convs and small planes;</item>
/// <item>the <b>border kernel</b>, vector per position where it can and scalar otherwise, checking bounds
/// only at positions that read padding, for the rest.</item>
/// </list>
/// </summary>
internal static class ConvEmitter
{
    /// <summary>
    /// Above this many taps every kernel keeps a tap loop: unrolled 5x5 bodies ran about 5x slower than the
    /// loop (LeNet-5's conv2, 170 µs against 34 µs), while 3x3 loops ran 1.7x slower than unrolled ones.
    /// </summary>
    private const int MaxUnrolledTaps = 9;

    /// <summary>
    /// Below this many output channels per group a vector over channels is mostly empty (depthwise convs):
    /// those take the row kernel, or scalar code.
    /// </summary>
    private const int MinChannelsToVectorize = 4;

    private static bool VectorizesOverChannels(Step step) => step.Out.C / step.Layer!.Spec.Groups >= MinChannelsToVectorize;

    /// <summary>
    /// Weights repacked at build time from PyTorch's <c>[out, in/groups, kh, kw]</c> to
    /// <c>[groups, in/groups, kh, kw, out/groups]</c>: the output channels of one tap are contiguous, so
    /// one vector load feeds <c>Vector&lt;float&gt;.Count</c> output channels at once.
    /// </summary>
    private static float[] PackForChannels(Step step)
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

    /// <summary>Whether the step's kernel calls the generated MulAdd helper: the row and the blocked channel kernels do.</summary>
    public static bool UsesMulAdd(Step step) => UsesRowKernel(step) || UsesBlockedChannelKernel(step);

    /// <summary>
    /// Floats of scratch the conv's kernel works in (<see cref="Step.Work"/>): the planes it stages, then the row
    /// kernel's block of rows, each from a cache line.
    /// </summary>
    public static int WorkFloats(Step step) => StagedFloats(step) + (UsesRowKernel(step) ? CodeText.WholeLines(RowLayoutOf(step).BufferFloats) : 0);

    private static bool UsesBlockedChannelKernel(Step step)
        => KernelWindow(step).AllInterior && (step.Layer!.Spec.Groups == 1 || !StagesPlanes(step)) && VectorizesOverChannels(step);


    /// <summary>
    /// Whether the conv can write its output in channel blocks (<see cref="ChannelBlocks"/>) for blocked steps
    /// after it: the blocked channel kernel's accumulators are already vectors of adjacent channels.
    /// </summary>
    public static bool CanWriteBlocks(Step step)
        => step.Layer!.Spec.Groups == 1 && step.Out.C % ChannelBlocks.Lanes == 0 && !UsesRowKernel(step) && UsesBlockedChannelKernel(step)
            && !WinogradEmitter.Applies(step);

    /// <summary>The weights as the chosen kernel reads them.</summary>
    public static float[] WeightsFor(Step step) => UsesRowKernel(step) ? step.Layer!.Weights.ToArray() : PackForChannels(step);

    public static void Emit(SourceWriter w, Step step, string weights, string? bias)
    {
        if (UsesRowKernel(step))
            EmitRowKernel(w, step, weights, bias);
        else
            EmitChannelKernel(w, step, weights, bias);
    }

    // ------------------------------------------------------------------ row kernel

    /// <summary>Below this many contiguous outputs a row kernel would run mostly its scalar tail (8 = an AVX2 vector).</summary>
    internal const int MinRowWidth = CodeText.Avx2Floats;


    /// <summary>
    /// A 1x1, stride-1 conv reads its input plane in the order it writes its output plane: the whole plane is one row.
    /// </summary>
    private static bool IsPlaneContiguous(Window g) => g.Taps == 1 && g.StrideH == 1 && g.StrideW == 1 && g.AllInterior && g.InW == g.OutW && g.InH == g.OutH;

    /// <summary>
    /// A stride-1 conv with rows too short for vectors (DS-CNN's 25x5 maps, MobileNet's 6x6) computes its
    /// output on the input's wider grid, where the whole plane is one contiguous row, then keeps each
    /// row's first OutW values: (InW - OutW) wasted columns per row buy full vectors. A depthwise conv does so
    /// for rows of under 4 vectors too (MobileNet's 24- and 12-wide maps): its blocks of 4 vectors then run
    /// along the whole plane instead of one short row at a time.
    /// </summary>
    private static bool IsWide(Window g, int outPerGroup) => g.StrideH == 1 && g.StrideW == 1 && g.AllInterior && !IsPlaneContiguous(g)
        && WideSpan(g) >= MinRowWidth
        && (g.OutW < MinRowWidth || outPerGroup == 1 && g.OutW < 4 * MinRowWidth && WideSpan(g) <= MaxWideSpan);

    /// <summary>The most floats of work span a depthwise conv's wide grid takes when its rows could fill vectors anyway.</summary>
    private const int MaxWideSpan = 4096;

    /// <summary>The outputs a wide-grid conv computes per channel: every row at the input's width, the last one only to OutW.</summary>
    private static int WideSpan(Window g) => (g.OutH - 1) * g.InW + g.OutW;

    /// <summary>
    /// The row kernel needs every window inside the input (a padded conv reads its bordered copy) and
    /// horizontally adjacent outputs reading adjacent inputs (stride 1 across), over rows long enough to fill vectors.
    /// </summary>
    public static bool UsesRowKernel(Step step)
    {
        Window g = KernelWindow(step);
        if (!g.AllInterior)
            return false;
        // Strided across, a depthwise conv computes every column and keeps each stride-th: twice the work, all of it in vectors.
        if (g.StrideW != 1)
            return !VectorizesOverChannels(step) && (g.OutW - 1) * g.StrideW + 1 >= MinRowWidth;
        if (!VectorizesOverChannels(step))
            return IsWide(g, step.Out.C / step.Layer!.Spec.Groups) || (IsPlaneContiguous(g) ? g.OutH * g.OutW : g.OutW) >= MinRowWidth;
        // A 1x1 conv over a plane of under two vectors (MobileNet's last 3x3 maps) wastes most of its second
        // vector along positions; over channels it wastes nothing. Over bigger planes the row kernel won even
        // where it recomputed part of a vector (DS-CNN's 125 positions, MobileNet's 36): few multiply-adds per
        // output leave the channel kernel's lane-by-lane stores too much of the time.
        if (IsPlaneContiguous(g))
            return g.OutH * g.OutW >= 2 * MinRowWidth;
        // Otherwise the kernel that computes fewer lanes it throws away: rows not a whole number of vectors
        // recompute part of one (LeNet-5's 10-wide rows, 16 lanes per 10 outputs: 1.3x slower than over its
        // 16 channels), channel counts likewise; on a tie the row kernel, whose stores are whole vectors.
        return g.OutW >= MinRowWidth && LanesPerOutput(g.OutW) <= LanesPerOutput(step.Out.C / step.Layer!.Spec.Groups);
    }

    /// <summary>Lanes computed per useful one when n outputs are covered by AVX2 vectors, the last one overlapping.</summary>
    private static double LanesPerOutput(int n) => n >= MinRowWidth ? Math.Ceiling(n / (double)MinRowWidth) * MinRowWidth / n : (double)MinRowWidth / n;

    /// <summary>Above this many floats a group's zero-bordered planes are not staged (the work span stays small).</summary>
    private const int MaxStagedPlane = 16 * 1024;

    /// <summary>
    /// A padded conv without a bordered copy (the plan kept memory low) that is depthwise, or has one group,
    /// stages its input planes, zero-bordered, in its work span — per group, so a depthwise conv needs one plane
    /// rather than a copy of the whole input — and then runs with every window inside.
    /// </summary>
    private static bool StagesPlanes(Step step)
    {
        Window g = step.Layer!.Window!;
        int groups = step.Layer.Spec.Groups, inPerGroup = step.In.C / groups;
        return (groups == 1 || inPerGroup == 1) && !g.AllInterior && step.Layer.Spec.PaddingMode == PaddingModeKind.Zeros
            && Sizes.Product(inPerGroup, (long)g.InH + g.PadTop + g.PadBottom, (long)g.InW + g.PadLeft + g.PadRight) <= MaxStagedPlane;
    }

    /// <summary>The window the fast kernels see: the layer's, or the bordered planes' when it stages them.</summary>
    private static Window KernelWindow(Step step)
    {
        Window g = step.Layer!.Window!;
        return StagesPlanes(step)
            ? g.Bordered()
            : g;
    }

    /// <summary>Floats of the planes a fast kernel stages (none when it reads its input as it is).</summary>
    private static int StagedFloats(Step step)
    {
        if (!StagesPlanes(step) || !UsesMulAdd(step))
            return 0;
        Window g = KernelWindow(step);
        return CodeText.WholeLines(step.In.C / step.Layer!.Spec.Groups * g.InH * g.InW);
    }

    /// <summary>
    /// The staged planes at the start of the work span, cleared on every call (whatever the caller's scratch held,
    /// their border must be zero; groups then overwrite only the interior), and a ref to them.
    /// </summary>
    private static void DeclareStage(SourceWriter w, Step step)
    {
        w.Line($"global::System.Span<float> p = work.Slice(0, {Literal.Int(StagedFloats(step))});");
        w.Line("p.Clear();");
        w.Line($"ref float pr = ref {CodeText.Ref("p")};");
    }

    /// <summary>
    /// The fast kernels' first lines: weights and bias as spans, one length check per span (every access
    /// after it stays inside by construction, so unchecked access stays memory safe), refs for that access,
    /// and the staged planes when the kernel stages its input.
    /// </summary>
    private static void KernelStart(SourceWriter w, Step step, string weights, string? bias)
    {
        string I(int v) => Literal.Int(v);
        Window given = step.Layer!.Window!;
        w.Line($"global::System.ReadOnlySpan<float> w = {CodeText.Floats(weights)};");
        if (bias is not null)
            w.Line($"global::System.ReadOnlySpan<float> b = {CodeText.Floats(bias)};");
        CodeText.UncheckedSpans(w, step.In.C * given.InH * given.InW, step.Out.Size);
        w.Line($"_ = w[{I(step.Layer.Weights.Count - 1)}];");
        w.Line($"ref float wr = ref {CodeText.Ref("w")};");
        if (StagesPlanes(step))
            DeclareStage(w, step);
    }

    /// <summary>Copies group g's input planes into the staged planes' interiors.</summary>
    private static void Stage(SourceWriter w, Step step)
    {
        string I(int v) => Literal.Int(v);
        Window given = step.Layer!.Window!, g = KernelWindow(step);
        int planes = step.In.C / step.Layer.Spec.Groups;
        using (w.Open($"for (int plane = 0; plane < {I(planes)}; plane++)"))
        using (w.Open($"for (int row = 0; row < {I(given.InH)}; row++)"))
        {
            w.Line($"nint from = ((g * {I(planes)} + plane) * {I(given.InH)} + row) * {I(given.InW)}, to = (plane * {I(g.InH)} + row + {I(given.PadTop)}) * {I(g.InW)} + {I(given.PadLeft)};");
            CodeText.CopyFloats(w, "xr", "from", "pr", "to", given.InW);
        }
    }

    /// <summary>The most output channels in one pass of the row kernel's two-vector register block.</summary>
    private const int MaxRowBlockChannels = 6;

    /// <summary>
    /// The row kernel's shape for a step, in one place so that its code and its work span agree: the window it
    /// runs (<paramref name="G"/>: stride 1 across, every column when <paramref name="Subsample"/> &gt; 1 keeps each
    /// Subsample-th), the whole plane as one row (<paramref name="Contiguous"/>) or the input's wider grid
    /// (<paramref name="Wide"/>), <paramref name="Span"/> outputs per row computed, and the output channels per pass.
    /// </summary>
    private sealed record RowLayout(Window Kernel, Window G, int Subsample, bool Contiguous, bool Wide, int Span, bool Narrow, int ChannelBlock)
    {
        /// <summary>Floats of the block of rows a wide grid or a subsampled row is computed into before it is copied out.</summary>
        public int BufferFloats => Wide || Subsample > 1 ? ChannelBlock * Span : 0;
    }

    private static RowLayout RowLayoutOf(Step step)
    {
        Window kernel = KernelWindow(step);
        int subsample = kernel.StrideW; // > 1: every column computed, each subsample-th kept
        Window g = subsample > 1 ? kernel with { StrideW = 1, OutW = (kernel.OutW - 1) * subsample + 1 } : kernel;
        int outPerGroup = step.Out.C / step.Layer!.Spec.Groups, outPlane = kernel.OutH * kernel.OutW;
        // (A subsampled conv computes rows at stride 1 only to drop columns: never the whole-plane modes.)
        bool contiguous = subsample == 1 && IsPlaneContiguous(g), wide = subsample == 1 && IsWide(g, outPerGroup);
        int span = wide ? WideSpan(g) : g.OutW;
        // Rows of one vector (ResNet-8's 8x8 maps, LeNet-5's 10-wide rows) block 8 channels instead of 4x2,
        // keeping 8 accumulators in flight: 4 left the multiplier waiting on the adds (2x slower).
        bool narrow = span < 2 * MinRowWidth && !contiguous || contiguous && outPlane < 2 * MinRowWidth;
        // Two vectors wide, 4 channels per pass; channel counts that 4 does not divide take up to 6 (12
        // accumulators, 15 of AVX2's 16 registers) in as few passes as they allow, evenly: LeNet-5's 6 filters
        // as 4 + 2 left the second pass's 4 accumulators waiting on the adds (conv1 1.2x slower). (6 for 16
        // filters ran ResNet-8's unrolled 3x3 conv1 4.8x slower: 4 where 4 divides.)
        int passes = (outPerGroup + MaxRowBlockChannels - 1) / MaxRowBlockChannels;
        int channelBlock = outPerGroup == 1 ? 1 : narrow ? Math.Min(8, outPerGroup) : outPerGroup % 4 == 0 ? 4 : (outPerGroup + passes - 1) / passes;
        return new RowLayout(kernel, g, subsample, contiguous, wide, span, narrow, channelBlock);
    }

    /// <summary>
    /// Vectorized along the output row: a register block of 4 output channels (up to 6 where 4 does not divide
    /// them) x 2 vectors of adjacent positions per pass, so each input vector loaded feeds 4 to 6 fused
    /// multiply-adds and each broadcast weight 2; depthwise convs (1 output channel per group) take 4 vectors instead. Weights stay
    /// in PyTorch's <c>[out, in/groups, kh, kw]</c> order (each is broadcast). Stores are whole vectors into the
    /// channels-first output; positions left over at a row's end take a scalar loop.
    /// </summary>
    private static void EmitRowKernel(SourceWriter w, Step step, string weights, string? bias)
    {
        LayerPlan layer = step.Layer!;
        var (kernel, g, subsample, contiguous, wide, span, narrow, channelBlock) = RowLayoutOf(step);
        bool staged = StagesPlanes(step);
        string xRef = staged ? "pr" : "xr";
        int groups = layer.Spec.Groups, inPerGroup = step.In.C / groups, outPerGroup = step.Out.C / groups;
        int inPlane = g.InH * g.InW, outPlane = kernel.OutH * kernel.OutW, taps = g.Taps;
        // Where results go: the output, or a block of rows in the work span copied out per channel block (wide grid, subsampled row).
        bool buffered = wide || subsample > 1;
        string target = buffered ? "t" : "y", targetRef = buffered ? "tr" : "yr";
        string TargetIndex(string m, string rest) => buffered ? $"{m} * {I(span)} + {rest}" : $"yo + {m} * {I(outPlane)} + rowY + {rest}";
        int vectors = channelBlock == 1 ? 4 : narrow ? 1 : 2;
        string V = CodeText.FloatVector;
        string I(int v) => Literal.Int(v);

        using (w.Open(CodeText.Signature(step)))
        {
            KernelStart(w, step, weights, bias);
            if (buffered)
            {
                w.Line($"global::System.Span<float> t = work.Slice({I(StagedFloats(step))}, {I(channelBlock * span)});");
                w.Line($"ref float tr = ref {CodeText.Ref("t")};");
            }
            using (w.Open($"for (int g = 0; g < {I(groups)}; g++)"))
            {
                if (staged)
                    Stage(w, step);
                if (outPerGroup >= channelBlock)
                {
                    using (w.Open($"for (int oc = 0; oc <= {I(outPerGroup - channelBlock)}; oc += {I(channelBlock)})"))
                        ChannelBlock(channelBlock);
                }
                if (outPerGroup % channelBlock != 0)
                {
                    using (w.Open(""))
                    {
                        w.Line($"const int oc = {I(outPerGroup - outPerGroup % channelBlock)};");
                        ChannelBlock(outPerGroup % channelBlock);
                    }
                }
            }
        }

        void ChannelBlock(int channels)
        {
            w.Line($"int channel = g * {I(outPerGroup)} + oc;");
            w.Line($"int wo = channel * {I(inPerGroup * taps)}, yo = channel * {I(outPlane)}, xg = {(staged ? "0" : $"g * {I(inPerGroup * inPlane)}")};");
            if (contiguous || wide)
            {
                w.Line(wide ? "const int rowX = 0;" : "const int rowX = 0, rowY = 0;");
                Positions(channels, wide ? span : outPlane);
                if (wide)
                {
                    using (w.Open($"for (int m = 0; m < {I(channels)}; m++)"))
                    using (w.Open($"for (int oy = 0; oy < {I(g.OutH)}; oy++)"))
                    {
                        w.Line($"nint from = m * {I(span)} + oy * {I(g.InW)}, to = yo + m * {I(outPlane)} + oy * {I(g.OutW)};");
                        CodeText.CopyFloats(w, "tr", "from", "yr", "to", g.OutW);
                    }
                }
            }
            else
            {
                using (w.Open($"for (int oy = 0; oy < {I(g.OutH)}; oy++)"))
                {
                    w.Line($"int rowX = oy * {I(g.StrideH * g.InW)}, rowY = oy * {I(kernel.OutW)};");
                    Positions(channels, g.OutW);
                    if (subsample > 1)
                    {
                        using (w.Open($"for (int m = 0; m < {I(channels)}; m++)"))
                        using (w.Open($"for (int column = 0; column < {I(kernel.OutW)}; column++)"))
                            w.Line($"y[yo + m * {I(outPlane)} + rowY + column] = t[m * {I(span)} + column * {I(subsample)}];");
                    }
                }
            }
        }

        void Positions(int channels, int width)
        {
            w.Line("int ox = 0;");
            using (w.Open($"for (; ox <= {I(width)} - {I(vectors)} * {V}.Count; ox += {I(vectors)} * {V}.Count)"))
                VectorBlock(channels, vectors);
            // The positions left over: one more block ending at the row's end, overlapping outputs already
            // written (recomputed to the same values). Two vectors where the row holds two: a lone vector's 4
            // accumulators left the multiplier half idle (DS-CNN's 125-position pointwise convs).
            if (vectors == 2)
            {
                using (w.Open($"if (ox < {I(width)} && {I(width)} >= 2 * {V}.Count)"))
                {
                    w.Line($"ox = {I(width)} - 2 * {V}.Count;");
                    VectorBlock(channels, 2);
                }
                using (w.Open("else"))
                    Remainder();
            }
            else
            {
                Remainder();
            }

            // Then single vectors, the last one overlapping; scalar only when the row is shorter than a vector.
            void Remainder()
            {
                if (vectors > 1)
                    using (w.Open($"for (; ox <= {I(width)} - {V}.Count; ox += {V}.Count)"))
                        VectorBlock(channels, 1);
                using (w.Open($"if (ox < {I(width)} && {I(width)} >= {V}.Count)"))
                {
                    w.Line($"ox = {I(width)} - {V}.Count;");
                    VectorBlock(channels, 1);
                }
                using (w.Open($"else for (; ox < {I(width)}; ox++)"))
                    ScalarPosition(channels);
            }
        }


        void VectorBlock(int channels, int count)
        {
            // Blocks of under 4 accumulators (a depthwise row's last vectors) spread their taps over partial
            // sums, added at the end: one chain of 9 dependent multiply-adds waited on itself (MobileNet's
            // 24-wide depthwise rows ran at a fifth of the core's peak).
            int partials = Math.Min(taps * inPerGroup, (3 + channels * count) / (channels * count)), tapsSeen = 0;
            string Sum(int m, int v, int k) => k == 0 ? $"a{m}_{v}" : $"a{m}_{v}_{k}";
            for (int m = 0; m < channels; m++)
            {
                string init = bias is not null ? $"new {V}(b[channel + {I(m)}])" : $"{V}.Zero";
                w.Line(string.Join(" ", Enumerable.Range(0, count).SelectMany(v => Enumerable.Range(0, partials)
                    .Select(k => $"{V} {Sum(m, v, k)} = {(k == 0 ? init : $"{V}.Zero")};"))));
            }
            w.Line("nint xi = xg + rowX + ox, wi = wo;");
            using (w.Open($"for (int ic = 0; ic < {I(inPerGroup)}; ic++, xi += {I(inPlane)}, wi += {I(taps)})"))
            {
                w.Line($"{V} {string.Join(", ", Enumerable.Range(0, count).Select(v => $"x{v}").Concat(Enumerable.Range(0, channels).Select(m => $"w{m}")))};");
                EachTap(w, g, Tap);
            }
            if (partials > 1)
                for (int m = 0; m < channels; m++)
                    for (int v = 0; v < count; v++)
                        w.Line($"a{m}_{v} += {string.Join(" + ", Enumerable.Range(1, partials - 1).Select(k => Sum(m, v, k)))};");
            for (int m = 0; m < channels; m++)
            {
                for (int v = 0; v < count; v++)
                {
                    string at = TargetIndex(I(m), $"ox + {I(v)} * {V}.Count");
                    string? activated = ActivationCode.ApplyVector(step.Activation, $"a{m}_{v}");
                    w.Line(CodeText.Store(activated ?? $"a{m}_{v}", targetRef, at));
                    if (activated is null)
                        using (w.Open($"for (int j = {at}; j < {at} + {V}.Count; j++)"))
                            w.Line($"{target}[j] = {ActivationCode.Apply(step.Activation, step.Alpha, $"{target}[j]")};");
                }
            }

            void Tap(string offset, string tap)
            {
                int k = tapsSeen++ % partials;
                for (int v = 0; v < count; v++)
                    w.Line($"x{v} = {CodeText.Load(xRef, $"xi + {offset} + {I(v)} * {V}.Count")};");
                for (int m = 0; m < channels; m++)
                {
                    w.Line($"w{m} = new {V}({CodeText.At("wr", $"wi + {I(m * inPerGroup * taps)} + {tap}")});");
                    for (int v = 0; v < count; v++)
                        w.Line($"{Sum(m, v, k)} = MulAdd(x{v}, w{m}, {Sum(m, v, k)});");
                }
            }
        }

        void ScalarPosition(int channels)
        {
            using (w.Open($"for (int m = 0; m < {I(channels)}; m++)"))
            {
                w.Line(bias is not null ? "float sum = b[channel + m];" : "float sum = 0f;");
                w.Line($"nint xi = xg + rowX + ox, wi = wo + m * {I(inPerGroup * taps)};");
                ScalarTaps(w, g, xRef, inPerGroup, weightStride: 1);
                w.Line($"{target}[{TargetIndex("m", "ox")}] = {ActivationCode.Apply(step.Activation, step.Alpha, "sum")};");
            }
        }
    }

    // ------------------------------------------------------------------ channel kernel

    private static void EmitChannelKernel(SourceWriter w, Step step, string packedWeights, string? bias)
    {
        if (UsesBlockedChannelKernel(step))
        {
            EmitBlockedChannelKernel(w, step, packedWeights, bias);
            return;
        }
        LayerPlan layer = step.Layer!;
        Window g = layer.Window!;
        int groups = layer.Spec.Groups;
        int inPerGroup = step.In.C / groups, outPerGroup = step.Out.C / groups;
        int inPlane = g.InH * g.InW, outPlane = g.OutH * g.OutW, taps = g.Taps;
        string I(int v) => Literal.Int(v);
        string Act(string v) => ActivationCode.Apply(step.Activation, step.Alpha, v);

        using (w.Open(CodeText.Signature(step)))
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
    /// The channel kernel when every window lies inside the input: a register block of channel vectors x
    /// output positions (8 accumulators: 2 vectors x 4 positions, or 1 x 8 for fewer than 16 channels), so each
    /// weight vector loaded feeds 4 (8) fused multiply-adds. Positions run along each row, or over the flattened
    /// output plane when rows do not divide into blocks, so short rows (DS-CNN's 5) still fill the block. For
    /// small planes with many channels (late layers, strided convs), where rows are too short for the row kernel.
    /// </summary>
    /// <remarks>
    /// 4 vectors x 2 positions ran ResNet-8's 32-to-64 stride-2 conv at half the core's peak: its 73 KB of
    /// weights stream from L2 once per block, and 4 vectors per tap is as much as L2 delivers per 8 FMAs.
    /// </remarks>
    private static void EmitBlockedChannelKernel(SourceWriter w, Step step, string packedWeights, string? bias)
    {
        LayerPlan layer = step.Layer!;
        Window g = KernelWindow(step);
        bool staged = StagesPlanes(step); // (one group here)
        string xRef = staged ? "pr" : "xr";
        int groups = layer.Spec.Groups, inPerGroup = step.In.C / groups, outPerGroup = step.Out.C / groups;
        int inPlane = g.InH * g.InW, outPlane = g.OutH * g.OutW, taps = g.Taps;
        int channelVectors = outPerGroup >= 2 * MinRowWidth ? 2 : 1, block = 8 / channelVectors;
        string V = CodeText.FloatVector;
        string I(int v) => Literal.Int(v);
        // Blocks of positions along each row when rows divide into blocks (every position's window at a
        // constant offset from the first's), else over the flattened plane (an offset per position).
        bool byRow = g.OutW % block == 0 || g.OutW >= 4 * block;
        string Offset(string position) => $"({position}) / {I(g.OutW)} * {I(g.StrideH * g.InW)} + ({position}) % {I(g.OutW)} * {I(g.StrideW)}";
        string InputAt(int q) => byRow ? $"xo + {I(q * g.StrideW)}" : $"xo{q}";
        // Output channel c at position p, in the plain layout or in channel blocks (one group then).
        string OutputAt(string c, string p) => step.WritesBlocks
            ? $"(({c}) >> 3) * {I(outPlane * ChannelBlocks.Lanes)} + ({p}) * {I(ChannelBlocks.Lanes)} + (({c}) & {I(ChannelBlocks.Lanes - 1)})"
            : $"({c}) * {I(outPlane)} + {p}";

        using (w.Open(CodeText.Signature(step)))
        {
            KernelStart(w, step, packedWeights, bias);
            if (staged)
            {
                using (w.Open(""))
                {
                    w.Line("const int g = 0;");
                    Stage(w, step);
                }
            }
            w.Line($"global::System.Span<float> lanes = stackalloc float[{V}.Count];");
            if (byRow)
            {
                using (w.Open($"for (int oy = 0; oy < {I(g.OutH)}; oy++)"))
                {
                    w.Line("int ox = 0;");
                    if (g.OutW >= block)
                        using (w.Open($"for (; ox <= {I(g.OutW - block)}; ox += {I(block)})"))
                            Positions(block);
                    if (g.OutW % block != 0)
                        using (w.Open(""))
                            Positions(g.OutW % block);
                }
                return;
            }
            w.Line("int n = 0;");
            if (outPlane >= block)
                using (w.Open($"for (; n <= {I(outPlane - block)}; n += {I(block)})"))
                    Positions(block);
            if (outPlane % block != 0)
                using (w.Open(""))
                    Positions(outPlane % block);
        }

        void Positions(int positions)
        {
            // Where the positions' outputs go in their planes, and where their windows start in the input's.
            if (byRow)
                w.Line($"int n = oy * {I(g.OutW)} + ox; nint xo = oy * {I(g.StrideH * g.InW)} + ox * {I(g.StrideW)};");
            else
                w.Line(string.Join(" ", Enumerable.Range(0, positions).Select(q => $"nint xo{q} = {Offset(q == 0 ? "n" : $"n + {I(q)}")};")));
            using (w.Open($"for (int g = 0; g < {I(groups)}; g++)"))
            {
                w.Line("int oc = 0;");
                if (channelVectors > 1)
                    using (w.Open($"for (; oc <= {I(outPerGroup)} - {I(channelVectors)} * {V}.Count; oc += {I(channelVectors)} * {V}.Count)"))
                        Block(channelVectors, positions);
                using (w.Open($"for (; oc <= {I(outPerGroup)} - {V}.Count; oc += {V}.Count)"))
                    Block(1, positions);
                // Channels left over: one more vector ending at the last channel, overlapping (same values again).
                using (w.Open($"if (oc < {I(outPerGroup)} && {I(outPerGroup)} >= {V}.Count)"))
                {
                    w.Line($"oc = {I(outPerGroup)} - {V}.Count;");
                    Block(1, positions);
                }
                using (w.Open($"else for (; oc < {I(outPerGroup)}; oc++)"))
                using (w.Open($"for (int q = 0; q < {I(positions)}; q++)"))
                {
                    w.Line(bias is not null ? $"float sum = b[g * {I(outPerGroup)} + oc];" : "float sum = 0f;");
                    w.Line($"nint xi = g * {I(inPerGroup * inPlane)} + {Offset("n + q")}, wi = g * {I(inPerGroup * taps * outPerGroup)} + oc;");
                    ScalarTaps(w, g, xRef, inPerGroup, weightStride: outPerGroup);
                    w.Line($"{CodeText.At("yr", OutputAt($"g * {I(outPerGroup)} + oc", "n + q"))} = {ActivationCode.Apply(step.Activation, step.Alpha, "sum")};");
                }
            }
        }

        void Block(int vectors, int positions)
        {
            for (int v = 0; v < vectors; v++)
            {
                string init = bias is not null ? $"new {V}(b.Slice(g * {I(outPerGroup)} + oc + {I(v)} * {V}.Count))" : $"{V}.Zero";
                w.Line(string.Join(" ", Enumerable.Range(0, positions).Select(q => $"{V} a{v}_{q} = {init};")));
            }
            w.Line($"nint xi = g * {I(inPerGroup * inPlane)}, wi = g * {I(inPerGroup * taps * outPerGroup)} + oc;");
            using (w.Open($"for (int ic = 0; ic < {I(inPerGroup)}; ic++, xi += {I(inPlane)}, wi += {I(taps * outPerGroup)})"))
            {
                w.Line($"{V} {string.Join(", ", Enumerable.Range(0, vectors).Select(v => $"w{v}").Concat(Enumerable.Range(0, positions).Select(q => $"x{q}")))};");
                EachTap(w, g, Tap, weightStride: outPerGroup);
            }
            for (int v = 0; v < vectors; v++)
            {
                // Plain output, 4 positions side by side in a row, 8 channels per vector: a 4x8 transpose on AVX.
                bool transposes = !step.WritesBlocks && byRow && positions == 4 && ActivationCode.ApplyVector(step.Activation, "a") is not null;
                if (transposes)
                {
                    using (w.Open($"if (global::System.Runtime.Intrinsics.X86.Avx.IsSupported && {V}.Count == 8)"))
                        TransposedStores(v);
                    using (w.Open("else"))
                        Stores(v);
                }
                else
                {
                    Stores(v);
                }
            }

            void Stores(int v)
            {
                for (int q = 0; q < positions; q++)
                {
                    string? activated = ActivationCode.ApplyVector(step.Activation, $"a{v}_{q}");
                    string channel = $"g * {I(outPerGroup)} + oc + {I(v)} * {V}.Count";
                    // In channel blocks a vector of up to 8 channels (a multiple of its width) is one store.
                    if (step.WritesBlocks && activated is not null)
                    {
                        w.Line($"if ({V}.Count <= {I(ChannelBlocks.Lanes)}) {CodeText.Store(activated, "yr", OutputAt(channel, $"n + {I(q)}"))} else");
                        using (w.Open(""))
                            LaneByLane();
                    }
                    else
                    {
                        LaneByLane();
                    }

                    void LaneByLane()
                    {
                        w.Line($"({activated ?? $"a{v}_{q}"}).CopyTo(lanes);");
                        using (w.Open($"for (int j = 0; j < {V}.Count; j++)"))
                        {
                            string value = activated is null ? ActivationCode.Apply(step.Activation, step.Alpha, "lanes[j]") : "lanes[j]";
                            w.Line($"{CodeText.At("yr", OutputAt($"{channel} + j", $"n + {I(q)}"))} = {value};");
                        }
                    }
                }
            }

            // Vector v's 8 channels at 4 positions: unpacks and shuffles turn them into 8 runs of 4 floats, one per channel.
            void TransposedStores(int v)
            {
                const string V256 = "global::System.Runtime.Intrinsics.Vector256";
                string channel = $"g * {I(outPerGroup)} + oc + {I(v)} * {V}.Count";
                w.Line($"{V256}<float> " + string.Join(", ", Enumerable.Range(0, 4).Select(q => $"column{q} = {V256}.AsVector256({ActivationCode.ApplyVector(step.Activation, $"a{v}_{q}")})")) + ";");
                CodeText.TransposeQuads(w, 4, q => $"column{q}");
                for (int k = 0; k < 8; k++)
                    w.Line($"global::System.Runtime.Intrinsics.Vector128.StoreUnsafe({V256}.{(k < 4 ? "GetLower" : "GetUpper")}(quad{k % 4}), ref yr, (nuint)({OutputAt($"{channel} + {I(k)}", "n")}));");
            }

            void Tap(string inputOffset, string weightOffset)
            {
                for (int v = 0; v < vectors; v++)
                    w.Line($"w{v} = {CodeText.Load("wr", $"wi + {weightOffset} + {I(v)} * {V}.Count")};");
                for (int q = 0; q < positions; q++)
                {
                    // (xi + offset) first: one sum shared by all positions of the tap.
                    w.Line($"x{q} = new {V}({CodeText.At(xRef, $"(xi + {inputOffset}) + {InputAt(q)}")});");
                    for (int v = 0; v < vectors; v++)
                        w.Line($"a{v}_{q} = MulAdd(x{q}, w{v}, a{v}_{q});");
                }
            }
        }
    }

    /// <summary>Where tap (ky, kx) reads, from its window's first input element (see <see cref="Window.ColumnPhases"/>).</summary>
    private static int TapOffset(Window g, int ky, int kx)
    {
        int row = ky * g.DilationH * g.InW, column = kx * g.DilationW, phases = g.ColumnPhases;
        return row + column % phases * (g.InH / phases * g.InW) + column / phases;
    }

    /// <summary><see cref="TapOffset(Window, int, int)"/> as an expression of loop variables.</summary>
    private static string TapOffset(Window g, string ky, string kx)
    {
        string I(int v) => Literal.Int(v);
        string row = $"{ky} * {I(g.DilationH * g.InW)}";
        return g.ColumnPhases == 1
            ? $"{row} + {kx} * {I(g.DilationW)}"
            : $"{row} + {kx} * {I(g.DilationW)} % {I(g.ColumnPhases)} * {I(g.InH / g.ColumnPhases * g.InW)} + {kx} * {I(g.DilationW)} / {I(g.ColumnPhases)}";
    }

    /// <summary>
    /// <c>sum +=</c> every input channel's taps, one float at a time, from <c>xi</c> and <c>wi</c> (advanced
    /// per input channel): the fast kernels' leftover positions and channels. Tap t's weight is at
    /// <c>wi + t * weightStride</c> (1 in PyTorch order, out/groups when packed for channel vectors).
    /// </summary>
    private static void ScalarTaps(SourceWriter w, Window g, string xRef, int inPerGroup, int weightStride)
    {
        string I(int v) => Literal.Int(v);
        string weight = weightStride == 1 ? $"wi + ky * {I(g.KernelW)} + kx" : $"wi + (ky * {I(g.KernelW)} + kx) * {I(weightStride)}";
        using (w.Open($"for (int ic = 0; ic < {I(inPerGroup)}; ic++, xi += {I(g.InH * g.InW)}, wi += {I(g.Taps * weightStride)})"))
        using (w.Open($"for (int ky = 0; ky < {I(g.KernelH)}; ky++)"))
        using (w.Open($"for (int kx = 0; kx < {I(g.KernelW)}; kx++)"))
            w.Line($"sum += {CodeText.At(xRef, $"xi + {TapOffset(g, "ky", "kx")}")} * {CodeText.At("wr", weight)};");
    }

    /// <summary>
    /// Writes <paramref name="tap"/> for every tap of the window, given the tap's input offset and its weight
    /// offset (tap index <c>ky * kw + kx</c> times <paramref name="weightStride"/>): as constants up to
    /// <see cref="MaxUnrolledTaps"/> taps, else inside ky/kx loops.
    /// </summary>
    private static void EachTap(SourceWriter w, Window g, Action<string, string> tap, int weightStride = 1)
    {
        string I(int v) => Literal.Int(v);
        if (g.Taps <= MaxUnrolledTaps)
        {
            for (int t = 0; t < g.Taps; t++)
                tap(I(TapOffset(g, t / g.KernelW, t % g.KernelW)), I(t * weightStride));
            return;
        }
        // Rows of up to 9 taps: a loop over the rows, each row's taps unrolled with constant offsets.
        if (g.KernelW <= MaxUnrolledTaps)
        {
            using (w.Open($"for (int ky = 0; ky < {I(g.KernelH)}; ky++)"))
            {
                w.Line($"nint rowOffset = ky * {I(g.DilationH * g.InW)};");
                w.Line($"int rowWeight = ky * {I(g.KernelW * weightStride)};");
                for (int kx = 0; kx < g.KernelW; kx++)
                    tap($"rowOffset + {I(TapOffset(g, 0, kx))}", $"rowWeight + {I(kx * weightStride)}");
            }
            return;
        }
        string index = $"ky * {I(g.KernelW)} + kx";
        using (w.Open($"for (int ky = 0; ky < {I(g.KernelH)}; ky++)"))
        using (w.Open($"for (int kx = 0; kx < {I(g.KernelW)}; kx++)"))
            tap(TapOffset(g, "ky", "kx"), weightStride == 1 ? index : $"({index}) * {I(weightStride)}");
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
                    .Select(t => term(I(TapOffset(g, t / g.KernelW, t % g.KernelW)), I(t * outPerGroup)))
                    .ToList();
                for (int start = 0; start < terms.Count; start += 3)
                    w.Line((start == 0 ? "acc += " : "     + ") + string.Join(" + ", terms.Skip(start).Take(3)) + (start + 3 >= terms.Count ? ";" : ""));
            }
            else
            {
                using (w.Open($"for (int ky = 0; ky < {I(g.KernelH)}; ky++)"))
                using (w.Open($"for (int kx = 0; kx < {I(g.KernelW)}; kx++)"))
                    w.Line("acc += " + term(TapOffset(g, "ky", "kx"), $"(ky * {I(g.KernelW)} + kx) * {I(outPerGroup)}") + ";");
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
