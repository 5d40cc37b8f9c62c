using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Composition;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using ConvGen.Generators.Diagnostics;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Simplification;

namespace ConvGen.CodeFixes;

/// <summary>
/// CG0001 (a kernel or pooling window larger than its input): switch the layer to <c>Padding.Same</c>,
/// or shrink the window to the largest that fits (the analyzer's <c>KernelFit</c> hint).
/// </summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(WindowTooLargeCodeFixProvider))]
[Shared]
public sealed class WindowTooLargeCodeFixProvider : CodeFixProvider
{
    /// <summary>The equivalence key of "Use Padding.Same".</summary>
    public const string UsePaddingSameKey = "ConvGen.CG0001.UsePaddingSame";

    /// <summary>The equivalence key of "Use a kernel of ..." / "Use a pool size of ...".</summary>
    public const string UseWindowThatFitsKey = "ConvGen.CG0001.UseWindowThatFits";

    public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create(Descriptors.WindowTooLarge.Id);

    public override FixAllProvider GetFixAllProvider() => WellKnownFixAllProviders.BatchFixer;

    public override async Task RegisterCodeFixesAsync(CodeFixContext context)
    {
        foreach (Diagnostic diagnostic in context.Diagnostics)
        {
            AttributeSyntax? attribute = await Attributes.AtAsync(context.Document, diagnostic.Location.SourceSpan, context.CancellationToken).ConfigureAwait(false);
            if (attribute is null || ArgumentListEditor.For(attribute.ArgumentList) is null)
                continue;

            context.RegisterCodeFix(CodeAction.Create(
                "Use Padding.Same",
                ct => Attributes.ReplaceAsync(context.Document, attribute, UsePaddingSame(attribute), ct),
                UsePaddingSameKey), diagnostic);

            if (!diagnostic.Properties.TryGetValue(NetProblem.KernelFitKey, out string? hint) || hint is null)
                continue;
            int[] fit = hint.Split(',').Select(Attributes.PositiveInt).Where(v => v is not null).Select(v => v!.Value).ToArray();
            if (fit.Length is < 1 or > 2 || fit.Length != hint.Split(',').Length)
                continue;
            var parameters = await Attributes.ConstructorParametersAsync(context.Document, attribute, context.CancellationToken).ConfigureAwait(false);
            var window = parameters.Where(p => IsWindow(p.Value.Name)).OrderBy(p => p.Key).ToList();
            if (window.Count == 0 || (window.Count != 1 && window.Count != fit.Length))
                continue;
            string what = window[0].Value.Name.StartsWith("pool", StringComparison.Ordinal) ? "pool size" : "kernel";
            context.RegisterCodeFix(CodeAction.Create(
                $"Use a {what} of {string.Join("x", fit)}",
                ct => Attributes.ReplaceAsync(context.Document, attribute, UseWindow(attribute, window, fit), ct),
                UseWindowThatFitsKey), diagnostic);
        }
    }

    private static bool IsWindow(string parameter) => parameter is "kernelSize" or "kernelHeight" or "kernelWidth" or "poolSize" or "poolHeight" or "poolWidth";

    /// <summary><c>Padding = Padding.Same</c> in place of an existing Padding (or the first Pad/Pads), other Pad/Pads removed.</summary>
    private static AttributeSyntax UsePaddingSame(AttributeSyntax attribute)
    {
        var editor = ArgumentListEditor.For(attribute.ArgumentList)!;
        // Fully qualified for the binding, reduced to Padding.Same (or ConvGen.Padding.Same) by the simplifier.
        ExpressionSyntax same = SyntaxFactory.ParseExpression("global::ConvGen.Padding.Same").WithAdditionalAnnotations(Simplifier.Annotation);
        var pads = Enumerable.Range(0, editor.Count)
            .Where(i => editor[i].NameEquals?.Name.Identifier.ValueText is "Pad" or "Pads")
            .ToList();
        int padding = editor.IndexOfProperty("Padding");
        if (padding >= 0)
        {
            editor.SetValue(padding, same);
        }
        else if (pads.Count > 0)
        {
            editor.Replace(pads[0], ArgumentListEditor.Property("Padding", same));
            pads.RemoveAt(0);
        }
        else
        {
            // Beside the window it pads, before the long Weights/Bias arrays.
            editor.InsertAfter(editor.LastConstructorArgument, ArgumentListEditor.Property("Padding", same));
        }
        for (int i = pads.Count - 1; i >= 0; i--)
            editor.RemoveAt(pads[i]);
        return editor.ApplyTo(attribute);
    }

    /// <summary>
    /// The window argument(s) set to <paramref name="fit"/>: one value stays one value when the fit is
    /// square (or 1-D); one value becomes height and width when it is not; height and width stay two.
    /// </summary>
    private static AttributeSyntax UseWindow(AttributeSyntax attribute, List<KeyValuePair<int, IParameterSymbol>> window, int[] fit)
    {
        var editor = ArgumentListEditor.For(attribute.ArgumentList)!;
        if (window.Count == 1)
        {
            int index = window[0].Key;
            if (fit.All(v => v == fit[0]))
            {
                editor.SetValue(index, ArgumentListEditor.Literal(fit[0]));
            }
            else
            {
                // Conv2D(f, k) -> Conv2D(f, kh, kw); a named kernelSize: becomes kernelHeight:, kernelWidth:.
                string? prefix = editor[index].NameColon is null ? null : window[0].Value.Name.Replace("Size", "");
                AttributeArgumentSyntax height = ArgumentListEditor.Constructor(prefix is null ? null : prefix + "Height", ArgumentListEditor.Literal(fit[0]));
                editor.Replace(index, height);
                editor.InsertAfter(index, ArgumentListEditor.Constructor(prefix is null ? null : prefix + "Width", ArgumentListEditor.Literal(fit[1])));
            }
        }
        else
        {
            foreach (var argument in window)
                editor.SetValue(argument.Key, ArgumentListEditor.Literal(argument.Value.Name.EndsWith("Width", StringComparison.Ordinal) ? fit[1] : fit[0]));
        }
        return editor.ApplyTo(attribute);
    }
}
