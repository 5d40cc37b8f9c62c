using System;
using System.IO;
using System.Linq;
using System.Runtime.InteropServices;
using ReferenceNetworks;

// Runs every reference network on the inputs stored by data/make_reference_networks.py and compares
// the outputs with PyTorch's. Exit code 1 if any output differs by more than 1e-4 * max(1, |expected|).
Network[] networks =
[
    new("dscnn", DsCnn.Summary, DsCnn.InputLength, DsCnn.OutputLength, DsCnn.ScratchLength, DsCnn.Run),
    new("mobilenet_v1_025", MobileNetV1.Summary, MobileNetV1.InputLength, MobileNetV1.OutputLength, MobileNetV1.ScratchLength, MobileNetV1.Run),
    new("resnet8", ResNet8.Summary, ResNet8.InputLength, ResNet8.OutputLength, ResNet8.ScratchLength, ResNet8.Run),
    new("fire", FireModule.Summary, FireModule.InputLength, FireModule.OutputLength, FireModule.ScratchLength, FireModule.Run),
    new("aspp", Aspp.Summary, Aspp.InputLength, Aspp.OutputLength, Aspp.ScratchLength, Aspp.Run),
    new("inverted_residual", InvertedResidual.Summary, InvertedResidual.InputLength, InvertedResidual.OutputLength, InvertedResidual.ScratchLength, InvertedResidual.Run),
    new("shufflenet_unit", ShuffleNetUnit.Summary, ShuffleNetUnit.InputLength, ShuffleNetUnit.OutputLength, ShuffleNetUnit.ScratchLength, ShuffleNetUnit.Run),
];

string data = Path.Combine(AppContext.BaseDirectory, "data");
foreach (Network network in networks)
    Console.WriteLine(network.Summary);

Console.WriteLine($"{"network",-18} {"params",10} {"MACs",12} {"scratch",9} {"inputs",6} {"max |diff|",11} {"max |diff|/max(1,|expected|)",29}  result");
bool allPass = true;
foreach (Network network in networks)
{
    float[] inputs = ReadFloats(Path.Combine(data, network.File + ".input.f32"));
    float[] expected = ReadFloats(Path.Combine(data, network.File + ".torch_output.f32"));
    int count = inputs.Length / network.InputLength;
    if (count * network.InputLength != inputs.Length || count * network.OutputLength != expected.Length || count == 0)
        throw new InvalidDataException($"{network.File}: {inputs.Length} input and {expected.Length} output floats do not fit a network of {network.InputLength} in, {network.OutputLength} out");

    var output = new float[network.OutputLength];
    double maxAbsolute = 0, maxScaled = 0;
    bool pass = true;
    for (int i = 0; i < count; i++)
    {
        network.Run(inputs.AsSpan(i * network.InputLength, network.InputLength), output);
        ReadOnlySpan<float> reference = expected.AsSpan(i * network.OutputLength, network.OutputLength);
        for (int k = 0; k < output.Length; k++)
        {
            double difference = Math.Abs((double)output[k] - reference[k]);
            maxAbsolute = Math.Max(maxAbsolute, difference);
            double scaled = difference / Math.Max(1.0, Math.Abs(reference[k]));
            maxScaled = Math.Max(maxScaled, scaled);
            pass &= scaled <= 1e-4;   // also false for NaN
        }
    }
    allPass &= pass;
    Console.WriteLine($"{network.File,-18} {Total(network.Summary, "Total params: "),10} {Total(network.Summary, "Total MACs: "),12} {network.ScratchLength,9:N0} {count,6} {maxAbsolute,11:0.00e0} {maxScaled,29:0.00e0}  {(pass ? "pass" : "FAIL")}");
}
Console.WriteLine(allPass ? "All networks match PyTorch." : "Some networks differ from PyTorch beyond 1e-4 * max(1, |expected|).");
return allPass ? 0 : 1;

static float[] ReadFloats(string path) => MemoryMarshal.Cast<byte, float>(File.ReadAllBytes(path)).ToArray();

// "Total params: 23,756 (92.8 KiB)" -> "23,756": the summary is the one place the generated code states its totals.
static string Total(string summary, string label)
{
    string line = summary.Split('\n').FirstOrDefault(l => l.StartsWith(label, StringComparison.Ordinal)) ?? "?";
    return line.Length > label.Length ? line[label.Length..].Split(' ')[0] : "?";
}

delegate void RunNetwork(ReadOnlySpan<float> input, Span<float> output);

record Network(string File, string Summary, int InputLength, int OutputLength, int ScratchLength, RunNetwork Run);
