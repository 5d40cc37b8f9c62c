using System.Globalization;
using System.Text;

namespace ConvGen.Generators.Helpers;

/// <summary>
/// Text that users and model files choose (layer names), made safe to write where it lands: generated source,
/// where C# ends a line at CR, LF, U+0085, U+2028 and U+2029 (a name that ended a comment line would declare
/// code), and diagnostics. Unsafe characters are controls, line and paragraph separators, format characters
/// (bidirectional overrides reorder what a reader sees), private-use and unassigned code points, and
/// surrogates that are not a pair.
/// </summary>
internal static class SafeText
{
    /// <summary>The index of the first unsafe character, or -1.</summary>
    public static int FirstUnsafe(string text)
    {
        for (int i = 0; i < text.Length; i += Length(text, i))
            if (Length(text, i) == 0)
                return i;
        return -1;
    }

    /// <summary>The text with every unsafe character written as <c>\uXXXX</c>.</summary>
    public static string Escape(string text)
    {
        if (FirstUnsafe(text) < 0)
            return text;
        var escaped = new StringBuilder(text.Length + 16);
        for (int i = 0; i < text.Length; i++)
        {
            int safe = Length(text, i);
            if (safe == 0)
                escaped.Append("\\u").Append(((int)text[i]).ToString("X4", CultureInfo.InvariantCulture));
            else
                escaped.Append(text, i, safe);
            i += System.Math.Max(safe, 1) - 1;
        }
        return escaped.ToString();
    }

    /// <summary>How many chars at <paramref name="i"/> make one safe character (2 for a surrogate pair), or 0 if it is unsafe.</summary>
    private static int Length(string text, int i)
    {
        if (char.IsHighSurrogate(text[i]))
            return i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]) ? 2 : 0;
        return CharUnicodeInfo.GetUnicodeCategory(text[i]) switch
        {
            UnicodeCategory.Control or UnicodeCategory.Format or UnicodeCategory.LineSeparator or UnicodeCategory.ParagraphSeparator
                or UnicodeCategory.PrivateUse or UnicodeCategory.OtherNotAssigned or UnicodeCategory.Surrogate => 0,
            _ => 1,
        };
    }
}
