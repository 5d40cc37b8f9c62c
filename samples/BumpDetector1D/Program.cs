using System;
using ConvGen;

// The tutorial's 1-D signal: eight zeros with a two-element bump in the middle.
float[] signal = { 0, 0, 0, 1, 1, 0, 0, 0 };
float[] featureMap = new float[BumpDetector.OutputLength];
BumpDetector.Run(signal, featureMap);

Console.WriteLine($"Input  (1x8): [{string.Join(", ", signal)}]");
Console.WriteLine($"Output (1x6): [{string.Join(", ", featureMap)}]   <- the filter [0, 1, 0] finds the bump");
Console.WriteLine();
Console.WriteLine(BumpDetector.Summary);

// Warm up, then count the bytes the calls allocate.
for (int i = 0; i < 1_000; i++)
    BumpDetector.Run(signal, featureMap);
const int Calls = 100_000;
long before = GC.GetAllocatedBytesForCurrentThread();
for (int i = 0; i < Calls; i++)
    BumpDetector.Run(signal, featureMap);
long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
Console.WriteLine($"Bytes allocated per call: {allocated / (double)Calls:0.###} ({allocated} over {Calls:N0} calls)");

/// <summary>The tutorial's bump detector: one channel of 8 samples, one filter of width 3.</summary>
[ConvNet(1, 8)]
[Conv1D(1, 3, Weights = new float[] { 0, 1, 0 }, Bias = new float[] { 0 })]
public static partial class BumpDetector;
