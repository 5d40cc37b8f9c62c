using System;
using System.Collections.Generic;
using System.Linq;
using ConvGen.Generators.Emit;
using ConvGen.Generators.Helpers;
using ConvGen.Generators.Model;
using ConvGen.Generators.Parsing;
using ConvGen.Generators.Planning;
using ConvGen.Generators.Shapes;
using ConvGen.Tests.Infrastructure;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Xunit;

namespace ConvGen.Tests.Hardening;

/// <summary>
/// Layer names are text the user (and soon a model file) chooses, and they reach generated source: the Summary
/// literal, the class's doc comment, the weights' doc comments, method names. Issue 17's probe declared a type
/// with <c>Name = "x\rpartial class Injected { } //"</c>: C# ends a line at CR, LF, U+0085, U+2028 and U+2029.
/// Such names are refused (CG0022), and the emitter escapes them anyway.
/// </summary>
public class NameInjectionTests
{
    /// <summary>Every character C# ends a line at, the other controls, a bidirectional override, a lone surrogate.</summary>
    public static readonly char[] Unsafe =
        Enumerable.Range(0, 0x20).Select(c => (char)c).Concat(new[] { '\u007F', '\u0085', '\u2028', '\u2029', '\u202E', '\u2066', '\uFEFF', '\uD800', '\uDC00', '\uE000' }).ToArray();

    private static string Injection(char c) => "x" + c + "partial class Injected { } //";

    private static string Declaration(string name) => $$"""
        using ConvGen;
        [ConvNet(1, 4, 4)]
        [Conv2D(2, 3, Name = {{SymbolDisplay.FormatLiteral(name, quote: true)}}, Weights = new float[] { 1, 0, 0, 0, 1, 0, 0, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0 }, Bias = new float[] { 0, 1 })]
        [MaxPool2D(2, Name = "pool")]
        public static partial class Net;
        """;

    [Fact]
    public async System.Threading.Tasks.Task A_name_with_any_line_end_control_or_format_character_is_an_error_and_generates_nothing()
    {
        foreach (char c in Unsafe)
        {
            string name = Injection(c);
            GeneratorRun run = GeneratorHarness.Run(Declaration(name));
            Assert.Empty(run.Sources);
            Assert.Null(run.Output.GetTypeByMetadataName("Injected"));
            var diagnostics = await AnalyzerHarness.Diagnostics(Declaration(name));
            Assert.Contains(diagnostics, d => d.Id == "CG0022" && d.GetMessage().Contains($"holds U+{(int)c:X4} at index 1", StringComparison.Ordinal));
            // The message shows the character escaped, so it cannot break a build log's lines either.
            Assert.All(diagnostics, d => Assert.Equal(-1, SafeText.FirstUnsafe(d.GetMessage())));
        }
    }

    [Fact]
    public void Names_of_any_script_and_ONNX_punctuation_are_plain_text_and_build()
    {
        foreach (string name in new[] { "features.0", "/conv1/Conv", "onnx::Conv_12", "слой 1", "層", "conv😀", "a\"b\\c", "</summary><x>" })
        {
            GeneratorRun run = GeneratorHarness.Run(Declaration(name));
            Assert.Empty(run.CompilationDiagnostics());
            Assert.True(run.Sources.Length == 1, name);
            Assert.Contains(name + " (Conv2D)", Summary(run));
        }
    }

    /// <summary>
    /// The escaping alone, with the parser's check bypassed (a name that reached the emitter some other way):
    /// the generated code compiles, declares no type of the name's making, and Summary still reads the name.
    /// </summary>
    [Fact]
    public void The_emitter_escapes_every_unsafe_character_even_when_validation_is_bypassed()
    {
        CSharpCompilation compilation = GeneratorHarness.CreateCompilation(Declaration("placeholder"));
        ParseResult parsed = NetworkParser.Parse(compilation.GetTypeByMetadataName("Net")!, default);
        var sources = new List<string>();
        foreach (char c in Unsafe)
        {
            string Rename(string name) => name == "placeholder" ? Injection(c) : name;
            NetworkSpec spec = parsed.Spec! with
            {
                Layers = parsed.Spec.Layers.Select(l => l with { Name = Rename(l.Name!), Inputs = l.Inputs.Select(Rename).ToEquatableArray() }).ToEquatableArray(),
            };
            ExecutionPlan plan = ExecutionPlan.Create(ShapeInference.Infer(spec).Plan!);
            string source = NetworkEmitter.Emit(plan).Replace("partial class Net", $"partial class Net{(int)c}");
            sources.Add(source);
        }
        var declarations = string.Join("\n", Unsafe.Select(c => $"public static partial class Net{(int)c} {{ }}"));
        var output = compilation.AddSyntaxTrees(sources.Append(declarations).Select(s => CSharpSyntaxTree.ParseText(s, GeneratorHarness.ParseOptions)));
        Assert.Empty(output.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error));
        Assert.Null(output.GetTypeByMetadataName("Injected"));
        Assert.All(output.SyntaxTrees.Skip(1), tree => Assert.DoesNotContain(tree.GetRoot().DescendantNodes(), n => n is Microsoft.CodeAnalysis.CSharp.Syntax.ClassDeclarationSyntax { Identifier.Text: "Injected" }));

        var assembly = GeneratorHarness.Load(new GeneratorRun(output, System.Collections.Immutable.ImmutableArray<Diagnostic>.Empty, default, null!));
        foreach (char c in Unsafe)
        {
            string summary = (string)assembly.GetType($"Net{(int)c}")!.GetProperty("Summary")!.GetValue(null)!;
            Assert.Contains(Injection(c) + " (Conv2D)", summary);
        }
    }

    private static string Summary(GeneratorRun run)
    {
        var assembly = GeneratorHarness.Load(run);
        return (string)assembly.GetType("Net")!.GetProperty("Summary")!.GetValue(null)!;
    }
}
