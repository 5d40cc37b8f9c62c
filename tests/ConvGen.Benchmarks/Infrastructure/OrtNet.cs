using System;
using Microsoft.ML.OnnxRuntime;

namespace ConvGen.Benchmarks;

/// <summary>
/// The fairest single-threaded ONNX Runtime we know how to set up for batch-1 inference from C#:
/// one intra-op and one inter-op thread, sequential execution, every graph optimization, input and
/// output OrtValues made once over caller-owned (pinned) arrays and bound once with an IoBinding,
/// so each <see cref="Run"/> is one <c>RunWithBinding</c> call that allocates nothing managed.
/// </summary>
internal sealed class OrtNet : IDisposable
{
    private readonly SessionOptions _options;
    private readonly InferenceSession _session;
    private readonly RunOptions _runOptions;
    private readonly OrtValue _input, _output;
    private readonly OrtIoBinding _binding;

    /// <param name="model">An embedded .onnx file.</param>
    /// <param name="input">Read by every <see cref="Run"/>; its contents may change between runs, its identity may not.</param>
    /// <param name="output">Written by every <see cref="Run"/>.</param>
    public OrtNet(string model, float[] input, long[] inputShape, float[] output, long[] outputShape)
    {
        _options = new SessionOptions
        {
            IntraOpNumThreads = 1,
            InterOpNumThreads = 1,
            ExecutionMode = ExecutionMode.ORT_SEQUENTIAL,
            GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,
        };
        _session = new InferenceSession(Resources.Read(model), _options);
        _runOptions = new RunOptions();
        // Over the managed arrays themselves (pinned for the OrtValue's lifetime): no copies in or out.
        _input = OrtValue.CreateTensorValueFromMemory(input, inputShape);
        _output = OrtValue.CreateTensorValueFromMemory(output, outputShape);
        _binding = _session.CreateIoBinding();
        _binding.BindInput(_session.InputNames[0], _input);
        _binding.BindOutput(_session.OutputNames[0], _output);
    }

    public void Run() => _session.RunWithBinding(_runOptions, _binding);

    public void Dispose()
    {
        _binding.Dispose();
        _input.Dispose();
        _output.Dispose();
        _runOptions.Dispose();
        _session.Dispose();
        _options.Dispose();
    }
}
