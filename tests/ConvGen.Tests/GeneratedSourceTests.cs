using System;
using System.IO;
using System.Linq;
using System.Reflection;
using ConvGen.Tests.Infrastructure;
using ConvGen.Tests.Reference;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Xunit;

namespace ConvGen.Tests;

/// <summary>The generated source itself: golden files, .NET 8 compatibility, and what it computes.</summary>
public class GeneratedSourceTests
{
    public static TheoryData<string> Showcases => new(ShowcaseNetworks.All.Keys);

    [Theory]
    [MemberData(nameof(Showcases))]
    public void Generated_source_matches_its_golden_file(string name)
    {
        GeneratorRun run = GeneratorHarness.Run(ShowcaseNetworks.Usings + ShowcaseNetworks.All[name]);

        GeneratedSourceResult generated = Assert.Single(run.Sources);
        Assert.Equal($"Showcase.{name}.g.cs", generated.HintName);
        string? failure = GoldenFiles.Compare(generated.HintName, generated.SourceText.ToString());
        Assert.True(failure is null, failure);
    }

    [Fact]
    public void Every_golden_file_belongs_to_a_showcase()
    {
        var expected = ShowcaseNetworks.All.Keys.Select(k => $"Showcase.{k}.g.cs").ToHashSet();
        foreach (string file in Directory.GetFiles(GoldenFiles.Directory, "*.g.cs"))
        {
            string name = Path.GetFileName(file);
            if (expected.Contains(name))
                continue;
            if (GoldenFiles.Accepting)
                File.Delete(file);
            else
                Assert.Fail($"{name} is a stale golden file: no showcase network produces it. Delete it, or run with CONVGEN_ACCEPT=1.");
        }
    }

    [Fact]
    public void Generated_code_compiles_for_net8_without_warnings()
    {
        GeneratorRun run = GeneratorHarness.Run(ShowcaseNetworks.Source, GeneratorHarness.Net80);

        Assert.Empty(run.GeneratorDiagnostics);
        Assert.Equal(ShowcaseNetworks.All.Count, run.Sources.Length);
        Assert.Empty(run.CompilationDiagnostics());
    }

    [Fact]
    public void Generated_code_compiles_in_debug_without_warnings()
    {
        GeneratorRun run = GeneratorHarness.Run(ShowcaseNetworks.Source, optimization: OptimizationLevel.Debug);

        Assert.Empty(run.GeneratorDiagnostics);
        Assert.Empty(run.CompilationDiagnostics());
    }

    [Fact]
    public void Kernels_stackalloc_one_vector_at_most_and_Run_only_its_scratch_up_to_16_KiB()
    {
        // Kernel buffers live in scratch (Step.Work): on the stack they overflowed 64 KiB threads (issue 17).
        var (sources, weights) = RunnableNetwork.Declarations();
        GeneratorRun run = GeneratorHarness.Run(GeneratorHarness.CreateCompilation(sources.Append(ShowcaseNetworks.Source)), additionalFiles: weights);

        Assert.Empty(run.GeneratorDiagnostics);
        Assert.Equal(sources.Length + ShowcaseNetworks.All.Count, run.Sources.Length);
        foreach (GeneratedSourceResult source in run.Sources)
        {
            SyntaxNode root = source.SyntaxTree.GetRoot();
            int scratchLength = int.Parse(root.DescendantNodes().OfType<VariableDeclaratorSyntax>()
                .Single(v => v.Identifier.Text == "ScratchLength").Initializer!.Value.ToString(), System.Globalization.CultureInfo.InvariantCulture);
            foreach (SyntaxNode allocation in root.DescendantNodes().Where(n => n is StackAllocArrayCreationExpressionSyntax or ImplicitStackAllocArrayCreationExpressionSyntax))
            {
                MethodDeclarationSyntax method = allocation.Ancestors().OfType<MethodDeclarationSyntax>().First();
                bool oneVector = allocation.ToString() == "stackalloc float[global::System.Numerics.Vector<float>.Count]";
                bool runScratch = allocation.ToString() == "stackalloc float[ScratchLength]" && method.Identifier.Text == "Run"
                    && method.ParameterList.Parameters.Count == 2 && scratchLength * sizeof(float) <= 16 * 1024;
                Assert.True(oneVector || runScratch, $"{source.HintName}: {method.Identifier.Text} has {allocation}");
            }
        }
    }

    [Fact]
    public void Run_and_every_kernel_are_compiled_fully_optimized_from_the_first_call()
    {
        // Under tiered compilation, kernels without AggressiveOptimization ran unoptimized for their first hundreds of
        // calls (MobileNetV1-0.25: calls 2-100 at 22x the steady-state time). Checked on the compiled methods' flags:
        // the networks compiled into this assembly (reference networks, Digits, the padded plane) and the showcases.
        Assembly showcases = GeneratorHarness.Load(GeneratorHarness.Run(ShowcaseNetworks.Source));
        var networks = typeof(GeneratedSourceTests).Assembly.GetTypes().Concat(showcases.GetTypes())
            .Where(t => t.GetNestedType("ConvGenKernels", BindingFlags.NonPublic) is not null).ToList();
        Assert.True(networks.Count >= 9 + ShowcaseNetworks.All.Count, $"{networks.Count} networks found");

        static bool Optimized(MethodInfo m) => m.MethodImplementationFlags.HasFlag(MethodImplAttributes.AggressiveOptimization);
        foreach (Type network in networks)
        {
            var runs = network.GetMethods(BindingFlags.Public | BindingFlags.Static).Where(m => m.Name == "Run").ToList();
            Assert.Equal(2, runs.Count);
            Assert.All(runs, run => Assert.True(Optimized(run), $"{network.Name}.Run({run.GetParameters().Length} arguments) is not AggressiveOptimization"));

            // Every step's method (and the direct kernel behind a Winograd one): the methods returning void, but the throw helpers.
            var kernels = network.GetNestedType("ConvGenKernels", BindingFlags.NonPublic)!.GetMethods(BindingFlags.Public | BindingFlags.Static | BindingFlags.DeclaredOnly)
                .Where(m => m.ReturnType == typeof(void) && !m.Name.StartsWith("Throw", StringComparison.Ordinal)).ToList();
            Assert.NotEmpty(kernels);
            Assert.All(kernels, kernel => Assert.True(Optimized(kernel), $"{network.Name}.{kernel.Name} is not AggressiveOptimization"));
        }
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Stack_scratch_skips_zeroing_where_the_project_allows_unsafe_code(bool allowUnsafe)
    {
        // [SkipLocalsInit] without AllowUnsafeBlocks is CS0227: the generator asks the compilation.
        GeneratorRun run = GeneratorHarness.Run(ShowcaseNetworks.Source, allowUnsafe: allowUnsafe);

        Assert.Empty(run.CompilationDiagnostics());
        var runs = run.Sources.SelectMany(s => s.SyntaxTree.GetRoot().DescendantNodes().OfType<MethodDeclarationSyntax>())
            .Where(m => m.Identifier.Text == "Run" && m.ParameterList.Parameters.Count == 2).ToList();
        Assert.Equal(ShowcaseNetworks.All.Count, runs.Count);
        Assert.Contains(runs, m => m.Body!.ToString().Contains("stackalloc", StringComparison.Ordinal));
        foreach (MethodDeclarationSyntax method in runs)
            Assert.Equal(allowUnsafe && method.Body!.ToString().Contains("stackalloc", StringComparison.Ordinal),
                method.AttributeLists.ToString().Contains("SkipLocalsInit", StringComparison.Ordinal));
    }

    [Theory]
    [MemberData(nameof(Showcases))]
    public void Showcase_network_computes_what_the_reference_computes(string name)
    {
        var assembly = GeneratorHarness.Load(GeneratorHarness.Run(
            ShowcaseNetworks.Usings + GeneratorHarness.WithInvoker(name, ShowcaseNetworks.All[name])));
        Type network = assembly.GetType("Showcase." + name)!;
        var invoke = GeneratorHarness.Invoker(assembly, "Showcase." + name);
        var random = new Random(name.Length);

        for (int sample = 0; sample < 5; sample++)
        {
            var input = new float[GeneratorHarness.Constant(assembly, "Showcase." + name, "InputLength")];
            for (int i = 0; i < input.Length; i++)
                input[i] = (float)(random.NextDouble() * 4 - 2);

            float[] expected = ReferenceNetwork.Run(network, input);
            float[] actual = invoke(input);

            Assert.Equal(expected.Length, actual.Length);
            for (int i = 0; i < expected.Length; i++)
                Assert.True(Math.Abs(expected[i] - actual[i]) <= 1e-4f * Math.Max(1f, Math.Abs(expected[i])),
                    $"{name} output[{i}]: expected {expected[i]}, got {actual[i]}");
        }
    }
}
