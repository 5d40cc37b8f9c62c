using System;

namespace ConvGen
{
    /// <summary>Base of every ConvGen layer attribute. Layers run in the order their attributes are written.</summary>
    [AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
    public abstract class LayerAttribute : Attribute
    {
        // Only ConvGen's own layers exist: the generator would not know what a user-defined one computes.
        private protected LayerAttribute() { }

        /// <summary>
        /// The layer's name: shown in <c>Summary</c> and, with a weights file, the prefix of its tensors
        /// (<c>"&lt;Name&gt;.weight"</c>, <c>"&lt;Name&gt;.bias"</c>). Defaults to a Keras-style name such as <c>conv2d_1</c>.
        /// </summary>
        public string? Name { get; set; }

        /// <summary>The name of the layer whose output this layer reads; defaults to the layer written just above.</summary>
        public string? Input { get; set; }
    }

    /// <summary>Options shared by the weighted layers (convolutions and <see cref="DenseAttribute"/>).</summary>
    [AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
    public abstract class WeightedLayerAttribute : LayerAttribute
    {
        private protected WeightedLayerAttribute() { }

        /// <summary>Whether the layer adds a bias. Default <c>true</c>.</summary>
        public bool UseBias { get; set; } = true;

        /// <summary>An activation fused into the layer. Default <see cref="ConvGen.Activation.None"/>.</summary>
        public Activation Activation { get; set; }

        /// <summary>The activation's parameter: the negative slope of LeakyReLU (default 0.01) or the alpha of ELU (default 1).</summary>
        public float Alpha { get; set; }

        /// <summary>The weights inline, in the network's <see cref="ConvGen.WeightLayout"/>.</summary>
        public float[]? Weights { get; set; }

        /// <summary>The bias inline, one value per output channel or unit.</summary>
        public float[]? Bias { get; set; }
    }

    /// <summary>
    /// The sliding-window options every convolution shares: kernel, stride, dilation and padding.
    /// </summary>
    [AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
    public abstract class ConvWindowAttribute : WeightedLayerAttribute
    {
        private protected ConvWindowAttribute(int[] kernelSize) => KernelSize = kernelSize;

        /// <summary>The kernel size per spatial axis.</summary>
        public int[] KernelSize { get; }

        /// <summary>The same stride on every spatial axis. Default 1.</summary>
        public int Stride { get; set; } = 1;

        /// <summary>The stride per spatial axis (<c>[sh, sw]</c> in 2-D); overrides <see cref="Stride"/>.</summary>
        public int[]? Strides { get; set; }

        /// <summary>The same dilation on every spatial axis. Default 1.</summary>
        public int Dilation { get; set; } = 1;

        /// <summary>The dilation per spatial axis; overrides <see cref="Dilation"/>.</summary>
        public int[]? Dilations { get; set; }

        /// <summary><see cref="ConvGen.Padding.Valid"/> (default) or <see cref="ConvGen.Padding.Same"/>; ignored when <see cref="Pad"/> or <see cref="Pads"/> is set.</summary>
        public Padding Padding { get; set; }

        /// <summary>The same explicit padding on every side.</summary>
        public int Pad { get; set; }

        /// <summary>Explicit padding per side: 1-D <c>[left, right]</c>, 2-D <c>[top, left, bottom, right]</c>.</summary>
        public int[]? Pads { get; set; }

        /// <summary>What the padded border contains (PyTorch's <c>padding_mode</c>). Default <see cref="ConvGen.PaddingMode.Zeros"/>.</summary>
        public PaddingMode PaddingMode { get; set; }
    }

    /// <summary>Options shared by the convolutions that declare their filters: <see cref="Conv1DAttribute"/>, <see cref="Conv2DAttribute"/> and <see cref="Conv2DTransposeAttribute"/>.</summary>
    [AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
    public abstract class ConvAttribute : ConvWindowAttribute
    {
        private protected ConvAttribute(int filters, int[] kernelSize) : base(kernelSize) => Filters = filters;

        /// <summary>The number of output channels.</summary>
        public int Filters { get; }

        /// <summary>The number of channel groups; input and output channels must both divide by it. Default 1; equal to the input channels for a depthwise convolution.</summary>
        public int Groups { get; set; } = 1;
    }

    /// <summary>A 1-D convolution over a <c>(C, L)</c> input.</summary>
    public sealed class Conv1DAttribute : ConvAttribute
    {
        /// <summary>A 1-D convolution.</summary>
        /// <param name="filters">The number of output channels.</param>
        /// <param name="kernelSize">The kernel length.</param>
        public Conv1DAttribute(int filters, int kernelSize) : base(filters, new[] { kernelSize }) { }
    }

    /// <summary>A 2-D convolution over a <c>(C, H, W)</c> input.</summary>
    public sealed class Conv2DAttribute : ConvAttribute
    {
        /// <summary>A 2-D convolution with a square kernel.</summary>
        /// <param name="filters">The number of output channels.</param>
        /// <param name="kernelSize">The kernel height and width.</param>
        public Conv2DAttribute(int filters, int kernelSize) : base(filters, new[] { kernelSize, kernelSize }) { }

        /// <summary>A 2-D convolution with a <paramref name="kernelHeight"/> x <paramref name="kernelWidth"/> kernel.</summary>
        /// <param name="filters">The number of output channels.</param>
        /// <param name="kernelHeight">The kernel height.</param>
        /// <param name="kernelWidth">The kernel width.</param>
        public Conv2DAttribute(int filters, int kernelHeight, int kernelWidth) : base(filters, new[] { kernelHeight, kernelWidth }) { }
    }

    /// <summary>
    /// A depthwise 2-D convolution: each input channel is convolved with its own
    /// <see cref="DepthMultiplier"/> filters (a convolution with <c>Groups</c> = input channels). Weights
    /// <c>[channels * DepthMultiplier, 1, kh, kw]</c> in PyTorch layout, <c>[kh, kw, channels, DepthMultiplier]</c> in Keras layout.
    /// </summary>
    public sealed class DepthwiseConv2DAttribute : ConvWindowAttribute
    {
        /// <summary>A depthwise convolution with a square kernel.</summary>
        /// <param name="kernelSize">The kernel height and width.</param>
        public DepthwiseConv2DAttribute(int kernelSize) : base(new[] { kernelSize, kernelSize }) { }

        /// <summary>A depthwise convolution with a <paramref name="kernelHeight"/> x <paramref name="kernelWidth"/> kernel.</summary>
        /// <param name="kernelHeight">The kernel height.</param>
        /// <param name="kernelWidth">The kernel width.</param>
        public DepthwiseConv2DAttribute(int kernelHeight, int kernelWidth) : base(new[] { kernelHeight, kernelWidth }) { }

        /// <summary>The output channels per input channel. Default 1.</summary>
        public int DepthMultiplier { get; set; } = 1;
    }

    /// <summary>
    /// A transposed 2-D convolution (PyTorch <c>ConvTranspose2d</c>, Keras <c>Conv2DTranspose</c>): the
    /// gradient of a convolution, which upsamples by <c>Stride</c>. Output size per axis
    /// <c>(in - 1) * stride - padBegin - padEnd + dilation * (kernel - 1) + outputPadding + 1</c>; with
    /// <see cref="Padding.Same"/> it is <c>in * stride</c>, as in Keras. Weights <c>[in, out/groups, kh, kw]</c> in
    /// PyTorch layout, <c>[kh, kw, out, in]</c> in Keras layout. Only <see cref="PaddingMode.Zeros"/> applies.
    /// </summary>
    public sealed class Conv2DTransposeAttribute : ConvAttribute
    {
        /// <summary>A transposed convolution with a square kernel.</summary>
        /// <param name="filters">The number of output channels.</param>
        /// <param name="kernelSize">The kernel height and width.</param>
        public Conv2DTransposeAttribute(int filters, int kernelSize) : base(filters, new[] { kernelSize, kernelSize }) { }

        /// <summary>A transposed convolution with a <paramref name="kernelHeight"/> x <paramref name="kernelWidth"/> kernel.</summary>
        /// <param name="filters">The number of output channels.</param>
        /// <param name="kernelHeight">The kernel height.</param>
        /// <param name="kernelWidth">The kernel width.</param>
        public Conv2DTransposeAttribute(int filters, int kernelHeight, int kernelWidth) : base(filters, new[] { kernelHeight, kernelWidth }) { }

        /// <summary>Extra output rows and columns at the bottom and right (PyTorch <c>output_padding</c>); smaller than the stride or the dilation. Default 0.</summary>
        public int OutputPadding { get; set; }

        /// <summary>Extra output rows and columns per axis, <c>[rows, columns]</c>; overrides <see cref="OutputPadding"/>.</summary>
        public int[]? OutputPaddings { get; set; }
    }

    /// <summary>A fully connected layer over a 1-D input: <c>y = W x + b</c>.</summary>
    public sealed class DenseAttribute : WeightedLayerAttribute
    {
        /// <summary>A fully connected layer.</summary>
        /// <param name="units">The number of outputs.</param>
        public DenseAttribute(int units) => Units = units;

        /// <summary>The number of outputs.</summary>
        public int Units { get; }
    }
}
