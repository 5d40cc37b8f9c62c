using System;
using System.Collections.Generic;
using System.Linq;
using ConvGen.Generators.Diagnostics;
using ConvGen.Generators.Helpers;
using ConvGen.Generators.Parsing;
using ConvGen.Generators.Shapes;
using ConvGen.Generators.Weights;

namespace ConvGen.Generators.Planning;

/// <summary>Everything known about a declaration: the plan to emit (null if it has errors) and every problem found.</summary>
internal sealed record AnalysisResult(ExecutionPlan? Plan, EquatableArray<NetProblem> Problems);

/// <summary>
/// Parse result → shape inference → plan → budget check. The generator emits <see cref="AnalysisResult.Plan"/>;
/// the analyzer reports <see cref="AnalysisResult.Problems"/>. Both call this, so they cannot disagree.
/// </summary>
internal static class NetworkAnalysis
{
    /// <param name="parsed">The parsed declaration.</param>
    /// <param name="files">Every weights file the project lists in AdditionalFiles.</param>
    public static AnalysisResult Analyze(ParseResult parsed, IReadOnlyList<WeightsFile> files)
    {
        var problems = parsed.Problems.ToList();
        if (parsed.Spec is null || problems.Any(p => p.IsError))
            return Result(null, problems);

        WeightsFile? weights = null;
        if (parsed.Spec.WeightsFile is { } wanted)
        {
            weights = ResolveWeightsFile(wanted, files, problems);
            if (weights is null)
                return Result(null, problems);
        }

        InferenceResult inferred = ShapeInference.Infer(parsed.Spec, weights);
        problems.AddRange(inferred.Problems);
        if (inferred.Plan is null || problems.Any(p => p.IsError))
            return Result(null, problems);

        ExecutionPlan plan = ExecutionPlan.Create(inferred.Plan);
        CheckBudget(plan, problems);
        return Result(problems.Any(p => p.IsError) ? null : plan, problems);
    }

    /// <summary>
    /// The listed file <c>WeightsFile</c> names: by file name, or by the end of its path when several
    /// files share the name. Reports a file that is missing, ambiguous or unreadable.
    /// </summary>
    private static WeightsFile? ResolveWeightsFile(string wanted, IReadOnlyList<WeightsFile> files, List<NetProblem> problems)
    {
        string normalized = wanted.Replace('\\', '/');
        string fileName = normalized.Substring(normalized.LastIndexOf('/') + 1);
        var candidates = files.Where(f => string.Equals(f.FileName, fileName, StringComparison.OrdinalIgnoreCase)).ToList();
        if (candidates.Count > 1)
            candidates = candidates.Where(f => f.Path.Replace('\\', '/').EndsWith("/" + normalized.TrimStart('.', '/'), StringComparison.OrdinalIgnoreCase)).ToList();
        if (candidates.Count == 0)
        {
            problems.Add(NetProblem.Create(Descriptors.WeightsFileNotListed, NetProblem.Network, "WeightsFile", wanted));
            return null;
        }
        if (candidates.Count > 1)
        {
            problems.Add(NetProblem.Create(Descriptors.WeightsFileAmbiguous, NetProblem.Network, "WeightsFile", wanted,
                string.Join(", ", candidates.Select(c => c.Path))));
            return null;
        }
        if (candidates[0].Error is { } error)
        {
            problems.Add(NetProblem.Create(Descriptors.WeightsFileUnreadable, NetProblem.Network, "WeightsFile", wanted, error));
            return null;
        }
        return candidates[0];
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
