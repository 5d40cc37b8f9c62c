using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Threading;
using ConvGen.Generators.Helpers;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;

namespace ConvGen.Generators.Weights;

/// <summary>
/// Finds weights files among AdditionalFiles. Roslyn hands additional files to generators and analyzers
/// as text, which would corrupt binary data, so ConvGen's build step (build/ConvGen.targets) lists a
/// base64 copy, <c>&lt;name&gt;.safetensors.b64</c>, instead: its first line names the original file, the
/// rest is the file's bytes. A raw <c>.safetensors</c> still listed means that step did not run.
/// See docs/weights-files.md.
/// </summary>
internal static class WeightsFiles
{
    public const string Extension = ".safetensors";
    public const string EncodedExtension = ".safetensors.b64";
    public const string SourcePrefix = "convgen-source: ";

    public static bool IsWeightsFile(string path)
        => path.EndsWith(Extension, StringComparison.OrdinalIgnoreCase) || path.EndsWith(EncodedExtension, StringComparison.OrdinalIgnoreCase);

    public static WeightsFile Read(AdditionalText file, CancellationToken cancellationToken)
    {
        string path = file.Path;
        if (!path.EndsWith(EncodedExtension, StringComparison.OrdinalIgnoreCase))
            return new WeightsFile(Path.GetFileName(path), path, EquatableArray<Tensor>.Empty,
                "it is listed as it is, not through ConvGen's build step, which hands binary files to the compiler losslessly; "
                + "reference the ConvGen package (or import its build/ConvGen.targets)") { Raw = true };

        string text = file.GetText(cancellationToken)?.ToString() ?? "";
        int firstLine = text.IndexOf('\n');
        string source = firstLine > 0 && text.StartsWith(SourcePrefix, StringComparison.Ordinal)
            ? text.Substring(SourcePrefix.Length, firstLine - SourcePrefix.Length).Trim()
            : path.Substring(0, path.Length - ".b64".Length);
        string name = Path.GetFileName(source);
        string encoded = firstLine > 0 ? text.Substring(firstLine + 1) : text;
        if (encoded.Length / 4 * 3 > SafetensorsReader.MaxFileBytes + 3)
            return new WeightsFile(name, source, EquatableArray<Tensor>.Empty, $"it is larger than the {SafetensorsReader.MaxFileBytes >> 20} MiB ConvGen bakes into code");
        byte[] bytes;
        try
        {
            bytes = Convert.FromBase64String(encoded);
        }
        catch (FormatException)
        {
            return new WeightsFile(name, source, EquatableArray<Tensor>.Empty, "its encoded copy in obj/ is damaged; rebuild");
        }
        return SafetensorsReader.Read(name, source, bytes);
    }

    /// <summary>The project's weights files as analyzers see them, read once per compilation and only if a network asks.</summary>
    public static Lazy<IReadOnlyList<WeightsFile>> Lazily(AnalyzerOptions options, CancellationToken cancellationToken)
        => new(() => Usable(options.AdditionalFiles.Where(f => IsWeightsFile(f.Path)).Select(f => Read(f, cancellationToken))),
            LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>The files, with a raw file dropped where its encoded copy is also listed.</summary>
    public static IReadOnlyList<WeightsFile> Usable(IEnumerable<WeightsFile> files)
    {
        var all = files.ToList();
        var encoded = new HashSet<string>(all.Where(f => !f.Raw).Select(f => f.Path), StringComparer.OrdinalIgnoreCase);
        return all.Where(f => !(f.Raw && encoded.Contains(f.Path))).ToList();
    }
}
