using ConvGen.Generators.Helpers;

namespace ConvGen.Generators.Weights;

/// <summary>
/// One tensor of a weights file as its header describes it: its values stay in the file (in the data parts
/// ConvGen's build step wrote) until a layer binds it, see <see cref="SafetensorsReader.Values"/>.
/// <paramref name="Begin"/> and <paramref name="End"/> are its byte range in the data section.
/// </summary>
internal sealed record Tensor(string Name, string DType, EquatableArray<long> Shape, long Begin, long End)
{
    public string ShapeText => "[" + string.Join(", ", Shape) + "]";

    public bool IsFloat => DType is "F32" or "F16" or "BF16" or "F64";
}

/// <summary>
/// A weights file as the generator sees it: its name (as <c>WeightsFile</c> refers to it), its tensors
/// sorted by name, where its data lives, or why it could not be read. Equatable (the data parts are named
/// by a hash of their content), so an unchanged file re-runs nothing and a changed one is never equal.
/// </summary>
internal sealed record WeightsFile(string FileName, string Path, EquatableArray<Tensor> Tensors, string? Error)
{
    /// <summary>Listed as it is rather than through ConvGen's build step, so its bytes cannot be read.</summary>
    public bool Raw { get; init; }

    /// <summary>The length of the data section (after the header).</summary>
    public long DataLength { get; init; }

    /// <summary>The size of every data part but the last.</summary>
    public int ChunkBytes { get; init; }

    /// <summary>The data section's parts in order, each named by its hash (see <see cref="WeightsParts"/>).</summary>
    public EquatableArray<string> Parts { get; init; } = EquatableArray<string>.Empty;

    /// <summary>The tensor of that name (binary search: <see cref="Tensors"/> are sorted by ordinal name).</summary>
    public Tensor? Find(string name)
    {
        int low = 0, high = Tensors.Count - 1;
        while (low <= high)
        {
            int middle = low + (high - low) / 2;
            int order = string.CompareOrdinal(Tensors[middle].Name, name);
            if (order == 0)
                return Tensors[middle];
            if (order < 0)
                low = middle + 1;
            else
                high = middle - 1;
        }
        return null;
    }

    public static WeightsFile Unreadable(string fileName, string path, string error) => new(fileName, path, EquatableArray<Tensor>.Empty, error);
}
