using ConvGen;

namespace ReferenceNetworks;

/// <summary>
/// The MLPerf Tiny image-classification ResNet-8 (CIFAR-10): a 32x32 RGB image in, 10 logits out.
/// A 3x3 stem and three residual stacks of 16, 32 and 64 channels; stacks 2 and 3 halve the size and
/// bring their input along with a strided 1x1 convolution. As in the MLPerf Keras model, every
/// convolution keeps its bias. Weights: data/resnet8.safetensors (seeded random, see data/make_reference_networks.py).
/// </summary>
[ConvNet(3, 32, 32, WeightsFile = "resnet8.safetensors")]
[Conv2D(16, 3, Pad = 1, Name = "conv1")]
[BatchNorm(Name = "conv1_bn")]
[Activation(Activation.ReLU, Name = "conv1_relu")]
// Stack 1: 16 channels, 32x32, identity shortcut
[Conv2D(16, 3, Pad = 1, Name = "s1_conv1")]
[BatchNorm(Name = "s1_conv1_bn")]
[Activation(Activation.ReLU, Name = "s1_conv1_relu")]
[Conv2D(16, 3, Pad = 1, Name = "s1_conv2")]
[BatchNorm(Name = "s1_conv2_bn")]
[Add("s1_conv2_bn", "conv1_relu", Name = "s1_add")]
[Activation(Activation.ReLU, Name = "s1_relu")]
// Stack 2: 32 channels, 16x16, 1x1 stride-2 shortcut
[Conv2D(32, 3, Stride = 2, Pad = 1, Name = "s2_conv1")]
[BatchNorm(Name = "s2_conv1_bn")]
[Activation(Activation.ReLU, Name = "s2_conv1_relu")]
[Conv2D(32, 3, Pad = 1, Name = "s2_conv2")]
[BatchNorm(Name = "s2_conv2_bn")]
[Conv2D(32, 1, Stride = 2, Input = "s1_relu", Name = "s2_shortcut")]
[Add("s2_conv2_bn", "s2_shortcut", Name = "s2_add")]
[Activation(Activation.ReLU, Name = "s2_relu")]
// Stack 3: 64 channels, 8x8, 1x1 stride-2 shortcut
[Conv2D(64, 3, Stride = 2, Pad = 1, Name = "s3_conv1")]
[BatchNorm(Name = "s3_conv1_bn")]
[Activation(Activation.ReLU, Name = "s3_conv1_relu")]
[Conv2D(64, 3, Pad = 1, Name = "s3_conv2")]
[BatchNorm(Name = "s3_conv2_bn")]
[Conv2D(64, 1, Stride = 2, Input = "s2_relu", Name = "s3_shortcut")]
[Add("s3_conv2_bn", "s3_shortcut", Name = "s3_add")]
[Activation(Activation.ReLU, Name = "s3_relu")]
// Head
[GlobalAvgPool(Name = "pool")]
[Dense(10, Name = "fc")]
public static partial class ResNet8;
