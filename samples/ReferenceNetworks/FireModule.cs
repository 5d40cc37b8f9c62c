using ConvGen;

namespace ReferenceNetworks;

/// <summary>
/// A SqueezeNet fire module: a 1x1 "squeeze" to 16 channels, then two parallel "expand" convolutions
/// (1x1 and 3x3, 64 channels each) reading it, concatenated to 128 channels.
/// Weights: data/fire.safetensors (seeded random, see data/make_reference_networks.py).
/// </summary>
[ConvNet(32, 16, 16, WeightsFile = "fire.safetensors")]
[Conv2D(16, 1, Activation = Activation.ReLU, Name = "squeeze")]
[Conv2D(64, 1, Activation = Activation.ReLU, Input = "squeeze", Name = "expand1x1")]
[Conv2D(64, 3, Pad = 1, Activation = Activation.ReLU, Input = "squeeze", Name = "expand3x3")]
[Concat("expand1x1", "expand3x3", Name = "concat")]
public static partial class FireModule;
