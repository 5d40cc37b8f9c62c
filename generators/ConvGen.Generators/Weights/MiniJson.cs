using System;
using System.Collections.Generic;
using System.Globalization;
using System.Text;

namespace ConvGen.Generators.Weights;

/// <summary>
/// A strict, bounded JSON reader for safetensors headers (the generator may depend on nothing). Values
/// are <see cref="Dictionary{TKey, TValue}"/>, <see cref="List{T}"/>, string, double, bool or null.
/// Depth and length are limited, so a hostile header cannot hang or exhaust memory.
/// </summary>
internal sealed class MiniJson
{
    private const int MaxDepth = 32;
    private readonly string _text;
    private int _at;

    private MiniJson(string text) => _text = text;

    /// <exception cref="FormatException">The text is not one well-formed JSON value.</exception>
    public static object? Parse(string text)
    {
        var reader = new MiniJson(text);
        object? value = reader.Value(0);
        reader.SkipSpace();
        if (reader._at != text.Length)
            throw reader.Error("text after the JSON value");
        return value;
    }

    private FormatException Error(string what) => new($"{what} at character {_at.ToString(CultureInfo.InvariantCulture)}");

    private void SkipSpace()
    {
        while (_at < _text.Length && _text[_at] is ' ' or '\t' or '\n' or '\r')
            _at++;
    }

    private char Peek()
    {
        SkipSpace();
        if (_at >= _text.Length)
            throw Error("unexpected end");
        return _text[_at];
    }

    private void Expect(char c)
    {
        if (Peek() != c)
            throw Error($"expected '{c}'");
        _at++;
    }

    private object? Value(int depth)
    {
        if (depth > MaxDepth)
            throw Error("nesting too deep");
        switch (Peek())
        {
            case '{': return Object(depth);
            case '[': return Array(depth);
            case '"': return String();
            case 't': return Word("true", true);
            case 'f': return Word("false", false);
            case 'n': return Word("null", null);
            default: return Number();
        }
    }

    private Dictionary<string, object?> Object(int depth)
    {
        Expect('{');
        var result = new Dictionary<string, object?>(StringComparer.Ordinal);
        if (Peek() == '}')
        {
            _at++;
            return result;
        }
        while (true)
        {
            if (Peek() != '"')
                throw Error("expected a key");
            string key = String();
            if (result.ContainsKey(key))
                throw Error($"duplicate key '{key}'");
            Expect(':');
            result[key] = Value(depth + 1);
            char next = Peek();
            _at++;
            if (next == '}')
                return result;
            if (next != ',')
                throw Error("expected ',' or '}'");
        }
    }

    private List<object?> Array(int depth)
    {
        Expect('[');
        var result = new List<object?>();
        if (Peek() == ']')
        {
            _at++;
            return result;
        }
        while (true)
        {
            result.Add(Value(depth + 1));
            char next = Peek();
            _at++;
            if (next == ']')
                return result;
            if (next != ',')
                throw Error("expected ',' or ']'");
        }
    }

    private string String()
    {
        Expect('"');
        var text = new StringBuilder();
        while (true)
        {
            if (_at >= _text.Length)
                throw Error("unterminated string");
            char c = _text[_at++];
            if (c == '"')
                return text.ToString();
            if (c < ' ')
                throw Error("control character in string");
            if (c != '\\')
            {
                text.Append(c);
                continue;
            }
            if (_at >= _text.Length)
                throw Error("unterminated escape");
            char e = _text[_at++];
            switch (e)
            {
                case '"': case '\\': case '/': text.Append(e); break;
                case 'b': text.Append('\b'); break;
                case 'f': text.Append('\f'); break;
                case 'n': text.Append('\n'); break;
                case 'r': text.Append('\r'); break;
                case 't': text.Append('\t'); break;
                case 'u':
                    if (_at + 4 > _text.Length || !ushort.TryParse(_text.Substring(_at, 4), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out ushort code))
                        throw Error("bad \\u escape");
                    text.Append((char)code);
                    _at += 4;
                    break;
                default: throw Error("bad escape");
            }
        }
    }

    private object? Word(string word, object? value)
    {
        if (string.CompareOrdinal(_text, _at, word, 0, word.Length) != 0)
            throw Error("unexpected token");
        _at += word.Length;
        return value;
    }

    private double Number()
    {
        int start = _at;
        while (_at < _text.Length && (char.IsDigit(_text[_at]) || _text[_at] is '-' or '+' or '.' or 'e' or 'E'))
            _at++;
        if (_at == start || !double.TryParse(_text.Substring(start, _at - start), NumberStyles.Float, CultureInfo.InvariantCulture, out double value))
            throw Error("expected a value");
        return value;
    }
}
