using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using ConvGen.Generators;
using ConvGen.Tests.Infrastructure;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Xunit;

namespace ConvGen.Tests.Weights;

/// <summary>
/// Weights files in the incremental pipeline: an edit elsewhere re-reads and re-builds nothing; a
/// changed file re-builds the network that uses it and changes its code.
/// </summary>
public class WeightsFileIncrementalTests
{
    private const string Source = """
        using ConvGen;
        [ConvNet(3, WeightsFile = "model.safetensors")]
        [Dense(2, Name = "fc")]
        public static partial class FromFile;
        [ConvNet(3)]
        [Dense(2, Weights = new float[] { 1, 2, 3, 4, 5, 6 }, Bias = new float[] { 0, 0 })]
        public static partial class Inline;
        """;

    private static byte[] Model(float scale) => SafetensorsWriter.File(
        ("fc.weight", "F32", new long[] { 2, 3 }, new[] { 0f, 1f, 2f, 3f, 4f, 5f }.Select(v => v * scale).ToArray()),
        ("fc.bias", "F32", new long[] { 2 }, new[] { 0.5f, -0.5f }));

    private static List<IncrementalStepRunReason> Reasons(GeneratorRunResult run, string step)
        => run.TrackedSteps[step].SelectMany(s => s.Outputs).Select(o => o.Reason).ToList();

    private static string Generated(GeneratorRunResult run, string hintName) => run.GeneratedSources.Single(s => s.HintName == hintName).SourceText.ToString();

    /// <summary>
    /// What the compiler sees after the build step re-encoded a file: a new index text at the same path,
    /// new texts for parts of the same name, parts of new names in place of the old ones.
    /// </summary>
    private static GeneratorDriver Replace(GeneratorDriver driver, EncodedWeights before, EncodedWeights after)
    {
        driver = driver.ReplaceAdditionalText(before, after);
        foreach (AdditionalText part in after.Parts)
        {
            if (before.Parts.FirstOrDefault(p => p.Path == part.Path) is { } old)
                driver = driver.ReplaceAdditionalText(old, part);
        }
        return driver
            .RemoveAdditionalTexts(before.Parts.Where(p => after.Parts.All(q => q.Path != p.Path)).ToImmutableArray())
            .AddAdditionalTexts(after.Parts.Where(p => before.Parts.All(q => q.Path != p.Path)).ToImmutableArray());
    }

    [Fact]
    public void An_unrelated_edit_leaves_the_weights_and_build_steps_cached()
    {
        AdditionalText model = InMemoryAdditionalText.Weights("/p/model.safetensors", Model(1));
        AdditionalText other = InMemoryAdditionalText.Weights("/p/other.safetensors", Model(2));
        CSharpCompilation first = GeneratorHarness.CreateCompilation(Source);
        GeneratorDriver driver = GeneratorHarness.CreateDriver(new[] { model, other }).RunGenerators(first);
        Assert.Equal(2, driver.GetRunResult().Results.Single().GeneratedSources.Length);

        CSharpCompilation second = first.AddSyntaxTrees(CSharpSyntaxTree.ParseText(
            "namespace Elsewhere; public static class Unrelated { public static int Answer => 42; }", GeneratorHarness.ParseOptions, path: "Unrelated.cs"));
        GeneratorRunResult rerun = driver.RunGenerators(second).GetRunResult().Results.Single();

        Assert.Equal(2, Reasons(rerun, TrackingNames.Weights).Count);
        Assert.Equal(2, Reasons(rerun, TrackingNames.WeightsParts).Count);
        Assert.Equal(2, Reasons(rerun, TrackingNames.Build).Count);
        foreach (string step in new[] { TrackingNames.Weights, TrackingNames.WeightsParts, TrackingNames.Build })
            Assert.All(Reasons(rerun, step), r => Assert.True(r is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged,
                $"step {step} re-ran ({r}) after an unrelated edit"));
        Assert.All(rerun.TrackedOutputSteps.SelectMany(s => s.Value).SelectMany(s => s.Outputs),
            o => Assert.Equal(IncrementalStepRunReason.Cached, o.Reason));
    }

    [Fact]
    public void Replacing_the_weights_file_rebuilds_the_network_with_the_new_weights()
    {
        EncodedWeights before = InMemoryAdditionalText.Weights("/p/model.safetensors", Model(1));
        CSharpCompilation compilation = GeneratorHarness.CreateCompilation(Source);
        GeneratorDriver driver = GeneratorHarness.CreateDriver(new[] { before }).RunGenerators(compilation);
        string oldCode = Generated(driver.GetRunResult().Results.Single(), "FromFile.g.cs");
        string inlineCode = Generated(driver.GetRunResult().Results.Single(), "Inline.g.cs");

        EncodedWeights after = InMemoryAdditionalText.Weights("/p/model.safetensors", Model(-3));
        driver = Replace(driver, before, after).RunGenerators(compilation);
        GeneratorRunResult rerun = driver.GetRunResult().Results.Single();

        Assert.Contains(IncrementalStepRunReason.Modified, Reasons(rerun, TrackingNames.Weights));
        Assert.Contains(IncrementalStepRunReason.Modified, Reasons(rerun, TrackingNames.Build));
        string newCode = Generated(rerun, "FromFile.g.cs");
        Assert.NotEqual(oldCode, newCode);
        // Only the weights differ, so the network that has none from the file keeps its code.
        Assert.Equal(inlineCode, Generated(rerun, "Inline.g.cs"));

        // And the new code computes with the new weights: [1, 2, 3] -> -3 * [8, 26] + [0.5, -0.5].
        var output = compilation.AddSyntaxTrees(rerun.GeneratedSources.Select(s => s.SyntaxTree))
            .AddSyntaxTrees(CSharpSyntaxTree.ParseText(GeneratorHarness.WithInvoker("FromFile", ""), GeneratorHarness.ParseOptions));
        var run = new GeneratorRun(output, rerun.Diagnostics, rerun.GeneratedSources, driver);
        Assert.Equal(new[] { -23.5f, -78.5f }, GeneratorHarness.Invoker(GeneratorHarness.Load(run), "FromFile")(new[] { 1f, 2f, 3f }));
    }

    [Fact]
    public void The_same_weights_in_a_new_file_text_rebuild_nothing()
    {
        // A new compiler process, or an IDE reloading the files, hands new texts of the same content: nothing re-emits.
        EncodedWeights before = InMemoryAdditionalText.Weights("/p/model.safetensors", Model(1));
        CSharpCompilation compilation = GeneratorHarness.CreateCompilation(Source);
        GeneratorDriver driver = GeneratorHarness.CreateDriver(new[] { before }).RunGenerators(compilation);

        EncodedWeights same = InMemoryAdditionalText.Weights("/p/model.safetensors", Model(1));
        GeneratorRunResult rerun = Replace(driver, before, same).RunGenerators(compilation).GetRunResult().Results.Single();

        foreach (string step in new[] { TrackingNames.Weights, TrackingNames.WeightsParts, TrackingNames.Build })
            Assert.All(Reasons(rerun, step), r => Assert.True(r is IncrementalStepRunReason.Unchanged or IncrementalStepRunReason.Cached, $"{step}: {r}"));
    }

    [Fact]
    public void Adding_the_missing_file_makes_the_network_appear()
    {
        CSharpCompilation compilation = GeneratorHarness.CreateCompilation(Source);
        GeneratorDriver driver = GeneratorHarness.CreateDriver().RunGenerators(compilation);
        Assert.Equal(new[] { "Inline.g.cs" }, driver.GetRunResult().Results.Single().GeneratedSources.Select(s => s.HintName));

        driver = driver.AddAdditionalTexts(InMemoryAdditionalText.WithParts(new[] { InMemoryAdditionalText.Weights("/p/model.safetensors", Model(1)) })
            .ToImmutableArray()).RunGenerators(compilation);

        Assert.Equal(new[] { "FromFile.g.cs", "Inline.g.cs" }, driver.GetRunResult().Results.Single().GeneratedSources.Select(s => s.HintName).Order(StringComparer.Ordinal));
    }
}
