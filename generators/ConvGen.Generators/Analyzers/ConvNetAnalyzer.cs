using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using ConvGen.Generators.Diagnostics;
using ConvGen.Generators.Helpers;
using ConvGen.Generators.Parsing;
using ConvGen.Generators.Planning;
using ConvGen.Generators.Weights;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;

namespace ConvGen.Generators.Analyzers;

/// <summary>
/// Reports what is wrong with a [ConvNet] declaration, from the generator's own parser and shape
/// inference, at the attribute argument that causes it. The generator skips what this reports.
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class ConvNetAnalyzer : DiagnosticAnalyzer
{
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } = Descriptors.All.ToImmutableArray();

    public override void Initialize(AnalysisContext context)
    {
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        context.EnableConcurrentExecution();
        context.RegisterCompilationStartAction(start =>
        {
            var files = WeightsFiles.Lazily(start.Options, start.CancellationToken);
            start.RegisterSymbolAction(c => AnalyzeType(c, files), SymbolKind.NamedType);
        });
    }

    private static void AnalyzeType(SymbolAnalysisContext context, Lazy<(IReadOnlyList<WeightsFile> Files, WeightsParts Parts)> weights)
    {
        var type = (INamedTypeSymbol)context.Symbol;
        EquatableArray<NetProblem> problems;
        try
        {
            ParseResult parsed = NetworkParser.Parse(type, context.CancellationToken);
            if (parsed.Spec is null)
                return;
            problems = parsed.Spec.WeightsFile is null
                ? NetworkAnalysis.Analyze(parsed, Array.Empty<WeightsFile>(), WeightsParts.None).Problems
                : NetworkAnalysis.Analyze(parsed, weights.Value.Files, weights.Value.Parts).Problems;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // Our bug, reported on the network rather than as AD0001 on no one knows what.
            problems = new[] { ConvNetGenerator.InternalError(type.ToDisplayString(), e) }.ToEquatableArray();
        }

        var locator = new ProblemLocator(type, context.CancellationToken);
        foreach (NetProblem problem in problems)
        {
            context.ReportDiagnostic(Diagnostic.Create(
                Descriptors.ById(problem.Id),
                locator.Locate(problem),
                problem.Fixes.ToImmutableDictionary(f => f.Key, f => (string?)f.Value),
                problem.MessageArgs.ToArray<object>()));
        }
    }
}
