using ConvGen;

namespace ReferenceNetworks;

/// <summary>
/// The MLPerf Tiny visual-wake-words MobileNetV1 with width multiplier 0.25: a 96x96 RGB image in,
/// 2 logits (person / no person) out. A 3x3 stride-2 convolution, 13 depthwise-separable blocks
/// (3x3 depthwise + BatchNorm + ReLU, 1x1 pointwise + BatchNorm + ReLU), global average pooling, Dense.
/// PyTorch style: no convolution bias before a BatchNorm, symmetric padding 1.
/// Weights: data/mobilenet_v1_025.safetensors (seeded random, see data/make_reference_networks.py).
/// </summary>
[ConvNet(3, 96, 96, WeightsFile = "mobilenet_v1_025.safetensors")]
[Conv2D(8, 3, Stride = 2, Pad = 1, UseBias = false, Name = "conv1")]
[BatchNorm(Name = "conv1_bn")]
[Activation(Activation.ReLU, Name = "conv1_relu")]
// Block 1: 8 -> 16 channels, stride 1
[DepthwiseConv2D(3, Pad = 1, UseBias = false, Name = "dw1")]
[BatchNorm(Name = "dw1_bn")]
[Activation(Activation.ReLU, Name = "dw1_relu")]
[Conv2D(16, 1, UseBias = false, Name = "pw1")]
[BatchNorm(Name = "pw1_bn")]
[Activation(Activation.ReLU, Name = "pw1_relu")]
// Block 2: 16 -> 32 channels, stride 2
[DepthwiseConv2D(3, Stride = 2, Pad = 1, UseBias = false, Name = "dw2")]
[BatchNorm(Name = "dw2_bn")]
[Activation(Activation.ReLU, Name = "dw2_relu")]
[Conv2D(32, 1, UseBias = false, Name = "pw2")]
[BatchNorm(Name = "pw2_bn")]
[Activation(Activation.ReLU, Name = "pw2_relu")]
// Block 3: 32 -> 32 channels, stride 1
[DepthwiseConv2D(3, Pad = 1, UseBias = false, Name = "dw3")]
[BatchNorm(Name = "dw3_bn")]
[Activation(Activation.ReLU, Name = "dw3_relu")]
[Conv2D(32, 1, UseBias = false, Name = "pw3")]
[BatchNorm(Name = "pw3_bn")]
[Activation(Activation.ReLU, Name = "pw3_relu")]
// Block 4: 32 -> 64 channels, stride 2
[DepthwiseConv2D(3, Stride = 2, Pad = 1, UseBias = false, Name = "dw4")]
[BatchNorm(Name = "dw4_bn")]
[Activation(Activation.ReLU, Name = "dw4_relu")]
[Conv2D(64, 1, UseBias = false, Name = "pw4")]
[BatchNorm(Name = "pw4_bn")]
[Activation(Activation.ReLU, Name = "pw4_relu")]
// Block 5: 64 -> 64 channels, stride 1
[DepthwiseConv2D(3, Pad = 1, UseBias = false, Name = "dw5")]
[BatchNorm(Name = "dw5_bn")]
[Activation(Activation.ReLU, Name = "dw5_relu")]
[Conv2D(64, 1, UseBias = false, Name = "pw5")]
[BatchNorm(Name = "pw5_bn")]
[Activation(Activation.ReLU, Name = "pw5_relu")]
// Block 6: 64 -> 128 channels, stride 2
[DepthwiseConv2D(3, Stride = 2, Pad = 1, UseBias = false, Name = "dw6")]
[BatchNorm(Name = "dw6_bn")]
[Activation(Activation.ReLU, Name = "dw6_relu")]
[Conv2D(128, 1, UseBias = false, Name = "pw6")]
[BatchNorm(Name = "pw6_bn")]
[Activation(Activation.ReLU, Name = "pw6_relu")]
// Block 7: 128 -> 128 channels, stride 1
[DepthwiseConv2D(3, Pad = 1, UseBias = false, Name = "dw7")]
[BatchNorm(Name = "dw7_bn")]
[Activation(Activation.ReLU, Name = "dw7_relu")]
[Conv2D(128, 1, UseBias = false, Name = "pw7")]
[BatchNorm(Name = "pw7_bn")]
[Activation(Activation.ReLU, Name = "pw7_relu")]
// Block 8: 128 -> 128 channels, stride 1
[DepthwiseConv2D(3, Pad = 1, UseBias = false, Name = "dw8")]
[BatchNorm(Name = "dw8_bn")]
[Activation(Activation.ReLU, Name = "dw8_relu")]
[Conv2D(128, 1, UseBias = false, Name = "pw8")]
[BatchNorm(Name = "pw8_bn")]
[Activation(Activation.ReLU, Name = "pw8_relu")]
// Block 9: 128 -> 128 channels, stride 1
[DepthwiseConv2D(3, Pad = 1, UseBias = false, Name = "dw9")]
[BatchNorm(Name = "dw9_bn")]
[Activation(Activation.ReLU, Name = "dw9_relu")]
[Conv2D(128, 1, UseBias = false, Name = "pw9")]
[BatchNorm(Name = "pw9_bn")]
[Activation(Activation.ReLU, Name = "pw9_relu")]
// Block 10: 128 -> 128 channels, stride 1
[DepthwiseConv2D(3, Pad = 1, UseBias = false, Name = "dw10")]
[BatchNorm(Name = "dw10_bn")]
[Activation(Activation.ReLU, Name = "dw10_relu")]
[Conv2D(128, 1, UseBias = false, Name = "pw10")]
[BatchNorm(Name = "pw10_bn")]
[Activation(Activation.ReLU, Name = "pw10_relu")]
// Block 11: 128 -> 128 channels, stride 1
[DepthwiseConv2D(3, Pad = 1, UseBias = false, Name = "dw11")]
[BatchNorm(Name = "dw11_bn")]
[Activation(Activation.ReLU, Name = "dw11_relu")]
[Conv2D(128, 1, UseBias = false, Name = "pw11")]
[BatchNorm(Name = "pw11_bn")]
[Activation(Activation.ReLU, Name = "pw11_relu")]
// Block 12: 128 -> 256 channels, stride 2
[DepthwiseConv2D(3, Stride = 2, Pad = 1, UseBias = false, Name = "dw12")]
[BatchNorm(Name = "dw12_bn")]
[Activation(Activation.ReLU, Name = "dw12_relu")]
[Conv2D(256, 1, UseBias = false, Name = "pw12")]
[BatchNorm(Name = "pw12_bn")]
[Activation(Activation.ReLU, Name = "pw12_relu")]
// Block 13: 256 -> 256 channels, stride 1
[DepthwiseConv2D(3, Pad = 1, UseBias = false, Name = "dw13")]
[BatchNorm(Name = "dw13_bn")]
[Activation(Activation.ReLU, Name = "dw13_relu")]
[Conv2D(256, 1, UseBias = false, Name = "pw13")]
[BatchNorm(Name = "pw13_bn")]
[Activation(Activation.ReLU, Name = "pw13_relu")]
// Head
[GlobalAvgPool(Name = "pool")]
[Dense(2, Name = "fc")]
public static partial class MobileNetV1;
