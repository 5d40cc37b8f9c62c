using ConvGen.Generators.Helpers;

namespace ConvGen.Generators.Model;

// The declared network as written, with no Roslyn symbols, syntax or locations, so the incremental
// pipeline can compare it by value and skip emission when an edit elsewhere leaves it unchanged.

internal enum LayerKind
{
    /// <summary>Conv1D, Conv2D, and DepthwiseConv2D (a grouped conv once its input channels are known).</summary>
    Conv,
    ConvTranspose,
    Dense,
    MaxPool,
    AvgPool,
    GlobalAvgPool,
    GlobalMaxPool,
    Flatten,
    Dropout,
    Softmax,
    Activation,
    BatchNorm,
    Add,
    Concat,
    ZeroPad,
    ChannelShuffle,
}

internal enum ActivationKind { None, ReLU, ReLU6, LeakyReLU, Sigmoid, Tanh, HardSwish, ELU, Softmax }

internal enum PaddingKind { Valid, Same }

internal enum PaddingModeKind { Zeros, Reflect, Replicate, Circular }

internal enum LayoutKind { ChannelsFirst, ChannelsLast }

internal enum WeightLayoutKind { PyTorch, Keras }

/// <summary>A containing type of a nested network class, as its declaration header must be repeated.</summary>
internal sealed record ContainingType(string Keyword, string Name);

internal sealed record NetworkSpec(
    string? Namespace,
    EquatableArray<ContainingType> ContainingTypes,
    string ClassName,
    bool IsStatic,
    EquatableArray<int> InputShape,
    LayoutKind Layout,
    WeightLayoutKind WeightLayout,
    string? WeightsFile,
    long MaxRamBytes,
    EquatableArray<LayerSpec> Layers)
{
    /// <summary>Indices of <see cref="Layers"/> in the order they run (inputs before the layers that read them).</summary>
    public EquatableArray<int> Order { get; init; } = EquatableArray<int>.Empty;

    public string FullName => (Namespace is null ? "" : Namespace + ".")
        + string.Concat(System.Linq.Enumerable.Select(ContainingTypes, t => t.Name + ".")) + ClassName;
}

/// <summary>
/// One layer attribute, with scalar/array option pairs already merged per axis. Sizes that depend on
/// the input (Same padding, output shapes, weight counts) are left to shape inference.
/// </summary>
internal sealed record LayerSpec(LayerKind Kind, string TypeName, int SpatialRank)
{
    public string? Name { get; init; }

    /// <summary>The Input argument as written (null when not given).</summary>
    public string? Input { get; init; }

    /// <summary>
    /// The names of the tensors the layer reads, resolved: Add/Concat's constructor names, else Input,
    /// else the layer written above ("input" for the first layer).
    /// </summary>
    public EquatableArray<string> Inputs { get; init; } = EquatableArray<string>.Empty;

    /// <summary>DepthwiseConv2D's channel multiplier; 0 for every other layer.</summary>
    public int DepthMultiplier { get; init; }

    /// <summary>Conv2DTranspose's extra output rows and columns at the end, per axis.</summary>
    public EquatableArray<int> OutputPadding { get; init; } = EquatableArray<int>.Empty;

    /// <summary>Conv filters or Dense units; ChannelShuffle's groups are in <see cref="Groups"/>.</summary>
    public int Outputs { get; init; }

    /// <summary>Kernel or pool window per spatial axis.</summary>
    public EquatableArray<int> Kernel { get; init; } = EquatableArray<int>.Empty;
    public EquatableArray<int> Strides { get; init; } = EquatableArray<int>.Empty;
    public EquatableArray<int> Dilations { get; init; } = EquatableArray<int>.Empty;
    public PaddingKind Padding { get; init; }

    /// <summary>Explicit pads, begins then ends (<c>[top, left, bottom, right]</c> in 2-D); empty when not given.</summary>
    public EquatableArray<int> Pads { get; init; } = EquatableArray<int>.Empty;

    /// <summary>"Pad" or "Pads", whichever the user wrote (for messages); null when padding is not explicit.</summary>
    public string? PadsWrittenAs { get; init; }
    public PaddingModeKind PaddingMode { get; init; }
    public int Groups { get; init; } = 1;
    public bool UseBias { get; init; } = true;
    public ActivationKind Activation { get; init; }

    /// <summary>The activation parameter, with the per-activation default already applied.</summary>
    public float Alpha { get; init; }
    public EquatableArray<float>? Weights { get; init; }
    public EquatableArray<float>? Bias { get; init; }
    public bool CeilMode { get; init; }
    /// <summary>Null when not written: PyTorch's default, true, applies.</summary>
    public bool? CountIncludePad { get; init; }

    /// <summary>BatchNorm's inline parameters (null when not given) and epsilon.</summary>
    public EquatableArray<float>? Gamma { get; init; }
    public EquatableArray<float>? Beta { get; init; }
    public EquatableArray<float>? Mean { get; init; }
    public EquatableArray<float>? Variance { get; init; }
    public float Epsilon { get; init; } = 1e-5f;
}
