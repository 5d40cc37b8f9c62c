using ConvGen;

namespace ReferenceNetworks;

/// <summary>
/// A ShuffleNet v1 unit, stride 1, 3 groups: a grouped 1x1 convolution down to 12 channels (BatchNorm,
/// ReLU), a channel shuffle, a 3x3 depthwise convolution (BatchNorm, no activation), a grouped 1x1
/// convolution back to 48 channels (BatchNorm), the unit's input added back, and a ReLU.
/// Weights: data/shufflenet_unit.safetensors (seeded random, see data/make_reference_networks.py).
/// </summary>
[ConvNet(48, 8, 8, WeightsFile = "shufflenet_unit.safetensors")]
[Conv2D(12, 1, Groups = 3, UseBias = false, Name = "gconv1")]
[BatchNorm(Name = "gconv1_bn")]
[Activation(Activation.ReLU, Name = "gconv1_relu")]
[ChannelShuffle(3, Name = "shuffle")]
[DepthwiseConv2D(3, Pad = 1, UseBias = false, Name = "dw")]
[BatchNorm(Name = "dw_bn")]
[Conv2D(48, 1, Groups = 3, UseBias = false, Name = "gconv2")]
[BatchNorm(Name = "gconv2_bn")]
[Add("gconv2_bn", "input", Name = "add")]
[Activation(Activation.ReLU, Name = "relu")]
public static partial class ShuffleNetUnit;
