using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Runtime.Loader;
using ConvGen.Generators;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace ConvGen.Tests.Infrastructure;

/// <summary>What running the real generator over some source gave.</summary>
public sealed record GeneratorRun(
    CSharpCompilation Output,
    ImmutableArray<Diagnostic> GeneratorDiagnostics,
    ImmutableArray<GeneratedSourceResult> Sources,
    GeneratorDriver Driver)
{
    /// <summary>Errors and warnings of the compilation after generation (the user's build).</summary>
    public ImmutableArray<Diagnostic> CompilationDiagnostics(bool includeWarnings = true) => Output.GetDiagnostics()
        .Where(d => d.Severity == DiagnosticSeverity.Error || (includeWarnings && d.Severity == DiagnosticSeverity.Warning))
        .ToImmutableArray();
}

/// <summary>
/// Drives <see cref="ConvNetGenerator"/> in memory over a compilation made from offline reference
/// assemblies, and loads the result to run it.
/// </summary>
public static class GeneratorHarness
{
    /// <summary>
    /// The symbols the SDK defines for net10.0, so that generated code takes the paths a user's build takes
    /// (its <c>#if NET9_0_OR_GREATER</c> fused multiply-adds and vector pooling).
    /// </summary>
    public static readonly CSharpParseOptions ParseOptions = new(LanguageVersion.CSharp12, preprocessorSymbols: FrameworkSymbols(10));

    /// <summary>The same for net8.0 (<see cref="Net80"/>).</summary>
    public static readonly CSharpParseOptions ParseOptionsNet80 = new(LanguageVersion.CSharp12, preprocessorSymbols: FrameworkSymbols(8));

    private static string[] FrameworkSymbols(int version)
        => new[] { "NET", $"NET{version}_0" }.Concat(Enumerable.Range(5, version - 4).Select(v => $"NET{v}_0_OR_GREATER")).ToArray();

    private static CSharpParseOptions ParseOptionsFor(ImmutableArray<MetadataReference>? references)
        => references == Net80 ? ParseOptionsNet80 : ParseOptions;

    private static readonly MetadataReference ConvGenReference = MetadataReference.CreateFromFile(typeof(ConvNetAttribute).Assembly.Location);

    public static ImmutableArray<MetadataReference> Net100 { get; } =
        Basic.Reference.Assemblies.Net100.References.All.Cast<MetadataReference>().Append(ConvGenReference).ToImmutableArray();

    public static ImmutableArray<MetadataReference> Net80 { get; } =
        Basic.Reference.Assemblies.Net80.References.All.Cast<MetadataReference>().Append(ConvGenReference).ToImmutableArray();

    public static CSharpCompilation CreateCompilation(string source, ImmutableArray<MetadataReference>? references = null, OptimizationLevel optimization = OptimizationLevel.Release,
        bool allowUnsafe = false)
        => CreateCompilation(new[] { source }, references, optimization, allowUnsafe);

    /// <summary>A compilation of several files (Nets.cs, Nets1.cs, …), as a project with file-scoped namespaces has.</summary>
    public static CSharpCompilation CreateCompilation(IEnumerable<string> sources, ImmutableArray<MetadataReference>? references = null, OptimizationLevel optimization = OptimizationLevel.Release,
        bool allowUnsafe = false)
        => CSharpCompilation.Create(
            "Generated_" + Guid.NewGuid().ToString("N"),
            sources.Select((source, i) => CSharpSyntaxTree.ParseText(source, ParseOptionsFor(references), path: i == 0 ? "Nets.cs" : $"Nets{i}.cs")),
            references ?? Net100,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, optimizationLevel: optimization, nullableContextOptions: NullableContextOptions.Enable, allowUnsafe: allowUnsafe));

    public static GeneratorDriver CreateDriver(IEnumerable<AdditionalText>? additionalFiles = null, CSharpParseOptions? parseOptions = null) => CSharpGeneratorDriver.Create(
        new[] { new ConvNetGenerator().AsSourceGenerator() },
        additionalTexts: additionalFiles is null ? null : InMemoryAdditionalText.WithParts(additionalFiles),
        parseOptions: parseOptions ?? ParseOptions,
        driverOptions: new GeneratorDriverOptions(IncrementalGeneratorOutputKind.None, trackIncrementalGeneratorSteps: true));

    public static GeneratorRun Run(string source, ImmutableArray<MetadataReference>? references = null, OptimizationLevel optimization = OptimizationLevel.Release,
        IEnumerable<AdditionalText>? additionalFiles = null, bool allowUnsafe = false)
        => Run(CreateCompilation(source, references, optimization, allowUnsafe), references, additionalFiles);

    /// <summary>The generator over a compilation made here; <paramref name="references"/>, the ones it was made with, choose the parse options.</summary>
    public static GeneratorRun Run(CSharpCompilation input, ImmutableArray<MetadataReference>? references = null, IEnumerable<AdditionalText>? additionalFiles = null)
    {
        GeneratorDriver driver = CreateDriver(additionalFiles, ParseOptionsFor(references)).RunGeneratorsAndUpdateCompilation(input, out Compilation output, out var diagnostics);
        GeneratorRunResult result = driver.GetRunResult().Results.Single();
        if (result.Exception is not null)
            throw new InvalidOperationException("The generator threw.", result.Exception);
        return new GeneratorRun((CSharpCompilation)output, diagnostics, result.GeneratedSources, driver);
    }

    /// <summary>Compiles the generated code, failing with the compiler's messages if it has any error or warning.</summary>
    public static Assembly Load(GeneratorRun run)
    {
        var problems = run.CompilationDiagnostics();
        if (problems.Length > 0 || run.GeneratorDiagnostics.Length > 0)
            throw new InvalidOperationException("The generated code does not compile cleanly:\n"
                + string.Join("\n", run.GeneratorDiagnostics.Concat(problems).Take(20)));
        using var stream = new MemoryStream();
        var emit = run.Output.Emit(stream);
        if (!emit.Success)
            throw new InvalidOperationException(string.Join("\n", emit.Diagnostics));
        stream.Position = 0;
        // Collectible, so hundreds of generated test assemblies do not pile up in the test process.
        var context = new AssemblyLoadContext(run.Output.AssemblyName, isCollectible: true);
        return context.LoadFromStream(stream);
    }

    /// <summary>
    /// Source for a network class plus a reflection-friendly entry point: spans cannot cross
    /// MethodInfo.Invoke, so <c>Invoke(float[])</c> calls the generated Run for the tests.
    /// </summary>
    public static string WithInvoker(string className, string declaration) => declaration + $$"""

        public static class {{className}}_Invoker
        {
            public static float[] Invoke(float[] input)
            {
                var output = new float[{{className}}.OutputLength];
                {{className}}.Run(input, output);
                return output;
            }
        }
        """;

    public static Func<float[], float[]> Invoker(Assembly assembly, string className)
    {
        MethodInfo method = assembly.GetType(className + "_Invoker")!.GetMethod("Invoke")!;
        return input =>
        {
            try { return (float[])method.Invoke(null, new object[] { input })!; }
            catch (TargetInvocationException e) when (e.InnerException is not null) { throw e.InnerException; }
        };
    }

    public static int Constant(Assembly assembly, string className, string name)
        => (int)assembly.GetType(className)!.GetField(name)!.GetRawConstantValue()!;
}
