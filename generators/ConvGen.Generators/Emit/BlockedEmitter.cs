using System;
using System.Linq;
using ConvGen.Generators.Helpers;
using ConvGen.Generators.Model;
using ConvGen.Generators.Planning;
using ConvGen.Generators.Shapes;

namespace ConvGen.Generators.Emit;

/// <summary>
/// The steps that run on channel blocks, (C / 8, H, W, 8) (<see cref="ChannelBlocks"/>): pointwise and
/// depthwise convs, their zero-bordered inputs and the global average pool after them. Each kernel body is
/// written twice: on <c>Vector256</c> (one vector per block of 8 channels) where the machine has it, else on
/// <c>Vector128</c> (two per block: SSE, Arm's NEON).
/// </summary>
internal static class BlockedEmitter
{
    private const int Lanes = ChannelBlocks.Lanes;


    /// <summary>
    /// Weights as the kernels read them: a one-group conv's by register block, <c>[out / 16, in, kh, kw, 16]</c>
    /// (a tap's 16 output channels side by side, a block pair's weights one run), a depthwise conv's
    /// <c>[kh, kw, channels]</c> (a tap's weights for a block of channels side by side).
    /// </summary>
    public static float[] WeightsFor(Step step)
    {
        LayerPlan layer = step.Layer!;
        if (IsWinograd(step))
        {
            // [pair of output blocks, ξ, in, 16]: a register block's weights are one contiguous run.
            int xis = TileProducts(step);
            return Matrices(step).TransformWeights(layer.Weights, step.Out.C, step.In.C, (o, i, xi) => PairIndex(step, o, xi * step.In.C + i, xis * step.In.C));
        }
        if (layer.Spec.Groups == 1)
        {
            // [pair of output blocks, in, kh, kw, 16], likewise: in [in, out] a pair's weights were 64-byte runs
            // a whole output row apart, which MobileNet's 256-channel 1x1 read twice through L1 sets they thrashed.
            int perOutput = step.In.C * layer.Window!.Taps;
            var byPair = new float[layer.Weights.Count];
            for (int o = 0; o < step.Out.C; o++)
                for (int k = 0; k < perOutput; k++)
                    byPair[PairIndex(step, o, k, perOutput)] = layer.Weights[o * perOutput + k];
            return byPair;
        }
        int channels = step.Out.C, taps = layer.Window!.Taps;
        var packed = new float[layer.Weights.Count];
        for (int c = 0; c < channels; c++)
            for (int t = 0; t < taps; t++)
                packed[t * channels + c] = layer.Weights[c * taps + t];
        return packed;
    }

    /// <summary>
    /// Where output channel o's weight k of <paramref name="perOutput"/> lies when packed by register block:
    /// pairs of output blocks (an odd last block alone), each pair's weights k-major with its 16 (8) channels side by side.
    /// </summary>
    private static int PairIndex(Step step, int o, int k, int perOutput)
    {
        int block = o / Lanes, first = block / 2 * 2, pair = Math.Min(2, step.Out.C / Lanes - first);
        return first * Lanes * perOutput + (k * pair + block - first) * Lanes + o % Lanes;
    }

    public static string WeightsDescription(Step step)
        => IsWinograd(step) ? $"in Winograd F(2x2, {Matrices(step).R}x{Matrices(step).R}) form, U = G g G^T packed [out / 16, {TileProducts(step)}, in, 16]"
            : step.Layer!.Spec.Groups == 1 ? "[out / 16, in, kh, kw, 16]" : "[kh, kw, channels]";

    /// <summary>Floats in the weights the kernel reads (α² per r² in Winograd form).</summary>
    private static int WeightsLength(Step step)
        => IsWinograd(step) ? TileProducts(step) * step.In.C * step.Out.C : step.Layer!.Weights.Count;

    /// <summary>Above this many floats of transformed input, a blocked conv runs direct.</summary>
    private const int MaxWinogradFloats = 16 * 1024;

    /// <summary>Whether this emitter writes the step: it is blocked, or a plain conv it takes as Winograd.</summary>
    public static bool Takes(Step step) => step.Blocked || IsWinograd(step);

    /// <summary>
    /// A 3x3 or 5x5 stride-1 conv with one group on an even-sized map runs Winograd F(2x2, r x r) over channel
    /// blocks (<see cref="Winograd"/>): a blocked one (the digits net's 16-to-32 3x3 on 4x4), or a 5x5 one
    /// writing blocks from a plain input of 4 to 8 channels (LeNet-5's 6-to-16 on 14x14), gathered into one
    /// block first; the gathering costs per input float, the products shrink 2.8x.
    /// </summary>
    public static bool IsWinograd(Step step)
        => step is { Kind: StepKind.Conv, Border: null, Layer: { Spec.Groups: 1, Window: { } g } }
            && g is { StrideH: 1, StrideW: 1, DilationH: 1, DilationW: 1, AllInterior: true } && g.KernelH == g.KernelW
            && WinogradMatrices.For(g.KernelH) is { } f && g.OutH % 2 == 0 && g.OutW % 2 == 0
            && (step.Blocked || step.WritesBlocks && Gathers(step) && f.R == 5)
            && (long)f.Alpha * f.Alpha * InBlocks(step) * Lanes * (g.OutH / 2) * (g.OutW / 2) <= MaxWinogradFloats;

    /// <summary>Floats of a Winograd conv's work span: gathered input block (if any), transformed input, a register block's products.</summary>
    private static void WinogradLayout(Step step, out int gathered, out int transformed, out int products)
    {
        Window g = step.Layer!.Window!;
        int xis = TileProducts(step), tiles = (g.OutH / 2) * (g.OutW / 2);
        gathered = Gathers(step) ? g.InH * g.InW * Lanes : 0;
        transformed = xis * InBlocks(step) * Lanes * GroupTiles(tiles);
        products = xis * PairBlocks(step) * GroupTiles(tiles) * Lanes;
    }

    /// <summary>Output blocks per register block of the products: a pair, or the one there is.</summary>
    private static int PairBlocks(Step step) => Math.Min(2, step.Out.C / Lanes);

    /// <summary>Tiles per register block of the products: 6 (12 accumulators), or 5 or 4 where they divide the tiles and 6 does not.</summary>
    private static int GroupTiles(int tiles) => Math.Min(tiles, new[] { 6, 5, 4 }.FirstOrDefault(n => tiles % n == 0) is > 0 and var n ? n : 6);

    private static WinogradMatrices Matrices(Step step) => WinogradMatrices.For(step.Layer!.Window!.KernelH)!;

    /// <summary>Products per tile and channel pair, α² (ξ runs over them).</summary>
    private static int TileProducts(Step step) => Matrices(step).Alpha * Matrices(step).Alpha;

    /// <summary>A plain input of 4 to 8 channels, which the Winograd kernel gathers into one block.</summary>
    private static bool Gathers(Step step) => !step.Blocked && step.In.C is >= 4 and <= Lanes;

    private static int InBlocks(Step step) => Gathers(step) ? 1 : step.In.C / Lanes;

    /// <summary>
    /// Floats of scratch the conv's kernel works in (<see cref="Step.Work"/>): a Winograd conv's gathered input,
    /// transformed input and a register block's products, or the planes a depthwise conv stages.
    /// </summary>
    public static int WorkFloats(Step step)
    {
        if (IsWinograd(step))
        {
            WinogradLayout(step, out int gathered, out int transformed, out int products);
            return gathered + transformed + products;
        }
        return StagedFloats(step);
    }

    /// <summary>Writes the step's method: a blocked conv, bordered copy or global average pool.</summary>
    public static void Emit(SourceWriter w, Step step, string? weights, string? bias)
    {
        using (w.Open(CodeText.Signature(step)))
        {
            if (step.Kind == StepKind.Pad)
            {
                Pad(w, step);
                return;
            }
            if (weights is not null)
                CodeText.DataSpan(w, "w", weights, WeightsLength(step));
            if (bias is not null)
                CodeText.DataSpan(w, "b", bias, step.Out.C);
            CodeText.UncheckedSpans(w, step.In.Size, OutputLength(step));
            if (step.Border is { } border)
                ClearBorder(w, step.Out with { H = step.Out.H + border.Top + border.Bottom, W = step.Out.W + border.Left + border.Right }, border);
            Action<VectorWidth> body = step.Kind switch
            {
                StepKind.GlobalAvgPool => width => GlobalAverage(w, step, width),
                StepKind.MaxPool or StepKind.AvgPool => width => Pool(w, step, width),
                _ when IsWinograd(step) => width => Winograd(w, step, width, bias is not null),
                _ when step.Layer!.Spec.Groups == 1 => width => OneGroup(w, step, width, bias is not null),
                _ => width => Depthwise(w, step, width, bias is not null),
            };
            // .NET 9's vector Max propagates NaN as MathF.Max (and PyTorch) does; before it, a max pool runs scalar.
            bool scalarBefore9 = step.Kind == StepKind.MaxPool;
            if (scalarBefore9)
                w.Line("#if NET9_0_OR_GREATER");
            VectorWidth.Dispatch(w, body);
            if (scalarBefore9)
            {
                w.Line("#else");
                ScalarMaxPool(w, step);
                w.Line("#endif");
            }
        }
    }

    /// <summary>The floats the step writes: its output, with the border of a copy it absorbed (<see cref="Step.Border"/>).</summary>
    private static int OutputLength(Step step) => step.Border is { } b
        ? step.Out.C * (step.Out.H + b.Top + b.Bottom) * (step.Out.W + b.Left + b.Right)
        : step.Out.Size;

    /// <summary>
    /// Positions per register block of a pointwise conv that writes into a bordered tensor: a whole number per
    /// row (a block's outputs then lie side by side), 0 when no size from 4 to 6 divides the row (MobileNet's
    /// 3-wide rows ran 1.4x slower in blocks of 3 than in 6 + 3 over the flattened plane: they keep the copy).
    /// </summary>
    public static int BorderedBlock(int width) => new[] { 6, 5, 4 }.FirstOrDefault(b => width % b == 0);

    /// <summary>Zeroes the border of a blocked tensor of shape <paramref name="bordered"/> (its interior is written elsewhere).</summary>
    private static void ClearBorder(SourceWriter w, Shape bordered, PadGeometry p)
    {
        string I(int v) => Literal.Int(v);
        int outH = bordered.H, outW = bordered.W, inH = outH - p.Top - p.Bottom, inW = outW - p.Left - p.Right;
        using (w.Open($"for (int cb = 0; cb < {I(bordered.C / Lanes)}; cb++)"))
        {
            w.Line($"int plane = cb * {I(outH * outW * Lanes)};");
            ClearRun(w, "plane", p.Top * outW * Lanes);
            ClearRun(w, $"plane + {I((p.Top + inH) * outW * Lanes)}", p.Bottom * outW * Lanes);
            if (p.Left > 0 || p.Right > 0)
                using (w.Open($"for (int row = {I(p.Top)}; row < {I(p.Top + inH)}; row++)"))
                {
                    ClearRun(w, $"plane + row * {I(outW * Lanes)}", p.Left * Lanes);
                    ClearRun(w, $"plane + (row * {I(outW)} + {I(p.Left + inW)}) * {I(Lanes)}", p.Right * Lanes);
                }
        }
    }

    /// <summary>
    /// Zeroes <paramref name="count"/> floats (a multiple of 8) from yr[start]: up to 32 as unrolled Vector128
    /// stores (a span Clear per 8-float border column cost more than the conv writing inside the border).
    /// </summary>
    private static void ClearRun(SourceWriter w, string start, int count)
    {
        const string Q = "global::System.Runtime.Intrinsics.Vector128";
        if (count > 32)
            w.Line($"y.Slice({start}, {Literal.Int(count)}).Clear();");
        else
            for (int k = 0; k < count; k += 4)
                w.Line($"{Q}.StoreUnsafe({Q}<float>.Zero, ref yr, (nuint)({start} + {Literal.Int(k)}));");
    }

    /// <summary>
    /// y[o, p] = b[o] + sum over i and taps t of w[i, t, o] x[i, window(p) + t]: a one-group conv, pointwise or
    /// over a short-row map (the digits net's 3x3 on 4x4). A register block of 2 channel blocks x 6 positions
    /// (12 accumulators, 1 x 8 for an odd block left over), each weight vector feeding 6 multiply-adds and each
    /// broadcast input 2; every load and store is a whole vector.
    /// </summary>
    private static void OneGroup(SourceWriter w, Step step, VectorWidth width, bool hasBias)
    {
        string I(int v) => Literal.Int(v);
        Window g = step.Layer!.Window!;
        int positions = step.Out.H * step.Out.W, inBlocks = step.In.C / Lanes, outBlocks = step.Out.C / Lanes;
        int inPlane = g.InH * g.InW;
        // Pointwise, position p reads input position p; otherwise each position of a block has its window's offset.
        bool pointwise = g is { Taps: 1, StrideH: 1, StrideW: 1 } && inPlane == positions;
        // Into a bordered tensor (an absorbed copy's, pointwise only), output position p of row y lands at o = p + the border before it.
        PadGeometry? border = step.Border;
        int rowWidth = step.Out.W + (border is null ? 0 : border.Left + border.Right);
        int outPlane = border is null ? positions : (step.Out.H + border.Top + border.Bottom) * rowWidth;
        OutputBlockPairs(w, outBlocks, channelBlocks => Positions(channelBlocks, channelBlocks == 2 ? 6 : 8));
        w.Line("return;");

        // Blocks of positions, then the positions left over as one smaller block; bordered, whole blocks per row.
        void Positions(int channelBlocks, int block)
        {
            if (border is not null)
            {
                int perRow = BorderedBlock(step.Out.W);
                using (w.Open($"for (nint row = 0; row < {I(step.Out.H)}; row++)"))
                using (w.Open($"for (nint p = row * {I(step.Out.W)}, o = (row + {I(border.Top)}) * {I(rowWidth)} + {I(border.Left)}, end = p + {I(step.Out.W)}; p < end; p += {I(perRow)}, o += {I(perRow)})"))
                    Block(channelBlocks, perRow);
                return;
            }
            Runs(w, "p", positions, block, count => Block(channelBlocks, count));
        }

        void Block(int channelBlocks, int count)
        {
            string V = width.Vector;
            using (width.Halves(w))
            {
                for (int c = 0; c < channelBlocks; c++)
                    w.Line(string.Join(" ", Enumerable.Range(0, count).Select(j =>
                        $"{V}<float> a{c}_{j} = {(hasBias ? width.Load("br", $"(ob + {I(c)}) * {I(Lanes)} + h") : $"{V}<float>.Zero")};")));
                w.Line($"{V}<float> {string.Join(", ", Enumerable.Range(0, channelBlocks).Select(c => $"w{c}").Concat(Enumerable.Range(0, count).Select(j => $"x{j}")))};");
                if (!pointwise)
                    w.Line(string.Join(" ", Enumerable.Range(0, count).Select(j =>
                        $"nint o{j} = ((p + {I(j)}) / {I(g.OutW)} * {I(g.StrideH * g.InW)} + (p + {I(j)}) % {I(g.OutW)} * {I(g.StrideW)}) * {I(Lanes)};")));
                // This pair's weights, [in, kh, kw, 16 (8 for a lone block)], start at ob * 8 * in * taps.
                int pairWidth = channelBlocks * Lanes;
                string firstX = pointwise ? $"p * {I(Lanes)}" : "0", firstW = $"ob * {I(Lanes * step.In.C * g.Taps)} + h";
                using (w.Loop($"for (nint ib = 0, xi = {firstX}, wi = {firstW}; ib < {I(inBlocks)}; ib++, xi += {I(inPlane * Lanes)}, wi += {I(Lanes * g.Taps * pairWidth)})",
                    inBlocks, $"nint xi = {firstX}, wi = {firstW};"))
                {
                    if (pointwise)
                        Channels();
                    else
                        // Loops over the window's rows and columns: xt and wt are where the tap reads and its weights.
                        using (w.Open($"for (nint ky = 0; ky < {I(g.KernelH)}; ky++)"))
                        using (w.Open($"for (nint kx = 0; kx < {I(g.KernelW)}; kx++)"))
                        {
                            w.Line($"nint xt = xi + (ky * {I(g.DilationH * g.InW)} + kx * {I(g.DilationW)}) * {I(Lanes)}, wt = wi + (ky * {I(g.KernelW)} + kx) * {I(pairWidth)};");
                            Channels();
                        }
                }
                for (int c = 0; c < channelBlocks; c++)
                    for (int j = 0; j < count; j++)
                        width.StoreActivated(w, step, $"a{c}_{j}", $"((ob + {I(c)}) * {I(outPlane)} + {(border is null ? "p" : "o")} + {I(j)}) * {I(Lanes)} + h");
            }

            void Channels() => ChannelProducts(w, width, Lanes, channelBlocks, count, pointwise ? "wi" : "wt", g.Taps * channelBlocks * Lanes,
                "xr", pointwise ? "xi" : "xt", j => pointwise ? I(j * Lanes) : $"o{j}");
        }
    }

    /// <summary>Register blocks over output channels: pairs of blocks (<c>ob</c>), then an odd block left over alone.</summary>
    private static void OutputBlockPairs(SourceWriter w, int outBlocks, Action<int> body)
    {
        if (outBlocks >= 2)
            using (w.Loop($"for (int ob = 0; ob <= {Literal.Int(outBlocks - 2)}; ob += 2)", outBlocks / 2, "const int ob = 0;"))
                body(2);
        if (outBlocks % 2 == 1)
            using (w.Open(""))
            {
                w.Line($"const int ob = {Literal.Int(outBlocks - 1)};");
                body(1);
            }
    }

    /// <summary><paramref name="variable"/> from 0 in steps of <paramref name="step"/> below <paramref name="total"/>, then what is left as one shorter step.</summary>
    private static void Runs(SourceWriter w, string variable, int total, int step, Action<int> body)
    {
        w.Line($"nint {variable} = 0;");
        if (total >= step)
            using (w.Open($"for (; {variable} <= {Literal.Int(total - step)}; {variable} += {Literal.Int(step)})"))
                body(step);
        if (total % step != 0)
            using (w.Open(""))
                body(total % step);
    }

    /// <summary>
    /// a{c}_{j} += w[c] x[j] over the first <paramref name="channels"/> input channels k of a block (8, or a
    /// gathered block's channels): per k, a weight vector per output block c (at
    /// <paramref name="weights"/> + k * <paramref name="weightStride"/> + 8c) and a broadcast input per position j
    /// (at <paramref name="inputs"/> + k + <paramref name="position"/>(j)). Unrolled on Vector256 (1.1-1.3x
    /// faster), a loop on the Vector128 fallback (half the source).
    /// </summary>
    private static void ChannelProducts(SourceWriter w, VectorWidth width, int channels, int channelBlocks, int count, string weights, int weightStride,
        string inputRef, string inputs, Func<int, string> position)
    {
        string I(int v) => Literal.Int(v);
        bool unrolled = width.Count == Lanes;
        using (unrolled ? w.Open("") : w.Open($"for (nint k = 0; k < {I(channels)}; k++)"))
            for (int k = 0; k < (unrolled ? channels : 1); k++)
            {
                string K(int offset) => unrolled ? I(k * offset) : $"k * {I(offset)}";
                for (int c = 0; c < channelBlocks; c++)
                    w.Line($"w{c} = {width.Load("wr", $"{weights} + {K(weightStride)} + {I(c * Lanes)}")};");
                for (int j = 0; j < count; j++)
                {
                    w.Line($"x{j} = {width.Vector}.Create({CodeText.At(inputRef, $"{inputs} + {K(1)} + {position(j)}")});");
                    for (int c = 0; c < channelBlocks; c++)
                        w.Line($"a{c}_{j} = MulAdd(w{c}, x{j}, a{c}_{j});");
                }
            }
    }

    /// <summary>
    /// Winograd F(2x2, r x r) on channel blocks (<see cref="WinogradMatrices"/>), vectorized over channels
    /// (unlike <see cref="WinogradEmitter"/>, vectorized over tiles for bigger maps): each 2x2 tile of outputs
    /// from an α x α patch of input as α² products of transformed input and weights instead of 4r²
    /// multiply-adds. Three passes per group of tiles, through the step's work span (<see cref="Step.Work"/>):
    /// <list type="number">
    /// <item>input transform V = Bᵀ d B per input block and tile, a row of Bᵀ d at a time;</item>
    /// <item>for each ξ of α², M[ξ] = sum over input channels of V[ξ, tile, in] (broadcast) x U[ξ, in, out]
    /// (a vector of 8 output channels): 2 output blocks x up to 6 tiles of accumulators;</item>
    /// <item>output transform Y = Aᵀ M A, bias, activation and whole-vector stores, per tile of that group.</item>
    /// </list>
    /// A plain input (<see cref="Gathers"/>) is first gathered into one block in the work span (the lanes past
    /// its channels are never read). No shuffles: both vector widths run it. Rounding differs from the direct sum by the
    /// transforms (<see cref="WinogradMatrices"/>).
    /// </summary>
    private static void Winograd(SourceWriter w, Step step, VectorWidth width, bool hasBias)
    {
        string I(int v) => Literal.Int(v);
        string V = width.Vector;
        Window g = step.Layer!.Window!;
        WinogradMatrices f = Matrices(step);
        int a = f.Alpha, xis = TileProducts(step);
        int tilesW = g.OutW / 2, tiles = (g.OutH / 2) * tilesW, inC = step.In.C, outC = step.Out.C;
        int inBlocks = InBlocks(step), outBlocks = outC / Lanes, plane = g.InH * g.InW, groupTiles = GroupTiles(tiles);
        // In the work span: the gathered input block, a group's V at [ξ, in block, tile, 8] and its M at [ξ, output block of the pair, tile, 8].
        int pair = PairBlocks(step);
        WinogradLayout(step, out int gathered, out int transformed, out int products);
        w.Line($"_ = work[{I(gathered + transformed + products - 1)}];");
        w.Line($"ref float vr = ref global::System.Runtime.CompilerServices.Unsafe.Add(ref {CodeText.Ref("work")}, {I(gathered)});");
        w.Line($"ref float mr = ref global::System.Runtime.CompilerServices.Unsafe.Add(ref vr, {I(transformed)});");
        string source = "xr";
        if (Gathers(step))
        {
            w.Line($"ref float xbr = ref {CodeText.Ref("work")};");
            GatherBlock(w, width, inC, plane);
            source = "xbr";
        }

        // Per group of tiles: 1, then 2 and 3 per pair of output blocks (one for an odd one left over).
        Runs(w, "t0", tiles, groupTiles, count =>
        {
            InputTransform(count);
            OutputBlockPairs(w, outBlocks, channelBlocks => Group(channelBlocks, count));
        });
        w.Line("return;");

        // 1. Input transform of the group's tiles: per row of Bᵀ, that row of Bᵀ d (u), then u B.
        void InputTransform(int count)
        {
            using (w.Loop($"for (nint ib = 0; ib < {I(inBlocks)}; ib++)", inBlocks, "const nint ib = 0;"))
            using (w.Open($"for (nint tj = 0; tj < {I(count)}; tj++)"))
            {
                w.Line($"nint t = t0 + tj, patch = ((ib * {I(g.InH)} + t / {I(tilesW)} * 2) * {I(g.InW)} + t % {I(tilesW)} * 2) * {I(Lanes)};");
                using (width.Halves(w))
                    for (int r = 0; r < a; r++)
                        using (w.Open(""))
                        {
                            int[] row = WinogradMatrices.Row(f.BT, r);
                            for (int c = 0; c < a; c++)
                                w.Line($"{V}<float> u{c} = {WinogradMatrices.Combine(row, i => width.Load(source, $"patch + {I((i * g.InW + c) * Lanes)} + h"), V)};");
                            for (int c = 0; c < a; c++)
                                w.Line($"{V}.StoreUnsafe({WinogradMatrices.Combine(WinogradMatrices.Row(f.BT, c), k => $"u{k}", V)}, ref vr, "
                                    + $"(nuint)((({I(r * a + c)} * {I(inBlocks)} + ib) * {I(groupTiles)} + tj) * {I(Lanes)} + h));");
                        }
            }
        }

        void Group(int channelBlocks, int count)
        {
            using (width.Halves(w))
            {
                using (w.Open($"for (nint xi = 0; xi < {I(xis)}; xi++)"))
                {
                    for (int c = 0; c < channelBlocks; c++)
                        w.Line(string.Join(" ", Enumerable.Range(0, count).Select(j => $"{V}<float> a{c}_{j} = {V}<float>.Zero;")));
                    w.Line($"{V}<float> {string.Join(", ", Enumerable.Range(0, channelBlocks).Select(c => $"w{c}").Concat(Enumerable.Range(0, count).Select(j => $"x{j}")))};");
                    int row = channelBlocks * Lanes; // weights per input channel of this ξ
                    string firstV = $"xi * {I(inBlocks * groupTiles * Lanes)}", firstW = $"ob * {I(Lanes * xis * inC)} + xi * {I(inC * row)} + h";
                    using (w.Loop($"for (nint ib = 0, vi = {firstV}, wi = {firstW}; ib < {I(inBlocks)}; ib++, vi += {I(groupTiles * Lanes)}, wi += {I(Lanes * row)})",
                        inBlocks, $"nint vi = {firstV}, wi = {firstW};"))
                        ChannelProducts(w, width, Math.Min(inC, Lanes), channelBlocks, count, "wi", row, "vr", "vi", j => I(j * Lanes));
                    for (int c = 0; c < channelBlocks; c++)
                        for (int j = 0; j < count; j++)
                            w.Line($"{V}.StoreUnsafe(a{c}_{j}, ref mr, (nuint)(((xi * {I(pair)} + {I(c)}) * {I(groupTiles)} + {I(j)}) * {I(Lanes)} + h));");
                }
                // Output transform: rows of M combined with Aᵀ's rows (s = M A), then s's columns (Aᵀ s).
                for (int c = 0; c < channelBlocks; c++)
                    using (w.Open($"for (nint tj = 0; tj < {I(count)}; tj++)"))
                        {
                            string M(int xi) => width.Load("mr", $"({I((xi * pair + c) * groupTiles)} + tj) * {I(Lanes)} + h");
                            for (int r = 0; r < a; r++)
                                w.Line($"{V}<float> s{r}0 = {WinogradMatrices.Combine(WinogradMatrices.Row(f.AT, 0), i => M(r * a + i), V)}, "
                                    + $"s{r}1 = {WinogradMatrices.Combine(WinogradMatrices.Row(f.AT, 1), i => M(r * a + i), V)};");
                            w.Line(hasBias ? $"{V}<float> bias = {width.Load("br", $"(ob + {I(c)}) * {I(Lanes)} + h")};" : $"{V}<float> bias = {V}<float>.Zero;");
                            w.Line($"nint tile = t0 + tj, at = ((ob + {I(c)}) * {I(g.OutH * g.OutW)} + tile / {I(tilesW)} * {I(2 * g.OutW)} + tile % {I(tilesW)} * 2) * {I(Lanes)} + h;");
                            for (int y = 0; y < 2; y++)
                                for (int x = 0; x < 2; x++)
                                    width.StoreActivated(w, step, $"bias + {WinogradMatrices.Combine(WinogradMatrices.Row(f.AT, y), r => $"s{r}{x}", V)}",
                                        $"at + {I((y * g.OutW + x) * Lanes)}");
                        }
            }
        }
    }

    /// <summary>
    /// Copies <paramref name="channels"/> (up to 8) plain planes of <paramref name="plane"/> floats from <c>xr</c>
    /// into one channel block at <c>xbr</c>: on AVX, 8 positions at a time as an 8x8 transpose (unpacks,
    /// shuffles, lane permutes; the last 8 overlapping; lanes past the channels zero), else float by float
    /// (lanes past the channels left as they were: the products never read them).
    /// </summary>
    private static void GatherBlock(SourceWriter w, VectorWidth width, int channels, int plane)
    {
        string I(int v) => Literal.Int(v);
        const string Avx = "global::System.Runtime.Intrinsics.X86.Avx";
        string V = width.Vector;
        if (width.Count != Lanes || plane < Lanes)
        {
            ScalarGather();
            return;
        }
        using (w.Open($"if ({Avx}.IsSupported)"))
        using (w.Open($"for (nint p = 0; ; p += {I(Lanes)})"))
        {
            w.Line($"if (p > {I(plane - Lanes)}) p = {I(plane - Lanes)};");
            w.Line($"{V}<float> " + string.Join(", ", Enumerable.Range(0, Lanes).Select(c =>
                c < channels ? $"r{c} = {width.Load("xr", $"p + {I(c * plane)}")}" : $"r{c} = {V}<float>.Zero")) + ";");
            CodeText.TransposeQuads(w, Lanes, k => $"r{k}");
            for (int k = 0; k < Lanes; k++)
                w.Line($"{V}.StoreUnsafe({CodeText.TransposedRow(k)}, ref xbr, (nuint)((p + {I(k)}) * {I(Lanes)}));");
            w.Line($"if (p == {I(plane - Lanes)}) break;");
        }
        using (w.Open("else"))
            ScalarGather();

        void ScalarGather()
        {
            using (w.Open($"for (nint c = 0; c < {I(channels)}; c++)"))
            using (w.Open($"for (nint p = 0; p < {I(plane)}; p++)"))
                w.Line($"{CodeText.At("xbr", $"p * {I(Lanes)} + c")} = {CodeText.At("xr", $"c * {I(plane)} + p")};");
        }
    }

    /// <summary>Positions per pass of the depthwise kernel: 8 along a row, or a shorter row's.</summary>
    private static int DepthwiseRun(Window bordered) => Math.Min(bordered.OutW, Lanes);

    /// <summary>Channel blocks per pass of the depthwise kernel: 2 for rows of up to 4 positions (6 to 8 sums in flight), else 1.</summary>
    private static int DepthwiseBlocks(Step step)
        => DepthwiseRun(step.Layer!.Window!.Bordered()) <= 4 && step.Out.C / Lanes % 2 == 0 ? 2 : 1;

    /// <summary>Floats of a pass's zero-bordered blocks of planes, which a depthwise conv without a bordered copy stages (else none).</summary>
    private static int StagedFloats(Step step)
    {
        Window given = step.Layer!.Window!, g = given.Bordered();
        return step.Layer.Spec.Groups == 1 || given.AllInterior ? 0 : CodeText.WholeLines(DepthwiseBlocks(step) * g.InH * g.InW * Lanes);
    }

    /// <summary>
    /// y[c, oy, ox] = b[c] + sum over taps of w[tap, c] x[c, oy * sy + ky * dy, ox * sx + kx * dx], vectorized over
    /// a block's 8 channels: 8 positions along a row per pass (the last pass overlapping outputs already
    /// written), or a short row's positions for 2 channel blocks at once, so 6 to 8 sums are in flight. The
    /// input is bordered (every window inside); a tap's weights are one vector load.
    /// </summary>
    private static void Depthwise(SourceWriter w, Step step, VectorWidth width, bool hasBias)
    {
        string I(int v) => Literal.Int(v);
        Window given = step.Layer!.Window!, g = given.Bordered();
        int channels = step.Out.C, blocks = channels / Lanes;
        int run = DepthwiseRun(g), channelBlocks = DepthwiseBlocks(step);
        // Without a bordered copy (the plan kept memory low), the pass's blocks of planes are staged, bordered, in the
        // work span: cleared on every call (the border must be zero whatever scratch held), then only interiors written.
        bool staged = StagedFloats(step) > 0;
        string source = staged ? "pr" : "xr";
        string V = width.Vector;
        if (staged)
        {
            w.Line($"global::System.Span<float> p = work.Slice(0, {I(StagedFloats(step))});");
            w.Line("p.Clear();");
            w.Line($"ref float pr = ref {CodeText.Ref("p")};");
        }
        using (w.Open($"for (int cb = 0; cb < {I(blocks)}; cb += {I(channelBlocks)})"))
        {
            if (staged)
                using (w.Open($"for (int row = 0; row < {I(channelBlocks * given.InH)}; row++)"))
                {
                    // Row r of the pass's planes: plane r / InH, row r % InH, landing inside the border.
                    w.Line($"nint from = (cb * {I(given.InH)} + row) * {I(given.InW * Lanes)}, "
                        + $"to = ((row / {I(given.InH)} * {I(g.InH)} + row % {I(given.InH)} + {I(given.PadTop)}) * {I(g.InW)} + {I(given.PadLeft)}) * {I(Lanes)};");
                    CodeText.CopyFloats(w, "xr", "from", "pr", "to", given.InW * Lanes);
                }
            using (w.Open($"for (int oy = 0; oy < {I(g.OutH)}; oy++)"))
                Row();
        }
        w.Line("return;");

        void Row()
        {
            w.Line($"nint xo = ({(staged ? "0" : $"cb * {I(g.InH)}")} + oy * {I(g.StrideH)}) * {I(g.InW * Lanes)}, yo = (cb * {I(g.OutH)} + oy) * {I(g.OutW * Lanes)};");
            using (w.Open(g.OutW > run ? $"for (nint ox = 0; ; ox += {I(run)})" : ""))
            {
                if (g.OutW > run)
                    w.Line($"if (ox > {I(g.OutW - run)}) ox = {I(g.OutW - run)};");
                else
                    w.Line("const nint ox = 0;");
                using (width.Halves(w))
                {
                    for (int c = 0; c < channelBlocks; c++)
                        w.Line(string.Join(" ", Enumerable.Range(0, run).Select(j =>
                            $"{V}<float> a{c}_{j} = {(hasBias ? width.Load("br", $"(cb + {I(c)}) * {I(Lanes)} + h") : $"{V}<float>.Zero")};")));
                    w.Line($"{V}<float> {string.Join(", ", Enumerable.Range(0, channelBlocks).Select(c => $"w{c}"))};");
                    if (g.Taps <= 9)
                        for (int t = 0; t < g.Taps; t++)
                            Tap(I(t / g.KernelW), I(t % g.KernelW), I(t));
                    else
                        using (w.Open($"for (int ky = 0; ky < {I(g.KernelH)}; ky++)"))
                        using (w.Open($"for (int kx = 0; kx < {I(g.KernelW)}; kx++)"))
                            Tap("ky", "kx", $"(ky * {I(g.KernelW)} + kx)");
                    for (int c = 0; c < channelBlocks; c++)
                        for (int j = 0; j < run; j++)
                            width.StoreActivated(w, step, $"a{c}_{j}", $"yo + {I(c * g.OutH * g.OutW * Lanes)} + (ox + {I(j)}) * {I(Lanes)} + h");
                }
                if (g.OutW > run)
                    w.Line($"if (ox == {I(g.OutW - run)}) break;");
            }
        }

        void Tap(string ky, string kx, string tap)
        {
            for (int c = 0; c < channelBlocks; c++)
            {
                w.Line($"w{c} = {width.Load("wr", $"{tap} * {I(channels)} + (cb + {I(c)}) * {I(Lanes)} + h")};");
                string row = $"xo + {I(c * g.InH * g.InW * Lanes)} + {ky} * {I(g.DilationH * g.InW * Lanes)} + {kx} * {I(g.DilationW * Lanes)}";
                for (int j = 0; j < run; j++)
                    w.Line($"a{c}_{j} = MulAdd({width.Load(source, $"{row} + (ox + {I(j)}) * {I(g.StrideW * Lanes)} + h")}, w{c}, a{c}_{j});");
            }
        }
    }

    /// <summary>
    /// Max or average over each window (all inside the input), a block's 8 channels per vector: the digits net's
    /// pools over 4x4 and 2x2 maps took 0.3-0.6 µs in the plain layout, where rows are too short for vectors.
    /// </summary>
    private static void Pool(SourceWriter w, Step step, VectorWidth width)
    {
        string I(int v) => Literal.Int(v);
        Window g = step.Layer!.Window!;
        bool max = step.Kind == StepKind.MaxPool;
        string V = width.Vector;
        using (w.Open($"for (nint cb = 0; cb < {I(step.In.C / Lanes)}; cb++)"))
        using (w.Open($"for (nint oy = 0; oy < {I(g.OutH)}; oy++)"))
        using (w.Open($"for (nint ox = 0; ox < {I(g.OutW)}; ox++)"))
        {
            w.Line($"nint xo = ((cb * {I(g.InH)} + oy * {I(g.StrideH)}) * {I(g.InW)} + ox * {I(g.StrideW)}) * {I(Lanes)}, yo = ((cb * {I(g.OutH)} + oy) * {I(g.OutW)} + ox) * {I(Lanes)};");
            using (width.Halves(w))
            {
                string Combine(string v, string at) => max ? $"{V}.Max({v}, {width.Load("xr", at)})" : $"{v} + {width.Load("xr", at)}";
                w.Line($"{V}<float> v = {width.Load("xr", "xo + h")};");
                if (g.Taps <= 9)
                {
                    for (int t = 1; t < g.Taps; t++)
                        w.Line($"v = {Combine("v", $"xo + {I(TapOffset(t / g.KernelW, t % g.KernelW))} + h")};");
                }
                else
                {
                    using (w.Open($"for (nint t = 1; t < {I(g.Taps)}; t++)"))
                        w.Line($"v = {Combine("v", $"xo + (t / {I(g.KernelW)} * {I(g.DilationH * g.InW)} + t % {I(g.KernelW)} * {I(g.DilationW)}) * {I(Lanes)} + h")};");
                }
                // A power of two's reciprocal is exact; otherwise divide, as the reference does.
                bool exact = (g.Taps & (g.Taps - 1)) == 0;
                string result = max ? "v" : exact ? $"v * {Literal.Float(1f / g.Taps)}" : $"v / {Literal.Float(g.Taps)}";
                w.Line($"{V}.StoreUnsafe({result}, ref yr, (nuint)(yo + h));");
            }
        }
        w.Line("return;");

        int TapOffset(int ky, int kx) => (ky * g.DilationH * g.InW + kx * g.DilationW) * Lanes;
    }

    /// <summary>The blocked max pool one float at a time, with MathF.Max's NaN rule.</summary>
    private static void ScalarMaxPool(SourceWriter w, Step step)
    {
        string I(int v) => Literal.Int(v);
        Window g = step.Layer!.Window!;
        using (w.Open($"for (int cb = 0; cb < {I(step.In.C / Lanes)}; cb++)"))
        using (w.Open($"for (int oy = 0; oy < {I(g.OutH)}; oy++)"))
        using (w.Open($"for (int ox = 0; ox < {I(g.OutW)}; ox++)"))
        using (w.Open($"for (int k = 0; k < {I(Lanes)}; k++)"))
        {
            w.Line("float v = float.NegativeInfinity;");
            using (w.Open($"for (int ky = 0; ky < {I(g.KernelH)}; ky++)"))
            using (w.Open($"for (int kx = 0; kx < {I(g.KernelW)}; kx++)"))
                w.Line($"v = global::System.MathF.Max(v, x[((cb * {I(g.InH)} + oy * {I(g.StrideH)} + ky * {I(g.DilationH)}) * {I(g.InW)} + ox * {I(g.StrideW)} + kx * {I(g.DilationW)}) * {I(Lanes)} + k]);");
            w.Line($"y[((cb * {I(g.OutH)} + oy) * {I(g.OutW)} + ox) * {I(Lanes)} + k] = v;");
        }
    }

    /// <summary>The mean of each channel: a block's 8 channels summed position by position in one vector.</summary>
    private static void GlobalAverage(SourceWriter w, Step step, VectorWidth width)
    {
        string I(int v) => Literal.Int(v);
        int positions = step.In.H * step.In.W;
        string V = width.Vector;
        using (w.Open($"for (int cb = 0; cb < {I(step.In.C / Lanes)}; cb++)"))
        using (width.Halves(w))
        {
            w.Line($"{V}<float> sum = {V}<float>.Zero;");
            using (w.Open($"for (nint p = 0; p < {I(positions)}; p++)"))
                w.Line($"sum += {width.Load("xr", $"(cb * {I(positions)} + p) * {I(Lanes)} + h")};");
            w.Line($"{V}.StoreUnsafe(sum * {Literal.Float(1f / positions)}, ref yr, (nuint)(cb * {I(Lanes)} + h));");
        }
        w.Line("return;");
    }

    /// <summary>A zero border around blocked planes: each row of a block is one contiguous run of W x 8 floats.</summary>
    private static void Pad(SourceWriter w, Step step)
    {
        string I(int v) => Literal.Int(v);
        PadGeometry p = step.Pad!;
        int inH = step.In.H, inW = step.In.W, outH = step.Out.H, outW = step.Out.W;
        CodeText.UncheckedSpans(w, step.In.Size, step.Out.Size);
        ClearBorder(w, step.Out, p);
        using (w.Open($"for (int cb = 0; cb < {I(step.In.C / Lanes)}; cb++)"))
        using (w.Open($"for (int row = 0; row < {I(inH)}; row++)"))
        {
            w.Line($"int from = (cb * {I(inH)} + row) * {I(inW * Lanes)}, to = ((cb * {I(outH)} + row + {I(p.Top)}) * {I(outW)} + {I(p.Left)}) * {I(Lanes)};");
            CodeText.CopyFloats(w, "xr", "from", "yr", "to", inW * Lanes);
        }
    }
}
