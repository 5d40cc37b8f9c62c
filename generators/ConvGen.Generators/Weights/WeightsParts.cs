using System;
using System.Collections.Generic;
using System.IO;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Text;

namespace ConvGen.Generators.Weights;

/// <summary>
/// One data part among AdditionalFiles (<c>&lt;hash&gt;.safetensors-part.b64</c>), compared by its name:
/// the build step names a part by the hash of its bytes, so an equal name is equal content, and the
/// pipeline never reads a part to compare it. Its text is read only when a bound tensor lies in it.
/// </summary>
internal sealed class DataPart(AdditionalText file) : IEquatable<DataPart>
{
    public string Name { get; } = WeightsParts.NameOf(file.Path);

    public AdditionalText File { get; } = file;

    public bool Equals(DataPart? other) => other is not null && string.Equals(Name, other.Name, StringComparison.OrdinalIgnoreCase);

    public override bool Equals(object? obj) => Equals(obj as DataPart);

    public override int GetHashCode() => StringComparer.OrdinalIgnoreCase.GetHashCode(Name);
}

/// <summary>The data parts a compilation lists, found by name; nothing is read until <see cref="Text"/> is asked.</summary>
internal sealed class WeightsParts
{
    public static readonly WeightsParts None = new(Array.Empty<DataPart>());

    private readonly Dictionary<string, AdditionalText> _byName = new(StringComparer.OrdinalIgnoreCase);

    public WeightsParts(IEnumerable<DataPart> parts)
    {
        foreach (DataPart part in parts)
            _byName[part.Name] = part.File;
    }

    public static WeightsParts From(IEnumerable<AdditionalText> files)
    {
        var parts = new List<DataPart>();
        foreach (AdditionalText file in files)
        {
            if (IsPart(file.Path))
                parts.Add(new DataPart(file));
        }
        return new WeightsParts(parts);
    }

    public static bool IsPart(string path) => path.EndsWith(WeightsFiles.PartExtension, StringComparison.OrdinalIgnoreCase);

    /// <summary>The part's name: its file name without the extension, the hash the index lists.</summary>
    public static string NameOf(string path)
    {
        string file = Path.GetFileName(path);
        return file.Length > WeightsFiles.PartExtension.Length ? file.Substring(0, file.Length - WeightsFiles.PartExtension.Length) : file;
    }

    public SourceText? Text(string name, CancellationToken cancellationToken)
        => _byName.TryGetValue(name, out AdditionalText? file) ? file.GetText(cancellationToken) : null;
}
