using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.Linq;
using System.Runtime.CompilerServices;
using ReferenceNetworks;

namespace ConvGen.Benchmarks;

/// <summary>
/// The <c>--first-call</c> mode: how fast a network is from a process's first call, not after a warm-up.
/// First calls need a fresh process, so the parent starts this program again for every measurement
/// (<c>--first-call-child NETWORK convgen|ort</c>), alternating ConvGen and ONNX Runtime and the networks, and
/// reports medians over the processes. Each child times:
/// <list type="bullet">
/// <item>start to first result: from just before the parent starts the process to the first output in hand
/// (runtime start, assembly loading, reading the stored input, for ORT the session from the model's bytes, the
/// first call with its JIT compilation), both read from the system's monotonic clock;</item>
/// <item>the first call alone (and the JIT's compilation time within it, <c>JitInfo.GetCompilationTime</c>), the median of calls 2–100 and of calls 101–1,000 (each call timed on its own);</item>
/// <item>steady state: the median per call over one second after <see cref="WarmupSeconds"/> of calls;</item>
/// <item>warm-up: how long (from the end of the first call) and how many calls it took for calls to come within 1.5x
/// of steady state: up to the first chunk of calls (at least 5 calls and 20 ms, or else 500 calls) whose median is.</item>
/// </list>
/// ConvGen runs the three-argument Run with a 64-byte-aligned scratch, ONNX Runtime as <see cref="OrtNet"/>
/// sets it up (one thread, all optimizations, IoBinding). The first output is checked against PyTorch's.
/// </summary>
internal static class FirstCall
{
    private const double WarmupSeconds = 5, SteadySeconds = 1, WindowMs = 20, WithinFactor = 1.5;

    private delegate void RunNetwork(ReadOnlySpan<float> input, Span<float> output, Span<float> scratch);

    /// <summary>A network as both sides get it: ConvGen's generated class, the ONNX export, a stored input and PyTorch's output.</summary>
    private sealed record Network(string Name, int InputLength, int OutputLength, int ScratchLength, RunNetwork ConvGen,
        string Onnx, long[] InputShape, long[] OutputShape, string Inputs, string TorchOutputs);

    // Lambdas, not method groups: a child touches only its own network's class.
    private static readonly Network[] Networks =
    {
        new("Digits", 64, 10, DigitsNet.ScratchLength, (i, o, s) => DigitsNet.Run(i, o, s),
            "digits.onnx", new long[] { 1, 1, 8, 8 }, new long[] { 1, 10 }, "test_images.f32", "torch_logits.f32"),
        new("LeNet-5", 784, 10, LeNet5.ScratchLength, (i, o, s) => LeNet5.Run(i, o, s),
            "lenet5.onnx", new long[] { 1, 1, 28, 28 }, new long[] { 1, 10 }, "lenet5.input.f32", "lenet5.torch_output.f32"),
        new("DS-CNN", 490, 12, DsCnn.ScratchLength, (i, o, s) => DsCnn.Run(i, o, s),
            "dscnn.onnx", new long[] { 1, 1, 49, 10 }, new long[] { 1, 12 }, "dscnn.input.f32", "dscnn.torch_output.f32"),
        new("MobileNetV1-0.25", 3 * 96 * 96, 2, MobileNetV1.ScratchLength, (i, o, s) => MobileNetV1.Run(i, o, s),
            "mobilenet_v1_025.onnx", new long[] { 1, 3, 96, 96 }, new long[] { 1, 2 }, "mobilenet_v1_025.input.f32", "mobilenet_v1_025.torch_output.f32"),
        new("ResNet-8", 3 * 32 * 32, 10, ResNet8.ScratchLength, (i, o, s) => ResNet8.Run(i, o, s),
            "resnet8.onnx", new long[] { 1, 3, 32, 32 }, new long[] { 1, 10 }, "resnet8.input.f32", "resnet8.torch_output.f32"),
    };

    private static readonly string[] Metrics = { "start", "toFirst", "setup", "first", "jitFirst", "calls2to100", "calls101to1000", "steady", "warmupMs", "warmupCalls" };

    /// <summary>The parent: <paramref name="runs"/> fresh processes per network and side; prints a table of medians.</summary>
    public static void Run(string? filter, int runs)
    {
        var inv = CultureInfo.InvariantCulture;
        var networks = Networks.Where(n => filter is null || n.Name.Contains(filter.Trim('*'), StringComparison.OrdinalIgnoreCase)).ToList();
        var results = new Dictionary<(string, string), List<Dictionary<string, double>>>();
        for (int run = 0; run < runs; run++)
            foreach (Network network in networks)
                // Which side goes first alternates, so a drift of the host favours neither.
                foreach (string side in run % 2 == 0 ? new[] { "convgen", "ort" } : new[] { "ort", "convgen" })
                {
                    Dictionary<string, double> child = Child(network.Name, side);
                    Console.WriteLine($"// run {run + 1}/{runs}, {network.Name}, {side}: " + string.Join(", ", Metrics.Where(child.ContainsKey).Select(m => $"{m} {Format(m, child[m])}")));
                    (results.TryGetValue((network.Name, side), out var list) ? list : results[(network.Name, side)] = new()).Add(child);
                }

        string Median(string network, string side, string metric)
        {
            var values = results[(network, side)].Where(r => r.ContainsKey(metric)).Select(r => r[metric]).ToList();
            return values.Count == 0 ? "–" : Format(metric, MedianOf(values));
        }

        Console.WriteLine();
        Console.WriteLine($"// * ConvGen first-call run: medians over {runs} fresh processes per network and side; tiered compilation {Tiering()} *");
        Console.WriteLine("| Network | Side | start to first result | runtime start | set-up (ORT session) | first call | its JIT time | calls 2–100 | calls 101–1,000 | steady state | 2–100 / steady | within 1.5x of steady after |");
        Console.WriteLine("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        foreach (Network network in networks)
            foreach (string side in new[] { "convgen", "ort" })
            {
                var rows = results[(network.Name, side)];
                double ratio = MedianOf(rows.Select(r => r["calls2to100"] / r["steady"]));
                Console.WriteLine($"| {network.Name} | {(side == "ort" ? "ONNX Runtime" : "ConvGen")} | {Median(network.Name, side, "toFirst")} | {Median(network.Name, side, "start")} | " +
                                  $"{(side == "ort" ? Median(network.Name, side, "setup") : "–")} | {Median(network.Name, side, "first")} | {Median(network.Name, side, "jitFirst")} | {Median(network.Name, side, "calls2to100")} | " +
                                  $"{Median(network.Name, side, "calls101to1000")} | {Median(network.Name, side, "steady")} | {ratio.ToString("0.00", inv)}x | " +
                                  $"{Median(network.Name, side, "warmupMs")} ({Median(network.Name, side, "warmupCalls")} calls) |");
            }
        Console.WriteLine($"// {Digest.Machine()}; .NET {Environment.Version}");
    }

    private static string Tiering()
    {
        string? tc = Environment.GetEnvironmentVariable("DOTNET_TieredCompilation");
        string? pgo = Environment.GetEnvironmentVariable("DOTNET_TieredPGO");
        return (tc is null ? "default (on)" : "DOTNET_TieredCompilation=" + tc) + (pgo is null ? "" : ", DOTNET_TieredPGO=" + pgo);
    }

    private static double MedianOf(IEnumerable<double> values)
    {
        var sorted = values.OrderBy(v => v).ToList();
        return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[sorted.Count / 2 - 1] + sorted[sorted.Count / 2]) / 2;
    }

    private static string Format(string metric, double value) => metric switch
    {
        "warmupCalls" => value.ToString("N0", CultureInfo.InvariantCulture),
        "warmupMs" => value.ToString("0", CultureInfo.InvariantCulture) + " ms",
        _ => Digest.Time(value),
    };

    /// <summary>Starts this program as a child for one measurement and reads back its figures (nanoseconds).</summary>
    private static Dictionary<string, double> Child(string network, string side)
    {
        string self = Environment.ProcessPath!;
        var start = new ProcessStartInfo(self) { RedirectStandardOutput = true, UseShellExecute = false };
        if (System.IO.Path.GetFileNameWithoutExtension(self) == "dotnet")
            start.ArgumentList.Add(typeof(FirstCall).Assembly.Location);
        foreach (string argument in new[] { "--first-call-child", network, side })
            start.ArgumentList.Add(argument);

        long launched = Stopwatch.GetTimestamp();
        using Process process = Process.Start(start)!;
        string output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"{network}, {side}: the child exited with {process.ExitCode}: {output}");

        var figures = new Dictionary<string, double>();
        foreach (string line in output.Split('\n'))
        {
            if (line.StartsWith("//", StringComparison.Ordinal))
                Console.WriteLine(line);
            string[] parts = line.Trim().Split(' ');
            if (parts.Length != 2 || !double.TryParse(parts[1], NumberStyles.Float, CultureInfo.InvariantCulture, out double value))
                continue;
            figures[parts[0]] = parts[0] switch
            {
                // Monotonic timestamps, comparable across processes on one machine.
                "mainAt" or "firstAt" => Stopwatch.GetElapsedTime(launched, (long)value).TotalNanoseconds,
                _ => value,
            };
        }
        figures["start"] = figures["mainAt"];
        figures["toFirst"] = figures["firstAt"];
        return figures;
    }

    // Methods of their own, so that a ConvGen child never loads ONNX Runtime's assembly (the JIT would, compiling a
    // method that names its types).
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static Action OrtCall(Network network, float[] input, float[] output, out IDisposable session)
    {
        var ort = new OrtNet(network.Onnx, input, network.InputShape, output, network.OutputShape);
        session = ort;
        return ort.Run;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static Action ConvGenCall(Network network, float[] input, float[] output)
    {
        float[] scratchArray = GC.AllocateArray<float>(network.ScratchLength + 16, pinned: true);
        int offset = Aligned.Start(scratchArray);
        RunNetwork run = network.ConvGen;
        return () => run(input, output, scratchArray.AsSpan(offset, network.ScratchLength));
    }

    /// <summary>The child: one network, one side, from a fresh process.</summary>
    public static void RunChild(string networkName, string side)
    {
        long mainAt = Stopwatch.GetTimestamp();
        Network network = Networks.Single(n => n.Name == networkName);
        var input = Resources.ReadFloats(network.Inputs, 0, network.InputLength);
        var output = new float[network.OutputLength];

        long setupStart = Stopwatch.GetTimestamp();
        IDisposable? session = null;
        Action call = side == "ort" ? OrtCall(network, input, output, out session) : ConvGenCall(network, input, output);
        long setupEnd = Stopwatch.GetTimestamp();
        TimeSpan jitBefore = System.Runtime.JitInfo.GetCompilationTime();
        call();
        long firstAt = Stopwatch.GetTimestamp();
        TimeSpan jitFirst = System.Runtime.JitInfo.GetCompilationTime() - jitBefore;

        // Checked after the clock stopped: the first output is PyTorch's.
        var expected = Resources.ReadFloats(network.TorchOutputs, 0, network.OutputLength);
        Agreement.Check($"{network.Name}, {side}, first call", expected, "PyTorch", output, side == "ort" ? "ONNX Runtime" : "ConvGen");

        // Calls 2 onwards, each timed on its own, for WarmupSeconds from the first call (and at least to call 1,000).
        const int Capacity = 8 << 20;
        var durations = new float[Capacity];   // ns
        var endsMs = new float[Capacity];      // ms since the first call ended
        int n = 0;
        while (n < 999 || Stopwatch.GetElapsedTime(firstAt).TotalSeconds < WarmupSeconds)
        {
            long before = Stopwatch.GetTimestamp();
            call();
            long after = Stopwatch.GetTimestamp();
            if (n < Capacity)
            {
                durations[n] = (float)Stopwatch.GetElapsedTime(before, after).TotalNanoseconds;
                endsMs[n] = (float)Stopwatch.GetElapsedTime(firstAt, after).TotalMilliseconds;
                n++;
            }
        }
        var steadyCalls = new List<double>(1 << 20);
        long steadyStart = Stopwatch.GetTimestamp();
        while (Stopwatch.GetElapsedTime(steadyStart).TotalSeconds < SteadySeconds)
        {
            long before = Stopwatch.GetTimestamp();
            call();
            steadyCalls.Add(Stopwatch.GetElapsedTime(before).TotalNanoseconds);
        }
        double steady = MedianOf(steadyCalls);

        // Warm-up: calls are within 1.5x of steady state from the first chunk of calls whose median is (a chunk: at least 5
        // calls and 20 ms, or 500 calls). The first such chunk, not the last above: on a shared host a later chunk can
        // read slow for reasons of its own (ONNX Runtime, which has no warm-up, shows such chunks seconds in).
        double warmupMs = 0;
        long warmupCalls = 1;
        for (int from = 0; from < n;)
        {
            int to = from;
            while (to < n && (to - from < 5 || endsMs[to] - (from == 0 ? 0 : endsMs[from - 1]) < WindowMs) && to - from < 500)
                to++;
            if (MedianOf(durations.AsSpan(from, to - from).ToArray().Select(d => (double)d)) <= WithinFactor * steady)
                break;
            (warmupMs, warmupCalls) = (endsMs[to - 1], to + 1);
            from = to;
        }

        session?.Dispose();
        var inv = CultureInfo.InvariantCulture;
        Console.WriteLine($"mainAt {mainAt.ToString(inv)}");
        Console.WriteLine($"firstAt {firstAt.ToString(inv)}");
        Console.WriteLine($"setup {Stopwatch.GetElapsedTime(setupStart, setupEnd).TotalNanoseconds.ToString("R", inv)}");
        Console.WriteLine($"jitFirst {jitFirst.TotalNanoseconds.ToString("R", inv)}");
        Console.WriteLine($"first {Stopwatch.GetElapsedTime(setupEnd, firstAt).TotalNanoseconds.ToString("R", inv)}");
        Console.WriteLine($"calls2to100 {MedianOf(durations.Take(99).Select(d => (double)d)).ToString("R", inv)}");
        Console.WriteLine($"calls101to1000 {MedianOf(durations.Skip(99).Take(900).Select(d => (double)d)).ToString("R", inv)}");
        Console.WriteLine($"steady {steady.ToString("R", inv)}");
        Console.WriteLine($"warmupMs {warmupMs.ToString("R", inv)}");
        Console.WriteLine($"warmupCalls {warmupCalls.ToString(inv)}");
    }
}
