using System.Globalization;

namespace ConvGen.Generators.Diagnostics;

/// <summary>Counts in messages: "1 channel", "2 channels".</summary>
internal static class Wording
{
    public static string Count(long n, string singular, string? plural = null)
        => n.ToString(CultureInfo.InvariantCulture) + " " + (n == 1 ? singular : plural ?? singular + "s");

    /// <summary>"1 was given", "3 were given".</summary>
    public static string Given(long n) => n.ToString(CultureInfo.InvariantCulture) + (n == 1 ? " was given" : " were given");
}
