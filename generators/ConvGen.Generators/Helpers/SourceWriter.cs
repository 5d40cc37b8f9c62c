using System;
using System.Globalization;
using System.Text;

namespace ConvGen.Generators.Helpers;

/// <summary>A small indented writer: lines, blocks with braces, and culture-invariant literals.</summary>
internal sealed class SourceWriter
{
    private readonly StringBuilder _text = new();
    private int _indent;

    public SourceWriter Line(string line = "")
    {
        if (line.Length > 0)
            _text.Append(' ', _indent * 4).Append(line);
        _text.Append('\n');
        return this;
    }

    /// <summary>Writes <paramref name="header"/> and an opening brace; dispose the result to close it.</summary>
    public Block Open(string header)
    {
        Line(header);
        Line("{");
        _indent++;
        return new Block(this);
    }

    /// <summary>
    /// A loop of <paramref name="passes"/> passes: <paramref name="header"/> and a block; for one pass, a bare block
    /// that starts with <paramref name="firstPass"/> (the loop's variables as its first pass has them). The JIT keeps
    /// a one-pass loop: it hoists the loop's invariants and spills them (LeNet-5's Winograd conv ran 1.2x slower).
    /// </summary>
    public Block Loop(string header, int passes, string firstPass)
    {
        if (passes != 1)
            return Open(header);
        Block block = Open("");
        Line(firstPass);
        return block;
    }

    public override string ToString() => _text.ToString();

    public readonly struct Block : IDisposable
    {
        private readonly SourceWriter _writer;

        public Block(SourceWriter writer) => _writer = writer;

        public void Dispose()
        {
            _writer._indent--;
            _writer.Line("}");
        }
    }
}

/// <summary>C# literals that read back exactly, whatever the build machine's culture.</summary>
internal static class Literal
{
    public static string Float(float value)
    {
        if (float.IsNaN(value)) return "float.NaN";
        if (float.IsPositiveInfinity(value)) return "float.PositiveInfinity";
        if (float.IsNegativeInfinity(value)) return "float.NegativeInfinity";
        // Shortest text that reads back to the same bits ("R" is not always exact on .NET Framework hosts).
        string text = value.ToString("R", CultureInfo.InvariantCulture);
        if (float.Parse(text, CultureInfo.InvariantCulture) != value)
            text = value.ToString("G9", CultureInfo.InvariantCulture);
        if (text == "0" && BitConverter.DoubleToInt64Bits(value) < 0) text = "-0";
        return text + "f";
    }

    public static string Int(int value) => value.ToString(CultureInfo.InvariantCulture);

    public static string String(string value)
    {
        var sb = new StringBuilder(value.Length + 2).Append('"');
        foreach (char c in value)
        {
            switch (c)
            {
                case '"': sb.Append("\\\""); break;
                case '\\': sb.Append("\\\\"); break;
                case '\n': sb.Append("\\n"); break;
                case '\r': sb.Append("\\r"); break;
                case '\t': sb.Append("\\t"); break;
                default: sb.Append(c); break;
            }
        }
        // Controls, line separators (a raw U+2028 would end the literal's line), format characters, lone surrogates: as \uXXXX.
        return SafeText.Escape(sb.Append('"').ToString());
    }
}
