using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.Linq;
using System.Reflection;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Mathematics;

namespace ConvGen.Benchmarks;

/// <summary>
/// The <c>--paired</c> mode: ConvGen and ONNX Runtime timed in one process, in alternating blocks of a few
/// milliseconds, and compared pair by pair. BenchmarkDotNet times each benchmark in a process of its own,
/// minutes apart; on a shared host whose speed drifts between states for seconds at a time (this one does,
/// by up to 1.4x for both), the ratio of two such medians depends on which state each process met. Two
/// neighbouring blocks meet the same state, so the median of the per-pair ratios is the like-for-like figure.
/// </summary>
internal static class Paired
{
    private const double BlockSeconds = 0.002;
    private const double SecondsPerNetwork = 15;

    public static void Run(string? filter)
    {
        var inv = CultureInfo.InvariantCulture;
        var networks = typeof(NetworkBenchmark).Assembly.GetTypes()
            .Where(t => t.IsSubclassOf(typeof(NetworkBenchmark)) && !t.IsAbstract)
            .Where(t => filter is null || t.Name.Contains(filter.Trim('*'), StringComparison.OrdinalIgnoreCase))
            .OrderBy(t => GflopsColumn.Macs(t) ?? long.MaxValue)
            .ToList();

        var table = new List<string>();
        foreach (var type in networks)
        {
            var network = (NetworkBenchmark)Activator.CreateInstance(type)!;
            type.GetMethods().Single(m => m.GetCustomAttribute<GlobalSetupAttribute>() is not null).Invoke(network, null);
            try
            {
                Action convGen = network.ConvGenRun, ort = network.OnnxRuntime;
                int convGenCalls = CallsPerBlock(convGen), ortCalls = CallsPerBlock(ort);
                long allocated = AllocatedPerCall(convGen);

                var convGenNs = new List<double>();
                var ortNs = new List<double>();
                var ratios = new List<double>();
                var clock = Stopwatch.StartNew();
                for (int pair = 0; clock.Elapsed.TotalSeconds < SecondsPerNetwork; pair++)
                {
                    // Alternate which goes first, so a drift within a pair favours neither.
                    double c, o;
                    if (pair % 2 == 0) { c = Time(convGen, convGenCalls); o = Time(ort, ortCalls); }
                    else { o = Time(ort, ortCalls); c = Time(convGen, convGenCalls); }
                    convGenNs.Add(c);
                    ortNs.Add(o);
                    ratios.Add(c / o);
                }
                // BenchmarkDotNet's statistics: medians and percentiles by linear interpolation between ranks.
                var ratio = new Statistics(ratios);
                table.Add($"| {type.Name} | {Digest.Time(new Statistics(convGenNs).Median)} | {Digest.Time(new Statistics(ortNs).Median)} | " +
                          $"{ratio.Median.ToString("0.000", inv)}x | {ratio.Percentiles.Percentile(10).ToString("0.00", inv)}–{ratio.Percentiles.P90.ToString("0.00", inv)} | " +
                          $"{ratios.Count} | {allocated} B |");
            }
            finally
            {
                network.Cleanup();
            }
        }
        // After the networks' agreement checks, which print as they go.
        Console.WriteLine();
        Console.WriteLine($"// * ConvGen paired run: blocks of ~{BlockSeconds * 1000:0} ms, ConvGen and ONNX Runtime alternating, ~{SecondsPerNetwork:0} s per network *");
        Console.WriteLine("| Network | ConvGen | ONNX Runtime | ratio (median of pairs) | ratio p10–p90 | pairs | ConvGen allocated |");
        Console.WriteLine("|---|---:|---:|---:|---:|---:|---:|");
        table.ForEach(Console.WriteLine);
        Console.WriteLine($"// {Digest.Machine()}");
    }

    /// <summary>Warms <paramref name="run"/> up (tiered JIT included) and returns how many calls fill a block.</summary>
    private static int CallsPerBlock(Action run)
    {
        var warm = Stopwatch.StartNew();
        int calls = 0;
        while (warm.Elapsed.TotalSeconds < 1) { run(); calls++; }
        double perCall = Time(run, Math.Max(1, calls / 10)) * 1e-9;
        return Math.Max(1, (int)(BlockSeconds / perCall));
    }

    private static long AllocatedPerCall(Action run)
    {
        const int calls = 1000;
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < calls; i++)
            run();
        return (GC.GetAllocatedBytesForCurrentThread() - before) / calls;
    }

    /// <summary>Nanoseconds per call over <paramref name="calls"/> back-to-back calls.</summary>
    private static double Time(Action run, int calls)
    {
        long start = Stopwatch.GetTimestamp();
        for (int i = 0; i < calls; i++)
            run();
        return Stopwatch.GetElapsedTime(start).TotalNanoseconds / calls;
    }
}
