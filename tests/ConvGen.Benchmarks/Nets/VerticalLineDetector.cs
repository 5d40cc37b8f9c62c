using ConvGen;

namespace ConvGen.Benchmarks;

/// <summary>The tutorial's handcrafted vertical-line detector (samples/VerticalLineDetector): an 8x8 grey image, one 3x3 filter.</summary>
[ConvNet(1, 8, 8)]
[Conv2D(1, 3, Weights = new float[] { 0, 1, 0, 0, 1, 0, 0, 1, 0 }, Bias = new float[] { 0 })]
public static partial class VerticalLineDetector;
