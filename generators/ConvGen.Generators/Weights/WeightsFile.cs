using ConvGen.Generators.Helpers;

namespace ConvGen.Generators.Weights;

/// <summary>One tensor of a weights file; <see cref="Values"/> is empty for dtypes that are not floating point.</summary>
internal sealed record Tensor(string Name, string DType, EquatableArray<long> Shape, EquatableArray<float> Values)
{
    public string ShapeText => "[" + string.Join(", ", Shape) + "]";

    public bool IsFloat => DType is "F32" or "F16" or "BF16" or "F64";
}

/// <summary>
/// A weights file as the generator sees it: its name (as <c>WeightsFile</c> refers to it), its tensors,
/// or why it could not be read. Equatable, so an unchanged file re-runs nothing.
/// </summary>
internal sealed record WeightsFile(string FileName, string Path, EquatableArray<Tensor> Tensors, string? Error)
{
    /// <summary>Listed as it is rather than through ConvGen's build step, so its bytes cannot be read.</summary>
    public bool Raw { get; init; }

    public Tensor? Find(string name)
    {
        foreach (Tensor tensor in Tensors)
            if (tensor.Name == name)
                return tensor;
        return null;
    }
}
