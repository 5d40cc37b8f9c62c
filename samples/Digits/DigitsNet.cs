using ConvGen;

/// <summary>
/// A small CNN trained in PyTorch on scikit-learn's 8x8 handwritten digits (data/train_digits.py).
/// The layer names bind to the state_dict tensors in data/digits.safetensors: "conv1.weight",
/// "bn1.running_mean", … BatchNorm is folded into conv1 at build time.
/// </summary>
[ConvNet(1, 8, 8, WeightsFile = "digits.safetensors")]
[Conv2D(16, 3, Pad = 1, UseBias = false, Name = "conv1")]
[BatchNorm(Name = "bn1")]
[Activation(Activation.ReLU)]
[MaxPool2D(2)]
[Conv2D(32, 3, Pad = 1, Activation = Activation.ReLU, Name = "conv2")]
[MaxPool2D(2)]
[Flatten]
[Dense(10, Name = "fc")]
public static partial class DigitsNet;
