using System;
using System.IO;
using System.Linq;
using ConvGen;
using Microsoft.CodeAnalysis;
using ReferenceNetworks;
using Xunit;

namespace ConvGen.Tests.Infrastructure;

public delegate void RunNetwork(ReadOnlySpan<float> input, Span<float> output);

public delegate void RunNetworkWithScratch(ReadOnlySpan<float> input, Span<float> output, Span<float> scratch);

/// <summary>A network compiled into this assembly, its generated API as values, so one test runs over many.</summary>
public sealed record RunnableNetwork(int InputLength, int OutputLength, int ScratchLength, string Summary, RunNetwork Run, RunNetworkWithScratch RunWithScratch)
{
    /// <summary>The reference networks of samples/ReferenceNetworks, by their data files' names.</summary>
    public static TheoryData<string> References => new()
    {
        "dscnn", "mobilenet_v1_025", "resnet8", "fire", "aspp", "inverted_residual", "shufflenet_unit",
    };

    /// <summary>The reference networks, the Digits sample's net, and the 126x126 padded conv the hardening probe found.</summary>
    public static TheoryData<string> All
    {
        get
        {
            var all = References;
            all.Add("digits");
            all.Add("padded_plane_126");
            return all;
        }
    }

    public static RunnableNetwork Get(string name) => name switch
    {
        "dscnn" => new(DsCnn.InputLength, DsCnn.OutputLength, DsCnn.ScratchLength, DsCnn.Summary, DsCnn.Run, DsCnn.Run),
        "mobilenet_v1_025" => new(MobileNetV1.InputLength, MobileNetV1.OutputLength, MobileNetV1.ScratchLength, MobileNetV1.Summary, MobileNetV1.Run, MobileNetV1.Run),
        "resnet8" => new(ResNet8.InputLength, ResNet8.OutputLength, ResNet8.ScratchLength, ResNet8.Summary, ResNet8.Run, ResNet8.Run),
        "fire" => new(FireModule.InputLength, FireModule.OutputLength, FireModule.ScratchLength, FireModule.Summary, FireModule.Run, FireModule.Run),
        "aspp" => new(Aspp.InputLength, Aspp.OutputLength, Aspp.ScratchLength, Aspp.Summary, Aspp.Run, Aspp.Run),
        "inverted_residual" => new(InvertedResidual.InputLength, InvertedResidual.OutputLength, InvertedResidual.ScratchLength, InvertedResidual.Summary, InvertedResidual.Run, InvertedResidual.Run),
        "shufflenet_unit" => new(ShuffleNetUnit.InputLength, ShuffleNetUnit.OutputLength, ShuffleNetUnit.ScratchLength, ShuffleNetUnit.Summary, ShuffleNetUnit.Run, ShuffleNetUnit.Run),
        "digits" => new(DigitsNet.InputLength, DigitsNet.OutputLength, DigitsNet.ScratchLength, DigitsNet.Summary, DigitsNet.Run, DigitsNet.Run),
        "padded_plane_126" => new(PaddedPlane126.InputLength, PaddedPlane126.OutputLength, PaddedPlane126.ScratchLength, PaddedPlane126.Summary, PaddedPlane126.Run, PaddedPlane126.Run),
        _ => throw new ArgumentOutOfRangeException(nameof(name), name, null),
    };

    /// <summary>
    /// The reference networks' and the Digits net's declarations as their projects compile them, and their weights
    /// files as ConvGen's build step lists them: for running the generator in memory over them.
    /// </summary>
    public static (string[] Sources, AdditionalText[] WeightsFiles) Declarations()
    {
        string samples = Path.Combine(Path.GetDirectoryName(GoldenFiles.Directory)!, "..", "..", "samples");
        string[] sources = Directory.GetFiles(Path.Combine(samples, "ReferenceNetworks"), "*.cs")
            .Where(f => Path.GetFileName(f) != "Program.cs").Append(Path.Combine(samples, "Digits", "DigitsNet.cs"))
            .Select(File.ReadAllText).ToArray();
        AdditionalText[] weights = Directory.GetFiles(Path.Combine(samples, "ReferenceNetworks", "data"), "*.safetensors")
            .Append(Path.Combine(samples, "Digits", "data", "digits.safetensors"))
            .Select(f => (AdditionalText)InMemoryAdditionalText.Weights(f, File.ReadAllBytes(f))).ToArray();
        return (sources, weights);
    }

    /// <summary>Seeded values, uniform in [-1, 1).</summary>
    public static float[] RandomFloats(int length, int seed = 42)
    {
        var random = new Random(seed);
        var values = new float[length];
        for (int i = 0; i < length; i++)
            values[i] = random.NextSingle() * 2 - 1;
        return values;
    }
}

/// <summary>
/// A padded conv on a 126x126 plane, as the hardening probe wrote it: its zero-bordered 128x128 plane (64 KiB)
/// was staged on the stack, which overflowed a 64 KiB thread whichever Run was called.
/// </summary>
[ConvNet(1, 126, 126)]
[Conv2D(1, 3, Pad = 1, Weights = new float[] { 0.12f, -0.53f, 0.31f, 0.77f, -0.08f, -0.41f, 0.26f, 0.64f, -0.19f }, Bias = new float[] { 0.05f })]
public static partial class PaddedPlane126;
