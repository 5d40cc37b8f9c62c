using System;

namespace ConvGen.Benchmarks;

/// <summary>Benchmarks time nothing until the implementations agree: a GlobalSetup calls this and throws otherwise.</summary>
internal static class Agreement
{
    /// <summary>Each value within 1e-4 of the reference, relative to its size when that is above 1.</summary>
    public const float Tolerance = 1e-4f;

    public static void Check(string what, ReadOnlySpan<float> reference, string referenceName, ReadOnlySpan<float> actual, string actualName)
    {
        if (reference.Length != actual.Length)
            throw new InvalidOperationException($"{what}: {actualName} gave {actual.Length} values, {referenceName} {reference.Length}.");
        float worst = 0;
        int worstAt = 0;
        for (int i = 0; i < reference.Length; i++)
        {
            float error = MathF.Abs(actual[i] - reference[i]) / MathF.Max(1, MathF.Abs(reference[i]));
            if (!(error <= worst)) // NaN counts as the worst
            {
                worst = error;
                worstAt = i;
            }
        }
        if (!(worst <= Tolerance))
            throw new InvalidOperationException(
                $"{what}: {actualName} and {referenceName} disagree at [{worstAt}]: {actual[worstAt]} vs {reference[worstAt]} " +
                $"(error {worst:G3} > {Tolerance:G3}); refusing to time them.");
        Console.WriteLine($"// {what}: {actualName} agrees with {referenceName} on {reference.Length} values (largest error {worst:G3}).");
    }
}
