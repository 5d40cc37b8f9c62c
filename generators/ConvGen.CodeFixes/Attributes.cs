using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Text;

namespace ConvGen.CodeFixes;

/// <summary>Finding the attribute a ConvGen diagnostic points into, and what its arguments mean.</summary>
internal static class Attributes
{
    /// <summary>The attribute that contains <paramref name="span"/> (a diagnostic's location), or null.</summary>
    public static async Task<AttributeSyntax?> AtAsync(Document document, TextSpan span, CancellationToken cancellationToken)
    {
        SyntaxNode? root = await document.GetSyntaxRootAsync(cancellationToken).ConfigureAwait(false);
        return root?.FindNode(span, getInnermostNodeForTie: true).FirstAncestorOrSelf<AttributeSyntax>();
    }

    /// <summary>
    /// The constructor parameter each constructor argument binds to, by index in the argument list
    /// (property arguments <c>Name = ...</c> are left out); empty when the attribute does not bind.
    /// </summary>
    public static async Task<IReadOnlyDictionary<int, IParameterSymbol>> ConstructorParametersAsync(
        Document document, AttributeSyntax attribute, CancellationToken cancellationToken)
    {
        var result = new Dictionary<int, IParameterSymbol>();
        SemanticModel? model = await document.GetSemanticModelAsync(cancellationToken).ConfigureAwait(false);
        if (model?.GetSymbolInfo(attribute, cancellationToken).Symbol is not IMethodSymbol constructor || attribute.ArgumentList is null)
            return result;
        var arguments = attribute.ArgumentList.Arguments;
        for (int i = 0; i < arguments.Count; i++)
        {
            AttributeArgumentSyntax argument = arguments[i];
            if (argument.NameEquals is not null)
                continue;
            // A named constructor argument binds by name; a positional one (even after a named one in its own position) by index.
            IParameterSymbol? parameter = argument.NameColon is { } nameColon
                ? FirstNamed(constructor.Parameters, nameColon.Name.Identifier.ValueText)
                : i < constructor.Parameters.Length ? constructor.Parameters[i] : null;
            if (parameter is not null)
                result[i] = parameter;
        }
        return result;
    }

    private static IParameterSymbol? FirstNamed(IEnumerable<IParameterSymbol> parameters, string name)
    {
        foreach (IParameterSymbol parameter in parameters)
        {
            if (parameter.Name == name)
                return parameter;
        }
        return null;
    }

    /// <summary>Replaces <paramref name="attribute"/> in the document.</summary>
    public static async Task<Document> ReplaceAsync(Document document, AttributeSyntax attribute, AttributeSyntax replacement, CancellationToken cancellationToken)
    {
        SyntaxNode root = (await document.GetSyntaxRootAsync(cancellationToken).ConfigureAwait(false))!;
        return document.WithSyntaxRoot(root.ReplaceNode(attribute, replacement));
    }

    /// <summary>A positive integer from a fix hint, or null.</summary>
    public static int? PositiveInt(string? text)
        => int.TryParse(text, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out int value) && value > 0 ? value : null;
}
