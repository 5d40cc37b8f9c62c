using System;
using System.Collections.Immutable;
using System.Linq;
using System.Threading;
using ConvGen.Generators.Emit;
using ConvGen.Generators.Helpers;
using ConvGen.Generators.Parsing;
using ConvGen.Generators.Planning;
using ConvGen.Generators.Weights;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace ConvGen.Generators;

/// <summary>The names of the pipeline's steps, so tests can prove each one caches.</summary>
internal static class TrackingNames
{
    public const string Parse = nameof(Parse);
    public const string Weights = nameof(Weights);
    public const string WeightsParts = nameof(WeightsParts);
    public const string Build = nameof(Build);
    public const string AllowsUnsafe = nameof(AllowsUnsafe);
}

/// <summary>One generated file, or the reason it could not be made (then <paramref name="HintName"/> is the class's name).</summary>
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
                static (ctx, ct) => ParseSafely((INamedTypeSymbol)ctx.TargetSymbol, ct))
            .WithTrackingName(TrackingNames.Parse);

        var weightsFiles = context.AdditionalTextsProvider
            .Where(static file => WeightsFiles.IsWeightsFile(file.Path))
            .Select(static (file, ct) => WeightsFiles.Read(file, ct))
            .WithTrackingName(TrackingNames.Weights)
            .Collect();

        // The data parts, compared by name (a hash of their bytes): none is read here, only the parts of
        // the tensors a network binds, when it is built.
        var weightsParts = context.AdditionalTextsProvider
            .Where(static file => WeightsParts.IsPart(file.Path))
            .Select(static (file, _) => new DataPart(file))
            .WithTrackingName(TrackingNames.WeightsParts)
            .Collect();

        // Whether the project allows unsafe code, which [SkipLocalsInit] needs: a bool, so that other edits leave Build cached.
        var allowsUnsafe = context.CompilationProvider
            .Select(static (compilation, _) => compilation.Options is CSharpCompilationOptions { AllowUnsafe: true })
            .WithTrackingName(TrackingNames.AllowsUnsafe);

        var sources = networks
            .Combine(weightsFiles)
            .Combine(weightsParts)
            .Combine(allowsUnsafe)
            .Select(static (pair, ct) => Build(pair.Left.Left.Left, pair.Left.Left.Right, new WeightsParts(pair.Left.Right), pair.Right, ct))
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

    /// <summary>
    /// A bug of ours must not become CS8785 and take the user's build down without a word: an exception
    /// becomes an internal-error problem (CG9999) that names the network.
    /// </summary>
    internal static ParseResult ParseSafely(INamedTypeSymbol type, CancellationToken cancellationToken)
    {
        try
        {
            return NetworkParser.Parse(type, cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            return new ParseResult(null, new[] { InternalError(type.ToDisplayString(), e) }.ToEquatableArray());
        }
    }

    internal static GeneratedSource? Build(ParseResult parsed, ImmutableArray<WeightsFile> files, WeightsParts parts, bool allowsUnsafe, CancellationToken cancellationToken)
    {
        if (parsed.Problems.FirstOrDefault(p => p.Id == Diagnostics.Descriptors.InternalError.Id) is { } crash)
            return new GeneratedSource(crash.MessageArgs[0], null, crash.MessageArgs[1]);
        if (parsed.Spec is null || parsed.Problems.Any(p => p.IsError))
            return null;
        try
        {
            ExecutionPlan? plan = NetworkAnalysis.Analyze(parsed, WeightsFiles.Usable(files), parts).Plan;
            cancellationToken.ThrowIfCancellationRequested();
            return plan is null ? null : new GeneratedSource(HintName(parsed.Spec), NetworkEmitter.Emit(plan, allowsUnsafe), null);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            return new GeneratedSource(parsed.Spec.FullName, null, InternalError(parsed.Spec.FullName, e).MessageArgs[1]);
        }
    }

    internal static Diagnostics.NetProblem InternalError(string network, Exception e)
        => Diagnostics.NetProblem.Create(Diagnostics.Descriptors.InternalError, Diagnostics.NetProblem.Class, null, network,
            $"{e.GetType().Name}: {e.Message.TrimEnd('.')}.");

    /// <summary>The file's name: the class's full name without the '@' of keywords (hint names may not hold it; no other name has the keyword bare).</summary>
    private static string HintName(Model.NetworkSpec spec) => spec.FullName.Replace("@", "").Replace('<', '_').Replace('>', '_') + ".g.cs";
}
