using System;
using BenchmarkDotNet.Attributes;
using ReferenceNetworks;

namespace ConvGen.Benchmarks;

/// <summary>
/// What every network benchmark shares: one input array, an output array per implementation, the ORT
/// session, and the check before timing that all three agree (<see cref="CheckAgreement"/>).
/// </summary>
[MemoryDiagnoser]
public abstract class NetworkBenchmark(int inputLength, int outputLength, int scratchLength)
{
    private protected readonly float[] _input = new float[inputLength];
    private protected readonly float[] _convGenOutput = new float[outputLength];
    private protected readonly float[] _ortOutput = new float[outputLength];
    private protected readonly float[] _plainOutput = new float[outputLength];
    private readonly float[] _scratchArray = GC.AllocateArray<float>(scratchLength + 16, pinned: true);

    /// <summary>
    /// ConvGen's working memory, 64-byte aligned as a caller minding speed gives it (or NativeMemory.AlignedAlloc):
    /// tensors then start on cache lines, and no run depends on where the GC happened to put an array.
    /// </summary>
    private protected Span<float> _scratch => _scratchArray.AsSpan(Aligned.Start(_scratchArray), _scratchArray.Length - 16);
    private protected OrtNet _ort = null!;

    public abstract void ConvGenRun();

    public abstract void PlainLoops();

    [Benchmark(Baseline = true, Description = "OnnxRuntime")]
    public void OnnxRuntime() => _ort.Run();

    [GlobalCleanup]
    public void Cleanup() => _ort.Dispose();

    /// <summary>Runs all three on the current input and throws unless ConvGen and the plain loops agree with ORT.</summary>
    protected void CheckAgreement(string what)
    {
        ConvGenRun();
        OnnxRuntime();
        PlainLoops();
        Agreement.Check(what, _ortOutput, "ONNX Runtime", _convGenOutput, "ConvGen");
        Agreement.Check(what, _ortOutput, "ONNX Runtime", _plainOutput, "PlainLoops");
    }

    /// <summary>
    /// <see cref="CheckAgreement"/> on a pseudo-random input (uniform in [-1, 1)), then on each input PyTorch's
    /// outputs were stored for, where ONNX Runtime must also agree with PyTorch. Leaves the first stored input
    /// in <c>_input</c>: the one timed.
    /// </summary>
    protected void CheckAgreementWithPyTorch(string network, string inputsFile, string outputsFile, int count)
    {
        var random = new Random(1234);
        for (int i = 0; i < _input.Length; i++)
            _input[i] = random.NextSingle() * 2 - 1;
        CheckAgreement($"{network}, random input");

        for (int n = count - 1; n >= 0; n--)
        {
            Resources.ReadFloats(inputsFile, n * _input.Length, _input.Length).CopyTo(_input, 0);
            CheckAgreement($"{network}, stored input {n}");
            Agreement.Check($"{network}, stored input {n}", Resources.ReadFloats(outputsFile, n * _ortOutput.Length, _ortOutput.Length), "PyTorch", _ortOutput, "ONNX Runtime");
        }
    }
}

/// <summary>Where a pinned array's first 64-byte-aligned float is.</summary>
internal static class Aligned
{
    public static int Start(float[] pinned)
        => (int)((64 - (System.Runtime.InteropServices.Marshal.UnsafeAddrOfPinnedArrayElement(pinned, 0).ToInt64() & 63)) & 63) / sizeof(float);
}

/// <summary>
/// The tutorial's 8x8 vertical-line detector (1 filter, 3x3, weights [0,1,0] x 3): 36 outputs x 9 = 324 MACs.
/// Same input array for all three; each writes its own output.
/// </summary>
public class VerticalLine() : NetworkBenchmark(VerticalLineDetector.InputLength, VerticalLineDetector.OutputLength, VerticalLineDetector.ScratchLength)
{
    public static long MacsPerCall => 324;

    private readonly PlainVerticalLine _plain = new();

    [GlobalSetup]
    public void Setup()
    {
        _ort = new OrtNet("vertical_line.onnx", _input, new long[] { 1, 1, 8, 8 }, _ortOutput, new long[] { 1, 1, 6, 6 });

        // A pseudo-random image first, then the one timed: the tutorial's two-pixel vertical line.
        var random = new Random(1234);
        for (int i = 0; i < _input.Length; i++)
            _input[i] = random.NextSingle() * 2 - 1;
        CheckAgreement("VerticalLine, random image");

        Array.Clear(_input);
        for (int row = 0; row < 8; row++)
            _input[row * 8 + 3] = _input[row * 8 + 4] = 1;
        CheckAgreement("VerticalLine, tutorial image");
        float[] expectedRow = { 0, 0, 3, 3, 0, 0 };
        Agreement.Check("VerticalLine, tutorial image, first row", expectedRow, "the tutorial", _convGenOutput.AsSpan(0, 6), "ConvGen");
    }

    [Benchmark(Description = "ConvGen")]
    public override void ConvGenRun() => VerticalLineDetector.Run(_input, _convGenOutput, _scratch);

    [Benchmark(Description = "PlainLoops")]
    public override void PlainLoops() => _plain.Run(_input, _plainOutput);
}

/// <summary>
/// samples/Digits' DigitsNet, PyTorch-trained: 1x8x8 → conv 16 (BatchNorm, ReLU) → pool → conv 32 (ReLU) → pool → dense 10.
/// MACs: conv1 16·64·9 = 9,216; conv2 32·16·16·9 = 73,728; fc 128·10 = 1,280; 84,224 in all.
/// Timed on the first image of the sample's held-out test split.
/// </summary>
public class Digits() : NetworkBenchmark(DigitsNet.InputLength, DigitsNet.OutputLength, DigitsNet.ScratchLength)
{
    public static long MacsPerCall => 84_224;

    private PlainDigits _plain = null!;

    [GlobalSetup]
    public void Setup()
    {
        _plain = new PlainDigits(Resources.ReadSafetensors("digits.safetensors"));
        _ort = new OrtNet("digits.onnx", _input, new long[] { 1, 1, 8, 8 }, _ortOutput, new long[] { 1, 10 });

        var random = new Random(1234);
        for (int i = 0; i < _input.Length; i++)
            _input[i] = random.NextSingle();
        CheckAgreement("Digits, random image");

        Resources.ReadFloats("test_images.f32", 0, 64).CopyTo(_input, 0);
        CheckAgreement("Digits, test image 0");
        Agreement.Check("Digits, test image 0", Resources.ReadFloats("torch_logits.f32", 0, 10), "PyTorch", _ortOutput, "ONNX Runtime");
    }

    [Benchmark(Description = "ConvGen")]
    public override void ConvGenRun() => DigitsNet.Run(_input, _convGenOutput, _scratch);

    [Benchmark(Description = "PlainLoops")]
    public override void PlainLoops() => _plain.Run(_input, _plainOutput);
}

/// <summary>
/// DESIGN.md §1's LeNet-5 (Nets/LeNet5.cs), seeded untrained weights: 1x28x28 → conv 6 5x5 pad 2 (ReLU) → avg-pool
/// → conv 16 5x5 (ReLU) → avg-pool → dense 120 (ReLU) → 84 (ReLU) → 10 → softmax.
/// MACs: conv1 6·784·25 = 117,600; conv2 16·100·150 = 240,000; fc 48,000 + 10,080 + 840; 416,520 in all.
/// Checked on 4 stored inputs against PyTorch's outputs (models/make_lenet5.py); timed on the first.
/// </summary>
public class LeNet() : NetworkBenchmark(LeNet5.InputLength, LeNet5.OutputLength, LeNet5.ScratchLength)
{
    public static long MacsPerCall => 416_520;

    private PlainLeNet5 _plain = null!;

    [GlobalSetup]
    public void Setup()
    {
        _plain = new PlainLeNet5(Resources.ReadSafetensors("lenet5.safetensors"));
        _ort = new OrtNet("lenet5.onnx", _input, new long[] { 1, 1, 28, 28 }, _ortOutput, new long[] { 1, 10 });
        CheckAgreementWithPyTorch("LeNet5", "lenet5.input.f32", "lenet5.torch_output.f32", 4);
    }

    [Benchmark(Description = "ConvGen")]
    public override void ConvGenRun() => LeNet5.Run(_input, _convGenOutput, _scratch);

    [Benchmark(Description = "PlainLoops")]
    public override void PlainLoops() => _plain.Run(_input, _plainOutput);
}

/// <summary>
/// MLPerf Tiny keyword spotting, samples/ReferenceNetworks' DsCnn (seeded untrained weights): 1x49x10 MFCC →
/// conv 64 (10x4, stride 2, TF SAME) → 4 depthwise-separable blocks → global average pool → dense 12.
/// 2,656,768 MACs (the generator's Summary and make_reference_networks.py agree).
/// Checked on the 4 stored inputs against PyTorch's outputs; timed on the first.
/// </summary>
public class DsCnnKws() : NetworkBenchmark(DsCnn.InputLength, DsCnn.OutputLength, DsCnn.ScratchLength)
{
    public static long MacsPerCall => 2_656_768;

    private PlainDsCnn _plain = null!;

    [GlobalSetup]
    public void Setup()
    {
        _plain = new PlainDsCnn(Resources.ReadSafetensors("dscnn.safetensors"));
        _ort = new OrtNet("dscnn.onnx", _input, new long[] { 1, 1, 49, 10 }, _ortOutput, new long[] { 1, 12 });
        CheckAgreementWithPyTorch("DS-CNN", "dscnn.input.f32", "dscnn.torch_output.f32", 4);
    }

    [Benchmark(Description = "ConvGen")]
    public override void ConvGenRun() => DsCnn.Run(_input, _convGenOutput, _scratch);

    [Benchmark(Description = "PlainLoops")]
    public override void PlainLoops() => _plain.Run(_input, _plainOutput);
}

/// <summary>
/// MLPerf Tiny visual wake words, samples/ReferenceNetworks' MobileNetV1 with width 0.25 (seeded untrained weights):
/// 3x96x96 → conv 8 3x3 stride 2 → 13 depthwise-separable blocks → global average pool → dense 2.
/// 7,489,664 MACs. Checked on the 4 stored inputs against PyTorch's outputs; timed on the first.
/// </summary>
public class MobileNetVww() : NetworkBenchmark(MobileNetV1.InputLength, MobileNetV1.OutputLength, MobileNetV1.ScratchLength)
{
    public static long MacsPerCall => 7_489_664;

    private PlainMobileNetV1 _plain = null!;

    [GlobalSetup]
    public void Setup()
    {
        _plain = new PlainMobileNetV1(Resources.ReadSafetensors("mobilenet_v1_025.safetensors"));
        _ort = new OrtNet("mobilenet_v1_025.onnx", _input, new long[] { 1, 3, 96, 96 }, _ortOutput, new long[] { 1, 2 });
        CheckAgreementWithPyTorch("MobileNetV1-0.25", "mobilenet_v1_025.input.f32", "mobilenet_v1_025.torch_output.f32", 4);
    }

    [Benchmark(Description = "ConvGen")]
    public override void ConvGenRun() => MobileNetV1.Run(_input, _convGenOutput, _scratch);

    [Benchmark(Description = "PlainLoops")]
    public override void PlainLoops() => _plain.Run(_input, _plainOutput);
}

/// <summary>
/// MLPerf Tiny image classification, samples/ReferenceNetworks' ResNet8 (seeded untrained weights): 3x32x32 →
/// conv 16 → three residual stacks (16, 32, 64 channels) → global average pool → dense 10.
/// 12,501,632 MACs. Checked on the 4 stored inputs against PyTorch's outputs; timed on the first.
/// </summary>
public class ResNet8Cifar() : NetworkBenchmark(ResNet8.InputLength, ResNet8.OutputLength, ResNet8.ScratchLength)
{
    public static long MacsPerCall => 12_501_632;

    private PlainResNet8 _plain = null!;

    [GlobalSetup]
    public void Setup()
    {
        _plain = new PlainResNet8(Resources.ReadSafetensors("resnet8.safetensors"));
        _ort = new OrtNet("resnet8.onnx", _input, new long[] { 1, 3, 32, 32 }, _ortOutput, new long[] { 1, 10 });
        CheckAgreementWithPyTorch("ResNet-8", "resnet8.input.f32", "resnet8.torch_output.f32", 4);
    }

    [Benchmark(Description = "ConvGen")]
    public override void ConvGenRun() => ResNet8.Run(_input, _convGenOutput, _scratch);

    [Benchmark(Description = "PlainLoops")]
    public override void PlainLoops() => _plain.Run(_input, _plainOutput);
}
