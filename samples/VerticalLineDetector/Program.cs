using System;
using System.IO;
using System.Linq;
using ConvGen;

// The tutorial's 8x8 image: a vertical line two pixels wide down the middle.
float[] image = new float[VerticalLineDetector.InputLength];
for (int row = 0; row < 8; row++)
{
    image[row * 8 + 3] = 1;
    image[row * 8 + 4] = 1;
}

float[] featureMap = new float[VerticalLineDetector.OutputLength];
VerticalLineDetector.Run(image, featureMap);

Console.WriteLine("Input (1x8x8):");
Print(image, 8, 8);
Console.WriteLine();
Console.WriteLine("Feature map (1x6x6): the filter fires where the line is");
Print(featureMap, 6, 6);
Console.WriteLine();
Console.WriteLine(VerticalLineDetector.Summary);

// Warm up, then count the bytes the calls allocate.
for (int i = 0; i < 1_000; i++)
    VerticalLineDetector.Run(image, featureMap);
const int Calls = 100_000;
long before = GC.GetAllocatedBytesForCurrentThread();
for (int i = 0; i < Calls; i++)
    VerticalLineDetector.Run(image, featureMap);
long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
Console.WriteLine($"Bytes allocated per call: {allocated / (double)Calls:0.###} ({allocated} over {Calls:N0} calls)");

// What the generator wrote (EmitCompilerGeneratedFiles puts a copy under obj/): its public API.
var output = new DirectoryInfo(AppContext.BaseDirectory); // <project>/bin/<configuration>/<framework>/
string generated = Path.Combine(output.Parent!.Parent!.Parent!.FullName, "obj", output.Parent.Name, output.Name,
    "generated", "ConvGen.Generators", "ConvGen.Generators.ConvNetGenerator", "VerticalLineDetector.g.cs");
Console.WriteLine();
Console.WriteLine($"Generated source: {generated}");
if (File.Exists(generated))
{
    // (The kernels live in a private nested class after the API: stop there.)
    foreach (string line in File.ReadLines(generated).TakeWhile(l => !l.Contains("class ConvGenKernels")).Where(l => l.TrimStart().StartsWith("public ", StringComparison.Ordinal) && !l.Contains("Summary =>")))
        Console.WriteLine("  " + line.Trim());
}

static void Print(ReadOnlySpan<float> values, int rows, int cols)
{
    for (int r = 0; r < rows; r++)
        Console.WriteLine("[" + string.Join(", ", values.Slice(r * cols, cols).ToArray()) + "]");
}

/// <summary>The tutorial's handcrafted vertical-line detector: an 8x8 grey image and one 3x3 filter.</summary>
[ConvNet(1, 8, 8)]
[Conv2D(1, 3, Weights = new float[] { 0, 1, 0, 0, 1, 0, 0, 1, 0 }, Bias = new float[] { 0 })]
public static partial class VerticalLineDetector;
