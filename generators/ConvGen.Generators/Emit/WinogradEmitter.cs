using System;
using System.Linq;
using ConvGen.Generators.Helpers;
using ConvGen.Generators.Model;
using ConvGen.Generators.Planning;

namespace ConvGen.Generators.Emit;

/// <summary>
/// Winograd F(2x2, 3x3) for 3x3 stride-1 convs with one group (ResNet-8's convs: 80% of its multiply-adds):
/// each 2x2 block of outputs ("tile") comes from a 4x4 patch of input as 16 products of transformed input
/// and transformed weights instead of 36 multiply-adds, so the multiplying shrinks 2.25x, for some adds
/// around it. Weights are transformed at build time (U = G g Gᵀ, in double, rounded once). The kernel, per
/// block of 16 tiles (two AVX2 vectors: one tile row of a 32-wide map, two of a 16-wide, four of an 8-wide):
/// <list type="number">
/// <item>input transform V = Bᵀ d B, vectorized over tiles: input rows combined first, then one in-lane
/// shuffle per column gathers 8 tiles' columns from two runs of 4 tiles;</item>
/// <item>16 small matrix products M[ξ] = U[ξ] V[ξ] over the input channels, 4 output channels x 16 tiles of
/// accumulators, broadcasting U;</item>
/// <item>output transform Y = Aᵀ M A, bias and activation, interleaved back into rows of outputs.</item>
/// </list>
/// It needs AVX2 and FMA at run time; elsewhere (Arm, older x64) the method calls the direct kernel, which
/// the generator writes beside it. Rounding differs from the direct sum by the transforms' few adds: within
/// the tests' 1e-4 relative of PyTorch.
/// </summary>
internal static class WinogradEmitter
{
    /// <summary>Tiles per block: two vectors of 8, each vector a whole number of tile rows or within one.</summary>
    private const int BlockTiles = 16;

    /// <summary>Above this many floats of a block's transformed input (16 x in channels x 16 tiles) the direct kernel runs.</summary>
    private const int MaxBlockFloats = 16 * 1024;

    /// <summary>
    /// Below this many input channels the direct kernel keeps the conv: the transforms cost per channel and
    /// per tile, the savings per input channel and output channel.
    /// </summary>
    private const int MinInputChannels = 8;

    /// <summary>Output channels per register block of the products (4 x 2 vectors of accumulators).</summary>
    private const int ChannelBlock = 4;

    private const string V = "global::System.Runtime.Intrinsics.Vector256";
    private const string Avx = "global::System.Runtime.Intrinsics.X86.Avx";

    public static bool Applies(Step step)
    {
        if (step.Kind != StepKind.Conv || step.Layer is not { Window: { } g } layer || layer.Spec.Groups != 1)
            return false;
        if (g is not { KernelH: 3, KernelW: 3, StrideH: 1, StrideW: 1, DilationH: 1, DilationW: 1, ColumnPhases: 1, AllInterior: true })
            return false;
        if (g.OutH % 2 != 0 || g.OutW % 2 != 0 || !Tiles(g, out int tilesW, out int rowsPerBlock))
            return false;
        return (g.OutH / 2) % rowsPerBlock == 0 && step.In.C >= MinInputChannels && step.Out.C % ChannelBlock == 0
            && 16L * step.In.C * BlockTiles <= MaxBlockFloats;
    }

    /// <summary>Tile rows of 4 or 8 tiles fill a block four or two at a time; rows of 16k tiles k blocks each.</summary>
    private static bool Tiles(Window g, out int tilesW, out int rowsPerBlock)
    {
        tilesW = g.OutW / 2;
        rowsPerBlock = tilesW >= BlockTiles ? 1 : BlockTiles / Math.Max(1, tilesW);
        return tilesW is 4 or 8 || tilesW % BlockTiles == 0;
    }

    /// <summary>Floats of a block's transformed input, V [ξ, in, tile], then one channel block's products, M [ξ, 4, tile].</summary>
    private static (int V, int M) BlockFloats(Step step) => (16 * step.In.C * BlockTiles, 16 * ChannelBlock * BlockTiles);

    /// <summary>Floats of scratch the kernel works in (<see cref="Step.Work"/>): V, then M.</summary>
    public static int WorkFloats(Step step) => BlockFloats(step).V + BlockFloats(step).M;

    /// <summary>The property holding the step's transformed weights.</summary>
    public static string WeightsName(Step step) => "Transformed_" + step.MethodName;

    /// <summary>
    /// U = G g Gᵀ for each (out, in) pair, packed [out / 4, ξ (16), in, 4]: one register block's weights for one
    /// ξ are contiguous, 4 broadcasts per input channel.
    /// </summary>
    public static float[] TransformWeights(Step step)
    {
        int inC = step.In.C;
        return WinogradMatrices.F2x3.TransformWeights(step.Layer!.Weights, step.Out.C, inC,
            (o, i, xi) => (((o / ChannelBlock) * 16 + xi) * inC + i) * ChannelBlock + o % ChannelBlock);
    }

    /// <summary>The method for <paramref name="step"/>, falling back to <paramref name="direct"/> without AVX2 and FMA.</summary>
    public static void Emit(SourceWriter w, Step step, string transformed, string? bias, string direct)
    {
        Window g = step.Layer!.Window!;
        Tiles(g, out int tilesW, out int rowsPerBlock);
        // A block: rowsPerBlock tile rows of span tiles (a whole row, or 16 tiles of a longer one).
        int span = Math.Min(tilesW, BlockTiles), blocksPerRow = tilesW / span;
        int inC = step.In.C, outC = step.Out.C, blocks = g.OutH / 2 / rowsPerBlock * blocksPerRow;
        bool twoRowsPerVector = span < 8; // 4-tile rows: a vector of 8 tiles spans two
        int secondRun = twoRowsPerVector ? 2 * g.InW : 8; // where a vector's second 4 tiles' input starts
        string I(int v) => Literal.Int(v);
        string Load(string reference, string at) => $"{V}.LoadUnsafe(ref {reference}, (nuint)({at}))";
        string Store(string value, string reference, string at) => $"{V}.StoreUnsafe({value}, ref {reference}, (nuint)({at}));";
        string Fma(string a, string b, string c) => $"global::System.Runtime.Intrinsics.X86.Fma.MultiplyAdd({a}, {b}, {c})";

        using (w.Open(CodeText.Signature(step)))
        {
            using (w.Open("if (!global::System.Runtime.Intrinsics.X86.Avx2.IsSupported || !global::System.Runtime.Intrinsics.X86.Fma.IsSupported)"))
            {
                w.Line($"{direct}(x, y, work);");
                w.Line("return;");
            }
            w.Line($"global::System.ReadOnlySpan<float> u = {CodeText.Floats(transformed)};");
            if (bias is not null)
                w.Line($"global::System.ReadOnlySpan<float> b = {CodeText.Floats(bias)};");
            CodeText.UncheckedSpans(w, inC * g.InH * g.InW, step.Out.Size);
            w.Line($"_ = u[{I(outC * inC * 16 - 1)}];");
            w.Line($"ref float ur = ref {CodeText.Ref("u")};");
            // In the work span, each written before it is read: v, the block's transformed input; m, a channel block's products.
            w.Line($"_ = work[{I(WorkFloats(step) - 1)}];");
            w.Line($"ref float vr = ref {CodeText.Ref("work")};");
            w.Line($"ref float mr = ref global::System.Runtime.CompilerServices.Unsafe.Add(ref vr, {I(BlockFloats(step).V)});");
            using (w.Open($"for (int block = 0; block < {I(blocks)}; block++)"))
            {
                // The block's first tile row and column.
                w.Line(blocksPerRow == 1
                    ? $"int ty0 = block * {I(rowsPerBlock)}; const int tx0 = 0;"
                    : $"int ty0 = block / {I(blocksPerRow)}, tx0 = block % {I(blocksPerRow)} * {I(BlockTiles)};");
                InputTransform();
                using (w.Open($"for (int ob = 0; ob < {I(outC / ChannelBlock)}; ob++)"))
                {
                    Products();
                    OutputTransform();
                }
            }
        }

        // V = Bᵀ d B per tile: rows combined (d0 - d2, d1 + d2, d2 - d1, d1 - d3), then the same on columns. A
        // vector holds 8 tiles, 4 from each of two runs of input (side by side in a row, or a tile row apart);
        // one in-lane shuffle of the two runs gathers the tiles' first (or second...) columns, in the order
        // 0 1 4 5 2 3 6 7 - kept through the products, and undone for free by the output's unpack.
        void InputTransform()
        {
            using (w.Open($"for (int ic = 0; ic < {I(inC)}; ic++)"))
            using (w.Open(TileVectors()))
            {
                w.Line($"nint from = (ic * {I(g.InH)} + 2 * (ty0 + r)) * {I(g.InW)} + 2 * (tx0 + tx), to = ic * {I(BlockTiles)} + r * {I(span)} + tx;");
                string Row(int k, int column) => Load("xr", $"from + {I(k * g.InW + column)}");
                for (int i = 0; i < 4; i++)
                {
                    // Row combination i of the two runs (a, b) and of the same shifted by one tile (c, d).
                    (int plus, int minus, string op) = i switch { 0 => (0, 2, "-"), 1 => (1, 2, "+"), 2 => (2, 1, "-"), _ => (1, 3, "-") };
                    string Combined(int column) => $"{Row(plus, column)} {op} {Row(minus, column)}";
                    w.Line($"{V}<float> a{i} = {Combined(0)}, b{i} = {Combined(secondRun)}, c{i} = {Combined(2)}, d{i} = {Combined(secondRun + 2)};");
                    w.Line($"{V}<float> e{i} = {Avx}.Shuffle(a{i}, b{i}, 0x88), o{i} = {Avx}.Shuffle(a{i}, b{i}, 0xDD), "
                        + $"f{i} = {Avx}.Shuffle(c{i}, d{i}, 0x88), q{i} = {Avx}.Shuffle(c{i}, d{i}, 0xDD);");
                    string[] columns = { $"e{i} - f{i}", $"o{i} + f{i}", $"f{i} - o{i}", $"o{i} - q{i}" };
                    for (int j = 0; j < 4; j++)
                        w.Line(Store(columns[j], "vr", $"to + {I((4 * i + j) * inC * BlockTiles)}"));
                }
            }
        }

        // The block's vectors of 8 tiles: along a tile row, or (4-tile rows) two rows at a time.
        string TileVectors() => twoRowsPerVector
            ? $"for (int r = 0, tx = 0; r < {I(rowsPerBlock)}; r += 2)"
            : $"for (int r = 0; r < {I(rowsPerBlock)}; r++) for (int tx = 0; tx < {I(span)}; tx += 8)";

        // M[ξ] = U[ξ] V[ξ] for 4 output channels: 8 accumulators, each V vector feeding 4 multiply-adds.
        void Products()
        {
            using (w.Open("for (int xi = 0; xi < 16; xi++)"))
            {
                w.Line($"{V}<float> a0 = {V}<float>.Zero, a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0, a6 = a0, a7 = a0;");
                w.Line($"nint vi = xi * {I(inC * BlockTiles)}, ui = (ob * 16 + xi) * {I(inC * ChannelBlock)};");
                using (w.Open($"for (int ic = 0; ic < {I(inC)}; ic++, vi += {I(BlockTiles)}, ui += {I(ChannelBlock)})"))
                {
                    w.Line($"{V}<float> v0 = {Load("vr", "vi")}, v1 = {Load("vr", "vi + 8")};");
                    for (int m = 0; m < ChannelBlock; m++)
                    {
                        w.Line($"{V}<float> w{m} = {V}.Create({CodeText.At("ur", $"ui + {I(m)}")});");
                        w.Line($"a{2 * m} = {Fma("v0", $"w{m}", $"a{2 * m}")}; a{2 * m + 1} = {Fma("v1", $"w{m}", $"a{2 * m + 1}")};");
                    }
                }
                for (int a = 0; a < 2 * ChannelBlock; a++)
                    w.Line(Store($"a{a}", "mr", $"(xi * {I(ChannelBlock)} + {I(a / 2)}) * {I(BlockTiles)} + {I(a % 2 * 8)}"));
            }
        }

        // Y = Aᵀ M A: rows (m0 + m1 + m2, m1 - m2 - m3), then the same on columns; 2x2 outputs per tile,
        // interleaved back into output rows by one unpack per row, which also restores the tiles' order.
        void OutputTransform()
        {
            using (w.Open($"for (int oc4 = 0; oc4 < {I(ChannelBlock)}; oc4++)"))
            {
                w.Line($"int oc = ob * {I(ChannelBlock)} + oc4;");
                if (bias is not null)
                    w.Line($"{V}<float> bias = {V}.Create(b[oc]);");
                using (w.Open(TileVectors()))
                {
                    w.Line($"nint tile = r * {I(span)} + tx;");
                    w.Line($"nint at = oc * {I(g.OutH * g.OutW)} + 2 * (ty0 + r) * {I(g.OutW)} + 2 * (tx0 + tx);");
                    for (int j = 0; j < 4; j++)
                    {
                        string M(int i) => Load("mr", $"({I((4 * i + j) * ChannelBlock)} + oc4) * {I(BlockTiles)} + tile");
                        w.Line($"{V}<float> m0{j} = {M(0)}, m1{j} = {M(1)}, m2{j} = {M(2)}, m3{j} = {M(3)};");
                        w.Line($"{V}<float> r0{j} = m0{j} + m1{j} + m2{j}, r1{j} = m1{j} - m2{j} - m3{j};");
                    }
                    string withBias = bias is not null ? " + bias" : "";
                    for (int r = 0; r < 2; r++)
                    {
                        w.Line($"{V}<float> y{r}0 = r{r}0 + r{r}1 + r{r}2{withBias}, y{r}1 = r{r}1 - r{r}2 - r{r}3{withBias};");
                        string? activated0 = ActivationCode.ApplyVector(step.Activation, $"y{r}0"), activated1 = ActivationCode.ApplyVector(step.Activation, $"y{r}1");
                        if (activated0 is not null && activated0 != $"y{r}0")
                            w.Line($"y{r}0 = {activated0}; y{r}1 = {activated1};");
                        // Tiles 0-3's outputs, then 4-7's: beside them in the row, or a tile row below.
                        string row = $"at + {I(r * g.OutW)}", next = $"{row} + {I(twoRowsPerVector ? 2 * g.OutW : 8)}";
                        w.Line(Store($"{Avx}.UnpackLow(y{r}0, y{r}1)", "yr", row));
                        w.Line(Store($"{Avx}.UnpackHigh(y{r}0, y{r}1)", "yr", next));
                        if (activated0 is null)
                            foreach (string start in new[] { row, next })
                                using (w.Open($"for (nint j = {start}; j < {start} + 8; j++)"))
                                    w.Line($"{CodeText.At("yr", "j")} = {ActivationCode.Apply(step.Activation, step.Alpha, CodeText.At("yr", "j"))};");
                    }
                }
            }
        }
    }
}
