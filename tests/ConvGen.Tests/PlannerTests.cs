using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using ConvGen.Generators.Parsing;
using ConvGen.Generators.Planning;
using ConvGen.Generators.Weights;
using ConvGen.Tests.Infrastructure;
using ConvGen.Tests.Weights;
using Xunit;
using Buffer = ConvGen.Generators.Planning.Buffer;

namespace ConvGen.Tests;

/// <summary>
/// The memory plan, checked by replaying it rather than by trusting the planner's own lifetimes: every
/// scratch (and output) float is tagged with the step that last wrote it, and each step must find its
/// inputs exactly as their producing step left them — so no buffer is overwritten while it is still to be
/// read, whatever the graph.
/// </summary>
public class PlannerTests
{
    private static readonly string Samples = Path.Combine(Fixtures.RepositoryRoot, "samples", "ReferenceNetworks");

    public static TheoryData<string> ReferenceNetworks => new()
    {
        "DsCnn", "MobileNetV1", "ResNet8", "FireModule", "Aspp", "InvertedResidual", "ShuffleNetUnit",
    };

    [Theory]
    [MemberData(nameof(ReferenceNetworks))]
    public void Reference_networks_never_overwrite_a_tensor_still_to_be_read(string className)
    {
        ExecutionPlan plan = PlanOf(File.ReadAllText(Path.Combine(Samples, className + ".cs")), "ReferenceNetworks." + className, SampleWeights());
        Replay(plan);
        Assert.True(plan.ScratchLength >= plan.Peak.Floats, "the offsets cannot hold less than what is alive at once");
        Assert.True(plan.ScratchLength < plan.ActivationTotal, "liveness planning reuses memory");
    }

    [Fact]
    public void Showcase_and_graph_networks_never_overwrite_a_tensor_still_to_be_read()
    {
        string dag = File.ReadAllText(Path.Combine(Fixtures.RepositoryRoot, "tests", "ConvGen.Tests", "Reference", "ReferenceNetworkDagNets.cs"));
        var sources = ShowcaseNetworks.All.Keys.Select(name => (ShowcaseNetworks.Source, "Showcase." + name))
            .Concat(new[] { "DagResidualNet", "DagConcatShuffleNet", "DagForwardRefNet", "DagKerasTransposeNet", "Dag1DPaddingModeNet", "DagDenseConcatNet" }
                .Select(name => ("using ConvGen;\n" + dag, "ConvGen.Tests.Reference.Dag." + name)));
        foreach (var (source, name) in sources)
            Replay(PlanOf(source, name, Array.Empty<EncodedWeights>()));
    }

    [Fact]
    public void A_residual_add_runs_in_place_and_the_last_conv_writes_the_callers_output()
    {
        ExecutionPlan plan = PlanOf(File.ReadAllText(Path.Combine(Samples, "ShuffleNetUnit.cs")), "ReferenceNetworks.ShuffleNetUnit", SampleWeights());
        Step add = plan.Steps.Single(s => s.Kind == StepKind.Add);
        Assert.Equal(BufferKind.Output, add.Target.Kind);
        Assert.Contains(add.Target, add.Sources); // in place, and the ReLU after it is fused
        Assert.Equal(ConvGen.Generators.Model.ActivationKind.ReLU, add.Activation);
        Assert.DoesNotContain(plan.Steps, s => s.Kind == StepKind.Activation);
    }

    private static EncodedWeights[] SampleWeights() => Directory.GetFiles(Path.Combine(Samples, "data"), "*.safetensors")
        .Select(path => InMemoryAdditionalText.Weights(path, File.ReadAllBytes(path)))
        .ToArray();

    private static ExecutionPlan PlanOf(string source, string metadataName, IReadOnlyList<EncodedWeights> files)
    {
        var compilation = GeneratorHarness.CreateCompilation(Declarations.Expand(source));
        ParseResult parsed = NetworkParser.Parse(compilation.GetTypeByMetadataName(metadataName) ?? throw new ArgumentException(metadataName), default);
        AnalysisResult analysis = NetworkAnalysis.Analyze(parsed, files.Select(f => WeightsFiles.Read(f, default)).ToList(),
            WeightsParts.From(files.SelectMany(f => f.Parts)));
        return analysis.Plan ?? throw new InvalidOperationException($"{metadataName}: {string.Join("; ", analysis.Problems)}");
    }

    /// <summary>Runs the plan's buffer traffic on tags and fails at the first read of a tensor someone else has overwritten.</summary>
    private static void Replay(ExecutionPlan plan)
    {
        var steps = plan.Steps;
        var tags = new Dictionary<BufferKind, int[]>
        {
            [BufferKind.Scratch] = Enumerable.Repeat(-1, plan.ScratchLength).ToArray(),
            [BufferKind.Output] = Enumerable.Repeat(-1, plan.Network.Output.Size).ToArray(),
        };
        for (int i = 0; i < steps.Count; i++)
        {
            Step step = steps[i];
            string where = $"{plan.Network.Spec.ClassName}, step {i} ({step.MethodName})";
            Assert.NotEqual(BufferKind.Input, step.Target.Kind);
            foreach (Buffer source in step.Sources.Where(b => b.Kind != BufferKind.Input))
            {
                int producer = Enumerable.Range(0, i).Last(j => steps[j].Target == source);
                int[] cells = tags[source.Kind].AsSpan(source.Offset, source.Length).ToArray();
                Assert.True(cells.All(t => t == producer), $"{where} reads {source} written by step {producer}, but steps {string.Join(", ", cells.Distinct().Where(t => t != producer))} overwrote it");
            }
            // Only element-wise steps may write over an input, and then exactly over it.
            bool elementwise = step.Kind is StepKind.Activation or StepKind.Softmax or StepKind.BatchNorm or StepKind.Add;
            foreach (Buffer source in step.Sources.Where(b => b.Kind == step.Target.Kind && b != step.Target || !elementwise && b == step.Target))
            {
                bool overlap = source.Offset < step.Target.Offset + step.Target.Length && step.Target.Offset < source.Offset + source.Length;
                Assert.False(overlap && source.Kind == step.Target.Kind, $"{where} writes {step.Target} over its input {source}");
            }
            // A kernel's work span (Winograd's transformed tiles) lies clear of what the step reads and writes, and is clobbered.
            if (step.Work is { } work)
            {
                foreach (Buffer b in step.Sources.Append(step.Target).Where(b => b.Kind == BufferKind.Scratch))
                    Assert.False(work.Offset < b.Offset + b.Length && b.Offset < work.Offset + work.Length, $"{where} works in {work} over {b}");
                Assert.True(work.Offset + work.Length <= plan.ScratchLength, $"{where} works past the scratch");
                tags[BufferKind.Scratch].AsSpan(work.Offset, work.Length).Fill(i);
            }
            Assert.True(step.Target.Offset + step.Target.Length <= tags[step.Target.Kind].Length, $"{where} writes past its buffer");
            tags[step.Target.Kind].AsSpan(step.Target.Offset, step.Target.Length).Fill(i);
        }
        Assert.All(tags[BufferKind.Output], t => Assert.True(t >= 0, "every output float is written"));
    }
}
