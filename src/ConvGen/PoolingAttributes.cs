using System;

namespace ConvGen
{
    /// <summary>Options shared by the windowed pooling layers.</summary>
    [AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
    public abstract class PoolAttribute : LayerAttribute
    {
        private protected PoolAttribute(int[] poolSize) => PoolSize = poolSize;

        /// <summary>The window size per spatial axis.</summary>
        public int[] PoolSize { get; }

        /// <summary>The same stride on every spatial axis. Defaults to the pool size.</summary>
        public int Stride { get; set; }

        /// <summary>The stride per spatial axis; overrides <see cref="Stride"/>.</summary>
        public int[]? Strides { get; set; }

        /// <summary><see cref="ConvGen.Padding.Valid"/> (default) or <see cref="ConvGen.Padding.Same"/>; ignored when <see cref="Pad"/> or <see cref="Pads"/> is set.</summary>
        public Padding Padding { get; set; }

        /// <summary>The same explicit padding on every side.</summary>
        public int Pad { get; set; }

        /// <summary>Explicit padding per side: 1-D <c>[left, right]</c>, 2-D <c>[top, left, bottom, right]</c>.</summary>
        public int[]? Pads { get; set; }

        /// <summary>Round the output size up instead of down, as PyTorch's <c>ceil_mode</c>. Default <c>false</c>.</summary>
        public bool CeilMode { get; set; }
    }

    /// <summary>Options of the max-pooling layers.</summary>
    [AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
    public abstract class MaxPoolAttribute : PoolAttribute
    {
        private protected MaxPoolAttribute(int[] poolSize) : base(poolSize) { }

        /// <summary>The same dilation of the window on every spatial axis. Default 1.</summary>
        public int Dilation { get; set; } = 1;

        /// <summary>The dilation per spatial axis; overrides <see cref="Dilation"/>.</summary>
        public int[]? Dilations { get; set; }
    }

    /// <summary>Options of the average-pooling layers.</summary>
    [AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
    public abstract class AvgPoolAttribute : PoolAttribute
    {
        private protected AvgPoolAttribute(int[] poolSize) : base(poolSize) { }

        /// <summary>Whether padded elements count in the divisor. Default <c>true</c>, as PyTorch (Keras excludes them).</summary>
        public bool CountIncludePad { get; set; } = true;
    }

    /// <summary>1-D max pooling.</summary>
    public sealed class MaxPool1DAttribute : MaxPoolAttribute
    {
        /// <summary>1-D max pooling.</summary>
        /// <param name="poolSize">The window length.</param>
        public MaxPool1DAttribute(int poolSize) : base(new[] { poolSize }) { }
    }

    /// <summary>2-D max pooling.</summary>
    public sealed class MaxPool2DAttribute : MaxPoolAttribute
    {
        /// <summary>2-D max pooling with a square window.</summary>
        /// <param name="poolSize">The window height and width.</param>
        public MaxPool2DAttribute(int poolSize) : base(new[] { poolSize, poolSize }) { }

        /// <summary>2-D max pooling with a <paramref name="poolHeight"/> x <paramref name="poolWidth"/> window.</summary>
        /// <param name="poolHeight">The window height.</param>
        /// <param name="poolWidth">The window width.</param>
        public MaxPool2DAttribute(int poolHeight, int poolWidth) : base(new[] { poolHeight, poolWidth }) { }
    }

    /// <summary>1-D average pooling.</summary>
    public sealed class AvgPool1DAttribute : AvgPoolAttribute
    {
        /// <summary>1-D average pooling.</summary>
        /// <param name="poolSize">The window length.</param>
        public AvgPool1DAttribute(int poolSize) : base(new[] { poolSize }) { }
    }

    /// <summary>2-D average pooling.</summary>
    public sealed class AvgPool2DAttribute : AvgPoolAttribute
    {
        /// <summary>2-D average pooling with a square window.</summary>
        /// <param name="poolSize">The window height and width.</param>
        public AvgPool2DAttribute(int poolSize) : base(new[] { poolSize, poolSize }) { }

        /// <summary>2-D average pooling with a <paramref name="poolHeight"/> x <paramref name="poolWidth"/> window.</summary>
        /// <param name="poolHeight">The window height.</param>
        /// <param name="poolWidth">The window width.</param>
        public AvgPool2DAttribute(int poolHeight, int poolWidth) : base(new[] { poolHeight, poolWidth }) { }
    }

    /// <summary>The mean of each channel over all positions; the output is 1-D with one value per channel.</summary>
    public sealed class GlobalAvgPoolAttribute : LayerAttribute { }

    /// <summary>The maximum of each channel over all positions; the output is 1-D with one value per channel.</summary>
    public sealed class GlobalMaxPoolAttribute : LayerAttribute { }
}
