using System;
using System.IO;
using System.Runtime.CompilerServices;
using System.Text;
using DiffPlex.DiffBuilder;
using DiffPlex.DiffBuilder.Model;

namespace ConvGen.Tests.Infrastructure;

/// <summary>
/// Golden files committed beside the tests. A mismatch fails with a line diff and writes the new text
/// to <c>*.received.cs</c>; run the tests with <c>CONVGEN_ACCEPT=1</c> to accept new output (which also
/// deletes golden files no test produces any more).
/// </summary>
public static class GoldenFiles
{
    public static bool Accepting => Environment.GetEnvironmentVariable("CONVGEN_ACCEPT") == "1";

    /// <summary>tests/ConvGen.Tests/Snapshots in the source tree, found from this file's own path.</summary>
    public static string Directory => Path.Combine(Path.GetDirectoryName(Path.GetDirectoryName(ThisFile()))!, "Snapshots");

    private static string ThisFile([CallerFilePath] string path = "") => path;

    /// <returns>null when <paramref name="actual"/> matches the golden file, else the failure message.</returns>
    public static string? Compare(string name, string actual)
    {
        string path = Path.Combine(Directory, name);
        string received = Path.ChangeExtension(path, ".received.cs");
        actual = actual.Replace("\r\n", "\n");
        if (Accepting)
        {
            File.WriteAllText(path, actual);
            File.Delete(received);
            return null;
        }
        string expected = File.Exists(path) ? File.ReadAllText(path).Replace("\r\n", "\n") : "";
        if (expected == actual)
        {
            File.Delete(received);
            return null;
        }
        File.WriteAllText(received, actual);
        return $"{name} differs from its golden file{(expected.Length == 0 ? " (which does not exist yet)" : "")}.\n"
            + $"New output: {received}\nAccept it with: CONVGEN_ACCEPT=1 dotnet test ConvGen.sln\n\n" + Diff(expected, actual);
    }

    private static string Diff(string expected, string actual)
    {
        var text = new StringBuilder();
        int shown = 0;
        foreach (DiffPiece line in InlineDiffBuilder.Diff(expected, actual).Lines)
        {
            char mark = line.Type switch { ChangeType.Inserted => '+', ChangeType.Deleted => '-', _ => ' ' };
            if (mark == ' ')
                continue;
            text.Append(mark).Append(' ').Append(line.Text).Append('\n');
            if (++shown == 60)
            {
                text.Append("… (more lines differ)\n");
                break;
            }
        }
        return text.ToString();
    }
}
