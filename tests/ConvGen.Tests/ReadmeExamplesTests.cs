using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.IO;
using System.Linq;
using System.Text.RegularExpressions;
using ConvGen.Generators.Analyzers;
using ConvGen.Tests.Infrastructure;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;
using Xunit;

namespace ConvGen.Tests;

/// <summary>
/// The README's C# examples compile as pasted (issue 18: its full example failed with CS8803 in a new
/// Program.cs): each ```csharp block is compiled alone, with the generator, against .NET 10 and the sample
/// weights files, and must give no error or warning, the compiler's or ConvGen's. A block that is a sketch
/// says so in a comment just above it: <c>&lt;!-- not compiled: why --&gt;</c>.
/// </summary>
public partial class ReadmeExamplesTests
{
    private static readonly string Root = Path.GetFullPath(Path.Combine(Path.GetDirectoryName(GoldenFiles.Directory)!, "..", ".."));

    [GeneratedRegex(@"(?:<!-- not compiled: (?<why>[^\n]*?) -->\n)?```csharp\n(?<code>.*?)```", RegexOptions.Singleline)]
    private static partial Regex CSharpBlock();

    public static TheoryData<int> Blocks()
    {
        var data = new TheoryData<int>();
        int count = CSharpBlock().Matches(File.ReadAllText(Path.Combine(Root, "README.md"))).Count;
        for (int i = 0; i < count; i++)
            data.Add(i);
        return data;
    }

    [Theory]
    [MemberData(nameof(Blocks))]
    public async System.Threading.Tasks.Task The_example_compiles_as_pasted(int index)
    {
        Match block = CSharpBlock().Matches(File.ReadAllText(Path.Combine(Root, "README.md")).Replace("\r\n", "\n"))[index];
        if (block.Groups["why"].Success)
        {
            Assert.False(string.IsNullOrWhiteSpace(block.Groups["why"].Value), "a sketch says why it is not compiled");
            return;
        }
        string code = block.Groups["code"].Value;
        SyntaxTree tree = CSharpSyntaxTree.ParseText(code, GeneratorHarness.ParseOptions, path: "Example.cs");
        bool program = tree.GetCompilationUnitRoot().Members.OfType<Microsoft.CodeAnalysis.CSharp.Syntax.GlobalStatementSyntax>().Any();
        var compilation = CSharpCompilation.Create("Example", new[] { tree }, GeneratorHarness.Net100,
            new CSharpCompilationOptions(program ? OutputKind.ConsoleApplication : OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable))
            // What a new console project has: implicit usings (Console, Span, …).
            .AddSyntaxTrees(CSharpSyntaxTree.ParseText("global using System;", GeneratorHarness.ParseOptions, path: "Usings.cs"));

        var files = InMemoryAdditionalText.WithParts(WeightsFiles()).ToImmutableArray();
        GeneratorRun run = GeneratorHarness.Run(compilation, additionalFiles: files);
        var analyzers = ImmutableArray.Create<DiagnosticAnalyzer>(new ConvNetAnalyzer(), new RunCallAnalyzer());
        var found = await run.Output.WithAnalyzers(analyzers, new AnalyzerOptions(files)).GetAnalyzerDiagnosticsAsync();
        var diagnostics = run.CompilationDiagnostics().Concat(found.Where(d => d.Severity >= DiagnosticSeverity.Warning)).ToList();
        Assert.True(diagnostics.Count == 0, $"README block {index} does not compile as pasted:\n{string.Join("\n", diagnostics)}\n\n{code}");
    }

    /// <summary>The sample weights files the README's examples name.</summary>
    private static IEnumerable<AdditionalText> WeightsFiles()
        => Directory.GetFiles(Path.Combine(Root, "samples"), "*.safetensors", SearchOption.AllDirectories)
            .Select(f => InMemoryAdditionalText.Weights(f, File.ReadAllBytes(f)));
}
