using System;
using System.Collections.Generic;
using System.Linq;
using ConvGen.Generators.Helpers;

namespace ConvGen.Generators.Emit;

/// <summary>
/// Winograd F(2x2, r x r) (Lavin and Gray, 2015): a tile of 2x2 outputs of an r x r conv from an α x α patch
/// of input (α = r + 1) as Y = Aᵀ [(G g Gᵀ) ⊙ (Bᵀ d B)] A: α² products instead of 4r² multiply-adds. Toom-Cook
/// matrices over the points 0, 1, -1 (and 2, -2 for r = 5) and infinity; Bᵀ and Aᵀ are integers, so the run-time
/// transforms are adds and a few multiply-adds, and G's fractions are applied to the weights at build time.
/// </summary>
internal sealed class WinogradMatrices
{
    public int R { get; }
    public int Alpha => R + 1;

    /// <summary>α x r: the weights' transform.</summary>
    public double[,] G { get; }

    /// <summary>α x α: the input's transform.</summary>
    public int[,] BT { get; }

    /// <summary>2 x α: the output's transform.</summary>
    public int[,] AT { get; }

    private WinogradMatrices(int r, double[,] g, int[,] bt, int[,] at) => (R, G, BT, AT) = (r, g, bt, at);

    /// <summary>F(2x2, 3x3): 16 products for 36 multiply-adds.</summary>
    public static readonly WinogradMatrices F2x3 = new(3,
        new[,] { { 1, 0, 0 }, { 0.5, 0.5, 0.5 }, { 0.5, -0.5, 0.5 }, { 0, 0, 1 } },
        new[,] { { 1, 0, -1, 0 }, { 0, 1, 1, 0 }, { 0, -1, 1, 0 }, { 0, 1, 0, -1 } },
        new[,] { { 1, 1, 1, 0 }, { 0, 1, -1, -1 } });

    /// <summary>
    /// F(2x2, 5x5): 36 products for 100 multiply-adds. Bᵀ's entries reach 5, so rounding grows: in float, about
    /// 1e-5 of the largest output against 4e-7 for the direct sum (6 input channels, random weights).
    /// </summary>
    public static readonly WinogradMatrices F2x5 = new(5,
        new[,]
        {
            { 1 / 4.0, 0, 0, 0, 0 },
            { -1 / 6.0, -1 / 6.0, -1 / 6.0, -1 / 6.0, -1 / 6.0 },
            { -1 / 6.0, 1 / 6.0, -1 / 6.0, 1 / 6.0, -1 / 6.0 },
            { 1 / 24.0, 1 / 12.0, 1 / 6.0, 1 / 3.0, 2 / 3.0 },
            { 1 / 24.0, -1 / 12.0, 1 / 6.0, -1 / 3.0, 2 / 3.0 },
            { 0, 0, 0, 0, 1 },
        },
        new[,]
        {
            { 4, 0, -5, 0, 1, 0 },
            { 0, -4, -4, 1, 1, 0 },
            { 0, 4, -4, -1, 1, 0 },
            { 0, -2, -1, 2, 1, 0 },
            { 0, 2, -1, -2, 1, 0 },
            { 0, 4, 0, -5, 0, 1 },
        },
        new[,] { { 1, 1, 1, 1, 1, 0 }, { 0, 1, -1, 2, -2, 1 } });

    /// <summary>The matrices for an r x r kernel, or null when there are none.</summary>
    public static WinogradMatrices? For(int r) => r switch { 3 => F2x3, 5 => F2x5, _ => null };

    /// <summary>
    /// U = G g Gᵀ for each (out, in) pair of a conv's r x r weights <c>[out, in, r, r]</c>, in double and rounded
    /// once, element ξ (row-major in α x α) of pair (o, i) placed at <paramref name="at"/>(o, i, ξ).
    /// </summary>
    public float[] TransformWeights(EquatableArray<float> weights, int outC, int inC, Func<int, int, int, int> at)
    {
        int r = R, a = Alpha;
        var packed = new float[outC * inC * a * a];
        var gg = new double[r, a];
        for (int o = 0; o < outC; o++)
            for (int i = 0; i < inC; i++)
            {
                int first = (o * inC + i) * r * r;
                // gg = g Gᵀ, then U = G gg.
                for (int y = 0; y < r; y++)
                    for (int j = 0; j < a; j++)
                    {
                        double sum = 0;
                        for (int x = 0; x < r; x++)
                            sum += weights[first + y * r + x] * G[j, x];
                        gg[y, j] = sum;
                    }
                for (int y = 0; y < a; y++)
                    for (int j = 0; j < a; j++)
                    {
                        double sum = 0;
                        for (int x = 0; x < r; x++)
                            sum += G[y, x] * gg[x, j];
                        packed[at(o, i, y * a + j)] = (float)sum;
                    }
            }
        return packed;
    }

    /// <summary>Row <paramref name="row"/> of a matrix, as coefficients.</summary>
    public static int[] Row(int[,] matrix, int row) => Enumerable.Range(0, matrix.GetLength(1)).Select(j => matrix[row, j]).ToArray();

    /// <summary>
    /// Σ coefficients[i] term(i) as vector code: the ±1 terms added and subtracted, the others grouped by
    /// magnitude and multiplied once per group (4(d1 - d2), not 4d1 - 4d2). Operators, not the MulAdd helper:
    /// hundreds of calls to inline exhaust the JIT's inlining budget for the method (it ran 10x slower).
    /// </summary>
    public static string Combine(IReadOnlyList<int> coefficients, Func<int, string> term, string vector)
    {
        var parts = new List<(string Code, bool Negative)>();
        foreach (var group in Enumerable.Range(0, coefficients.Count).Where(i => coefficients[i] != 0).GroupBy(i => Math.Abs(coefficients[i])).OrderBy(g => g.Key))
        {
            if (group.Key == 1)
            {
                parts.AddRange(group.Select(i => (term(i), coefficients[i] < 0)));
                continue;
            }
            // The group's signed sum, negated as a whole when all its terms are negative.
            var terms = group.OrderBy(i => coefficients[i] < 0).Select(i => (Code: term(i), Negative: coefficients[i] < 0)).ToList();
            bool negative = terms.All(t => t.Negative);
            string sum = Sum(negative ? terms.Select(t => (t.Code, false)).ToList() : terms);
            parts.Add((terms.Count == 1 ? $"{sum} * {Literal.Float(group.Key)}" : $"({sum}) * {Literal.Float(group.Key)}", negative));
        }
        return parts.All(p => p.Negative) ? $"{vector}<float>.Zero - ({Sum(parts.Select(p => (p.Code, false)).ToList())})" : Sum(parts.OrderBy(p => p.Negative).ToList());

        static string Sum(List<(string Code, bool Negative)> terms)
            => terms[0].Code + string.Concat(terms.Skip(1).Select(t => (t.Negative ? " - " : " + ") + t.Code));
    }
}
