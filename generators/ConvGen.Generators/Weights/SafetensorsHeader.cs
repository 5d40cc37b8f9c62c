using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;
using ConvGen.Generators.Helpers;

namespace ConvGen.Generators.Weights;

/// <summary>
/// Reads a safetensors header (UTF-8 JSON: <c>{ name: { dtype, shape, data_offsets }, "__metadata__": … }</c>)
/// straight from its bytes into tensor entries, with a strict JSON grammar: no leading <c>+</c> or zeros,
/// no unpaired surrogate or NUL escapes, no duplicate keys, nesting at most <see cref="MaxDepth"/> deep.
/// One pass, and no value is kept that is not a tensor's name, dtype, shape or offsets, so time and
/// memory stay linear in the header (ConvGen reads at most <see cref="SafetensorsReader.MaxHeaderBytes"/>).
/// </summary>
internal static class SafetensorsHeader
{
    public const int MaxDepth = 32;

    /// <summary>The most dimensions a tensor may have.</summary>
    public const int MaxRank = 16;

    private static readonly Dictionary<string, int> s_dtypeSizes = new(StringComparer.Ordinal)
    {
        ["F64"] = 8, ["F32"] = 4, ["F16"] = 2, ["BF16"] = 2,
        ["I64"] = 8, ["I32"] = 4, ["I16"] = 2, ["I8"] = 1,
        ["U64"] = 8, ["U32"] = 4, ["U16"] = 2, ["U8"] = 1,
        ["BOOL"] = 1, ["F8_E4M3"] = 1, ["F8_E5M2"] = 1,
    };

    /// <summary>
    /// The tensors of the header in <paramref name="bytes"/>[<paramref name="start"/>, +<paramref name="length"/>),
    /// sorted by name, checked against a data section of <paramref name="dataLength"/> bytes.
    /// </summary>
    /// <exception cref="FormatException">What is wrong, worded for CG0031; it echoes no file content but tensor names (quoted, shortened).</exception>
    public static List<Tensor> Read(byte[] bytes, int start, int length, long dataLength)
    {
        try
        {
            new UTF8Encoding(false, throwOnInvalidBytes: true).GetCharCount(bytes, start, length);
        }
        catch (ArgumentException)
        {
            throw new FormatException("its header is not UTF-8");
        }
        if (length == 0 || bytes[start] != (byte)'{')
            throw new FormatException("it is not a safetensors file (its header does not start with '{')");

        List<Entry> entries = new Parser(bytes, start, length).Root();
        entries.Sort((a, b) => string.CompareOrdinal(a.Name, b.Name));
        var tensors = new List<Tensor>(entries.Count);
        foreach (Entry entry in entries)
            tensors.Add(entry.Check(dataLength));

        // Byte ranges may leave gaps but must not overlap: overlapping tensors are a corrupt or crafted file.
        var byOffset = tensors.Where(t => t.End > t.Begin).OrderBy(t => t.Begin).ToList();
        for (int i = 1; i < byOffset.Count; i++)
        {
            if (byOffset[i].Begin < byOffset[i - 1].End)
                throw new FormatException($"tensors {Shown(byOffset[i - 1].Name)} and {Shown(byOffset[i].Name)} overlap");
        }
        return tensors;
    }

    /// <summary>
    /// Text from a file, quoted for a message: control and invisible formatting characters escaped,
    /// at most <paramref name="max"/> characters (a hostile tensor name can be megabytes long).
    /// </summary>
    public static string Shown(string text, int max = 64)
    {
        var shown = new StringBuilder("'");
        int i = 0;
        for (; i < text.Length && i < max; i++)
        {
            char c = text[i];
            if (c < ' ' || c is >= '\u007F' and < '\u00A0' || CharUnicodeInfo.GetUnicodeCategory(c) is UnicodeCategory.Format or UnicodeCategory.LineSeparator or UnicodeCategory.ParagraphSeparator)
                shown.Append("\\u").Append(((int)c).ToString("X4", CultureInfo.InvariantCulture));
            else if (char.IsHighSurrogate(c) && (i + 1 == max || i + 1 == text.Length))
                break; // never half a pair
            else
                shown.Append(c);
        }
        if (i < text.Length)
            shown.Append("…' (").Append(text.Length.ToString("N0", CultureInfo.InvariantCulture)).Append(" characters)");
        else
            shown.Append('\'');
        return shown.ToString();
    }

    /// <summary>A tensor as read, checked once the whole header is known to be well-formed JSON.</summary>
    private sealed class Entry(string name)
    {
        public string Name { get; } = name;
        public bool NotObject;
        public string? DType;
        public Integers? Shape, Offsets;

        public Tensor Check(long dataLength)
        {
            string shown = Shown(Name);
            if (NotObject)
                throw Bad($"tensor {shown} is not described by a JSON object");
            if (DType is null)
                throw Bad($"tensor {shown} has no dtype");
            if (!s_dtypeSizes.TryGetValue(DType, out int elementSize))
                throw Bad($"tensor {shown} has the unknown dtype {Shown(DType, 16)}");
            long[] shape = Values(Shape, "shape", shown);
            long[] offsets = Values(Offsets, "data_offsets", shown);
            if (offsets.Length != 2)
                throw Bad($"tensor {shown} needs data_offsets [begin, end]");
            long count = 1;
            foreach (long dimension in shape)
            {
                // Checked against the limit at each step, so no product can overflow.
                count *= dimension;
                if (count > Shapes.ShapeInference.MaxElements)
                    throw Bad($"tensor {shown} has the absurd shape [{string.Join(", ", shape)}]");
            }
            long begin = offsets[0], end = offsets[1];
            if (begin > end || end > dataLength)
                throw Bad($"tensor {shown} has data_offsets [{begin}, {end}] outside the {dataLength:N0} bytes of data");
            if (end - begin != count * elementSize)
                throw Bad($"tensor {shown} is {DType} of shape [{string.Join(", ", shape)}], which is {count * elementSize:N0} bytes, but its data_offsets span {end - begin:N0}");
            return new Tensor(Name, DType, shape.ToEquatableArray(), begin, end);
        }

        private static long[] Values(Integers? integers, string key, string shown)
        {
            if (integers is null)
                throw Bad($"tensor {shown} has no {key} array");
            if (integers.Count > MaxRank)
                throw Bad($"tensor {shown} has {integers.Count} entries in {key}");
            if (integers.Invalid)
                throw Bad($"tensor {shown} has a {key} entry that is not a non-negative integer");
            return integers.Values.ToArray();
        }

        private static FormatException Bad(FormattableString why) => new(FormattableString.Invariant(why));
    }

    /// <summary>A JSON array meant to hold non-negative integers (up to 2^53): the first <see cref="MaxRank"/> kept, all counted.</summary>
    private sealed class Integers
    {
        public readonly List<long> Values = new();
        public int Count;
        public bool Invalid;

        public void Add(long? value)
        {
            Count++;
            if (value is null)
                Invalid = true;
            else if (Values.Count < MaxRank)
                Values.Add(value.Value);
        }
    }

    private sealed class Parser(byte[] bytes, int start, int length)
    {
        private readonly int _start = start, _end = start + length;
        private int _at = start;
        private HashSet<string>? _fields;

        private FormatException Error(string what)
            => new(FormattableString.Invariant($"its header is not valid JSON: {what} at byte {_at - _start} of the header"));

        private void SkipSpace()
        {
            while (_at < _end && bytes[_at] is (byte)' ' or (byte)'\t' or (byte)'\n' or (byte)'\r')
                _at++;
        }

        private byte Peek()
        {
            SkipSpace();
            if (_at >= _end)
                throw Error("unexpected end");
            return bytes[_at];
        }

        private void Expect(char c)
        {
            if (Peek() != c)
                throw Error($"expected '{c}'");
            _at++;
        }

        /// <summary>Past a ',' (false) or the closing bracket (true).</summary>
        private bool Next(char close)
        {
            byte next = Peek();
            _at++;
            if (next == close)
                return true;
            if (next != ',')
                throw Error($"expected ',' or '{close}'");
            return false;
        }

        private string Key(HashSet<string> seen)
        {
            if (Peek() != '"')
                throw Error("expected a key");
            string key = String(keep: true)!;
            if (!seen.Add(key))
                throw Error("duplicate key " + Shown(key));
            Expect(':');
            return key;
        }

        public List<Entry> Root()
        {
            var entries = new List<Entry>();
            var names = new HashSet<string>(StringComparer.Ordinal);
            Expect('{');
            if (Peek() == '}')
                _at++;
            else
            {
                do
                {
                    string name = Key(names);
                    if (name == "__metadata__")
                        SkipValue(1);
                    else
                        entries.Add(ReadEntry(name));
                }
                while (!Next('}'));
            }
            SkipSpace();
            if (_at != _end)
                throw Error("text after the JSON value");
            return entries;
        }

        private Entry ReadEntry(string name)
        {
            var entry = new Entry(name);
            if (Peek() != '{')
            {
                SkipValue(1);
                entry.NotObject = true;
                return entry;
            }
            _at++;
            if (Peek() == '}')
            {
                _at++;
                return entry;
            }
            var fields = _fields ??= new HashSet<string>(StringComparer.Ordinal);
            fields.Clear();
            do
            {
                switch (Key(fields))
                {
                    case "dtype":
                        if (Peek() == '"')
                            entry.DType = String(keep: true);
                        else
                            SkipValue(2);
                        break;
                    case "shape":
                        entry.Shape = IntegerArray(2);
                        break;
                    case "data_offsets":
                        entry.Offsets = IntegerArray(2);
                        break;
                    default:
                        SkipValue(2);
                        break;
                }
            }
            while (!Next('}'));
            return entry;
        }

        /// <summary>An array, its numbers read as non-negative integers where they are; null if the value is no array.</summary>
        private Integers? IntegerArray(int depth)
        {
            if (Peek() != '[')
            {
                SkipValue(depth);
                return null;
            }
            _at++;
            var integers = new Integers();
            if (Peek() == ']')
            {
                _at++;
                return integers;
            }
            do
            {
                byte c = Peek();
                if (c == '-' || IsDigit(c))
                    integers.Add(Number(read: true));
                else
                {
                    SkipValue(depth + 1);
                    integers.Add(null);
                }
            }
            while (!Next(']'));
            return integers;
        }

        /// <summary>Checks one value of any kind and keeps nothing of it.</summary>
        private void SkipValue(int depth)
        {
            if (depth > MaxDepth)
                throw Error("nesting too deep");
            switch (Peek())
            {
                case (byte)'{':
                    _at++;
                    if (Peek() == '}')
                    {
                        _at++;
                        return;
                    }
                    var keys = new HashSet<string>(StringComparer.Ordinal);
                    do
                    {
                        Key(keys);
                        SkipValue(depth + 1);
                    }
                    while (!Next('}'));
                    return;
                case (byte)'[':
                    _at++;
                    if (Peek() == ']')
                    {
                        _at++;
                        return;
                    }
                    do
                        SkipValue(depth + 1);
                    while (!Next(']'));
                    return;
                case (byte)'"':
                    String(keep: false);
                    return;
                case (byte)'t':
                    Word("true");
                    return;
                case (byte)'f':
                    Word("false");
                    return;
                case (byte)'n':
                    Word("null");
                    return;
                case (byte)'+':
                    throw Error("a number with a leading '+'");
                default:
                    Number(read: false);
                    return;
            }
        }

        private void Word(string word)
        {
            for (int i = 0; i < word.Length; i++)
            {
                if (_at + i >= _end || bytes[_at + i] != word[i])
                    throw Error("unexpected token");
            }
            _at += word.Length;
        }

        private static bool IsDigit(byte c) => c is >= (byte)'0' and <= (byte)'9';

        private void Digits()
        {
            while (_at < _end && IsDigit(bytes[_at]))
                _at++;
        }

        /// <summary>
        /// A number by JSON's grammar (<c>-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?</c>); with
        /// <paramref name="read"/>, its value if it is a whole number from 0 to 2^53, else null.
        /// </summary>
        private long? Number(bool read)
        {
            int first = _at;
            bool negative = bytes[_at] == '-';
            if (negative)
                _at++;
            if (_at >= _end || !IsDigit(bytes[_at]))
                throw Error(negative ? "a '-' without digits" : "expected a value");
            int digitsStart = _at;
            if (bytes[_at] == '0')
            {
                _at++;
                if (_at < _end && IsDigit(bytes[_at]))
                    throw Error("a number with a leading zero");
            }
            else
                Digits();
            int digitsEnd = _at;
            bool whole = true;
            if (_at < _end && bytes[_at] == '.')
            {
                _at++;
                if (_at >= _end || !IsDigit(bytes[_at]))
                    throw Error("a number cut short after its '.'");
                Digits();
                whole = false;
            }
            if (_at < _end && bytes[_at] is (byte)'e' or (byte)'E')
            {
                _at++;
                if (_at < _end && bytes[_at] is (byte)'+' or (byte)'-')
                    _at++;
                if (_at >= _end || !IsDigit(bytes[_at]))
                    throw Error("a number cut short in its exponent");
                Digits();
                whole = false;
            }
            if (!read || negative)
                return null;
            const long Largest = 1L << 53;
            if (whole)
            {
                if (digitsEnd - digitsStart > 16)
                    return null;
                long value = 0;
                for (int i = digitsStart; i < digitsEnd; i++)
                    value = value * 10 + (bytes[i] - '0');
                return value <= Largest ? value : null;
            }
            // "1e3" or "2.0": a whole number written otherwise (a long spelling of one is refused rather than parsed).
            if (_at - first > 64)
                return null;
            double d = double.Parse(Encoding.ASCII.GetString(bytes, first, _at - first), NumberStyles.Float, CultureInfo.InvariantCulture);
            return d <= Largest && Math.Floor(d) == d ? (long)d : null;
        }

        private int Hex4(int at)
        {
            if (at + 4 > _end)
                return -1;
            int code = 0;
            for (int i = at; i < at + 4; i++)
            {
                int digit = bytes[i] switch
                {
                    >= (byte)'0' and <= (byte)'9' => bytes[i] - '0',
                    >= (byte)'a' and <= (byte)'f' => bytes[i] - 'a' + 10,
                    >= (byte)'A' and <= (byte)'F' => bytes[i] - 'A' + 10,
                    _ => -1,
                };
                if (digit < 0)
                    return -1;
                code = code * 16 + digit;
            }
            return code;
        }

        /// <summary>A string, decoded if <paramref name="keep"/> (else only checked).</summary>
        private string? String(bool keep)
        {
            Expect('"');
            int run = _at;
            StringBuilder? text = null;
            while (true)
            {
                if (_at >= _end)
                    throw Error("unterminated string");
                byte c = bytes[_at];
                if (c == '"')
                {
                    string? result = !keep ? null
                        : text is null ? Encoding.UTF8.GetString(bytes, run, _at - run)
                        : text.Append(Encoding.UTF8.GetString(bytes, run, _at - run)).ToString();
                    _at++;
                    return result;
                }
                _at++;
                if (c < ' ')
                    throw Error("control character in string");
                if (c != '\\')
                    continue;
                if (keep)
                    (text ??= new StringBuilder()).Append(Encoding.UTF8.GetString(bytes, run, _at - 1 - run));
                if (_at >= _end)
                    throw Error("unterminated escape");
                byte e = bytes[_at++];
                char decoded;
                switch (e)
                {
                    case (byte)'"': case (byte)'\\': case (byte)'/': decoded = (char)e; break;
                    case (byte)'b': decoded = '\b'; break;
                    case (byte)'f': decoded = '\f'; break;
                    case (byte)'n': decoded = '\n'; break;
                    case (byte)'r': decoded = '\r'; break;
                    case (byte)'t': decoded = '\t'; break;
                    case (byte)'u':
                        int code = Hex4(_at);
                        if (code < 0)
                            throw Error("bad \\u escape");
                        _at += 4;
                        if (code == 0)
                            throw Error("a NUL character (\\u0000) in a string");
                        if (code is >= 0xDC00 and <= 0xDFFF)
                            throw Error("a \\u escape of an unpaired surrogate");
                        if (code is >= 0xD800 and <= 0xDBFF)
                        {
                            // Must be the first half of a pair: the second follows as its own escape.
                            int low = _at + 2 <= _end && bytes[_at] == '\\' && bytes[_at + 1] == 'u' ? Hex4(_at + 2) : -1;
                            if (low is not (>= 0xDC00 and <= 0xDFFF))
                                throw Error("a \\u escape of an unpaired surrogate");
                            _at += 6;
                            text?.Append((char)code);
                            decoded = (char)low;
                            break;
                        }
                        decoded = (char)code;
                        break;
                    default:
                        throw Error("bad escape");
                }
                text?.Append(decoded);
                run = _at;
            }
        }
    }
}
