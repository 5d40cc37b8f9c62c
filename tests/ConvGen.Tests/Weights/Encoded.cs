using System.IO;
using System.Linq;
using ConvGen.Generators.Helpers;
using ConvGen.Generators.Weights;
using ConvGen.Tests.Infrastructure;

namespace ConvGen.Tests.Weights;

/// <summary>
/// A weights file as a build hands it to the generator: through the build step's own encoder
/// (build/ConvGenEncodeWeights.cs), then the generator's reader, its values decoded from the data parts.
/// </summary>
internal sealed class Encoded(WeightsFile file, WeightsParts parts)
{
    public static Encoded Read(byte[] bytes, string name = "test.safetensors", string directory = "/models")
    {
        EncodedWeights index = InMemoryAdditionalText.Weights(directory + "/" + name, bytes);
        return new Encoded(WeightsFiles.Read(index, default), WeightsParts.From(index.Parts));
    }

    public WeightsFile File { get; } = file;

    public WeightsParts Parts { get; } = parts;

    public string? Error => File.Error;

    public EquatableArray<Tensor> Tensors => File.Tensors;

    public Tensor? Find(string name) => File.Find(name);

    /// <summary>The tensor's values as a bound layer gets them.</summary>
    public float[] Values(string tensor)
    {
        float[]? values = SafetensorsReader.Values(File, File.Find(tensor) ?? throw new FileNotFoundException(tensor), Parts, default, out string? error);
        return values ?? throw new InvalidDataException(error);
    }

    /// <summary>Every tensor's values (none throws for a file that reads without error).</summary>
    public float[][] AllValues() => File.Tensors.Select(t => Values(t.Name)).ToArray();
}
