using System;
using System.Reflection;

namespace ConvGen.Tests.Hardening;

/// <summary>
/// Runs a generated network's three-argument Run on spans cut from one array with guard regions between them:
/// canary floats before and after input, output and scratch, and scratch full of garbage (NaN and huge
/// values) rather than zeros. A write outside a span changes a canary; a read of scratch the kernel did not
/// write first spreads the garbage into the output.
/// </summary>
public static class GuardedRun
{
    /// <summary>Compiled with the networks (spans cannot cross reflection): <c>Guards.Run</c> does the work, an invoker per network calls it.</summary>
    public const string Source = """
        public delegate void ConvGenRun(global::System.ReadOnlySpan<float> input, global::System.Span<float> output, global::System.Span<float> scratch);

        public static class Guards
        {
            public const int Floats = 1024;
            public const int Canary = 0x7FC0DEAD; // a NaN no arithmetic produces

            public static float[] Run(float[] input, int outputLength, int scratchLength, ConvGenRun run)
            {
                int outputAt = Floats + input.Length + Floats, scratchAt = outputAt + outputLength + Floats;
                var all = new float[scratchAt + scratchLength + Floats];
                for (int i = 0; i < all.Length; i++)
                    all[i] = global::System.BitConverter.Int32BitsToSingle(Canary);
                for (int i = 0; i < scratchLength; i++)
                    all[scratchAt + i] = i % 3 == 0 ? float.NaN : i % 3 == 1 ? 3e38f : -3e38f;
                input.CopyTo(all, Floats);
                run(new global::System.ReadOnlySpan<float>(all, Floats, input.Length), new global::System.Span<float>(all, outputAt, outputLength),
                    new global::System.Span<float>(all, scratchAt, scratchLength));
                Check(all, 0, Floats, "before the input");
                Check(all, Floats + input.Length, Floats, "between the input and the output");
                Check(all, outputAt + outputLength, Floats, "between the output and scratch");
                Check(all, scratchAt + scratchLength, Floats, "after scratch");
                for (int i = 0; i < input.Length; i++)
                    if (global::System.BitConverter.SingleToInt32Bits(all[Floats + i]) != global::System.BitConverter.SingleToInt32Bits(input[i]))
                        throw new global::System.InvalidOperationException($"Run wrote its input at [{i}]");
                return new global::System.Span<float>(all, outputAt, outputLength).ToArray();
            }

            private static void Check(float[] all, int start, int length, string where)
            {
                for (int i = start; i < start + length; i++)
                    if (global::System.BitConverter.SingleToInt32Bits(all[i]) != Canary)
                        throw new global::System.InvalidOperationException($"Run wrote {where}, {i - start} floats into the guard region");
            }
        }
        """;

    /// <summary>The invoker class for one network, <c>&lt;name&gt;_Guarded.Invoke(float[])</c>.</summary>
    public static string Invoker(string className) => $$"""
        public static class {{className}}_Guarded
        {
            public static float[] Invoke(float[] input)
                => Guards.Run(input, {{className}}.OutputLength, {{className}}.ScratchLength, (x, y, s) => {{className}}.Run(x, y, s));
        }

        """;

    public static float[] Invoke(Assembly assembly, string className, float[] input)
    {
        MethodInfo method = assembly.GetType(className + "_Guarded")!.GetMethod("Invoke")!;
        try
        {
            return (float[])method.Invoke(null, new object[] { input })!;
        }
        catch (TargetInvocationException e) when (e.InnerException is not null)
        {
            throw e.InnerException;
        }
    }
}
