using System;
using System.Linq;
using System.Threading;
using ConvGen.Tests.Infrastructure;
using Xunit;

namespace ConvGen.Tests;

/// <summary>
/// What Run promises beyond its numbers (issue 17): bounded stack, defined aliasing, results that do not depend
/// on what the caller's scratch holds. Over every reference network, the Digits net and the 126x126 padded conv.
/// </summary>
public class RunContractTests
{
    public static TheoryData<string> Networks => RunnableNetwork.All;

    /// <summary>What embedded boards and small-stack worker threads give: the probe's 64 KiB.</summary>
    private const int SmallStack = 64 * 1024;

    [Theory]
    [MemberData(nameof(Networks))]
    public void Both_overloads_run_on_a_64_KiB_thread(string name)
    {
        // A stack overflow cannot be caught: before kernel buffers moved into scratch, this killed the test host.
        RunnableNetwork network = RunnableNetwork.Get(name);
        float[] input = RunnableNetwork.RandomFloats(network.InputLength);
        float[] expected = Run(network, input);
        network.Run(input, new float[network.OutputLength]); // compiled here, on a big stack: the JIT's own stack is not Run's

        float[] withScratch = new float[network.OutputLength], withoutScratch = new float[network.OutputLength];
        float[] scratch = new float[network.ScratchLength];
        Exception? failure = null;
        var thread = new Thread(() =>
        {
            try
            {
                network.RunWithScratch(input, withScratch, scratch);
                network.Run(input, withoutScratch);
            }
            catch (Exception e)
            {
                failure = e;
            }
        }, SmallStack);
        thread.Start();
        thread.Join();

        Assert.Null(failure);
        Assert.Equal(expected, withScratch);
        Assert.Equal(expected, withoutScratch);
    }

    [Theory]
    [MemberData(nameof(Networks))]
    public void Results_do_not_depend_on_what_scratch_and_output_held(string name)
    {
        // Kernels may leave buffers uninitialized only where they write them before reading: NaN, infinities and
        // a previous call's leftovers in scratch (and in output) must change nothing.
        RunnableNetwork network = RunnableNetwork.Get(name);
        float[] input = RunnableNetwork.RandomFloats(network.InputLength);
        float[] expected = Run(network, input);
        float[] garbage = RunnableNetwork.RandomFloats(network.ScratchLength + 64, seed: 7).Select(v => v * 1e30f).ToArray();

        foreach (float fill in new[] { float.NaN, float.PositiveInfinity, float.NegativeInfinity, -0f, float.MaxValue })
        {
            float[] scratch = Enumerable.Repeat(fill, network.ScratchLength + 64).ToArray();
            float[] output = Enumerable.Repeat(fill, network.OutputLength).ToArray();
            network.RunWithScratch(input, output, scratch);
            Assert.True(expected.SequenceEqual(output), $"{name}: scratch and output filled with {fill} changed the result");
        }
        {
            float[] output = new float[network.OutputLength];
            network.RunWithScratch(input, output, (float[])garbage.Clone());
            Assert.True(expected.SequenceEqual(output), $"{name}: scratch filled with large random values changed the result");
            // A previous call on another input leaves its tensors behind.
            float[] scratch = new float[network.ScratchLength];
            network.RunWithScratch(RunnableNetwork.RandomFloats(network.InputLength, seed: 3), output, scratch);
            network.RunWithScratch(input, output, scratch);
            Assert.True(expected.SequenceEqual(output), $"{name}: a previous call's scratch changed the result");
        }
    }

    [Theory]
    [MemberData(nameof(Networks))]
    public void Overlapping_spans_are_rejected_and_adjacent_ones_accepted(string name)
    {
        RunnableNetwork network = RunnableNetwork.Get(name);
        int n = network.InputLength, m = network.OutputLength, s = network.ScratchLength;
        float[] input = RunnableNetwork.RandomFloats(n);
        float[] expected = Run(network, input);

        // Input, output and scratch side by side in one array: adjacent, not overlapping.
        float[] memory = new float[n + m + s + n];
        input.CopyTo(memory, 0);
        network.RunWithScratch(memory.AsSpan(0, n), memory.AsSpan(n, m), memory.AsSpan(n + m, s));
        Assert.Equal(expected, memory.AsSpan(n, m).ToArray());
        Array.Clear(memory, n, m);
        network.Run(memory.AsSpan(0, n), memory.AsSpan(n, m));
        Assert.Equal(expected, memory.AsSpan(n, m).ToArray());

        // Output over input: in place (from the same float), and sharing only input's last float.
        Rejects("input", "output", () => network.RunWithScratch(memory.AsSpan(0, n), memory.AsSpan(0, m), new float[s]));
        Rejects("input", "output", () => network.RunWithScratch(memory.AsSpan(0, n), memory.AsSpan(n - 1, m), new float[s]));
        Rejects("input", "output", () => network.RunWithScratch(memory.AsSpan(m - 1, n), memory.AsSpan(0, m), new float[s]));
        Rejects("input", "output", () => network.Run(memory.AsSpan(0, n), memory.AsSpan(0, m)));
        Rejects("input", "output", () => network.Run(memory.AsSpan(0, n), memory.AsSpan(n - 1, m)));

        // Scratch over input and over output, by one float at either end of the part Run uses.
        Assert.True(s > 0, $"{name} needs no scratch: pick a network that does");
        Rejects("input", "scratch", () => network.RunWithScratch(memory.AsSpan(0, n), new float[m], memory.AsSpan(n - 1, s + 1)));
        Rejects("input", "scratch", () => network.RunWithScratch(memory.AsSpan(s - 1, n), new float[m], memory.AsSpan(0, s)));
        Rejects("output", "scratch", () => network.RunWithScratch(input, memory.AsSpan(0, m), memory.AsSpan(m - 1, s + 1)));
        Rejects("output", "scratch", () => network.RunWithScratch(input, memory.AsSpan(s - 1, m), memory.AsSpan(0, s)));

        // Scratch beyond ScratchLength is not Run's: the input may lie there.
        memory.AsSpan().Clear();
        input.CopyTo(memory, s);
        float[] output = new float[m];
        network.RunWithScratch(memory.AsSpan(s, n), output, memory.AsSpan(0, s + n));
        Assert.Equal(expected, output);
    }

    private static void Rejects(string first, string second, Action run)
    {
        var e = Assert.Throws<ArgumentException>(run);
        Assert.Contains(first, e.Message, StringComparison.Ordinal);
        Assert.Contains(second, e.Message, StringComparison.Ordinal);
    }

    /// <summary>The network's result with fresh, zeroed scratch of its own.</summary>
    private static float[] Run(RunnableNetwork network, float[] input)
    {
        float[] output = new float[network.OutputLength];
        network.RunWithScratch(input, output, new float[network.ScratchLength]);
        return output;
    }
}

/// <summary>
/// Run's stack use, measured by painting (<see cref="StackDepth"/>). Alone, after the parallel tests: another test's
/// garbage collection suspends this thread with a signal whose handler writes deep into the painted stack.
/// </summary>
[Collection(nameof(RunContractStackTests))]
[CollectionDefinition(nameof(RunContractStackTests), DisableParallelization = true)]
public class RunContractStackTests
{
    public static TheoryData<string> Networks => RunnableNetwork.All;

    [Theory]
    [MemberData(nameof(Networks))]
    public void The_three_argument_Run_uses_under_32_KiB_of_stack_and_the_two_argument_one_16_KiB_more(string name)
    {
        // This assembly is a Debug build, whose unoptimized frames are the largest Run has: up to 21 KiB here, against
        // under 1 KiB optimized (README), as Release builds are from the first call. Kernel buffers on the stack took up to 68 KiB.
        RunnableNetwork network = RunnableNetwork.Get(name);
        float[] input = RunnableNetwork.RandomFloats(network.InputLength), output = new float[network.OutputLength];
        float[] scratch = new float[network.ScratchLength];

        int withScratch = StackDepth.Of(() => network.RunWithScratch(input, output, scratch));
        int withoutScratch = StackDepth.Of(() => network.Run(input, output));

        Assert.True(withScratch <= 32 * 1024, $"{name}: Run(input, output, scratch) used {withScratch:N0} bytes of stack");
        Assert.True(withoutScratch <= withScratch + 17 * 1024, $"{name}: Run(input, output) used {withoutScratch:N0} bytes of stack, {withScratch:N0} with scratch");
    }
}
