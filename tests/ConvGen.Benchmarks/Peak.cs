using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using BenchmarkDotNet.Attributes;

namespace ConvGen.Benchmarks;

/// <summary>
/// The core's single-thread FMA peak, to read the networks' GFLOP/s against: 12 independent accumulators
/// kept in registers (enough to cover FMA latency x throughput on current x64 cores: 4 cycles x 2 per cycle
/// on Zen 3), each updated by a fused multiply-add per iteration, with no loads or stores in the loop.
/// Vector256 + Fma where the CPU has them, Vector&lt;float&gt; with Vector.FusedMultiplyAdd otherwise.
/// </summary>
[MemoryDiagnoser]
public class Peak
{
    private const int Iterations = 4096, Accumulators = 12;

    /// <summary>Multiply-adds per call (a MAC is 2 FLOPs), for the GFLOP/s column.</summary>
    public static long MacsPerCall => (long)Iterations * Accumulators * Lanes;

    private static int Lanes => Fma.IsSupported ? Vector256<float>.Count : Vector<float>.Count;

    // Fields, so the JIT cannot fold the arithmetic; values that stay finite and normal for any number of iterations.
    private float _start = 0.5f, _multiplier = 0.999f, _addend = 0.0005f;

    [Benchmark(Description = "FMA peak")]
    public float Fma256() => Fma.IsSupported ? WithFma() : WithVectorT();

    [MethodImpl(MethodImplOptions.NoInlining)]
    private float WithFma()
    {
        Vector256<float> m = Vector256.Create(_multiplier), a = Vector256.Create(_addend);
        Vector256<float> a0 = Vector256.Create(_start), a1 = a0 + a, a2 = a1 + a, a3 = a2 + a, a4 = a3 + a, a5 = a4 + a;
        Vector256<float> a6 = a5 + a, a7 = a6 + a, a8 = a7 + a, a9 = a8 + a, a10 = a9 + a, a11 = a10 + a;
        for (int i = 0; i < Iterations; i++)
        {
            a0 = Fma.MultiplyAdd(a0, m, a);
            a1 = Fma.MultiplyAdd(a1, m, a);
            a2 = Fma.MultiplyAdd(a2, m, a);
            a3 = Fma.MultiplyAdd(a3, m, a);
            a4 = Fma.MultiplyAdd(a4, m, a);
            a5 = Fma.MultiplyAdd(a5, m, a);
            a6 = Fma.MultiplyAdd(a6, m, a);
            a7 = Fma.MultiplyAdd(a7, m, a);
            a8 = Fma.MultiplyAdd(a8, m, a);
            a9 = Fma.MultiplyAdd(a9, m, a);
            a10 = Fma.MultiplyAdd(a10, m, a);
            a11 = Fma.MultiplyAdd(a11, m, a);
        }
        return Vector256.Sum(((a0 + a1) + (a2 + a3)) + ((a4 + a5) + (a6 + a7)) + ((a8 + a9) + (a10 + a11)));
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private float WithVectorT()
    {
        Vector<float> m = new(_multiplier), a = new(_addend);
        Vector<float> a0 = new(_start), a1 = a0 + a, a2 = a1 + a, a3 = a2 + a, a4 = a3 + a, a5 = a4 + a;
        Vector<float> a6 = a5 + a, a7 = a6 + a, a8 = a7 + a, a9 = a8 + a, a10 = a9 + a, a11 = a10 + a;
        for (int i = 0; i < Iterations; i++)
        {
            a0 = Vector.FusedMultiplyAdd(a0, m, a);
            a1 = Vector.FusedMultiplyAdd(a1, m, a);
            a2 = Vector.FusedMultiplyAdd(a2, m, a);
            a3 = Vector.FusedMultiplyAdd(a3, m, a);
            a4 = Vector.FusedMultiplyAdd(a4, m, a);
            a5 = Vector.FusedMultiplyAdd(a5, m, a);
            a6 = Vector.FusedMultiplyAdd(a6, m, a);
            a7 = Vector.FusedMultiplyAdd(a7, m, a);
            a8 = Vector.FusedMultiplyAdd(a8, m, a);
            a9 = Vector.FusedMultiplyAdd(a9, m, a);
            a10 = Vector.FusedMultiplyAdd(a10, m, a);
            a11 = Vector.FusedMultiplyAdd(a11, m, a);
        }
        return Vector.Sum(((a0 + a1) + (a2 + a3)) + ((a4 + a5) + (a6 + a7)) + ((a8 + a9) + (a10 + a11)));
    }
}
