using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Threading;
using ConvGen.Generators.Helpers;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Text;

namespace ConvGen.Generators.Weights;

/// <summary>
/// Finds weights files among AdditionalFiles. Roslyn hands additional files to generators and analyzers
/// as text, which would corrupt binary data, so ConvGen's build step (build/ConvGenEncodeWeights.cs) lists
/// an index instead, <c>&lt;name&gt;.safetensors.b64</c>:
/// <code>
/// convgen-source: &lt;the original path&gt;
/// convgen-safetensors: &lt;file length&gt; &lt;header length&gt; &lt;chunk size&gt;
/// &lt;the first 8 + header length bytes, base64&gt;
/// &lt;the name of each data part, in order, one per line&gt;
/// </code>
/// or, for a file it refused, <c>convgen-refused: &lt;reason&gt; [numbers]</c> as its second line. The data
/// parts (<see cref="WeightsParts"/>) are read only for the tensors a network binds. A raw
/// <c>.safetensors</c> still listed means that step did not run. See docs/weights-files.md.
/// </summary>
internal static class WeightsFiles
{
    public const string Extension = ".safetensors";
    public const string EncodedExtension = ".safetensors.b64";
    public const string PartExtension = ".safetensors-part.b64";
    public const string SourcePrefix = "convgen-source: ";
    public const string AcceptedPrefix = "convgen-safetensors: ";
    public const string RefusedPrefix = "convgen-refused: ";

    public static bool IsWeightsFile(string path)
        => path.EndsWith(Extension, StringComparison.OrdinalIgnoreCase) || path.EndsWith(EncodedExtension, StringComparison.OrdinalIgnoreCase);

    /// <param name="cache">Where parsed headers are kept; <see cref="ParsedHeaders.Shared"/> unless a test asks otherwise.</param>
    public static WeightsFile Read(AdditionalText file, CancellationToken cancellationToken, ParsedHeaders? cache = null)
    {
        string path = file.Path;
        if (!path.EndsWith(EncodedExtension, StringComparison.OrdinalIgnoreCase))
        {
            return WeightsFile.Unreadable(Path.GetFileName(path), path,
                "it is listed as it is, not through ConvGen's build step, which hands binary files to the compiler losslessly; "
                + "reference the ConvGen package (or import its build/ConvGen.targets)") with { Raw = true };
        }

        SourceText? text = file.GetText(cancellationToken);
        TextLineCollection? lines = text?.Lines;
        string first = lines is { Count: > 0 } ? lines[0].ToString() : "";
        string source = first.StartsWith(SourcePrefix, StringComparison.Ordinal)
            ? first.Substring(SourcePrefix.Length).Trim()
            : path.Substring(0, path.Length - ".b64".Length);
        string name = Path.GetFileName(source);
        if (text is null || lines is null || lines.Count < 2 || !first.StartsWith(SourcePrefix, StringComparison.Ordinal))
            return WeightsFile.Unreadable(name, source, SafetensorsReader.Damaged);
        string second = lines[1].ToString();
        if (second.StartsWith(RefusedPrefix, StringComparison.Ordinal))
            return WeightsFile.Unreadable(name, source, Refusal(second.Substring(RefusedPrefix.Length), source));
        if (!second.StartsWith(AcceptedPrefix, StringComparison.Ordinal))
            return WeightsFile.Unreadable(name, source, SafetensorsReader.Damaged);

        // The path and a hash of the whole index: one pass over its characters, far cheaper than parsing the header.
        string key = path + "\n" + ContentHash(text).ToString("x16", CultureInfo.InvariantCulture);
        return (cache ?? ParsedHeaders.Shared).GetOrAdd(key, () => Parse(name, source, second, text, lines));
    }

    /// <summary>FNV-1a over the text's characters.</summary>
    private static ulong ContentHash(SourceText text)
    {
        ulong hash = 14695981039346656037;
        var buffer = new char[Math.Min(text.Length, 1 << 16)];
        for (int at = 0; at < text.Length; at += buffer.Length)
        {
            int count = Math.Min(buffer.Length, text.Length - at);
            text.CopyTo(at, buffer, 0, count);
            for (int i = 0; i < count; i++)
                hash = (hash ^ buffer[i]) * 1099511628211;
        }
        return hash;
    }

    /// <summary>The index of a file the build step accepted: its header parsed, its parts listed.</summary>
    private static WeightsFile Parse(string name, string source, string second, SourceText text, TextLineCollection lines)
    {
        string[] fields = second.Substring(AcceptedPrefix.Length).Split(' ');
        if (fields.Length != 3
            || !long.TryParse(fields[0], NumberStyles.None, CultureInfo.InvariantCulture, out long fileLength)
            || !long.TryParse(fields[1], NumberStyles.None, CultureInfo.InvariantCulture, out long headerLength)
            || !int.TryParse(fields[2], NumberStyles.None, CultureInfo.InvariantCulture, out int chunkBytes)
            || fileLength > SafetensorsReader.MaxFileBytes || headerLength > SafetensorsReader.MaxHeaderBytes
            || 8 + headerLength > fileLength || chunkBytes <= 0 || lines.Count < 3)
            return WeightsFile.Unreadable(name, source, SafetensorsReader.Damaged);

        long dataLength = fileLength - 8 - headerLength;
        long partCount = (dataLength + chunkBytes - 1) / chunkBytes;
        byte[]? header = Base64(text, lines[2].Span, 8 + (int)headerLength);
        if (header is null || lines.Count < 3 + partCount || LittleEndianUInt64(header) != (ulong)headerLength)
            return WeightsFile.Unreadable(name, source, SafetensorsReader.Damaged);
        var parts = new string[partCount];
        for (int i = 0; i < partCount; i++)
        {
            parts[i] = lines[3 + i].ToString();
            if (parts[i].Length != 32 || !parts[i].All(Uri.IsHexDigit))
                return WeightsFile.Unreadable(name, source, SafetensorsReader.Damaged);
        }
        for (int i = 3 + (int)partCount; i < lines.Count; i++)
        {
            if (lines[i].Span.Length != 0)
                return WeightsFile.Unreadable(name, source, SafetensorsReader.Damaged);
        }

        try
        {
            var tensors = SafetensorsHeader.Read(header, 8, (int)headerLength, dataLength);
            return new WeightsFile(name, source, tensors.ToEquatableArray(), null)
            {
                DataLength = dataLength,
                ChunkBytes = chunkBytes,
                Parts = parts.ToEquatableArray(),
            };
        }
        catch (FormatException e)
        {
            return WeightsFile.Unreadable(name, source, e.Message);
        }
    }

    /// <summary>The base64 of <paramref name="span"/> decoded, if it is exactly <paramref name="length"/> bytes.</summary>
    private static byte[]? Base64(SourceText text, TextSpan span, int length)
    {
        if (span.Length != (length + 2L) / 3 * 4)
            return null;
        var chars = new char[span.Length];
        text.CopyTo(span.Start, chars, 0, span.Length);
        try
        {
            byte[] bytes = Convert.FromBase64CharArray(chars, 0, chars.Length);
            return bytes.Length == length ? bytes : null;
        }
        catch (FormatException)
        {
            return null;
        }
    }

    private static ulong LittleEndianUInt64(byte[] bytes)
    {
        ulong value = 0;
        for (int b = 7; b >= 0; b--)
            value = (value << 8) | bytes[b];
        return value;
    }

    /// <summary>Why the build step refused the file, from its reason code and numbers (never the file's bytes).</summary>
    private static string Refusal(string reason, string source)
    {
        string[] words = reason.Split(' ');
        string N(int i) => i < words.Length && long.TryParse(words[i], NumberStyles.None, CultureInfo.InvariantCulture, out long n)
            ? n.ToString("N0", CultureInfo.InvariantCulture) : "?";
        string Limit(long bytes) => FormattableString.Invariant($"{bytes:N0} ({bytes >> 20} MiB)");
        return words[0] switch
        {
            "missing" => $"there is no file at {source}",
            "directory" => "it is a directory, not a file",
            "empty" => "it is empty (0 bytes), or not a regular file (a pipe, a socket or a device, which ConvGen does not open)",
            "too-short" => $"it is {N(1)} bytes long, too short for the 8-byte header length",
            "too-large" => $"it is {N(1)} bytes, more than the {Limit(SafetensorsReader.MaxFileBytes)} ConvGen bakes into code",
            "lfs-pointer" => "it is a Git LFS pointer, not the weights themselves; run `git lfs pull` to fetch them",
            "not-safetensors-length" => "it is not a safetensors file (its first 8 bytes are not a plausible header length)",
            "not-safetensors-start" => "it is not a safetensors file (its header does not start with '{')",
            "header-too-large" => $"its header is {N(1)} bytes, more than the {Limit(SafetensorsReader.MaxHeaderBytes)} ConvGen reads",
            "truncated" => $"its header length ({N(1)} bytes) runs past the end of the file ({N(2)} bytes)",
            "changed" => "it changed while the build read it; build again",
            "unreadable" => "it cannot be read: " + reason.Substring(words[0].Length).Trim(),
            _ => SafetensorsReader.Damaged,
        };
    }

    /// <summary>
    /// The project's weights files and data parts as analyzers see them, read once per compilation and
    /// only if a network asks; a file's header is parsed once per content (<see cref="ParsedHeaders"/>).
    /// </summary>
    public static Lazy<(IReadOnlyList<WeightsFile> Files, WeightsParts Parts)> Lazily(AnalyzerOptions options, CancellationToken cancellationToken)
        => new(() => (Usable(options.AdditionalFiles.Where(f => IsWeightsFile(f.Path)).Select(f => Read(f, cancellationToken))),
                WeightsParts.From(options.AdditionalFiles)),
            LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>The files, with a raw file dropped where its encoded copy is also listed.</summary>
    public static IReadOnlyList<WeightsFile> Usable(IEnumerable<WeightsFile> files)
    {
        var all = files.ToList();
        var encoded = new HashSet<string>(all.Where(f => !f.Raw).Select(f => f.Path), StringComparer.OrdinalIgnoreCase);
        return all.Where(f => !(f.Raw && encoded.Contains(f.Path))).ToList();
    }

    /// <summary>
    /// Parsed headers by path and content hash, shared by the generator and the analyzers and across
    /// compilations (an IDE analyses after every edit), least recently used first out: at most
    /// <see cref="MaxEntries"/> files and about <see cref="MaxBytes"/> of memory (1 KiB a file, 256 bytes a tensor).
    /// </summary>
    internal sealed class ParsedHeaders
    {
        public const int MaxEntries = 32;
        public const long MaxBytes = 64L << 20;

        public static readonly ParsedHeaders Shared = new();

        private readonly object _lock = new();
        private readonly LinkedList<(string Key, WeightsFile File, long Weight)> _order = new();
        private readonly Dictionary<string, LinkedListNode<(string Key, WeightsFile File, long Weight)>> _byKey = new(StringComparer.Ordinal);
        private long _weight;
        private int _misses;

        /// <summary>How many headers were parsed because they were not here.</summary>
        public int Misses => Volatile.Read(ref _misses);

        public int Count
        {
            get
            {
                lock (_lock)
                    return _order.Count;
            }
        }

        public WeightsFile GetOrAdd(string key, Func<WeightsFile> parse)
        {
            lock (_lock)
            {
                if (_byKey.TryGetValue(key, out var node))
                {
                    _order.Remove(node);
                    _order.AddFirst(node);
                    return node.Value.File;
                }
            }
            Interlocked.Increment(ref _misses);
            WeightsFile file = parse();
            long weight = 1024 + file.Tensors.Count * 256L;
            lock (_lock)
            {
                if (_byKey.TryGetValue(key, out var existing))
                    return existing.Value.File;
                _byKey[key] = _order.AddFirst((key, file, weight));
                _weight += weight;
                while (_order.Count > MaxEntries || (_weight > MaxBytes && _order.Count > 1))
                {
                    var last = _order.Last!;
                    _order.RemoveLast();
                    _byKey.Remove(last.Value.Key);
                    _weight -= last.Value.Weight;
                }
            }
            return file;
        }
    }
}
