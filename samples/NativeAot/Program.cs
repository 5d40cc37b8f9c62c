using System;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Numerics;
using System.Reflection;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using ReferenceNetworks;

// Two real networks, as a NativeAOT binary runs them (or the JIT, under `dotnet run`): the first call, calls 2-100 and
// the steady state, and whether this binary uses the vectors the CPU has. Exit code 1 if an output differs from PyTorch's.
// `NativeAot --first` classifies the first test image and exits: for timing process start to first result.
string data = Path.Combine(AppContext.BaseDirectory, "data");
float[] images = ReadFloats(Path.Combine(data, "test_images.f32"));
byte[] labels = File.ReadAllBytes(Path.Combine(data, "test_labels.u8"));
float[] torchLogits = ReadFloats(Path.Combine(data, "torch_logits.f32"));
var logits = new float[DigitsNet.OutputLength];
if (args is ["--first"])
{
    DigitsNet.Run(images.AsSpan(0, DigitsNet.InputLength), logits);
    Console.WriteLine($"First test image: {ArgMax(logits)} (label {labels[0]})");
    return 0;
}

bool avx2Cpu = X86Base.IsSupported && (X86Base.CpuId(7, 0).Ebx & (1 << 5)) != 0;
// (Not RuntimeFeature.IsDynamicCodeSupported: PublishAot turns that off under `dotnet run` too. NativeAOT compiles no method at run time.)
bool jit = System.Runtime.JitInfo.GetCompiledMethodCount() > 0;
Console.WriteLine($"{(jit ? "JIT" : "NativeAOT")}, {RuntimeInformation.ProcessArchitecture}: Vector<float> holds {Vector<float>.Count} floats, " +
                  $"Vector256 accelerated: {(Vector256.IsHardwareAccelerated ? "yes" : "no")}, the CPU has AVX2: {(avx2Cpu ? "yes" : "no")}");
if (avx2Cpu && !Vector256.IsHardwareAccelerated)
    Console.WriteLine("Warning: built for x64 without AVX2, so ConvGen's kernels use 4-wide vectors and run about 3x slower than they could here.\n" +
                      "  Publish with -p:IlcInstructionSet=native for this machine's CPU, or x86-64-v3 for any x64 CPU with AVX2 (the binary then refuses to start without it).");
if (typeof(DigitsNet).Assembly.GetCustomAttribute<DebuggableAttribute>()?.IsJITOptimizerDisabled == true)
    Console.WriteLine("Warning: a Debug build (JIT optimizations off): ConvGen's kernels run 25-45x slower than in Release. Time with -c Release.");
Console.WriteLine();

// Digits: the first call and the next 99 on the first test image, then the whole test split against PyTorch.
var digits = Measure(input => DigitsNet.Run(input, logits), images.AsSpan(0, DigitsNet.InputLength).ToArray(), out double digitsFirst, out double digitsEarly);
int correct = 0, agree = 0;
double digitsError = 0;
for (int i = 0; i < labels.Length; i++)
{
    DigitsNet.Run(images.AsSpan(i * DigitsNet.InputLength, DigitsNet.InputLength), logits);
    correct += ArgMax(logits) == labels[i] ? 1 : 0;
    agree += ArgMax(logits) == ArgMax(torchLogits.AsSpan(i * 10, 10)) ? 1 : 0;
    digitsError = Math.Max(digitsError, LargestError(logits, torchLogits.AsSpan(i * 10, 10)));
}

// MobileNetV1-0.25 (visual wake words, 96x96 RGB): its stored inputs against PyTorch's outputs.
float[] vwwInputs = ReadFloats(Path.Combine(data, "mobilenet_v1_025.input.f32"));
float[] vwwExpected = ReadFloats(Path.Combine(data, "mobilenet_v1_025.torch_output.f32"));
var vwwOutput = new float[MobileNetV1.OutputLength];
var vww = Measure(input => MobileNetV1.Run(input, vwwOutput), vwwInputs.AsSpan(0, MobileNetV1.InputLength).ToArray(), out double vwwFirst, out double vwwEarly);
double vwwError = 0;
for (int i = 0; i < vwwInputs.Length / MobileNetV1.InputLength; i++)
{
    MobileNetV1.Run(vwwInputs.AsSpan(i * MobileNetV1.InputLength, MobileNetV1.InputLength), vwwOutput);
    vwwError = Math.Max(vwwError, LargestError(vwwOutput, vwwExpected.AsSpan(i * MobileNetV1.OutputLength, MobileNetV1.OutputLength)));
}

Console.WriteLine($"Digits: {correct}/{labels.Length} test images right ({100.0 * correct / labels.Length:0.00}%), PyTorch's class on {agree}; largest logit difference {digitsError:0.0e0}");
Console.WriteLine($"MobileNetV1-0.25: largest difference from PyTorch's outputs {vwwError:0.0e0}");
Console.WriteLine();
Console.WriteLine($"{"network",-18} {"first call",12} {"calls 2-100",12} {"steady state",13}   (medians per call)");
Console.WriteLine($"{"Digits",-18} {Time(digitsFirst),12} {Time(digitsEarly),12} {Time(digits()),13}");
Console.WriteLine($"{"MobileNetV1-0.25",-18} {Time(vwwFirst),12} {Time(vwwEarly),12} {Time(vww()),13}");
return agree == labels.Length && digitsError <= 1e-4 && vwwError <= 1e-4 ? 0 : 1;

// Times the first call and the median of calls 2-100; returns what measures the steady state: the median call of the
// second after a second of calls.
static Func<double> Measure(Action<float[]> run, float[] input, out double first, out double early)
{
    long start = Stopwatch.GetTimestamp();
    run(input);
    first = Stopwatch.GetElapsedTime(start).TotalMicroseconds;
    var calls = new double[99];
    for (int i = 0; i < calls.Length; i++)
    {
        start = Stopwatch.GetTimestamp();
        run(input);
        calls[i] = Stopwatch.GetElapsedTime(start).TotalMicroseconds;
    }
    early = Median(calls);
    return () =>
    {
        var warm = Stopwatch.StartNew();
        while (warm.Elapsed.TotalSeconds < 1)
            run(input);
        // Each call timed on its own, as above: a call the OS preempts is one slow sample, not a slow batch.
        var steady = new double[Math.Max(101, calls.Length)];
        var clock = Stopwatch.StartNew();
        int count = 0;
        for (; count < steady.Length || clock.Elapsed.TotalSeconds < 1; count++)
        {
            start = Stopwatch.GetTimestamp();
            run(input);
            double time = Stopwatch.GetElapsedTime(start).TotalMicroseconds;
            if (count == steady.Length)
                Array.Resize(ref steady, steady.Length * 2);
            steady[count] = time;
        }
        return Median(steady[..count]);
    };
}

static double Median(double[] values)
{
    Array.Sort(values);
    return values[values.Length / 2];
}

static string Time(double microseconds) => microseconds >= 1000 ? $"{microseconds / 1000:0.00} ms" : $"{microseconds:0.00} µs";

static double LargestError(ReadOnlySpan<float> actual, ReadOnlySpan<float> expected)
{
    double largest = 0;
    for (int k = 0; k < actual.Length; k++)
        largest = Math.Max(largest, Math.Abs((double)actual[k] - expected[k]) / Math.Max(1.0, Math.Abs(expected[k])));
    return largest;
}

static float[] ReadFloats(string path) => MemoryMarshal.Cast<byte, float>(File.ReadAllBytes(path)).ToArray();

static int ArgMax(ReadOnlySpan<float> values) => values.IndexOf(values.ToArray().Max());
