// ConvGen's build step for weights files: MSBuild compiles this file with RoslynCodeTaskFactory
// (ConvGen.targets, beside it). The tests compile it too, with CONVGEN_ENCODER_ONLY (no MSBuild types),
// to drive the same encoder. Plain .NET Standard 2.0 APIs only, so it also runs in Visual Studio's
// .NET Framework MSBuild. The format is described in docs/weights-files.md.
#if CONVGEN_ENCODER_ONLY
#nullable disable
#endif
using System;
using System.Collections.Generic;
using System.IO;
using System.Security.Cryptography;
using System.Text;

#if !CONVGEN_ENCODER_ONLY
/// <summary>Encodes every listed weights file; <see cref="Encoded"/> is what to list in AdditionalFiles instead.</summary>
public sealed class ConvGenEncodeWeights : Microsoft.Build.Utilities.Task
{
    [Microsoft.Build.Framework.Required]
    public Microsoft.Build.Framework.ITaskItem[] Weights { get; set; }

    [Microsoft.Build.Framework.Output]
    public Microsoft.Build.Framework.ITaskItem[] Encoded { get; set; }

    public override bool Execute()
    {
        var encoded = new List<Microsoft.Build.Framework.ITaskItem>();
        foreach (Microsoft.Build.Framework.ITaskItem item in Weights)
        {
            string source = item.GetMetadata("FullPath"), directory = item.GetMetadata("EncodedDirectory");
            try
            {
                foreach (string file in ConvGenWeightsEncoder.EncodeFile(source, directory))
                    encoded.Add(new Microsoft.Build.Utilities.TaskItem(file));
            }
            catch (Exception e)
            {
                // Only writing into obj/ can fail here (a full disk, a locked file): the weights file's own
                // problems are refusals, reported by the generator. A message, not MSB4018's stack trace.
                Log.LogError("ConvGen could not write the encoded copy of {0} into {1}: {2}", source, directory, e.Message);
            }
        }
        Encoded = encoded.ToArray();
        return !Log.HasLoggedErrors;
    }
}
#endif

/// <summary>
/// Hands a binary safetensors file to the compiler, which reads additional files only as text, without
/// ever holding the whole file: it checks the file before opening it (it exists, is not a directory, and
/// its length is from 1 byte to <see cref="MaxFileBytes"/>; pipes and devices report 0), then streams it.
/// What it writes, into a folder of its own:
/// <list type="bullet">
/// <item><c>&lt;name&gt;.safetensors.b64</c>, the index: the source path, the file's length, header length
/// and chunk size, the header as base64, then one line per chunk of the data naming its part;
/// or, for a file it refuses, the reason as a code and numbers (never the file's bytes).</item>
/// <item><c>&lt;hash&gt;.safetensors-part.b64</c>, one per distinct chunk of <see cref="ChunkBytes"/> of the
/// data section, as base64, named by the first 128 bits of its SHA-256: equal name, equal content.</item>
/// </list>
/// A file is written only when its content changes, so an unchanged weights file leaves the compiler's
/// inputs untouched, and a changed one changes them whatever its modification time. No weights file makes
/// this throw: whatever is wrong with one becomes a refusal that the generator reports as CG0031. Only
/// failing to write into obj/ throws, and the task reports that as an MSBuild error.
/// </summary>
public static class ConvGenWeightsEncoder
{
    /// <summary>Larger files are refused before they are opened.</summary>
    public const long MaxFileBytes = 256L << 20;

    /// <summary>ConvGen's limit on the JSON header (the format allows 100,000,000 bytes).</summary>
    public const long MaxHeaderBytes = 16L << 20;

    /// <summary>The safetensors format's own limit: a larger header length means this is no safetensors file.</summary>
    public const long FormatMaxHeaderBytes = 100000000;

    /// <summary>The data section is cut into parts of this size; the compiler reads only the parts a network binds.</summary>
    public const int ChunkBytes = 1 << 20;

    public const string IndexExtension = ".safetensors.b64";
    public const string PartExtension = ".safetensors-part.b64";
    public const string SourcePrefix = "convgen-source: ";
    public const string AcceptedPrefix = "convgen-safetensors: ";
    public const string RefusedPrefix = "convgen-refused: ";

    /// <summary>How every Git LFS pointer file begins (https://github.com/git-lfs/git-lfs/blob/main/docs/spec.md).</summary>
    private const string LfsPointerStart = "version https://git-lfs.github.com/spec/";

    /// <summary>Receives the data parts as they are made.</summary>
    public interface IPartStore
    {
        /// <summary>Stores <paramref name="count"/> bytes of <paramref name="buffer"/> under <paramref name="hash"/> unless a part of that hash is there.</summary>
        void Store(string hash, byte[] buffer, int count);
    }

    /// <summary>
    /// Encodes <paramref name="source"/> into <paramref name="directory"/>, removes what an earlier build left
    /// there that is no longer current, and returns the files to list: the index, then the distinct parts.
    /// </summary>
    public static List<string> EncodeFile(string source, string directory)
    {
        Directory.CreateDirectory(directory);
        string index = Path.Combine(directory, Path.GetFileName(source) + ".b64");
        var parts = new FilePartStore(directory);
        string text;
        try
        {
            text = EncodeChecked(source, parts);
        }
        catch (Exception e) when (!(e is WriteFailedException))
        {
            // Unreadable (permissions, a file locked or deleted while read, a link loop): say so, never fail the build step.
            text = Refusal(source, "unreadable", OneLine(e.Message));
        }
        // A refused file has no parts (a file that changed while read may have stored some).
        if (text.IndexOf("\n" + RefusedPrefix, StringComparison.Ordinal) >= 0)
            parts.Written.Clear();
        WriteIfChanged(index, text);

        var keep = new HashSet<string>(StringComparer.OrdinalIgnoreCase) { Path.GetFileName(index) };
        foreach (string part in parts.Written)
            keep.Add(Path.GetFileName(part));
        foreach (string old in Directory.GetFiles(directory))
        {
            string name = Path.GetFileName(old);
            if (!keep.Contains(name) && (name.EndsWith(".b64", StringComparison.OrdinalIgnoreCase) || name.EndsWith(".tmp", StringComparison.OrdinalIgnoreCase)))
                TryDelete(old);
        }
        var files = new List<string> { index };
        files.AddRange(parts.Written);
        return files;
    }

    /// <summary>The checks that need no opening, then the stream. Returns the index text.</summary>
    private static string EncodeChecked(string source, IPartStore parts)
    {
        if (Directory.Exists(source))
            return Refusal(source, "directory");
        var info = new FileInfo(source);
        if (!info.Exists)
            return Refusal(source, "missing");
        info = FinalTarget(info);
        if (info == null || !info.Exists)
            return Refusal(source, "missing");
        if (Directory.Exists(info.FullName))
            return Refusal(source, "directory");
        // A pipe, a socket or a device reports 0 here: never opened, so it can neither block nor stream forever.
        long length = info.Length;
        if (length == 0)
            return Refusal(source, "empty");
        if (length > MaxFileBytes)
            return Refusal(source, "too-large", Invariant(length));
        using (var stream = new FileStream(info.FullName, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 4096, FileOptions.SequentialScan))
            return Encode(source, stream, length, parts);
    }

    /// <summary>
    /// Encodes the <paramref name="length"/> bytes of <paramref name="stream"/>, stored in parts through
    /// <paramref name="parts"/>, and returns the index text. Reads at most <paramref name="length"/> bytes.
    /// </summary>
    public static string Encode(string source, Stream stream, long length, IPartStore parts)
    {
        if (length == 0)
            return Refusal(source, "empty");
        if (length > MaxFileBytes)
            return Refusal(source, "too-large", Invariant(length));
        // The first bytes tell a Git LFS pointer (plain text) from a safetensors file.
        var reader = new PrefixReader(stream, (int)Math.Min(length, 64));
        if (reader.Prefix == null)
            return Refusal(source, "changed");
        if (StartsWith(reader.Prefix, LfsPointerStart))
            return Refusal(source, "lfs-pointer");
        if (length < 8)
            return Refusal(source, "too-short", Invariant(length));
        ulong headerLength = 0;
        for (int b = 7; b >= 0; b--)
            headerLength = (headerLength << 8) | reader.Prefix[b];
        if (headerLength > FormatMaxHeaderBytes)
            return Refusal(source, "not-safetensors-length");
        if ((long)headerLength > MaxHeaderBytes)
            return Refusal(source, "header-too-large", Invariant((long)headerLength));
        if ((long)headerLength > length - 8)
            return Refusal(source, "truncated", Invariant((long)headerLength), Invariant(length));
        if (headerLength == 0 || reader.Prefix[8] != (byte)'{')
            return Refusal(source, "not-safetensors-start");

        var header = new byte[8 + (int)headerLength];
        if (!reader.Read(header, header.Length))
            return Refusal(source, "changed");
        long dataLength = length - header.Length;
        var partLines = new StringBuilder();
        using (SHA256 sha256 = SHA256.Create())
        {
            var buffer = new byte[(int)Math.Min(ChunkBytes, Math.Max(dataLength, 1))];
            for (long done = 0; done < dataLength; )
            {
                int count = (int)Math.Min(ChunkBytes, dataLength - done);
                if (!reader.Read(buffer, count))
                    return Refusal(source, "changed");
                string hash = Hex(sha256.ComputeHash(buffer, 0, count), 16);
                parts.Store(hash, buffer, count);
                partLines.Append(hash).Append('\n');
                done += count;
            }
        }
        // The header and the parts' hashes: the index changes whenever a byte of the file does.
        return SourcePrefix + source + "\n"
            + AcceptedPrefix + Invariant(length) + " " + Invariant((long)headerLength) + " " + Invariant(ChunkBytes) + "\n"
            + Convert.ToBase64String(header) + "\n"
            + partLines;
    }

    /// <summary>The index of a file that is refused: the reason as a code and numbers, none of its bytes.</summary>
    public static string Refusal(string source, string code, params string[] details)
        => SourcePrefix + source + "\n" + RefusedPrefix + code + (details.Length == 0 ? "" : " " + string.Join(" ", details)) + "\n";

    /// <summary>The file a symbolic link finally points at (the file itself if it is none), or null if the link is broken.</summary>
    private static FileInfo FinalTarget(FileInfo info)
    {
        if ((info.Attributes & FileAttributes.ReparsePoint) == 0)
            return info;
        // FileSystemInfo.ResolveLinkTarget is .NET 6+; .NET Framework's MSBuild (Windows) has no pipes or
        // devices among files, so there the length of the link's target is read when the file is opened.
        var resolve = typeof(FileSystemInfo).GetMethod("ResolveLinkTarget", new[] { typeof(bool) });
        if (resolve == null)
            return info;
        try
        {
            var target = (FileSystemInfo)resolve.Invoke(info, new object[] { true });
            return target == null ? info : new FileInfo(target.FullName);
        }
        catch (System.Reflection.TargetInvocationException e) when (e.InnerException != null)
        {
            throw e.InnerException;
        }
    }

    private static string Invariant(long n) => n.ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>Reads a stream from its start, the first bytes once more after they were looked at.</summary>
    private sealed class PrefixReader
    {
        private readonly Stream _stream;
        private int _prefixUsed;

        /// <summary>Reads the first <paramref name="count"/> bytes (<see cref="Prefix"/> is null if the stream has fewer).</summary>
        public PrefixReader(Stream stream, int count)
        {
            _stream = stream;
            var prefix = new byte[count];
            Prefix = ReadFully(prefix, 0, count) == count ? prefix : null;
        }

        public byte[] Prefix { get; }

        /// <summary>The next <paramref name="count"/> bytes into <paramref name="buffer"/>; false if the stream ends first.</summary>
        public bool Read(byte[] buffer, int count)
        {
            int fromPrefix = Math.Min(count, Prefix.Length - _prefixUsed);
            Array.Copy(Prefix, _prefixUsed, buffer, 0, fromPrefix);
            _prefixUsed += fromPrefix;
            return ReadFully(buffer, fromPrefix, count - fromPrefix) == count - fromPrefix;
        }

        private int ReadFully(byte[] buffer, int offset, int count)
        {
            int total = 0;
            while (total < count)
            {
                int read = _stream.Read(buffer, offset + total, count - total);
                if (read <= 0)
                    break;
                total += read;
            }
            return total;
        }
    }

    private static bool StartsWith(byte[] bytes, string ascii)
    {
        if (bytes.Length < ascii.Length)
            return false;
        for (int i = 0; i < ascii.Length; i++)
            if (bytes[i] != (byte)ascii[i])
                return false;
        return true;
    }

    private static string Hex(byte[] bytes, int count)
    {
        var hex = new StringBuilder(2 * count);
        for (int i = 0; i < count; i++)
            hex.Append(bytes[i].ToString("x2", System.Globalization.CultureInfo.InvariantCulture));
        return hex.ToString();
    }

    private static string OneLine(string message)
    {
        var line = new StringBuilder();
        foreach (char c in message ?? "")
            line.Append(c < ' ' ? ' ' : c);
        string text = line.ToString().Trim();
        return text.Length <= 300 ? text : text.Substring(0, 300) + "…";
    }

    private static void WriteIfChanged(string path, string text)
    {
        if (File.Exists(path) && new FileInfo(path).Length == Encoding.UTF8.GetByteCount(text) && File.ReadAllText(path) == text)
            return;
        File.WriteAllText(path, text, new UTF8Encoding(false));
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }

    /// <summary>Writing into obj/ failed: a problem of the build, not of the weights file.</summary>
    public sealed class WriteFailedException : Exception
    {
        public WriteFailedException(string message, Exception inner)
            : base(message, inner)
        {
        }
    }

    /// <summary>Parts as files beside the index; one already there with the right length is kept as it is.</summary>
    private sealed class FilePartStore : IPartStore
    {
        private readonly string _directory;

        public FilePartStore(string directory)
        {
            _directory = directory;
        }

        /// <summary>The parts of this file, each once, in the order first met.</summary>
        public List<string> Written { get; } = new List<string>();

        private readonly HashSet<string> _seen = new HashSet<string>(StringComparer.Ordinal);

        public void Store(string hash, byte[] buffer, int count)
        {
            string path = Path.Combine(_directory, hash + PartExtension);
            if (!_seen.Add(path))
                return;
            Written.Add(path);
            long encodedLength = (count + 2L) / 3 * 4;
            if (File.Exists(path) && new FileInfo(path).Length == encodedLength)
                return;
            // Through a temporary file, so a build stopped halfway leaves no part of the right name and wrong content.
            string temporary = path + ".tmp";
            try
            {
                File.WriteAllText(temporary, Convert.ToBase64String(buffer, 0, count), new UTF8Encoding(false));
                if (File.Exists(path))
                    File.Delete(path);
                File.Move(temporary, path);
            }
            catch (Exception e) when (e is IOException || e is UnauthorizedAccessException)
            {
                throw new WriteFailedException(e.Message, e);
            }
        }
    }
}
