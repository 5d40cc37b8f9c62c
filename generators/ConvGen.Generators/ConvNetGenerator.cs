using System;
using System.Linq;
using System.Threading;
using ConvGen.Generators.Emit;
using ConvGen.Generators.Parsing;
using ConvGen.Generators.Planning;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace ConvGen.Generators;

/// <summary>The names of the pipeline's steps, so tests can prove each one caches.</summary>
internal static class TrackingNames
{
    public const string Parse = nameof(Parse);
    public const string Build = nameof(Build);
}

/// <summary>One generated file, or the reason it could not be made.</summary>
internal sealed record GeneratedSource(string HintName, string? Text, string? InternalError);

/// <summary>
/// Generates inference code for every class marked [ConvNet]. A declaration with errors yields no code;
/// the analyzer reports why, from the same parser and shape inference.
/// </summary>
[Generator(LanguageNames.CSharp)]
public sealed class ConvNetGenerator : IIncrementalGenerator
{
    public void Initialize(IncrementalGeneratorInitializationContext context)
    {
        var networks = context.SyntaxProvider
            .ForAttributeWithMetadataName(
                NetworkParser.ConvNetAttributeName,
                static (node, _) => node is ClassDeclarationSyntax,
                static (ctx, ct) => NetworkParser.Parse((INamedTypeSymbol)ctx.TargetSymbol, ct))
            .WithTrackingName(TrackingNames.Parse);

        var sources = networks
            .Select(static (parsed, ct) => Build(parsed, ct))
            .WithTrackingName(TrackingNames.Build);

        context.RegisterSourceOutput(sources, static (spc, source) =>
        {
            if (source is null)
                return;
            if (source.Text is not null)
                spc.AddSource(source.HintName, source.Text);
            else
                spc.ReportDiagnostic(Diagnostic.Create(Diagnostics.Descriptors.InternalError, Location.None, source.HintName, source.InternalError));
        });
    }

    internal static GeneratedSource? Build(ParseResult parsed, CancellationToken cancellationToken)
    {
        if (parsed.Spec is null || parsed.Problems.Any(p => p.IsError))
            return null;
        string hintName = HintName(parsed.Spec);
        try
        {
            ExecutionPlan? plan = NetworkAnalysis.Analyze(parsed).Plan;
            cancellationToken.ThrowIfCancellationRequested();
            return plan is null ? null : new GeneratedSource(hintName, NetworkEmitter.Emit(plan), null);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // A bug of ours must not become CS8785 and take the user's build down without a word.
            return new GeneratedSource(hintName, null, e.GetType().Name + ": " + e.Message);
        }
    }

    private static string HintName(Model.NetworkSpec spec) => spec.FullName.Replace('<', '_').Replace('>', '_') + ".g.cs";
}
