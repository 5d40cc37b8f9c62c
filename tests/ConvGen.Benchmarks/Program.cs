using System;
using System.Linq;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Running;
using ConvGen.Benchmarks;

// dotnet run -c Release --project tests/ConvGen.Benchmarks -- [--short] [BenchmarkDotNet options, e.g. --filter *Digits*]
//   --short  one launch, 3 warm-up and 5 measured iterations per benchmark: a few minutes in all, for regular use.
//   default  BenchmarkDotNet's default job (as many iterations as it needs for a stable answer): the README's figures.
//   --paired ConvGen and ONNX Runtime in one process, alternating blocks of ~2 ms, ~15 s per network: the median of
//            per-pair ratios, which a host whose speed drifts cannot skew (Infrastructure/Paired.cs). About 2 minutes;
//            takes --filter NAME (a substring of the class name) and no BenchmarkDotNet options.
// With no --filter, every class runs (VerticalLine, Digits, LeNet, DsCnnKws, MobileNetVww, ResNet8Cifar, Peak) rather than asking interactively.
if (args.Contains("--paired"))
{
    int filterAt = Array.FindIndex(args, a => a is "--filter" or "-f");
    Paired.Run(filterAt >= 0 && filterAt + 1 < args.Length ? args[filterAt + 1] : null);
    return;
}

bool shortRun = args.Contains("--short");
string[] rest = args.Where(a => a != "--short").ToArray();
if (!rest.Any(a => a.StartsWith("--filter", StringComparison.Ordinal) || a == "-f" || a == "--list"))
    rest = rest.Concat(new[] { "--filter", "*" }).ToArray();

Job job = shortRun
    ? Job.Default.WithId("Short").WithLaunchCount(1).WithWarmupCount(3).WithIterationCount(5)
    : Job.Default.WithId("Full");

IConfig config = ManualConfig.Create(DefaultConfig.Instance)
    .AddJob(job)
    .AddColumn(StatisticColumn.Median, new GflopsColumn())
    .HideColumns(Column.AllocRatio)
    .WithOrderer(new BenchmarkDotNet.Order.DefaultOrderer(BenchmarkDotNet.Order.SummaryOrderPolicy.Declared));

Digest.Print(BenchmarkSwitcher.FromAssembly(typeof(GflopsColumn).Assembly).Run(rest, config));
