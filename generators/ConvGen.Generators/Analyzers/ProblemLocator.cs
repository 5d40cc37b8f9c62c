using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using ConvGen.Generators.Diagnostics;
using ConvGen.Generators.Parsing;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace ConvGen.Generators.Analyzers;

/// <summary>Maps a <see cref="NetProblem"/> (layer, argument) to the source the user wrote.</summary>
internal sealed class ProblemLocator
{
    private readonly INamedTypeSymbol _type;
    private readonly AttributeData[] _layers;
    private readonly AttributeData? _convNet;
    private readonly CancellationToken _cancellationToken;

    public ProblemLocator(INamedTypeSymbol type, CancellationToken cancellationToken)
    {
        _type = type;
        _cancellationToken = cancellationToken;
        _layers = NetworkParser.LayerAttributes(type).ToArray();
        _convNet = type.GetAttributes().FirstOrDefault(a => a.AttributeClass?.ToDisplayString() == NetworkParser.ConvNetAttributeName);
    }

    public Location Locate(NetProblem problem)
    {
        AttributeData? attribute = problem.Layer switch
        {
            NetProblem.Network => _convNet,
            >= 0 when problem.Layer < _layers.Length => _layers[problem.Layer],
            _ => null,
        };
        if (attribute?.ApplicationSyntaxReference?.GetSyntax(_cancellationToken) is not AttributeSyntax syntax)
            return _type.Locations.FirstOrDefault() ?? Location.None;
        return problem.Argument is null ? syntax.GetLocation() : Argument(attribute, syntax, problem.Argument);
    }

    private static string? ArgumentName(AttributeArgumentSyntax argument)
        => argument.NameEquals?.Name.Identifier.ValueText ?? argument.NameColon?.Name.Identifier.ValueText;

    /// <summary>
    /// The named argument, else the constructor argument(s) for that parameter, else the attribute.
    /// <c>inputs[1]</c> is the second value of a params parameter, so Add("a", "b") points at "b".
    /// </summary>
    private static Location Argument(AttributeData attribute, AttributeSyntax syntax, string name)
    {
        int element = -1;
        if (name.EndsWith("]", StringComparison.Ordinal) && name.IndexOf('[') is var open and > 0
            && int.TryParse(name.Substring(open + 1, name.Length - open - 2), out int parsed))
        {
            element = parsed;
            name = name.Substring(0, open);
        }
        var arguments = syntax.ArgumentList?.Arguments ?? default;
        // Scalar/array pairs (Pad/Pads, Stride/Strides, Dilation/Dilations) are one option: either name will do.
        string alternative = name.EndsWith("s", StringComparison.Ordinal) ? name.Substring(0, name.Length - 1) : name + "s";
        AttributeArgumentSyntax? named = arguments.FirstOrDefault(a => ArgumentName(a) == name)
            ?? arguments.FirstOrDefault(a => ArgumentName(a) == alternative);
        if (named is not null)
            return named.GetLocation();

        var parameters = attribute.AttributeConstructor?.Parameters ?? default;
        if (parameters.IsDefault)
            return syntax.GetLocation();
        // "kernelSize" also names the (kernelHeight, kernelWidth) pair, "poolSize" the (poolHeight, poolWidth) pair.
        string stem = name.Replace("Size", "");
        bool Wanted(IParameterSymbol p) => p.Name == name || p.Name.StartsWith(stem, StringComparison.Ordinal);

        // Constructor arguments in source order with their parameters: positional by place, or by name (kernelHeight: 3).
        var matched = new List<AttributeArgumentSyntax>();
        int position = 0;
        foreach (AttributeArgumentSyntax argument in arguments)
        {
            if (argument.NameEquals is not null)
                continue;
            IParameterSymbol? parameter = argument.NameColon is { } colon
                ? parameters.FirstOrDefault(p => p.Name == colon.Name.Identifier.ValueText)
                : position < parameters.Length ? parameters[position] : parameters.LastOrDefault(p => p.IsParams);
            if (argument.NameColon is null)
                position++;
            if (parameter is not null && Wanted(parameter))
                matched.Add(argument);
        }
        if (matched.Count == 0)
            return syntax.GetLocation();
        if (element >= 0 && element < matched.Count)
            return matched[element].GetLocation();
        var span = Microsoft.CodeAnalysis.Text.TextSpan.FromBounds(matched[0].SpanStart, matched[matched.Count - 1].Span.End);
        return Location.Create(syntax.SyntaxTree, span);
    }
}
