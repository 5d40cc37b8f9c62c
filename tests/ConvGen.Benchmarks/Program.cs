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
//   --first-call  first calls, calls 2-100, steady state and start to first result, ConvGen against ONNX Runtime, each
//            measurement in a fresh process (Infrastructure/FirstCall.cs). About 6 minutes; takes --filter NAME and
//            --runs N (processes per network and side, 5 by default).
// With no --filter, every class runs (VerticalLine, Digits, LeNet, DsCnnKws, MobileNetVww, ResNet8Cifar, Peak) rather than asking interactively.
if (args.Length == 3 && args[0] == "--first-call-child")
{
    // First: a child of --first-call loads nothing it does not need before its first result.
    FirstCall.RunChild(args[1], args[2]);
    return;
}
int filterAt = Array.FindIndex(args, a => a is "--filter" or "-f");
string? filter = filterAt >= 0 && filterAt + 1 < args.Length ? args[filterAt + 1] : null;
if (args.Contains("--first-call"))
{
    int runsAt = Array.IndexOf(args, "--runs");
    FirstCall.Run(filter, runsAt >= 0 && runsAt + 1 < args.Length ? int.Parse(args[runsAt + 1], System.Globalization.CultureInfo.InvariantCulture) : 5);
    return;
}
if (args.Contains("--paired"))
{
    Paired.Run(filter);
    return;
}
RunBenchmarkDotNet(args);

static void RunBenchmarkDotNet(string[] args)
{
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
}
