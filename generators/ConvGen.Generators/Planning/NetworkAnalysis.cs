using System;
using System.Collections.Generic;
using System.Linq;
using ConvGen.Generators.Diagnostics;
using ConvGen.Generators.Helpers;
using ConvGen.Generators.Model;
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
    /// <param name="parts">The data parts those files' values are in; read only for the tensors the network binds.</param>
    public static AnalysisResult Analyze(ParseResult parsed, IReadOnlyList<WeightsFile> files, WeightsParts parts)
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

        InferenceResult inferred = ShapeInference.Infer(parsed.Spec, weights, parts);
        problems.AddRange(inferred.Problems);
        if (inferred.Plan is null || problems.Any(p => p.IsError))
            return Result(null, problems);

        ExecutionPlan plan = ExecutionPlan.Create(inferred.Plan);
        if (plan.ScratchLength > ShapeInference.MaxElements)
        {
            problems.Add(NetProblem.Create(Descriptors.TooLarge, NetProblem.Class, null, parsed.Spec.ClassName,
                "its working memory", plan.ScratchLength, ShapeInference.MaxElements));
            return Result(null, problems);
        }
        CheckFinite(plan, problems);
        CheckWeightCount(plan, problems);
        CheckBudget(plan, problems);
        return Result(problems.Any(p => p.IsError) ? null : plan, problems);
    }

    /// <summary>
    /// The listed file <c>WeightsFile</c> names: by file name, or by the end of its path when several
    /// files share the name. Reports a file that is missing, ambiguous or unreadable.
    /// </summary>
    private static WeightsFile? ResolveWeightsFile(string wanted, IReadOnlyList<WeightsFile> files, List<NetProblem> problems)
    {
        // "./a/b.safetensors" and "../x/b.safetensors" name the file by the end of its path: drop the relative prefix.
        string[] segments = wanted.Replace('\\', '/').Split('/');
        string suffix = "/" + string.Join("/", segments.SkipWhile(s => s is "." or ".." or ""));
        string fileName = segments[segments.Length - 1];
        var candidates = files.Where(f => string.Equals(f.FileName, fileName, StringComparison.OrdinalIgnoreCase)).ToList();
        // A path must match where it is given; a bare file name matches any folder.
        if (segments.Length > 1)
            candidates = candidates.Where(f => ("/" + f.Path.Replace('\\', '/')).EndsWith(suffix, StringComparison.OrdinalIgnoreCase)).ToList();
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

    /// <summary>
    /// Values the build derived (a BatchNorm's scale, weights with a BatchNorm folded in) can overflow
    /// float even when every value given was finite: the same error as a non-finite value given.
    /// </summary>
    private static void CheckFinite(ExecutionPlan plan, List<NetProblem> problems)
    {
        foreach (LayerPlan layer in plan.Steps.Select(s => s.Layer).OfType<LayerPlan>().Distinct())
        {
            foreach (var (values, what) in new[] { (layer.Weights, "weights"), (layer.Bias, "bias") })
            {
                int bad = Array.FindIndex(values.ToArray(), v => float.IsNaN(v) || float.IsInfinity(v));
                if (bad < 0)
                    continue;
                string derived = layer.Spec.Kind == LayerKind.BatchNorm ? "its scale gamma / sqrt(variance + epsilon) or shift"
                    : $"its {what} with a BatchNorm folded in";
                problems.Add(NetProblem.Create(Descriptors.NonFiniteWeights, layer.Index, "Name", NetworkParser.Describe(layer.Spec), derived,
                    values[bad].ToString(System.Globalization.CultureInfo.InvariantCulture), bad));
                break;
            }
        }
    }

    /// <summary>
    /// Weights are string literals (two UTF-16 code units per float), and a module's literals share one
    /// 16 MiB heap: past about 3.5 million floats the C# compiler would fail with CS8103 instead.
    /// </summary>
    public const long MaxWeights = 3_500_000;

    private static void CheckWeightCount(ExecutionPlan plan, List<NetProblem> problems)
    {
        long weights = plan.Network.Layers.Sum(l => (long)l.Weights.Count + l.Bias.Count);
        if (weights > MaxWeights)
            problems.Add(NetProblem.Create(Descriptors.TooManyWeights, NetProblem.Class, null, plan.Network.Spec.ClassName,
                weights.ToString("N0", System.Globalization.CultureInfo.InvariantCulture), MaxWeights.ToString("N0", System.Globalization.CultureInfo.InvariantCulture)));
    }

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
