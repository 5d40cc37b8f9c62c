namespace ConvGen.Generators.Shapes;

/// <summary>
/// Size arithmetic that cannot wrap. A size test on a product that overflowed would pass absurd sizes (a
/// long product of three 2^31 factors wraps negative), so products saturate at <see cref="long.MaxValue"/>.
/// </summary>
internal static class Sizes
{
    /// <summary>The product of non-negative factors, or <see cref="long.MaxValue"/> where it would not fit a long.</summary>
    public static long Product(params long[] factors)
    {
        long product = 1;
        foreach (long factor in factors)
        {
            if (factor == 0)
                return 0;
            product = product > long.MaxValue / factor ? long.MaxValue : product * factor;
        }
        return product;
    }
}
