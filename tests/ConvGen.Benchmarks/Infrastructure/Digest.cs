using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using BenchmarkDotNet.Reports;

namespace ConvGen.Benchmarks;

/// <summary>
/// One table for the whole run, after BenchmarkDotNet's per-class tables: medians, the ratio of medians to
/// ONNX Runtime in the same class, GFLOP/s and, when the Peak class ran too, the share of the FMA peak.
/// </summary>
internal static class Digest
{
    public static void Print(IEnumerable<Summary> summaries)
    {
        var rows = summaries.SelectMany(s => s.Reports.Select(r => (Summary: s, Report: r)))
                            .Where(x => x.Report.ResultStatistics is not null)
                            // Smallest network first, Peak last; within a network ConvGen, OnnxRuntime, PlainLoops.
                            .OrderBy(x => x.Report.BenchmarkCase.Descriptor.Type == typeof(Peak))
                            .ThenBy(x => GflopsColumn.Macs(x.Report.BenchmarkCase.Descriptor.Type) ?? long.MaxValue)
                            .ThenBy(x => x.Report.BenchmarkCase.Descriptor.Type.Name, StringComparer.Ordinal)
                            .ThenBy(x => x.Report.BenchmarkCase.Descriptor.WorkloadMethodDisplayInfo, StringComparer.Ordinal)
                            .ToList();
        if (rows.Count == 0)
            return;

        double? peak = rows.Where(x => x.Report.BenchmarkCase.Descriptor.Type == typeof(Peak))
                           .Select(x => (double?)Gflops(x.Report)).FirstOrDefault();
        var inv = CultureInfo.InvariantCulture;
        Console.WriteLine();
        Console.WriteLine("// * ConvGen digest: median per call; ratio = median / ONNX Runtime's median in the same class *");
        Console.WriteLine("| Network | Implementation | Median | vs ORT | GFLOP/s | % of FMA peak | Allocated |");
        Console.WriteLine("|---|---|---:|---:|---:|---:|---:|");
        foreach (var (_, report) in rows)
        {
            var type = report.BenchmarkCase.Descriptor.Type;
            double median = report.ResultStatistics!.Median;
            double? ort = rows.Where(x => x.Report.BenchmarkCase.Descriptor.Type == type && x.Report.BenchmarkCase.Descriptor.Baseline)
                              .Select(x => (double?)x.Report.ResultStatistics!.Median).FirstOrDefault();
            double? gflops = Gflops(report);
            long? bytes = report.GcStats.GetBytesAllocatedPerOperation(report.BenchmarkCase);
            Console.WriteLine(string.Join(" | ", new[]
            {
                "| " + type.Name,
                report.BenchmarkCase.Descriptor.WorkloadMethodDisplayInfo.Trim('\''),
                Time(median),
                ort is null ? "-" : (median / ort.Value).ToString("0.00", inv) + "x",
                gflops is null ? "-" : gflops.Value.ToString("0.00", inv),
                gflops is null || peak is null ? "-" : (100 * gflops.Value / peak.Value).ToString("0.0", inv) + "%",
                bytes is null ? "?" : bytes.Value + " B",
            }) + " |");
        }
        Console.WriteLine($"// {Machine()}, job {rows[0].Report.BenchmarkCase.Job.Id}");
    }

    /// <summary>The CPU, its logical cores and the time: the line under every table the README quotes.</summary>
    public static string Machine()
        => $"{CpuModel()}, {Environment.ProcessorCount} logical cores, {DateTime.UtcNow.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture)} UTC";

    private static string CpuModel()
    {
        if (System.IO.File.Exists("/proc/cpuinfo"))
            foreach (string line in System.IO.File.ReadLines("/proc/cpuinfo"))
                if (line.StartsWith("model name", StringComparison.Ordinal))
                    return line[(line.IndexOf(':') + 1)..].Trim();
        return Environment.GetEnvironmentVariable("PROCESSOR_IDENTIFIER") ?? "unknown CPU";
    }

    private static double? Gflops(BenchmarkReport report)
    {
        long? macs = GflopsColumn.Macs(report.BenchmarkCase.Descriptor.Type);
        double median = report.ResultStatistics!.Median;
        return macs is null || median <= 0 ? null : 2.0 * macs.Value / median;
    }

    public static string Time(double ns) => ns switch
    {
        < 1_000 => ns.ToString("0.0", CultureInfo.InvariantCulture) + " ns",
        < 1_000_000 => (ns / 1_000).ToString("0.00", CultureInfo.InvariantCulture) + " µs",
        _ => (ns / 1_000_000).ToString("0.00", CultureInfo.InvariantCulture) + " ms",
    };
}
