using System.Linq;
using ConvGen.Generators.Helpers;

namespace ConvGen.Generators.Diagnostics;

/// <summary>
/// A problem found in a declaration, located semantically (which layer, which argument) rather than by
/// source position, so the parser and shape inference stay free of syntax; the analyzer maps it to the
/// attribute argument the user wrote.
/// </summary>
/// <param name="Id">The descriptor id, e.g. <c>CG0001</c>.</param>
/// <param name="Layer">The layer's index in declaration order, or <see cref="Network"/> for the ConvNet attribute, or <see cref="Class"/> for the class itself.</param>
/// <param name="Argument">The attribute argument to point at (a named argument or constructor parameter name), or null for the whole attribute.</param>
/// <param name="MessageArgs">The values for the descriptor's message format.</param>
internal sealed record NetProblem(string Id, int Layer, string? Argument, EquatableArray<string> MessageArgs)
{
    /// <summary>Keys of <see cref="Fixes"/>, read by the code fixes.</summary>
    public const string KernelFitKey = "KernelFit", InferredOutputsKey = "InferredOutputs", BiasLengthKey = "BiasLength";

    /// <summary>What a mechanical fix needs to know (e.g. the kernel that fits), passed on as diagnostic properties.</summary>
    public EquatableArray<FixHint> Fixes { get; init; } = EquatableArray<FixHint>.Empty;

    public NetProblem WithFix(string key, string value) => this with { Fixes = Fixes.Append(new FixHint(key, value)).ToEquatableArray() };

    public const int Network = -1;
    public const int Class = -2;

    public bool IsError => Descriptors.ById(Id).DefaultSeverity == Microsoft.CodeAnalysis.DiagnosticSeverity.Error;

    public static NetProblem Create(Microsoft.CodeAnalysis.DiagnosticDescriptor descriptor, int layer, string? argument, params object[] args)
        => new(descriptor.Id, layer, argument, System.Linq.Enumerable.Select(args, a => System.Convert.ToString(a, System.Globalization.CultureInfo.InvariantCulture) ?? "").ToEquatableArray());
}

internal sealed record FixHint(string Key, string Value);
