using ConvGen;

namespace ReferenceNetworks;

/// <summary>
/// DeepLab's atrous spatial pyramid pooling block (without its image-pooling branch): four parallel
/// branches read the input (a 1x1 convolution and 3x3 convolutions dilated 1, 2 and 3, padded to keep
/// 16x16), are concatenated to 64 channels and projected to 32 by a 1x1 convolution.
/// Weights: data/aspp.safetensors (seeded random, see data/make_reference_networks.py).
/// </summary>
[ConvNet(32, 16, 16, WeightsFile = "aspp.safetensors")]
[Conv2D(16, 1, Activation = Activation.ReLU, Input = "input", Name = "branch1x1")]
[Conv2D(16, 3, Pad = 1, Activation = Activation.ReLU, Input = "input", Name = "branch_d1")]
[Conv2D(16, 3, Dilation = 2, Pad = 2, Activation = Activation.ReLU, Input = "input", Name = "branch_d2")]
[Conv2D(16, 3, Dilation = 3, Pad = 3, Activation = Activation.ReLU, Input = "input", Name = "branch_d3")]
[Concat("branch1x1", "branch_d1", "branch_d2", "branch_d3", Name = "concat")]
[Conv2D(32, 1, UseBias = false, Name = "project")]
[BatchNorm(Name = "project_bn")]
[Activation(Activation.ReLU, Name = "project_relu")]
public static partial class Aspp;
