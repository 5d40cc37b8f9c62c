using System.Collections.Immutable;
using System.Composition;
using System.Linq;
using System.Threading.Tasks;
using ConvGen.Generators.Diagnostics;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace ConvGen.CodeFixes;

/// <summary>
/// CG0002 (weights of the wrong length) when the weights are a whole number of filters or units (the
/// analyzer's <c>InferredOutputs</c> hint): set the layer's filters/units to that number.
/// </summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(WeightsLengthCodeFixProvider))]
[Shared]
public sealed class WeightsLengthCodeFixProvider : CodeFixProvider
{
    /// <summary>The equivalence key of "Set filters to N" / "Set units to N".</summary>
    public const string SetOutputsKey = "ConvGen.CG0002.SetOutputsFromWeights";

    public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create(Descriptors.WeightsLength.Id);

    public override FixAllProvider GetFixAllProvider() => WellKnownFixAllProviders.BatchFixer;

    public override async Task RegisterCodeFixesAsync(CodeFixContext context)
    {
        foreach (Diagnostic diagnostic in context.Diagnostics)
        {
            if (!diagnostic.Properties.TryGetValue(NetProblem.InferredOutputsKey, out string? hint) || Attributes.PositiveInt(hint) is not int outputs)
                continue;
            AttributeSyntax? attribute = await Attributes.AtAsync(context.Document, diagnostic.Location.SourceSpan, context.CancellationToken).ConfigureAwait(false);
            if (attribute is null || ArgumentListEditor.For(attribute.ArgumentList) is null)
                continue;
            var parameters = await Attributes.ConstructorParametersAsync(context.Document, attribute, context.CancellationToken).ConfigureAwait(false);
            var target = parameters.FirstOrDefault(p => p.Value.Name is "filters" or "units");
            if (target.Value is null)
                continue;

            context.RegisterCodeFix(CodeAction.Create(
                $"Set {target.Value.Name} to {outputs}",
                ct =>
                {
                    var editor = ArgumentListEditor.For(attribute.ArgumentList)!;
                    editor.SetValue(target.Key, ArgumentListEditor.Literal(outputs));
                    return Attributes.ReplaceAsync(context.Document, attribute, editor.ApplyTo(attribute), ct);
                },
                SetOutputsKey), diagnostic);
        }
    }
}
