using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;

namespace ConvGen.Tests.Numeric;

/// <summary>The layer attributes the numeric tests declare.</summary>
public enum LayerOp
{
    Conv,
    MaxPool,
    AvgPool,
    Dense,
    GlobalAvgPool,
    GlobalMaxPool,
    Flatten,
    Dropout,
    Softmax,
    Activation,
    BatchNorm,
    /// <summary>DepthwiseConv2D: groups = channels, filters = channels * DepthMultiplier.</summary>
    DepthwiseConv,
    /// <summary>Conv2DTranspose.</summary>
    ConvTranspose,
    ZeroPad,
    ChannelShuffle,
    Add,
    Concat,
}

/// <summary>
/// A tensor shape, channels first. Rank 1 is a vector of <see cref="C"/>; rank 2 is (C, L) with L in
/// <see cref="W"/> and H = 1; rank 3 is (C, H, W).
/// </summary>
public readonly record struct TensorShape(int Rank, int C, int H, int W)
{
    public static TensorShape Vector(int n) => new(1, n, 1, 1);

    public static TensorShape FromDeclared(IReadOnlyList<int> dims) => dims.Count switch
    {
        1 => Vector(dims[0]),
        2 => new TensorShape(2, dims[0], 1, dims[1]),
        _ => new TensorShape(3, dims[0], dims[1], dims[2]),
    };

    public int SpatialRank => Rank - 1;

    public int Spatial => Rank == 1 ? 1 : H * W;

    public int Size => C * Spatial;

    /// <summary>The spatial sizes per axis: [H, W], [L] or none.</summary>
    public int[] SpatialSizes => Rank switch { 3 => new[] { H, W }, 2 => new[] { W }, _ => Array.Empty<int>() };

    public TensorShape WithSpatial(int channels, int[] sizes) => sizes.Length == 2
        ? new TensorShape(3, channels, sizes[0], sizes[1])
        : new TensorShape(2, channels, 1, sizes[0]);

    public override string ToString() => Rank switch
    {
        1 => $"({C})",
        2 => $"({C}, {W})",
        _ => $"({C}, {H}, {W})",
    };
}

/// <summary>
/// One layer attribute exactly as written: optional arguments that are null are omitted from the
/// declaration, so defaults (pool stride = pool size, UseBias = true, ...) are exercised too.
/// </summary>
public sealed record LayerDecl
{
    public required LayerOp Op { get; init; }

    /// <summary>Spatial rank of a conv or pool (1 or 2); 0 for the other layers.</summary>
    public int Rank { get; init; }

    /// <summary>Filters of a conv, units of a Dense.</summary>
    public int Outputs { get; init; }

    /// <summary>The window sizes as written in the constructor: one value (square in 2-D) or (kh, kw).</summary>
    public int[] Kernel { get; init; } = Array.Empty<int>();

    public int? Stride { get; init; }
    public int[]? Strides { get; init; }
    public int? Dilation { get; init; }
    public int[]? Dilations { get; init; }
    public Padding? Padding { get; init; }
    public int? Pad { get; init; }
    public int[]? Pads { get; init; }
    public int? Groups { get; init; }
    public bool? UseBias { get; init; }
    public bool? CeilMode { get; init; }
    public bool? CountIncludePad { get; init; }

    /// <summary>The fused activation of a conv/Dense, or the kind of an Activation layer.</summary>
    public Activation Activation { get; init; }

    public float? Alpha { get; init; }
    public float? DropoutRate { get; init; }

    /// <summary>Weights in the network's declared <see cref="WeightLayout"/>.</summary>
    public float[]? Weights { get; init; }

    public float[]? Bias { get; init; }

    /// <summary>The layer's Name, written when set (references use it).</summary>
    public string? Name { get; init; }

    /// <summary>The Input named argument: a layer's Name or "input"; null reads the layer written just above.</summary>
    public string? Input { get; init; }

    /// <summary>The constructor names of an Add or Concat.</summary>
    public string[] Inputs { get; init; } = Array.Empty<string>();

    public int? DepthMultiplier { get; init; }
    public int? OutputPadding { get; init; }
    public int[]? OutputPaddings { get; init; }
    public PaddingMode? PaddingMode { get; init; }

    /// <summary>The constructor values of a ZeroPad2D (1, 2 or 4 of them).</summary>
    public int[] PadValues { get; init; } = Array.Empty<int>();

    /// <summary>The constructor groups of a ChannelShuffle.</summary>
    public int ShuffleGroups { get; init; }

    public float? Epsilon { get; init; }
    public float[]? Gamma { get; init; }
    public float[]? Beta { get; init; }
    public float[]? Mean { get; init; }
    public float[]? Variance { get; init; }

    /// <summary>The window size per spatial axis.</summary>
    public int[] KernelPerAxis => Rank == 2 && Kernel.Length == 1 ? new[] { Kernel[0], Kernel[0] } : Kernel;

    public bool HasWeights => Op is LayerOp.Conv or LayerOp.Dense or LayerOp.DepthwiseConv or LayerOp.ConvTranspose;

    /// <summary>A layer with parameters the config generators fill last (weights, or BatchNorm statistics).</summary>
    public bool HasParameters => HasWeights || Op == LayerOp.BatchNorm;

    public bool IsMerge => Op is LayerOp.Add or LayerOp.Concat;
}

/// <summary>A whole <c>[ConvNet]</c> declaration plus the input it is run on (channels first).</summary>
public sealed record NetDecl
{
    public required int[] InputShape { get; init; }
    public Layout? Layout { get; init; }
    public WeightLayout? WeightLayout { get; init; }
    public required LayerDecl[] Layers { get; init; }

    /// <summary>The input, channels first (the test transposes it for a channels-last network).</summary>
    public float[] Input { get; init; } = Array.Empty<float>();

    public bool IsChannelsLast => Layout == ConvGen.Layout.ChannelsLast;

    public bool IsKeras => WeightLayout == ConvGen.WeightLayout.Keras;
}

/// <summary>Writes declarations as C# source. Floats are written invariant and round-trippable.</summary>
public static class DeclWriter
{
    public static string Float(float v) => v.ToString("R", CultureInfo.InvariantCulture) + "f";

    private static string Str(string v) => "\"" + v + "\"";

    private static string Ints(int[] values) => "new[] { " + string.Join(", ", values) + " }";

    private static string Floats(float[] values, bool withData)
        => withData ? "new float[] { " + string.Join(", ", values.Select(Float)) + " }" : $"[{values.Length} floats]";

    /// <summary>The class declaration with its attributes.</summary>
    public static string Class(NetDecl net, string className, bool withData = true)
    {
        var sb = new StringBuilder();
        sb.Append(ConvNet(net)).Append('\n');
        foreach (LayerDecl layer in net.Layers)
            sb.Append('[').Append(Layer(layer, withData)).Append("]\n");
        sb.Append("public static partial class ").Append(className).Append(" { }\n");
        return sb.ToString();
    }

    /// <summary>One line per network for CsCheck's report: the attributes without the weight values.</summary>
    public static string Summary(IReadOnlyList<NetDecl> nets)
        => $"{nets.Count} networks:\n" + string.Join("\n", nets.Select((n, i) =>
            $"  Net_{i}: {ConvNet(n)} " + string.Join(" ", n.Layers.Select(l => "[" + Layer(l, withData: false) + "]"))));

    private static string ConvNet(NetDecl net)
    {
        var args = new List<string>(net.InputShape.Select(d => d.ToString(CultureInfo.InvariantCulture)));
        if (net.Layout is { } layout)
            args.Add($"Layout = Layout.{layout}");
        if (net.WeightLayout is { } weightLayout)
            args.Add($"WeightLayout = WeightLayout.{weightLayout}");
        return "[ConvNet(" + string.Join(", ", args) + ")]";
    }

    public static string Layer(LayerDecl l, bool withData = true)
    {
        var args = new List<string>();
        string name;
        switch (l.Op)
        {
            case LayerOp.Conv:
                name = l.Rank == 2 ? "Conv2D" : "Conv1D";
                args.Add(l.Outputs.ToString(CultureInfo.InvariantCulture));
                args.AddRange(l.Kernel.Select(k => k.ToString(CultureInfo.InvariantCulture)));
                break;
            case LayerOp.ConvTranspose:
                name = "Conv2DTranspose";
                args.Add(l.Outputs.ToString(CultureInfo.InvariantCulture));
                args.AddRange(l.Kernel.Select(k => k.ToString(CultureInfo.InvariantCulture)));
                break;
            case LayerOp.DepthwiseConv:
                name = "DepthwiseConv2D";
                args.AddRange(l.Kernel.Select(k => k.ToString(CultureInfo.InvariantCulture)));
                break;
            case LayerOp.ZeroPad:
                name = "ZeroPad2D";
                args.AddRange(l.PadValues.Select(k => k.ToString(CultureInfo.InvariantCulture)));
                break;
            case LayerOp.ChannelShuffle:
                name = "ChannelShuffle";
                args.Add(l.ShuffleGroups.ToString(CultureInfo.InvariantCulture));
                break;
            case LayerOp.Add:
            case LayerOp.Concat:
                name = l.Op.ToString();
                args.AddRange(l.Inputs.Select(Str));
                break;
            case LayerOp.MaxPool:
            case LayerOp.AvgPool:
                name = (l.Op == LayerOp.MaxPool ? "MaxPool" : "AvgPool") + (l.Rank == 2 ? "2D" : "1D");
                args.AddRange(l.Kernel.Select(k => k.ToString(CultureInfo.InvariantCulture)));
                break;
            case LayerOp.Dense:
                name = "Dense";
                args.Add(l.Outputs.ToString(CultureInfo.InvariantCulture));
                break;
            case LayerOp.Dropout:
                name = "Dropout";
                if (l.DropoutRate is { } rate)
                    args.Add(Float(rate));
                break;
            case LayerOp.Activation:
                name = "Activation";
                args.Add("Activation." + l.Activation);
                break;
            default:
                name = l.Op.ToString();
                break;
        }

        void Named(string key, string? value)
        {
            if (value is not null)
                args.Add(key + " = " + value);
        }

        Named("Name", l.Name is null ? null : Str(l.Name));
        Named("Input", l.Input is null ? null : Str(l.Input));
        Named("DepthMultiplier", l.DepthMultiplier?.ToString(CultureInfo.InvariantCulture));
        Named("Stride", l.Stride?.ToString(CultureInfo.InvariantCulture));
        Named("Strides", l.Strides is null ? null : Ints(l.Strides));
        Named("Dilation", l.Dilation?.ToString(CultureInfo.InvariantCulture));
        Named("Dilations", l.Dilations is null ? null : Ints(l.Dilations));
        Named("Padding", l.Padding is null ? null : "Padding." + l.Padding);
        Named("Pad", l.Pad?.ToString(CultureInfo.InvariantCulture));
        Named("Pads", l.Pads is null ? null : Ints(l.Pads));
        Named("PaddingMode", l.PaddingMode is null ? null : "PaddingMode." + l.PaddingMode);
        Named("OutputPadding", l.OutputPadding?.ToString(CultureInfo.InvariantCulture));
        Named("OutputPaddings", l.OutputPaddings is null ? null : Ints(l.OutputPaddings));
        Named("CeilMode", l.CeilMode is null ? null : l.CeilMode.Value ? "true" : "false");
        Named("CountIncludePad", l.CountIncludePad is null ? null : l.CountIncludePad.Value ? "true" : "false");
        Named("Groups", l.Groups?.ToString(CultureInfo.InvariantCulture));
        Named("UseBias", l.UseBias is null ? null : l.UseBias.Value ? "true" : "false");
        if (l.Op != LayerOp.Activation && l.Activation != Activation.None)
            Named("Activation", "Activation." + l.Activation);
        Named("Alpha", l.Alpha is null ? null : Float(l.Alpha.Value));
        Named("Weights", l.Weights is null ? null : Floats(l.Weights, withData));
        Named("Bias", l.Bias is null ? null : Floats(l.Bias, withData));
        Named("Epsilon", l.Epsilon is null ? null : Float(l.Epsilon.Value));
        Named("Gamma", l.Gamma is null ? null : Floats(l.Gamma, withData));
        Named("Beta", l.Beta is null ? null : Floats(l.Beta, withData));
        Named("Mean", l.Mean is null ? null : Floats(l.Mean, withData));
        Named("Variance", l.Variance is null ? null : Floats(l.Variance, withData));
        return args.Count == 0 ? name : name + "(" + string.Join(", ", args) + ")";
    }

    /// <summary>A float array as a C# initializer, for failure messages.</summary>
    public static string FloatArray(float[] values, int max = int.MaxValue)
        => "new float[] { " + string.Join(", ", values.Take(max).Select(Float)) + (values.Length > max ? $", ... ({values.Length} in all)" : "") + " }";
}
