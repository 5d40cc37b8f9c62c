using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using System.Threading.Tasks;
using ConvGen.Generators.Analyzers;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;

namespace ConvGen.Tests.Infrastructure;

/// <summary>Runs ConvGen's analyzer over source compiled against offline reference assemblies.</summary>
public static class AnalyzerHarness
{
    /// <summary>
    /// The ConvGen diagnostics (CG*) for <paramref name="source"/>, in source order, from both analyzers
    /// run over the compilation the generator produced, as in a real build.
    /// </summary>
    public static async Task<ImmutableArray<Diagnostic>> Diagnostics(string source, IEnumerable<AdditionalText>? additionalFiles = null)
    {
        var files = InMemoryAdditionalText.WithParts(additionalFiles ?? Array.Empty<AdditionalText>()).ToImmutableArray();
        var compilation = GeneratorHarness.Run(source, additionalFiles: files).Output;
        var analyzers = ImmutableArray.Create<DiagnosticAnalyzer>(new ConvNetAnalyzer(), new RunCallAnalyzer());
        var options = new CompilationWithAnalyzersOptions(new AnalyzerOptions(files), null,
            concurrentAnalysis: false, logAnalyzerExecutionTime: false, reportSuppressedDiagnostics: false);
        var all = await compilation.WithAnalyzers(analyzers, options).GetAllDiagnosticsAsync();
        var crash = all.FirstOrDefault(d => d.Id == "AD0001");
        if (crash is not null)
            throw new System.InvalidOperationException("The analyzer threw: " + crash.GetMessage());
        // A test's C# must be valid, or it would test the compiler's error recovery instead of ConvGen.
        var invalid = all.Where(d => d.Id.StartsWith("CS", System.StringComparison.Ordinal) && d.Severity == DiagnosticSeverity.Error).ToList();
        if (invalid.Count > 0)
            throw new System.InvalidOperationException("The test source does not compile:\n" + string.Join("\n", invalid));
        return all.Where(d => d.Id.StartsWith("CG", System.StringComparison.Ordinal))
            .OrderBy(d => d.Location.SourceSpan.Start)
            .ToImmutableArray();
    }

    /// <summary>The source text a diagnostic points at.</summary>
    public static string Text(this Diagnostic diagnostic) => diagnostic.Location.SourceTree!.GetText().ToString(diagnostic.Location.SourceSpan);
}
