using System;
using BenchmarkDotNet.Attributes;

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
    private protected readonly float[] _scratch = new float[scratchLength];
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
