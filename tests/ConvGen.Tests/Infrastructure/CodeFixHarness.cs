using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using ConvGen.Generators.Analyzers;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Text;

namespace ConvGen.Tests.Infrastructure;

/// <summary>A document in a workspace and the ConvGen diagnostics the analyzer reports on it.</summary>
public sealed record AnalyzedDocument(Document Document, ImmutableArray<Diagnostic> Diagnostics)
{
    /// <summary>The one diagnostic with <paramref name="id"/>.</summary>
    public Diagnostic Single(string id) => Diagnostics.Single(d => d.Id == id);
}

/// <summary>
/// Runs ConvGen's code fixes as an IDE does, offline: the source becomes a document in an
/// <see cref="AdhocWorkspace"/> compiled against the offline reference assemblies, <see cref="ConvNetAnalyzer"/>
/// reports on it, a provider registers its fixes for one diagnostic, and the chosen fix's operations
/// (including the simplifier and formatter passes a code action runs) are applied.
/// </summary>
public static class CodeFixHarness
{
    public static async Task<AnalyzedDocument> Analyze(string source)
    {
        var workspace = new AdhocWorkspace();
        Project project = workspace.CurrentSolution
            .AddProject("Nets", "Nets", LanguageNames.CSharp)
            .WithParseOptions(GeneratorHarness.ParseOptions)
            .WithCompilationOptions(new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable))
            .WithMetadataReferences(GeneratorHarness.Net100);
        Document document = project.AddDocument("Nets.cs", SourceText.From(source));

        Compilation compilation = (await document.Project.GetCompilationAsync())!;
        var options = new CompilationWithAnalyzersOptions(new AnalyzerOptions(ImmutableArray<AdditionalText>.Empty), null,
            concurrentAnalysis: false, logAnalyzerExecutionTime: false, reportSuppressedDiagnostics: false);
        var all = await compilation.WithAnalyzers(ImmutableArray.Create<DiagnosticAnalyzer>(new ConvNetAnalyzer()), options).GetAllDiagnosticsAsync();
        if (all.FirstOrDefault(d => d.Id == "AD0001") is { } crash)
            throw new InvalidOperationException("The analyzer threw: " + crash.GetMessage());
        var invalid = all.Where(d => d.Id.StartsWith("CS", StringComparison.Ordinal) && d.Severity == DiagnosticSeverity.Error).ToList();
        if (invalid.Count > 0)
            throw new InvalidOperationException("The test source does not compile:\n" + string.Join("\n", invalid));
        return new AnalyzedDocument(document, all.Where(d => d.Id.StartsWith("CG", StringComparison.Ordinal))
            .OrderBy(d => d.Location.SourceSpan.Start).ToImmutableArray());
    }

    /// <summary>Every fix <paramref name="provider"/> offers for <paramref name="diagnostic"/>.</summary>
    public static async Task<ImmutableArray<CodeAction>> Fixes(CodeFixProvider provider, Document document, Diagnostic diagnostic)
    {
        var actions = ImmutableArray.CreateBuilder<CodeAction>();
        var context = new CodeFixContext(document, diagnostic, (action, _) => actions.Add(action), CancellationToken.None);
        await provider.RegisterCodeFixesAsync(context);
        return actions.ToImmutable();
    }

    /// <summary>The document's full text after applying <paramref name="action"/>.</summary>
    public static async Task<string> Apply(CodeAction action, Document document)
    {
        var operations = await action.GetOperationsAsync(CancellationToken.None);
        Solution changed = operations.OfType<ApplyChangesOperation>().Single().ChangedSolution;
        return (await changed.GetDocument(document.Id)!.GetTextAsync()).ToString();
    }

    /// <summary>
    /// Analyzes <paramref name="source"/>, takes its one <paramref name="diagnosticId"/>, and applies the
    /// fix with <paramref name="equivalenceKey"/> (which must be offered exactly once); returns the fix's title and the new source.
    /// </summary>
    public static async Task<(string Title, string Source)> Fix(string source, CodeFixProvider provider, string diagnosticId, string equivalenceKey)
    {
        AnalyzedDocument analyzed = await Analyze(source);
        var actions = await Fixes(provider, analyzed.Document, analyzed.Single(diagnosticId));
        CodeAction action = actions.Single(a => a.EquivalenceKey == equivalenceKey);
        return (action.Title, await Apply(action, analyzed.Document));
    }

    /// <summary>Applies the provider's Fix All (in document) for <paramref name="equivalenceKey"/> to every <paramref name="diagnosticId"/>.</summary>
    public static async Task<string> FixAll(string source, CodeFixProvider provider, string diagnosticId, string equivalenceKey)
    {
        AnalyzedDocument analyzed = await Analyze(source);
        var diagnostics = analyzed.Diagnostics.Where(d => d.Id == diagnosticId).ToImmutableArray();
        var context = new FixAllContext(analyzed.Document, provider, FixAllScope.Document, equivalenceKey,
            new[] { diagnosticId }, new FixedDiagnostics(diagnostics), CancellationToken.None);
        CodeAction action = (await provider.GetFixAllProvider()!.GetFixAsync(context))!;
        return await Apply(action, analyzed.Document);
    }

    private sealed class FixedDiagnostics(ImmutableArray<Diagnostic> diagnostics) : FixAllContext.DiagnosticProvider
    {
        public override Task<IEnumerable<Diagnostic>> GetDocumentDiagnosticsAsync(Document document, CancellationToken cancellationToken)
            => Task.FromResult<IEnumerable<Diagnostic>>(diagnostics);

        public override Task<IEnumerable<Diagnostic>> GetProjectDiagnosticsAsync(Project project, CancellationToken cancellationToken)
            => Task.FromResult<IEnumerable<Diagnostic>>(ImmutableArray<Diagnostic>.Empty);

        public override Task<IEnumerable<Diagnostic>> GetAllDiagnosticsAsync(Project project, CancellationToken cancellationToken)
            => Task.FromResult<IEnumerable<Diagnostic>>(diagnostics);
    }
}
