using System.Collections.Generic;
using System.Linq;
using ConvGen.Generators.Diagnostics;
using ConvGen.Generators.Helpers;
using ConvGen.Generators.Parsing;
using ConvGen.Generators.Shapes;

namespace ConvGen.Generators.Planning;

/// <summary>Everything known about a declaration: the plan to emit (null if it has errors) and every problem found.</summary>
internal sealed record AnalysisResult(ExecutionPlan? Plan, EquatableArray<NetProblem> Problems);

/// <summary>
/// Parse result → shape inference → plan → budget check. The generator emits <see cref="AnalysisResult.Plan"/>;
/// the analyzer reports <see cref="AnalysisResult.Problems"/>. Both call this, so they cannot disagree.
/// </summary>
internal static class NetworkAnalysis
{
    public static AnalysisResult Analyze(ParseResult parsed)
    {
        var problems = parsed.Problems.ToList();
        if (parsed.Spec is null || problems.Any(p => p.IsError))
            return Result(null, problems);

        InferenceResult inferred = ShapeInference.Infer(parsed.Spec);
        problems.AddRange(inferred.Problems);
        if (inferred.Plan is null || problems.Any(p => p.IsError))
            return Result(null, problems);

        ExecutionPlan plan = ExecutionPlan.Create(inferred.Plan);
        CheckBudget(plan, problems);
        return Result(problems.Any(p => p.IsError) ? null : plan, problems);
    }

    private static AnalysisResult Result(ExecutionPlan? plan, List<NetProblem> problems) => new(plan, problems.ToEquatableArray());

    /// <summary>Input, output and scratch must fit <c>MaxRamBytes</c>: weights live in read-only data, not RAM.</summary>
    private static void CheckBudget(ExecutionPlan plan, List<NetProblem> problems)
    {
        long budget = plan.Network.Spec.MaxRamBytes;
        if (budget <= 0)
            return;
        long input = plan.Network.Input.Size * 4L, output = plan.Network.Output.Size * 4L, scratch = plan.ScratchLength * 4L;
        if (input + output + scratch <= budget)
            return;
        var largest = plan.Network.Layers.OrderByDescending(l => l.Out.Size).First();
        problems.Add(NetProblem.Create(Descriptors.MemoryBudget, NetProblem.Network, "MaxRamBytes",
            plan.Network.Spec.ClassName, input + output + scratch, input, output, scratch, budget,
            NetworkParser.Describe(largest.Spec), largest.Out.Size * 4L));
    }
}
