using System.Collections.Immutable;
using System.Composition;
using System.Linq;
using System.Threading.Tasks;
using ConvGen.Generators.Diagnostics;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace ConvGen.CodeFixes;

/// <summary>
/// CG0018 (UseBias without a Bias): add <c>Bias = new float[] { 0f, ... }</c> with one zero per output
/// (the analyzer's <c>BiasLength</c> hint), right after the Weights when there are any.
/// </summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(MissingBiasCodeFixProvider))]
[Shared]
public sealed class MissingBiasCodeFixProvider : CodeFixProvider
{
    /// <summary>The equivalence key of "Add a zero bias of N values".</summary>
    public const string AddZeroBiasKey = "ConvGen.CG0018.AddZeroBias";

    public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create(Descriptors.MissingBias.Id);

    public override FixAllProvider GetFixAllProvider() => WellKnownFixAllProviders.BatchFixer;

    public override async Task RegisterCodeFixesAsync(CodeFixContext context)
    {
        foreach (Diagnostic diagnostic in context.Diagnostics)
        {
            if (!diagnostic.Properties.TryGetValue(NetProblem.BiasLengthKey, out string? hint) || Attributes.PositiveInt(hint) is not int length)
                continue;
            AttributeSyntax? attribute = await Attributes.AtAsync(context.Document, diagnostic.Location.SourceSpan, context.CancellationToken).ConfigureAwait(false);
            if (attribute is null || ArgumentListEditor.For(attribute.ArgumentList) is null)
                continue;

            context.RegisterCodeFix(CodeAction.Create(
                $"Add a zero bias of {length} {(length == 1 ? "value" : "values")}",
                ct =>
                {
                    var editor = ArgumentListEditor.For(attribute.ArgumentList)!;
                    int weights = editor.IndexOfProperty("Weights");
                    var zeros = SyntaxFactory.ParseExpression("new float[] { " + string.Join(", ", Enumerable.Repeat("0f", length)) + " }");
                    editor.InsertAfter(weights >= 0 ? weights : editor.Count - 1, ArgumentListEditor.Property("Bias", zeros));
                    return Attributes.ReplaceAsync(context.Document, attribute, editor.ApplyTo(attribute), ct);
                },
                AddZeroBiasKey), diagnostic);
        }
    }
}
