using System;
using System.Reflection;
using System.Runtime.CompilerServices;
using ConvGen.Tests.Reference;
using Xunit;

namespace ConvGen.Tests;

// Networks compiled into this test assembly by the real generator (the project references it as an
// analyzer), to measure what Run allocates. Weights are arbitrary seeded values; the expected outputs
// come from NaiveReference.

/// <summary>Scratch of 90 floats: Run(input, output) keeps it on the stack.</summary>
[ConvNet(1, 8, 8)]
[Conv2D(2, 3, Activation = Activation.ReLU, Weights = new float[] { -0.3523f, -0.6983f, 0.3019f, -0.8551f, 0.0718f, -0.2686f, -0.8840f, 0.0149f, -0.9250f, -0.1327f, -0.8603f, -0.8186f, -0.1510f, 0.6537f, -0.7524f, -0.5535f, 0.2549f, 0.8954f }, Bias = new float[] { 0.1542f, -0.2066f })]
[MaxPool2D(2)]
[Flatten]
[Dense(3, Weights = new float[] { 0.9525f, -0.9068f, 0.7169f, -0.4208f, -0.7115f, -0.7644f, -0.3830f, 0.6323f, -0.6385f, 0.1632f, 0.2778f, -0.2552f, 0.0955f, -0.8744f, -0.8808f, -0.5881f, 0.3608f, -0.1448f, -0.3717f, 0.1711f, -0.0936f, -0.4005f, 0.5888f, 0.3980f, -0.5118f, 0.1488f, 0.0504f, 0.7503f, 0.4589f, -0.4241f, 0.9603f, -0.7639f, -0.1638f, 0.5143f, -0.6960f, -0.0221f, -0.9216f, 0.3364f, 0.5291f, 0.1461f, 0.7510f, -0.3725f, 0.3906f, 0.1887f, 0.1598f, -0.0876f, 0.6799f, 0.8894f, -0.0518f, 0.3283f, -0.8787f, 0.4030f, 0.2943f, 0.9862f }, Bias = new float[] { 0.6438f, -0.4308f, -0.2284f })]
[Softmax]
public static partial class SmallStackNet;

/// <summary>Scratch of 40 KiB: Run(input, output) uses a per-thread array made on the first call.</summary>
[ConvNet(1, 32, 32)]
[Conv2D(8, 3, Padding = Padding.Same, Activation = Activation.ReLU6, Weights = new float[] { 0.3373f, -0.9549f, -0.0766f, -0.6639f, -0.7658f, -0.8821f, 0.5365f, -0.7413f, -0.5048f, -0.2181f, 0.7428f, -0.8388f, -0.1016f, 0.0989f, 0.7668f, 0.6386f, 0.7280f, -0.4432f, -0.1694f, -0.2825f, 0.7684f, 0.9155f, -0.6982f, -0.6476f, -0.5361f, -0.5333f, -0.0301f, 0.1782f, -0.4745f, -0.9918f, -0.1621f, -0.2615f, 0.1327f, 0.9062f, 0.3810f, 0.0310f, 0.2352f, 0.3524f, -0.8920f, 0.7991f, 0.5599f, 0.7490f, 0.5957f, -0.2152f, -0.2020f, -0.7929f, 0.2686f, -0.8755f, -0.8653f, -0.5825f, -0.6754f, -0.3199f, -0.8948f, -0.9995f, -0.6975f, -0.7971f, -0.2728f, -0.9490f, 0.7487f, 0.2281f, -0.7029f, -0.4955f, -0.3052f, -0.2717f, -0.7543f, 0.6979f, 0.9862f, -0.0680f, -0.0323f, -0.8282f, -0.7956f, -0.3147f }, Bias = new float[] { -0.4705f, 0.6577f, -0.6771f, -0.9538f, 0.9020f, 0.0565f, -0.7068f, 0.0863f })]
[MaxPool2D(2)]
[GlobalAvgPool]
[Dense(3, Activation = Activation.Sigmoid, Weights = new float[] { -0.9459f, 0.0562f, 0.9570f, 0.7267f, 0.3924f, -0.4778f, -0.2666f, -0.6659f, 0.5439f, 0.0652f, 0.5581f, -0.3407f, -0.5539f, 0.6230f, 0.9699f, 0.7053f, 0.6122f, 0.6367f, 0.4797f, -0.5465f, 0.0353f, -0.2889f, -0.9420f, -0.9441f }, Bias = new float[] { -0.4412f, -0.4817f, 0.3850f })]
public static partial class LargeScratchNet;

public class AllocationTests
{
    // Tests build in Debug, where the JIT does not optimize: enough calls to prove "none per call", not more.
    private const int Calls = 2_000;

    [Fact]
    public void Run_with_stack_scratch_allocates_nothing()
    {
        var input = Random(SmallStackNet.InputLength);
        var output = new float[SmallStackNet.OutputLength];

        long bytes = AllocatedBytes(() => SmallStackNet.Run(input, output));

        Assert.True(SmallStackNet.ScratchLength * sizeof(float) <= 16 * 1024);
        Assert.Equal(0, bytes);
    }

    [Fact]
    public void Run_with_per_thread_scratch_allocates_nothing_after_the_first_call()
    {
        var input = Random(LargeScratchNet.InputLength);
        var output = new float[LargeScratchNet.OutputLength];

        long bytes = AllocatedBytes(() => LargeScratchNet.Run(input, output));

        Assert.True(LargeScratchNet.ScratchLength * sizeof(float) > 16 * 1024);
        Assert.Equal(0, bytes);
    }

    [Fact]
    public void Run_with_caller_scratch_allocates_nothing()
    {
        var input = Random(LargeScratchNet.InputLength);
        var output = new float[LargeScratchNet.OutputLength];
        var scratch = new float[LargeScratchNet.ScratchLength];

        long bytes = AllocatedBytes(() => LargeScratchNet.Run(input, output, scratch));

        Assert.Equal(0, bytes);
    }

    [Fact]
    public void ReleaseScratch_drops_this_threads_array_and_the_next_call_makes_it_once()
    {
        var input = Random(LargeScratchNet.InputLength);
        var expected = new float[LargeScratchNet.OutputLength];
        var output = new float[LargeScratchNet.OutputLength];
        LargeScratchNet.Run(input, expected);
        FieldInfo perThread = typeof(LargeScratchNet).GetNestedType("ConvGenKernels", BindingFlags.NonPublic)!.GetField("Scratch")!;
        WeakReference held = Track(perThread);

        LargeScratchNet.ReleaseScratch();
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();

        Assert.Null(perThread.GetValue(null));
        Assert.False(held.IsAlive, "the released array is still reachable");
        long before = GC.GetAllocatedBytesForCurrentThread();
        LargeScratchNet.Run(input, output);
        Assert.InRange(GC.GetAllocatedBytesForCurrentThread() - before, LargeScratchNet.ScratchLength * sizeof(float), LargeScratchNet.ScratchLength * sizeof(float) + 1024);
        Assert.Equal(0, AllocatedBytes(() => LargeScratchNet.Run(input, output)));
        Assert.Equal(expected, output);
        SmallStackNet.ReleaseScratch(); // nothing to drop: its scratch is on the stack
    }

    /// <summary>A weak reference to this thread's array, made where no local of the test keeps it alive.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static WeakReference Track(FieldInfo perThread) => new(perThread.GetValue(null) ?? throw new InvalidOperationException("no per-thread scratch"));

    [Fact]
    public void Shapes_and_summary_allocate_nothing_even_in_a_debug_build()
    {
        // This assembly builds in Debug, where an int[] initializer behind a span property would allocate per access.
        long bytes = AllocatedBytes(() =>
        {
            if (SmallStackNet.InputShape.Length + SmallStackNet.OutputShape.Length + SmallStackNet.Summary.Length == 0)
                throw new InvalidOperationException();
        });

        Assert.Equal(0, bytes);
    }

    [Theory]
    [InlineData(typeof(SmallStackNet))]
    [InlineData(typeof(LargeScratchNet))]
    public void Allocation_free_networks_compute_what_the_reference_computes(Type network)
    {
        // Scratch planning must not let an in-place step or a pooling step clobber a live tensor.
        var input = Random((int)network.GetField("InputLength")!.GetRawConstantValue()!);
        var output = new float[(int)network.GetField("OutputLength")!.GetRawConstantValue()!];

        float[] expected = ReferenceNetwork.Run(network, input);
        float[] actual = network == typeof(SmallStackNet) ? Call(SmallStackNet.Run, input, output) : Call(LargeScratchNet.Run, input, output);

        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
            Assert.True(Math.Abs(expected[i] - actual[i]) <= 1e-4f * Math.Max(1f, Math.Abs(expected[i])), $"output[{i}]: expected {expected[i]}, got {actual[i]}");
    }

    private delegate void RunDelegate(ReadOnlySpan<float> input, Span<float> output);

    private static float[] Call(RunDelegate run, float[] input, float[] output)
    {
        run(input, output);
        return output;
    }

    /// <summary>
    /// Bytes allocated on this thread by <see cref="Calls"/> runs, after a warm-up. The least of three rounds:
    /// the runtime itself may allocate once while it re-JITs a hot method under load, but an allocation per
    /// call shows in every round.
    /// </summary>
    private static long AllocatedBytes(Action run)
    {
        for (int i = 0; i < 100; i++)
            run();
        long least = long.MaxValue;
        for (int round = 0; round < 3; round++)
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            for (int i = 0; i < Calls; i++)
                run();
            least = Math.Min(least, GC.GetAllocatedBytesForCurrentThread() - before);
        }
        return least;
    }

    private static float[] Random(int length)
    {
        var random = new Random(42);
        var values = new float[length];
        for (int i = 0; i < length; i++)
            values[i] = (float)(random.NextDouble() * 2 - 1);
        return values;
    }
}
