using ConvGen;

namespace ConvGen.Benchmarks;

/// <summary>
/// DESIGN.md §1's LeNet-5, exactly as declared there. Weights: models/lenet5.safetensors (seeded, untrained;
/// made with the ONNX model and the reference outputs by models/make_lenet5.py).
/// </summary>
[ConvNet(1, 28, 28, WeightsFile = "lenet5.safetensors")]
[Conv2D(6, 5, Pad = 2, Activation = Activation.ReLU, Name = "conv1")]
[AvgPool2D(2)]
[Conv2D(16, 5, Activation = Activation.ReLU, Name = "conv2")]
[AvgPool2D(2)]
[Flatten]
[Dense(120, Activation = Activation.ReLU, Name = "fc1")]
[Dense(84, Activation = Activation.ReLU, Name = "fc2")]
[Dense(10, Name = "fc3")]
[Softmax]
public static partial class LeNet5;
