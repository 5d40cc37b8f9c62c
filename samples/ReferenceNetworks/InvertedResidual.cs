using ConvGen;

namespace ReferenceNetworks;

/// <summary>
/// A MobileNetV2 inverted residual block, stride 1, expansion 6: a 1x1 expansion to 96 channels, a 3x3
/// depthwise convolution (both with BatchNorm and ReLU6), a linear 1x1 projection back to 16 channels,
/// and the block's input added back. Weights: data/inverted_residual.safetensors (seeded random, see
/// data/make_reference_networks.py; the stored inputs are scaled so that ReLU6 clips some values).
/// </summary>
[ConvNet(16, 14, 14, WeightsFile = "inverted_residual.safetensors")]
[Conv2D(96, 1, UseBias = false, Name = "expand")]
[BatchNorm(Name = "expand_bn")]
[Activation(Activation.ReLU6, Name = "expand_relu")]
[DepthwiseConv2D(3, Pad = 1, UseBias = false, Name = "dw")]
[BatchNorm(Name = "dw_bn")]
[Activation(Activation.ReLU6, Name = "dw_relu")]
[Conv2D(16, 1, UseBias = false, Name = "project")]
[BatchNorm(Name = "project_bn")]
[Add("project_bn", "input", Name = "add")]
public static partial class InvertedResidual;
