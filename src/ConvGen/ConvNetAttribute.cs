using System;

namespace ConvGen
{
    /// <summary>
    /// Declares that a <c>partial</c> class is a convolutional network. The layers are the ConvGen layer
    /// attributes on the same class, run in the order they are written (top to bottom). At build time
    /// ConvGen generates <c>InputLength</c>, <c>OutputLength</c>, <c>ScratchLength</c>, <c>InputShape</c>,
    /// <c>OutputShape</c>, <c>Run</c> and <c>Summary</c> on the class.
    /// </summary>
    [AttributeUsage(AttributeTargets.Class, AllowMultiple = false, Inherited = false)]
    public sealed class ConvNetAttribute : Attribute
    {
        /// <summary>Declares a network with the given input shape.</summary>
        /// <param name="inputShape">
        /// The input shape, always written channels first: <c>(C, L)</c> for 1-D signals, <c>(C, H, W)</c> for
        /// images, <c>(N)</c> for a dense-only network. <see cref="Layout"/> says how it is stored in memory.
        /// </param>
        public ConvNetAttribute(params int[] inputShape) => InputShape = inputShape;

        /// <summary>The input shape, channels first.</summary>
        public int[] InputShape { get; }

        /// <summary>The memory order of the input, the activations and the output. Default <see cref="ConvGen.Layout.ChannelsFirst"/>.</summary>
        public Layout Layout { get; set; }

        /// <summary>The order of elements in weight arrays. Default <see cref="ConvGen.WeightLayout.PyTorch"/>.</summary>
        public WeightLayout WeightLayout { get; set; }

        /// <summary>A safetensors file (listed as an <c>AdditionalFiles</c> item) that layers bind to by <c>Name</c>.</summary>
        public string? WeightsFile { get; set; }

        /// <summary>A budget in bytes for input, output and working memory; 0 means no budget.</summary>
        public long MaxRamBytes { get; set; }
    }
}
