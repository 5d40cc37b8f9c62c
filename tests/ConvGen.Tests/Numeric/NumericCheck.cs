using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Runtime.Loader;
using System.Text;
using System.Text.RegularExpressions;
using ConvGen.Tests.Infrastructure;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Emit;

namespace ConvGen.Tests.Numeric;

/// <summary>A generated network disagrees with the reference, or valid declarations did not build.</summary>
public sealed class NumericMismatchException(string message) : Exception(message);

/// <summary>
/// Runs the real generator over many declarations in ONE compilation (Roslyn costs ~100 ms per
/// compilation, so one per network would make the suite crawl), then checks each network's lengths and
/// outputs against <see cref="ReferenceModel"/>.
/// </summary>
public static partial class NumericCheck
{
    /// <summary>|generated - reference| &lt;= Tolerance * max(1, |reference|).</summary>
    public const double Tolerance = 1e-4;

    private const int MaxReported = 3;

    /// <summary>Samples per property: <paramref name="samples"/>, times CONVGEN_NUMERIC_SCALE when set (e.g. 10 for a soak run).</summary>
    public static long Iterations(int samples)
    {
        string? scale = Environment.GetEnvironmentVariable("CONVGEN_NUMERIC_SCALE");
        return scale is not null && double.TryParse(scale, NumberStyles.Float, CultureInfo.InvariantCulture, out double s) && s > 0
            ? Math.Max(1, (long)(samples * s))
            : samples;
    }

    public static string ClassName(int index) => "Net_" + index.ToString(CultureInfo.InvariantCulture);

    /// <summary>One source text declaring every network (Net_0, Net_1, ...), each with a reflection-friendly invoker.</summary>
    public static string Source(IReadOnlyList<NetDecl> nets, bool withInvokers = true)
    {
        var sb = new StringBuilder("using ConvGen;\n\n");
        for (int i = 0; i < nets.Count; i++)
        {
            string declaration = DeclWriter.Class(nets[i], ClassName(i));
            sb.Append(withInvokers ? GeneratorHarness.WithInvoker(ClassName(i), declaration) : declaration).Append("\n\n");
        }
        return sb.ToString();
    }

    [GeneratedRegex(@"\bNet_(\d+)\b")]
    private static partial Regex NetName();

    [GeneratedRegex(@"partial class (Net_\d+)\b")]
    private static partial Regex GeneratedClass();

    /// <summary>The networks the generator wrote code for.</summary>
    public static HashSet<string> GeneratedClasses(GeneratorRun run) => run.Sources
        .SelectMany(s => GeneratedClass().Matches(s.SourceText.ToString()).Select(m => m.Groups[1].Value))
        .ToHashSet();

    /// <summary>Generates, compiles and runs every network; throws naming each one that disagrees with the reference.</summary>
    public static void Check(IReadOnlyList<NetDecl> nets)
    {
        foreach (NetDecl net in nets)
        {
            if (ReferenceModel.Problem(net) is { } problem)
                throw new InvalidOperationException("The config generator made an invalid network: " + problem);
        }

        GeneratorRun run = GeneratorHarness.Run(Source(nets));
        HashSet<string> generated = GeneratedClasses(run);
        var missing = Enumerable.Range(0, nets.Count).Where(i => !generated.Contains(ClassName(i))).ToList();
        if (missing.Count > 0)
        {
            throw new NumericMismatchException(
                $"The generator wrote no code for {missing.Count} valid declaration(s):\n\n"
                + string.Join("\n", missing.Take(MaxReported).Select(i => DeclWriter.Class(nets[i], ClassName(i))))
                + "\nGenerator diagnostics:\n" + string.Join("\n", run.GeneratorDiagnostics));
        }

        Assembly assembly;
        try
        {
            assembly = Load(run);
        }
        catch (InvalidOperationException e)
        {
            // Point at the networks the compiler errors name (their generated files carry the class name).
            var named = NetName().Matches(e.Message).Select(m => int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture))
                .Where(i => i < nets.Count).Distinct().Take(MaxReported);
            throw new NumericMismatchException("The generated code does not compile:\n" + e.Message + "\n\nDeclarations:\n"
                + string.Join("\n", named.Select(i => DeclWriter.Class(nets[i], ClassName(i)))));
        }

        var failures = new List<string>();
        int failing = 0;
        for (int i = 0; i < nets.Count; i++)
        {
            if (Compare(assembly, ClassName(i), nets[i]) is { } failure)
            {
                failing++;
                if (failures.Count < MaxReported)
                    failures.Add(failure);
            }
        }
        if (failing > 0)
            throw new NumericMismatchException($"{failing} of {nets.Count} generated networks disagree with the reference.\n\n" + string.Join("\n\n", failures));
    }

    /// <summary>
    /// <see cref="GeneratorHarness.Load"/> with one pass instead of two: Emit reports the same errors and
    /// warnings as GetDiagnostics, and binding everything twice doubled the cost of a sample.
    /// </summary>
    private static Assembly Load(GeneratorRun run)
    {
        using var stream = new MemoryStream();
        EmitResult emit = run.Output.Emit(stream);
        var problems = run.GeneratorDiagnostics
            .Concat(emit.Diagnostics.Where(d => d.Severity is DiagnosticSeverity.Error or DiagnosticSeverity.Warning))
            .ToList();
        if (!emit.Success || problems.Count > 0)
            throw new InvalidOperationException(string.Join("\n", problems.Take(20)));
        stream.Position = 0;
        // Collectible, so the hundreds of assemblies a run makes do not pile up.
        return new AssemblyLoadContext(run.Output.AssemblyName, isCollectible: true).LoadFromStream(stream);
    }

    /// <summary>Null when the network matches; else a report with its declaration, input, expected and actual outputs.</summary>
    private static string? Compare(Assembly assembly, string name, NetDecl net)
    {
        float[] input = ReferenceModel.MemoryInput(net);
        float[] expected = ReferenceModel.Run(net, out TensorShape outputShape);
        string Report(string what, float[]? actual = null) =>
            $"{name}: {what}\n"
            + $"Input shape {TensorShape.FromDeclared(net.InputShape)}, reference output shape {outputShape} (channels first; memory order is "
            + (net.IsChannelsLast ? "channels last" : "channels first") + ").\n"
            + DeclWriter.Class(net, name)
            + "input    = " + DeclWriter.FloatArray(input, 400) + "\n"
            + "expected = " + DeclWriter.FloatArray(expected, 200) + "\n"
            + (actual is null ? "" : "actual   = " + DeclWriter.FloatArray(actual, 200) + "\n");

        int inputLength = GeneratorHarness.Constant(assembly, name, "InputLength");
        int outputLength = GeneratorHarness.Constant(assembly, name, "OutputLength");
        if (inputLength != input.Length || outputLength != expected.Length)
            return Report($"InputLength/OutputLength are {inputLength}/{outputLength} but the reference has {input.Length}/{expected.Length}.");

        float[] result;
        try
        {
            result = GeneratorHarness.Invoker(assembly, name)(input);
        }
        catch (Exception e)
        {
            return Report($"Run threw {e.GetType().Name}: {e.Message}");
        }

        int bad = 0, first = -1;
        for (int j = 0; j < expected.Length; j++)
        {
            if (!Close(result[j], expected[j]))
            {
                bad++;
                if (first < 0)
                    first = j;
            }
        }
        if (bad == 0)
            return null;
        return Report($"{bad} of {expected.Length} outputs differ; first at [{first}]: generated {DeclWriter.Float(result[first])}, "
            + $"reference {DeclWriter.Float(expected[first])} (tolerance {Tolerance} * max(1, |reference|)).", result);
    }

    /// <summary>Within tolerance; equal infinities (a max-pool window of padding only is -inf, as in PyTorch) match.</summary>
    public static bool Close(float actual, float expected)
    {
        if (actual == expected || (float.IsNaN(actual) && float.IsNaN(expected)))
            return true;
        return Math.Abs((double)actual - expected) <= Tolerance * Math.Max(1.0, Math.Abs((double)expected));
    }
}
