using ConvGen.Generators.Model;
using ConvGen.Generators.Shapes;

namespace ConvGen.Generators.Planning;

/// <summary>
/// The channel-blocked layout, (C / 8, H, W, 8): each position's 8 channels of a block side by side, so one
/// AVX2 vector holds them. Depthwise and pointwise convs on small maps (MobileNet's 6x6 and 3x3, DS-CNN's
/// 25x5) waste most of a vector along rows or pay for lane-by-lane stores in the plain layout; in blocks
/// both vectorize over channels with whole-vector loads and stores, as ONNX Runtime's NCHWc kernels do.
/// </summary>
internal static class ChannelBlocks
{
    public const int Lanes = 8;

    /// <summary>Above this many floats a depthwise conv's zero-bordered blocks of planes are not staged (its work span stays small).</summary>
    public const int MaxStagedFloats = 16 * 1024;

    /// <summary>
    /// A pointwise conv (1x1, stride 1, one group, no padding), a one-group conv on rows too short for vectors
    /// along them (the digits net's 4x4 maps: vectors over channels then, whose stores are whole vectors only
    /// in blocks), or a depthwise one (a group per channel) whose windows all lie inside its input, or whose
    /// zero border fits a staged copy of two blocks of planes. (Rows under 8 outputs hold under 4 Winograd
    /// tiles: no one-group conv taken here is one the Winograd kernel takes.)
    /// </summary>
    public static bool Suits(LayerPlan conv)
    {
        Window? g = conv.Window;
        if (g is not { ColumnPhases: 1 } || conv.In.C % Lanes != 0 || conv.Out.C % Lanes != 0)
            return false;
        if (conv.Spec.Groups == 1)
            return g.AllInterior && (g is { Taps: 1, StrideH: 1, StrideW: 1 } || g.OutW < Lanes);
        return conv.Spec.Groups == conv.In.C && conv.Out.C == conv.In.C
            && (g.AllInterior || conv.Spec.PaddingMode == PaddingModeKind.Zeros && g.Bordered().InH * (long)g.Bordered().InW * 2 * Lanes <= MaxStagedFloats);
    }


    /// <summary>A max or average pool whose windows all lie inside its input: a vector of 8 channels per position.</summary>
    public static bool Suits(Window pool, Shape input) => pool is { AllInterior: true, ColumnPhases: 1 } && input.C % Lanes == 0 && input.Rank > 1;

    /// <summary>A zero border around a blocked tensor: whole blocked rows copied, with zeros around them.</summary>
    public static bool Suits(PadGeometry pad, Shape input)
        => pad is { Mode: PaddingModeKind.Zeros, StrideH: 1, StrideW: 1, ColumnPhases: 1, Top: >= 0, Left: >= 0, Bottom: >= 0, Right: >= 0 }
            && input.C % Lanes == 0;
}
