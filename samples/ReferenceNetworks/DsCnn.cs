using ConvGen;

namespace ReferenceNetworks;

/// <summary>
/// The MLPerf Tiny keyword-spotting DS-CNN: 49 MFCC frames x 10 coefficients in, 12 keyword logits out.
/// A 10x4 stride-2 convolution with TensorFlow's SAME padding (4 rows on top, 5 at the bottom, 1 column
/// each side: 25x5x64), four depthwise-separable blocks, global average pooling and a Dense layer.
/// As in the MLPerf Keras model, the convolutions keep their biases; each BatchNorm is folded into the
/// convolution before it. Weights: data/dscnn.safetensors (seeded random, see data/make_reference_networks.py).
/// </summary>
[ConvNet(1, 49, 10, WeightsFile = "dscnn.safetensors")]
[Conv2D(64, 10, 4, Stride = 2, Padding = Padding.Same, Name = "conv1")]
[BatchNorm(Name = "conv1_bn")]
[Activation(Activation.ReLU, Name = "conv1_relu")]
// Block 1
[DepthwiseConv2D(3, Pad = 1, Name = "dw1")]
[BatchNorm(Name = "dw1_bn")]
[Activation(Activation.ReLU, Name = "dw1_relu")]
[Conv2D(64, 1, Name = "pw1")]
[BatchNorm(Name = "pw1_bn")]
[Activation(Activation.ReLU, Name = "pw1_relu")]
// Block 2
[DepthwiseConv2D(3, Pad = 1, Name = "dw2")]
[BatchNorm(Name = "dw2_bn")]
[Activation(Activation.ReLU, Name = "dw2_relu")]
[Conv2D(64, 1, Name = "pw2")]
[BatchNorm(Name = "pw2_bn")]
[Activation(Activation.ReLU, Name = "pw2_relu")]
// Block 3
[DepthwiseConv2D(3, Pad = 1, Name = "dw3")]
[BatchNorm(Name = "dw3_bn")]
[Activation(Activation.ReLU, Name = "dw3_relu")]
[Conv2D(64, 1, Name = "pw3")]
[BatchNorm(Name = "pw3_bn")]
[Activation(Activation.ReLU, Name = "pw3_relu")]
// Block 4
[DepthwiseConv2D(3, Pad = 1, Name = "dw4")]
[BatchNorm(Name = "dw4_bn")]
[Activation(Activation.ReLU, Name = "dw4_relu")]
[Conv2D(64, 1, Name = "pw4")]
[BatchNorm(Name = "pw4_bn")]
[Activation(Activation.ReLU, Name = "pw4_relu")]
// Head
[GlobalAvgPool(Name = "pool")]
[Dense(12, Name = "fc")]
public static partial class DsCnn;
