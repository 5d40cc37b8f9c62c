namespace ConvGen
{
    /// <summary>Flattens the input to 1-D in the network's declared <see cref="Layout"/>.</summary>
    public sealed class FlattenAttribute : LayerAttribute { }

    /// <summary>Dropout: does nothing at inference; kept so declarations mirror the trained model.</summary>
    public sealed class DropoutAttribute : LayerAttribute
    {
        /// <summary>Dropout with PyTorch's default rate (0.5).</summary>
        public DropoutAttribute() : this(0.5f) { }

        /// <summary>Dropout with the given training-time rate.</summary>
        /// <param name="rate">The fraction dropped during training.</param>
        public DropoutAttribute(float rate) => Rate = rate;

        /// <summary>The fraction dropped during training (unused at inference).</summary>
        public float Rate { get; }
    }

    /// <summary>Numerically stable softmax over the channel axis (over the whole vector for a 1-D input).</summary>
    public sealed class SoftmaxAttribute : LayerAttribute { }

    /// <summary>A stand-alone activation layer.</summary>
    public sealed class ActivationAttribute : LayerAttribute
    {
        /// <summary>A stand-alone activation layer.</summary>
        /// <param name="kind">The function applied.</param>
        public ActivationAttribute(Activation kind) => Kind = kind;

        /// <summary>The function applied.</summary>
        public Activation Kind { get; }

        /// <summary>The negative slope of LeakyReLU (default 0.01) or the alpha of ELU (default 1).</summary>
        public float Alpha { get; set; }
    }

    /// <summary>
    /// Batch normalization at inference: <c>y = Gamma * (x - Mean) / sqrt(Variance + Epsilon) + Beta</c> per
    /// channel. Folded into the preceding convolution or Dense layer at build time when that layer has no
    /// activation; otherwise a per-channel scale and shift. Parameters come inline or, with a WeightsFile,
    /// from <c>"&lt;Name&gt;.weight"</c>, <c>".bias"</c>, <c>".running_mean"</c> and <c>".running_var"</c>.
    /// </summary>
    public sealed class BatchNormAttribute : LayerAttribute
    {
        /// <summary>Added to the variance before the square root. Default 1e-5, as PyTorch (Keras uses 1e-3).</summary>
        public float Epsilon { get; set; } = 1e-5f;

        /// <summary>The scale per channel (PyTorch <c>weight</c>, Keras <c>gamma</c>).</summary>
        public float[]? Gamma { get; set; }

        /// <summary>The shift per channel (PyTorch <c>bias</c>, Keras <c>beta</c>).</summary>
        public float[]? Beta { get; set; }

        /// <summary>The running mean per channel.</summary>
        public float[]? Mean { get; set; }

        /// <summary>The running variance per channel.</summary>
        public float[]? Variance { get; set; }
    }

    /// <summary>
    /// Adds the outputs of two or more layers element by element (a residual connection). All inputs must
    /// have the same shape. Name the network's input <c>"input"</c>.
    /// </summary>
    public sealed class AddAttribute : LayerAttribute
    {
        /// <summary>Adds the named layers' outputs.</summary>
        /// <param name="inputs">The names of the layers to add, at least two.</param>
        public AddAttribute(params string[] inputs) => Inputs = inputs;

        /// <summary>The names of the layers added.</summary>
        public string[] Inputs { get; }
    }

    /// <summary>
    /// Concatenates the outputs of two or more layers along the channel axis, in the order named (for 1-D
    /// vectors, end to end). All inputs must have the same spatial size.
    /// </summary>
    public sealed class ConcatAttribute : LayerAttribute
    {
        /// <summary>Concatenates the named layers' outputs.</summary>
        /// <param name="inputs">The names of the layers to concatenate, at least two.</param>
        public ConcatAttribute(params string[] inputs) => Inputs = inputs;

        /// <summary>The names of the layers concatenated, in channel order.</summary>
        public string[] Inputs { get; }
    }

    /// <summary>Pads a 2-D input with zeros (Keras <c>ZeroPadding2D</c>, PyTorch <c>ZeroPad2d</c>).</summary>
    public sealed class ZeroPad2DAttribute : LayerAttribute
    {
        /// <summary>Pads with zeros.</summary>
        /// <param name="pads">One value (every side), two (<c>[rows, columns]</c>, both sides) or four (<c>[top, left, bottom, right]</c>).</param>
        public ZeroPad2DAttribute(params int[] pads) => Pads = pads;

        /// <summary>The padding as written.</summary>
        public int[] Pads { get; }
    }

    /// <summary>
    /// Shuffles channels across groups, as ShuffleNet (PyTorch <c>ChannelShuffle</c>): the channels, seen as a
    /// <c>[groups, channels / groups]</c> grid, are read out column by column.
    /// </summary>
    public sealed class ChannelShuffleAttribute : LayerAttribute
    {
        /// <summary>A channel shuffle.</summary>
        /// <param name="groups">The number of groups; must divide the channels.</param>
        public ChannelShuffleAttribute(int groups) => Groups = groups;

        /// <summary>The number of groups.</summary>
        public int Groups { get; }
    }
}
