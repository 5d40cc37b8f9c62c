using System.Globalization;
using ConvGen.Generators.Helpers;

namespace ConvGen.Generators.Diagnostics;

/// <summary>Counts in messages: "1 channel", "2 channels".</summary>
internal static class Wording
{
    public static string Count(long n, string singular, string? plural = null)
        => n.ToString(CultureInfo.InvariantCulture) + " " + (n == 1 ? singular : plural ?? singular + "s");

    /// <summary>"1 was given", "3 were given".</summary>
    public static string Given(long n) => n.ToString(CultureInfo.InvariantCulture) + (n == 1 ? " was given" : " were given");

    /// <summary>A name as messages quote it: <c>'conv1'</c>, unsafe characters escaped, a very long one cut short.</summary>
    public static string Quote(string name)
        => "'" + SafeText.Escape(name.Length > MaxQuoted ? name.Substring(0, MaxQuoted - 3) + "..." : name) + "'";

    private const int MaxQuoted = 80;
}
