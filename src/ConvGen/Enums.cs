namespace ConvGen
{
    /// <summary>An element-wise (or, for <see cref="Softmax"/>, per-position) function applied to a layer's output.</summary>
    public enum Activation
    {
        /// <summary>Identity: the layer's output is left as it is.</summary>
        None = 0,
        /// <summary><c>max(x, 0)</c>.</summary>
        ReLU,
        /// <summary><c>min(max(x, 0), 6)</c>.</summary>
        ReLU6,
        /// <summary><c>x</c> for <c>x &gt; 0</c>, else <c>Alpha * x</c> (Alpha defaults to 0.01, as in PyTorch).</summary>
        LeakyReLU,
        /// <summary><c>1 / (1 + exp(-x))</c>.</summary>
        Sigmoid,
        /// <summary>Hyperbolic tangent.</summary>
        Tanh,
        /// <summary><c>x * min(max(x + 3, 0), 6) / 6</c>, as PyTorch's <c>Hardswish</c>.</summary>
        HardSwish,
        /// <summary><c>x</c> for <c>x &gt; 0</c>, else <c>Alpha * (exp(x) - 1)</c> (Alpha defaults to 1).</summary>
        ELU,
        /// <summary>Numerically stable softmax over the channel axis (over the whole vector for a 1-D tensor).</summary>
        Softmax,
    }

    /// <summary>How a convolution or pooling layer pads its input.</summary>
    public enum Padding
    {
        /// <summary>No padding: only windows that fit entirely inside the input produce outputs.</summary>
        Valid = 0,
        /// <summary>
        /// Pads so that the output has <c>ceil(input / stride)</c> elements per axis; an odd total pad puts
        /// the extra element at the end (bottom/right), as TensorFlow/Keras and ONNX <c>SAME_UPPER</c> do.
        /// </summary>
        Same,
    }

    /// <summary>What the padded border of a convolution's input contains (PyTorch's <c>padding_mode</c>).</summary>
    public enum PaddingMode
    {
        /// <summary>Zeros.</summary>
        Zeros = 0,
        /// <summary>The input mirrored at its edge, excluding the edge element.</summary>
        Reflect,
        /// <summary>The edge element repeated.</summary>
        Replicate,
        /// <summary>The input wrapped around.</summary>
        Circular,
    }

    /// <summary>The order of axes of the network's input, activations and output in memory.</summary>
    public enum Layout
    {
        /// <summary><c>(C, H, W)</c> / <c>(C, L)</c>, as PyTorch and ONNX store tensors.</summary>
        ChannelsFirst = 0,
        /// <summary><c>(H, W, C)</c> / <c>(L, C)</c>, as Keras stores tensors.</summary>
        ChannelsLast,
    }

    /// <summary>The order of elements in weight arrays and weight files.</summary>
    public enum WeightLayout
    {
        /// <summary>Convolution <c>[out, in/groups, k...]</c>, dense <c>[out, in]</c>, as PyTorch's <c>state_dict</c>.</summary>
        PyTorch = 0,
        /// <summary>Convolution <c>[k..., in/groups, out]</c>, dense <c>[in, out]</c>, as Keras' <c>get_weights()</c>.</summary>
        Keras,
    }
}
