// Small graph networks (issue 5) pinned by ReferenceNetworkDagTests. Their inline weights are the literals of
// the "whole networks" section of Vectors/make_vectors.py, which computes each expected output with PyTorch
// from the layer definitions ("network" cases of pytorch_vectors.json).
//
// ReferenceNetworkDagTests runs ReferenceNetwork on a copy of these types compiled in memory without the
// generator (so the oracle is pinned on its own), and the generated Run of the types compiled here against
// the same PyTorch vectors.
namespace ConvGen.Tests.Reference.Dag;

/// <summary>A residual block: <c>y = x + conv1x1(relu(conv3x3(x)))</c>; the 1x1 conv is found by its default name.</summary>
[ConvNet(2, 3, 3)]
[Conv2D(2, 3, Pad = 1, Name = "conv_a", Activation = Activation.ReLU, Weights = new float[] { 0.61f, 0.62f, 0.03f, -0.43f, -0.89f, -0.23f, -0.18f, -0.91f, -0.9f, 1f, 0.3f, -0.53f, -0.13f, 0.95f, 0.8f, 0.69f, -0.22f, -0.01f, 0.35f, -0.88f, 0.11f, -0.46f, 0.76f, -0.87f, 0.36f, 0.74f, -0.55f, 0.79f, 0.74f, -0.96f, 0.41f, -1f, 0.01f, -0.13f, -0.59f, -0.35f }, Bias = new float[] { 0.61f, -0.37f })]
[Conv2D(2, 1, Weights = new float[] { -0.7f, 0.4f, -0.1f, 0.6f }, Bias = new float[] { -0.53f, -0.36f })]
[Add("input", "conv2d")]
public static partial class DagResidualNet;

/// <summary>Two branches off the input, concatenated (the later-written one first), then a channel shuffle.</summary>
[ConvNet(2, 4, 4)]
[Conv2D(2, 1, Name = "left", Weights = new float[] { 0.6f, 0.01f, 0.01f, -0.53f }, Bias = new float[] { -0.97f, 0.87f })]
[Conv2D(2, 3, Pad = 1, Input = "input", Name = "right", UseBias = false, Weights = new float[] { -0.83f, 0.69f, -0.26f, 0.9f, -0.2f, 0.87f, 0.11f, -0.52f, 0.48f, 0.35f, 0.37f, -0.07f, -0.56f, 0.28f, -0.79f, 0.38f, 0.27f, -0.25f, 0.6f, -0.61f, -0.22f, 0.6f, -0.24f, 0.43f, 0.23f, 0.88f, 0.98f, 0.45f, 0.62f, -0.69f, 0.43f, 0.7f, -0.2f, 0.11f, -0.04f, 0.92f })]
[Concat("right", "left")]
[ChannelShuffle(2)]
public static partial class DagConcatShuffleNet;

/// <summary>
/// A depthwise conv (reflect padding, Same) reading a ZeroPad2D written after it (a forward reference), plus a
/// Keras-Same stride-2 transposed conv of the input (2x2 -> 4x4), added.
/// </summary>
[ConvNet(2, 2, 2)]
[DepthwiseConv2D(3, Input = "pad", Name = "dw", Padding = Padding.Same, PaddingMode = PaddingMode.Reflect, Weights = new float[] { -0.37f, -0.2f, -1f, -0.16f, 0.26f, 0.87f, 0.85f, -0.35f, 0.98f, -0.62f, 0.65f, -0.69f, -0.19f, -0.85f, 0.72f, 0.66f, -0.72f, 0.05f }, Bias = new float[] { -0.48f, -0.02f })]
[ZeroPad2D(1, Input = "input", Name = "pad")]
[Conv2DTranspose(2, 3, Stride = 2, Padding = Padding.Same, Input = "input", Name = "up", Weights = new float[] { 0.11f, -0.79f, 0.73f, -0.44f, -0.11f, -0.89f, -0.99f, -0.61f, -0.32f, 0.86f, 0.78f, -0.04f, -0.09f, 0.33f, 0.72f, -0.33f, 0.59f, -0.2f, 0.19f, 0.47f, 0f, 0.38f, 0.39f, -0.99f, -0.92f, -0.7f, -0.57f, -0.59f, -0.9f, -0.57f, 0.2f, 0.77f, -0.3f, -0.27f, -0.17f, 0.36f }, Bias = new float[] { 0.57f, 0.88f })]
[Add("dw", "up")]
public static partial class DagForwardRefNet;

/// <summary>
/// Channels-last input and Keras weight layouts: DepthwiseConv2D with multiplier 2, a 1x1 stride-2
/// Conv2DTranspose after it (Same with span 1 &lt; stride: an output padding), a 3x3 stride-2 one off the input,
/// concatenated.
/// </summary>
[ConvNet(2, 3, 3, Layout = Layout.ChannelsLast, WeightLayout = WeightLayout.Keras)]
[DepthwiseConv2D(3, Name = "dw", DepthMultiplier = 2, Padding = Padding.Same, Weights = new float[] { -0.25f, 0.41f, -0.32f, 0.65f, -0.54f, 0.74f, 0.01f, 0.45f, 0.07f, -0.37f, -0.01f, -0.9f, -0.91f, 0.06f, -0.05f, 0.67f, -0.96f, 0.11f, -0.02f, 0.2f, 0.46f, 0.05f, 0.13f, -0.02f, 0.23f, -0.5f, 0.11f, 0.34f, -0.62f, 0.98f, 0.49f, 0.91f, -0.41f, -0.11f, -0.48f, -0.91f }, Bias = new float[] { -0.97f, -0.51f, 0.72f, -0.67f })]
[Conv2DTranspose(2, 1, Stride = 2, Padding = Padding.Same, Name = "up", Weights = new float[] { 0.38f, -0.5f, -0.87f, -0.62f, 0.36f, 0f, 0.1f, -0.09f }, Bias = new float[] { -0.45f, -0.02f })]
[Conv2DTranspose(2, 3, Stride = 2, Padding = Padding.Same, Input = "input", Name = "up2", Weights = new float[] { 0.84f, -0.6f, 0.47f, -0.5f, -0.61f, -0.35f, -0.81f, 0.87f, -0.27f, -0.65f, -1f, -0.88f, -0.57f, -0.16f, 0.2f, 0.96f, 0.78f, -0.52f, 0.22f, 0.84f, -0.8f, 0.71f, -0.21f, 0.56f, -0.35f, 0.25f, 0.01f, -0.79f, 0.52f, 0.65f, -0.03f, -0.22f, 0.89f, -0.25f, 0.76f, -0.16f }, Bias = new float[] { -0.25f, -0.28f })]
[Concat("up", "up2")]
public static partial class DagKerasTransposeNet;

/// <summary>1-D padding modes: Conv1D circular Same, then Conv1D replicate pad 1, added to the first.</summary>
[ConvNet(2, 6)]
[Conv1D(2, 3, Padding = Padding.Same, PaddingMode = PaddingMode.Circular, Name = "c1", Weights = new float[] { -0.88f, -0.45f, -0.54f, -0.88f, 0.08f, -0.12f, -0.95f, -0.69f, 0.84f, -0.73f, -0.25f, 0.9f }, Bias = new float[] { -0.77f, -0.18f })]
[Conv1D(2, 3, Pad = 1, PaddingMode = PaddingMode.Replicate, Name = "c2", Weights = new float[] { 0.6f, -0.96f, -0.86f, 0.86f, 0.37f, -0.48f, -0.04f, -0.5f, 0.78f, 0.9f, -0.86f, 0.05f }, Bias = new float[] { -0.63f, -0.19f })]
[Add("c1", "c2")]
public static partial class Dag1DPaddingModeNet;

/// <summary>Two Dense branches off a vector input, concatenated end to end, then Dense (default name "dense").</summary>
[ConvNet(4)]
[Dense(3, Name = "d1", Weights = new float[] { 0.48f, 0.43f, -0.62f, -0.34f, -0.15f, -0.23f, 0.36f, 0.58f, -0.33f, -0.12f, -0.87f, -0.27f }, Bias = new float[] { 0.89f, 0f, 0.11f })]
[Dense(2, Input = "input", Name = "d2", Weights = new float[] { 0.21f, 0.13f, 0.61f, -0.48f, -0.37f, 0.77f, 0f, 0.92f }, Bias = new float[] { -0.72f, 0.57f })]
[Concat("d1", "d2")]
[Dense(2, Weights = new float[] { -0.05f, -0.05f, 0.76f, -0.74f, 0.03f, -0.5f, -0.31f, 0.63f, -0.2f, 0.57f }, Bias = new float[] { -0.97f, 1f })]
public static partial class DagDenseConcatNet;
