using System;
using System.Threading;
using ConvGen.Generators.Weights;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Text;

namespace ConvGen.Tests.Infrastructure;

/// <summary>An AdditionalFiles item held in memory.</summary>
public sealed class InMemoryAdditionalText(string path, string text) : AdditionalText
{
    public override string Path { get; } = path;

    public override SourceText GetText(CancellationToken cancellationToken = default) => SourceText.From(text);

    /// <summary>
    /// A weights file as ConvGen's build step (build/ConvGen.targets) lists it: a base64 copy named
    /// <c>&lt;file&gt;.b64</c> whose first line names the original.
    /// </summary>
    public static InMemoryAdditionalText Weights(string path, byte[] bytes)
        => new(path + ".b64", WeightsFiles.SourcePrefix + path + "\n" + Convert.ToBase64String(bytes, Base64FormattingOptions.InsertLineBreaks));
}
