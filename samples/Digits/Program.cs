using System;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Runtime.InteropServices;

// Classify the held-out test split with the generated code and compare with PyTorch.
string data = Path.Combine(AppContext.BaseDirectory, "data");
float[] images = ReadFloats(Path.Combine(data, "test_images.f32"));
byte[] labels = File.ReadAllBytes(Path.Combine(data, "test_labels.u8"));
float[] torchLogits = ReadFloats(Path.Combine(data, "torch_logits.f32"));
int count = labels.Length;

Console.WriteLine(DigitsNet.Summary);
if (typeof(DigitsNet).Assembly.GetCustomAttribute<DebuggableAttribute>()?.IsJITOptimizerDisabled == true)
    Console.WriteLine("Warning: a Debug build (JIT optimizations off): ConvGen's kernels run 25-45x slower than in Release. Time with -c Release.\n");

var logits = new float[DigitsNet.OutputLength];
int correct = 0, agree = 0;
double maxDifference = 0;
for (int i = 0; i < count; i++)
{
    DigitsNet.Run(images.AsSpan(i * DigitsNet.InputLength, DigitsNet.InputLength), logits);
    ReadOnlySpan<float> reference = torchLogits.AsSpan(i * 10, 10);
    int predicted = ArgMax(logits);
    correct += predicted == labels[i] ? 1 : 0;
    agree += predicted == ArgMax(reference) ? 1 : 0;
    for (int k = 0; k < 10; k++)
        maxDifference = Math.Max(maxDifference, Math.Abs(logits[k] - reference[k]));
}
Console.WriteLine($"Test split: {count} images");
Console.WriteLine($"Accuracy: {correct}/{count} = {100.0 * correct / count:0.00}%");
Console.WriteLine($"Same class as PyTorch: {agree}/{count}; largest logit difference: {maxDifference:0.0e0}");

// Time: medians of batches, after a warm-up that lets the JIT optimize.
var input = images.AsSpan(0, DigitsNet.InputLength).ToArray();
for (int i = 0; i < 20_000; i++)
    DigitsNet.Run(input, logits);
const int Batch = 2_000;
var perCall = new double[15];
for (int b = 0; b < perCall.Length; b++)
{
    var watch = Stopwatch.StartNew();
    for (int i = 0; i < Batch; i++)
        DigitsNet.Run(input, logits);
    perCall[b] = watch.Elapsed.TotalMilliseconds * 1000 / Batch;
}
Array.Sort(perCall);
long before = GC.GetAllocatedBytesForCurrentThread();
for (int i = 0; i < 10_000; i++)
    DigitsNet.Run(input, logits);
long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
Console.WriteLine($"Per call: {perCall[perCall.Length / 2]:0.00} µs (median of {perCall.Length} batches of {Batch}); allocated: {allocated / 10_000.0:0.###} bytes per call");

static float[] ReadFloats(string path) => MemoryMarshal.Cast<byte, float>(File.ReadAllBytes(path)).ToArray();

static int ArgMax(ReadOnlySpan<float> values)
{
    int best = 0;
    for (int i = 1; i < values.Length; i++)
        if (values[i] > values[best])
            best = i;
    return best;
}
