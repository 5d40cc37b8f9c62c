using ConvGen.Generators.Helpers;
using ConvGen.Generators.Shapes;

namespace ConvGen.Generators.Model;

/// <summary>
/// Sliding-window geometry of a conv or pooling layer, on the (H, W) plane; 1-D layers have H = 1,
/// a window height of 1 and no vertical padding.
/// </summary>
internal sealed record Window(
    int KernelH, int KernelW, int StrideH, int StrideW, int DilationH, int DilationW,
    int PadTop, int PadLeft, int PadBottom, int PadRight,
    int InH, int InW, int OutH, int OutW)
{
    /// <summary>First output row whose whole window lies inside the input (no padding read).</summary>
    public int InteriorRowStart => Ceil(PadTop, StrideH);

    /// <summary>One past the last output row whose whole window lies inside the input.</summary>
    public int InteriorRowEnd => System.Math.Max(InteriorRowStart, System.Math.Min(OutH, FloorDiv(InH - 1 - (KernelH - 1) * DilationH + PadTop, StrideH) + 1));

    public int InteriorColStart => Ceil(PadLeft, StrideW);

    public int InteriorColEnd => System.Math.Max(InteriorColStart, System.Math.Min(OutW, FloorDiv(InW - 1 - (KernelW - 1) * DilationW / ColumnPhases + PadLeft, StrideW) + 1));

    /// <summary>
    /// Above 1, the input was split by column phase for a conv strided across by this much (see
    /// <c>PadGeometry.ColumnPhases</c>): column c of a row lies in phase plane c % ColumnPhases, at column
    /// c / ColumnPhases. InH counts the rows of all phase planes, InW is a phase plane's width and StrideW is
    /// 1: adjacent outputs read adjacent columns of a phase plane.
    /// </summary>
    public int ColumnPhases { get; init; } = 1;

    /// <summary>Every window lies inside the input: no bounds checks are needed anywhere.</summary>
    public bool AllInterior => InteriorRowStart == 0 && InteriorRowEnd == OutH && InteriorColStart == 0 && InteriorColEnd == OutW;

    public int Taps => KernelH * KernelW; // bounded: shape inference refuses weights or windows past 2^28

    /// <summary>The window over the input with its zero border added (a bordered copy, stack planes): every window inside.</summary>
    public Window Bordered() => this with
    {
        PadTop = 0, PadLeft = 0, PadBottom = 0, PadRight = 0,
        InH = InH + PadTop + PadBottom, InW = InW + PadLeft + PadRight,
    };

    private static int Ceil(int a, int b) => (a + b - 1) / b;

    private static int FloorDiv(int a, int b) => a >= 0 ? a / b : -((-a + b - 1) / b);
}

/// <summary>A layer with every size resolved by shape inference; weights are in PyTorch layout.</summary>
internal sealed record LayerPlan(int Index, LayerSpec Spec, Shape In, Shape Out)
{
    public Window? Window { get; init; }

    /// <summary>The layers whose outputs this layer reads, by declaration index; -1 is the network input.</summary>
    public EquatableArray<int> Inputs { get; init; } = EquatableArray<int>.Empty;

    /// <summary>Weights in PyTorch layout: conv <c>[out, in/groups, kh, kw]</c>, dense <c>[out, in]</c>.</summary>
    public EquatableArray<float> Weights { get; init; } = EquatableArray<float>.Empty;

    /// <summary>Empty when the layer has no bias.</summary>
    public EquatableArray<float> Bias { get; init; } = EquatableArray<float>.Empty;

    /// <summary>Trainable and running parameters, as Keras counts them (BatchNorm has 4 per channel).</summary>
    public long ParameterCount { get; init; } = -1;

    public long Parameters => ParameterCount >= 0 ? ParameterCount : Weights.Count + Bias.Count;

    /// <summary>Set on a BatchNorm folded into the layer before it at build time: that layer's name.</summary>
    public string? FoldedInto { get; init; }

    public long MultiplyAccumulates { get; init; }

    public string Name => Spec.Name ?? Spec.TypeName;
}

/// <summary>The network after shape inference, layers in the order they run: what the planner and the emitters work from.</summary>
internal sealed record NetworkPlan(NetworkSpec Spec, Shape Input, Shape Output, EquatableArray<LayerPlan> Layers);
