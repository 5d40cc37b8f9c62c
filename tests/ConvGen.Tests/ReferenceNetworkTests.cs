using System;
using System.IO;
using System.Runtime.InteropServices;
using ConvGen.Tests.Infrastructure;
using Xunit;

namespace ConvGen.Tests;

/// <summary>
/// The reference networks of samples/ReferenceNetworks (DS-CNN, MobileNetV1 0.25, ResNet-8, a fire module,
/// ASPP, an inverted residual, a ShuffleNet unit), generated from their safetensors files, against PyTorch's
/// own outputs on the stored inputs (samples/ReferenceNetworks/data, made by make_reference_networks.py).
/// </summary>
public class ReferenceNetworkTests
{
    private static readonly string Data = Path.Combine(AppContext.BaseDirectory, "ReferenceNetworks");

    public static TheoryData<string> Networks => RunnableNetwork.References;

    [Theory]
    [MemberData(nameof(Networks))]
    public void Outputs_equal_PyTorch_on_the_stored_inputs(string name)
    {
        RunnableNetwork network = Get(name);
        float[] inputs = ReadFloats(name + ".input.f32");
        float[] expected = ReadFloats(name + ".torch_output.f32");
        int count = inputs.Length / network.InputLength;
        Assert.True(count > 0 && count * network.InputLength == inputs.Length, $"{inputs.Length} input floats are not a whole number of {network.InputLength}-float inputs");
        Assert.Equal(count * network.OutputLength, expected.Length);

        var output = new float[network.OutputLength];
        for (int n = 0; n < count; n++)
        {
            network.Run(inputs.AsSpan(n * network.InputLength, network.InputLength), output);
            for (int i = 0; i < output.Length; i++)
            {
                float reference = expected[n * network.OutputLength + i];
                Assert.True(Math.Abs(output[i] - reference) <= 1e-4f * Math.Max(1f, Math.Abs(reference)),
                    $"{name}, input {n}, output[{i}]: PyTorch {reference}, ConvGen {output[i]}");
            }
        }
    }

    [Theory]
    [MemberData(nameof(Networks))]
    public void Run_allocates_nothing(string name)
    {
        RunnableNetwork network = Get(name);
        float[] input = ReadFloats(name + ".input.f32").AsSpan(0, network.InputLength).ToArray();
        var output = new float[network.OutputLength];

        // Debug build and up to 7.5 M MACs a call: a few calls prove "none per call" (any allocation is >= 24 bytes).
        for (int i = 0; i < 3; i++)
            network.Run(input, output);
        long least = long.MaxValue;
        for (int round = 0; round < 3; round++)
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            for (int i = 0; i < 5; i++)
                network.Run(input, output);
            least = Math.Min(least, GC.GetAllocatedBytesForCurrentThread() - before);
        }

        Assert.Equal(0, least);
    }

    [Theory]
    [InlineData("dscnn", "24,908")]
    [InlineData("mobilenet_v1_025", "219,058")]
    [InlineData("resnet8", "78,666")]
    [InlineData("fire", "10,896")]
    [InlineData("aspp", "16,576")]
    [InlineData("inverted_residual", "4,768")]
    [InlineData("shufflenet_unit", "780")]
    public void Summary_counts_the_parameters_as_Keras_does(string name, string parameters)
    {
        // PyTorch's count plus BatchNorm's running mean and variance (ResNet-8: MLPerf Tiny's published 78,666).
        Assert.Contains($"Total params: {parameters} (", Get(name).Summary);
    }

    private static RunnableNetwork Get(string name) => RunnableNetwork.Get(name);

    private static float[] ReadFloats(string file) => MemoryMarshal.Cast<byte, float>(File.ReadAllBytes(Path.Combine(Data, file))).ToArray();
}
