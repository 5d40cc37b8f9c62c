using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Text;

namespace ConvGen.Tests.Infrastructure;

/// <summary>An AdditionalFiles item held in memory.</summary>
public class InMemoryAdditionalText(string path, string text) : AdditionalText
{
    public override string Path { get; } = path;

    public override SourceText GetText(CancellationToken cancellationToken = default) => SourceText.From(text);

    /// <summary>
    /// A weights file as ConvGen's build step (build/ConvGenEncodeWeights.cs, compiled into the tests too)
    /// lists it: the index <c>&lt;file&gt;.b64</c>, carrying its data parts, which
    /// <see cref="WithParts"/> adds to a list of additional files.
    /// </summary>
    public static EncodedWeights Weights(string path, byte[] bytes)
    {
        var parts = new MemoryParts(System.IO.Path.GetDirectoryName(path) ?? "");
        string index = ConvGenWeightsEncoder.Encode(path, new MemoryStream(bytes), bytes.Length, parts);
        return new EncodedWeights(path + ".b64", index, parts.Files);
    }

    /// <summary>The files, each weights index followed by its data parts (each path once).</summary>
    public static IEnumerable<AdditionalText> WithParts(IEnumerable<AdditionalText> files)
        => files.SelectMany(f => f is EncodedWeights weights ? weights.Parts.Prepend(f) : new[] { f })
            .GroupBy(f => f.Path).Select(g => g.First());

    /// <summary>The parts the encoder stores, as additional files beside the index.</summary>
    private sealed class MemoryParts(string directory) : ConvGenWeightsEncoder.IPartStore
    {
        public List<AdditionalText> Files { get; } = new();

        public void Store(string hash, byte[] buffer, int count)
        {
            string path = directory + "/" + hash + ConvGenWeightsEncoder.PartExtension;
            if (Files.All(f => f.Path != path))
                Files.Add(new InMemoryAdditionalText(path, System.Convert.ToBase64String(buffer, 0, count)));
        }
    }
}

/// <summary>A weights file's index as the build step writes it, with the data parts it names.</summary>
public sealed class EncodedWeights(string path, string text, IReadOnlyList<AdditionalText> parts) : InMemoryAdditionalText(path, text)
{
    public IReadOnlyList<AdditionalText> Parts { get; } = parts;
}
