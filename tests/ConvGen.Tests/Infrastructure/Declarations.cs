using System.Linq;
using System.Text.RegularExpressions;

namespace ConvGen.Tests.Infrastructure;

/// <summary>Shorthand for test declarations: <c>W(9)</c> becomes a literal array of 9 small floats.</summary>
public static class Declarations
{
    public static string Expand(string declaration) => Regex.Replace(declaration, @"\bW\((\d+)\)",
        m => "new float[] { " + string.Join(", ", Enumerable.Range(0, int.Parse(m.Groups[1].Value)).Select(i => $"{(i % 7 - 3) * 0.125f}f")) + " }");
}
