using System;
using System.Globalization;
using System.Reflection;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;

namespace ConvGen.Benchmarks;

/// <summary>
/// Achieved GFLOP/s: 2 x (multiply-adds per call) / median time per call. A benchmark class states its
/// multiply-adds with a <c>public static long MacsPerCall</c> property; the column is empty for one that does not.
/// </summary>
public sealed class GflopsColumn : IColumn
{
    public string Id => nameof(GflopsColumn);
    public string ColumnName => "GFLOP/s";
    public bool AlwaysShow => true;
    public ColumnCategory Category => ColumnCategory.Custom;
    public int PriorityInCategory => 0;
    public bool IsNumeric => true;
    public UnitType UnitType => UnitType.Dimensionless;
    public string Legend => "Achieved GFLOP/s: 2 x multiply-adds per call / Median (each class's MacsPerCall: tutorial net 324, Digits 84,224, LeNet-5 416,520, DS-CNN 2,656,768, MobileNetV1 7,489,664, ResNet-8 12,501,632)";

    public static long? Macs(Type type)
        => type.GetProperty("MacsPerCall", BindingFlags.Public | BindingFlags.Static)?.GetValue(null) is long macs ? macs : null;

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase) => GetValue(summary, benchmarkCase, summary.Style);

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style)
    {
        long? macs = Macs(benchmarkCase.Descriptor.Type);
        double? medianNs = summary[benchmarkCase]?.ResultStatistics?.Median;
        if (macs is null || medianNs is not > 0)
            return "-";
        return (2.0 * macs.Value / medianNs.Value).ToString("0.00", CultureInfo.InvariantCulture); // FLOP per ns = GFLOP/s
    }

    public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;
    public bool IsAvailable(Summary summary) => true;
    public override string ToString() => ColumnName;
}
