using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Text;
using ConvGen.Generators.Weights;
using ConvGen.Tests.Infrastructure;
using Xunit;

namespace ConvGen.Tests.Weights;

/// <summary>
/// The build step on real files (build/ConvGenEncodeWeights.cs, as MSBuild runs it): what it refuses
/// before opening, what it writes and when, and two real <c>dotnet build</c>s, one with every hostile
/// file of the reliability probe listed at once, one replacing a weights file by an older one.
/// </summary>
public class WeightsBuildStepTests
{
    private static readonly bool Unix = !OperatingSystem.IsWindows();

    private static byte[] Model(float scale) => SafetensorsWriter.File(
        ("fc.weight", "F32", new long[] { 2, 3 }, new[] { 1f, 2f, 3f, 4f, 5f, 6f }.Select(v => v * scale).ToArray()),
        ("fc.bias", "F32", new long[] { 2 }, new[] { 0.5f, -0.5f }));

    private sealed class TempDirectory : IDisposable
    {
        public string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "convgen-weights-" + Guid.NewGuid().ToString("N"));

        public TempDirectory() => Directory.CreateDirectory(Path);

        public string this[string name] => System.IO.Path.Combine(Path, name);

        public void Dispose()
        {
            try
            {
                Directory.Delete(Path, recursive: true);
            }
            catch (IOException)
            {
            }
        }
    }

    private static string Refusal(string source, string directory)
    {
        List<string> files = ConvGenWeightsEncoder.EncodeFile(source, directory);
        Assert.Single(files); // the index only: no data part
        string text = File.ReadAllText(files[0]);
        return WeightsFiles.Read(new Infrastructure.InMemoryAdditionalText(files[0], text), default).Error!;
    }

    private static void MakeFifo(string path)
    {
        using var mkfifo = Process.Start("mkfifo", path);
        mkfifo.WaitForExit();
        Assert.Equal(0, mkfifo.ExitCode);
    }

    /// <summary>A sparse file: its length without its bytes, as `truncate -s` makes.</summary>
    private static void Sparse(string path, long length, byte[]? start = null)
    {
        using var file = new FileStream(path, FileMode.Create);
        file.Write(start ?? Array.Empty<byte>());
        file.SetLength(length);
    }

    [Fact]
    public void Files_that_are_not_regular_or_too_large_are_refused_without_being_opened()
    {
        using var temp = new TempDirectory();
        string output = temp["obj"];
        const string Empty = "it is empty (0 bytes), or not a regular file (a pipe, a socket or a device, which ConvGen does not open)";

        Assert.Equal($"there is no file at {temp["missing.safetensors"]}", Refusal(temp["missing.safetensors"], output));
        Directory.CreateDirectory(temp["folder.safetensors"]);
        Assert.Equal("it is a directory, not a file", Refusal(temp["folder.safetensors"], output));
        File.WriteAllBytes(temp["empty.safetensors"], Array.Empty<byte>());
        Assert.Equal(Empty, Refusal(temp["empty.safetensors"], output));
        Sparse(temp["sparse1g.safetensors"], 1L << 30);
        Assert.Equal("it is 1,073,741,824 bytes, more than the 268,435,456 (256 MiB) ConvGen bakes into code", Refusal(temp["sparse1g.safetensors"], output));
        Sparse(temp["limit.safetensors"], (256L << 20) + 1);
        Assert.Equal("it is 268,435,457 bytes, more than the 268,435,456 (256 MiB) ConvGen bakes into code", Refusal(temp["limit.safetensors"], output));
        if (!Unix)
            return;
        // A pipe would block the build forever once opened; /dev/zero would stream forever.
        MakeFifo(temp["fifo.safetensors"]);
        Assert.Equal(Empty, Refusal(temp["fifo.safetensors"], output));
        File.CreateSymbolicLink(temp["zero.safetensors"], "/dev/zero");
        Assert.Equal(Empty, Refusal(temp["zero.safetensors"], output));
        File.CreateSymbolicLink(temp["to-fifo.safetensors"], temp["fifo.safetensors"]);
        Assert.Equal(Empty, Refusal(temp["to-fifo.safetensors"], output));
        File.CreateSymbolicLink(temp["dangling.safetensors"], temp["nowhere"]);
        Assert.Equal($"there is no file at {temp["dangling.safetensors"]}", Refusal(temp["dangling.safetensors"], output));
        File.CreateSymbolicLink(temp["to-folder.safetensors"], temp["folder.safetensors"]);
        Assert.Equal("it is a directory, not a file", Refusal(temp["to-folder.safetensors"], output));
    }

    [Fact]
    public void A_symbolic_link_to_a_weights_file_is_read_through()
    {
        if (!Unix)
            return;
        using var temp = new TempDirectory();
        File.WriteAllBytes(temp["real.safetensors"], Model(1));
        File.CreateSymbolicLink(temp["link.safetensors"], temp["real.safetensors"]);

        List<string> files = ConvGenWeightsEncoder.EncodeFile(temp["link.safetensors"], temp["obj"]);

        Assert.Equal(2, files.Count);
        var index = new Infrastructure.InMemoryAdditionalText(files[0], File.ReadAllText(files[0]));
        var part = new Infrastructure.InMemoryAdditionalText(files[1], File.ReadAllText(files[1]));
        WeightsFile file = WeightsFiles.Read(index, default);
        Assert.Null(file.Error);
        Assert.Equal(temp["link.safetensors"], file.Path);
        Assert.Equal(new[] { 0.5f, -0.5f }, SafetensorsReader.Values(file, file.Find("fc.bias")!, WeightsParts.From(new[] { part }), default, out _));
    }

    [Fact]
    public void The_build_step_writes_what_changed_and_removes_what_is_stale()
    {
        using var temp = new TempDirectory();
        string source = temp["model.safetensors"], output = temp["obj"];
        // Three parts of data: the first changes below, the other two stay.
        var random = new Random(3);
        float[] values = Enumerable.Range(0, 600_000).Select(_ => (float)random.NextDouble()).ToArray();
        byte[] Bytes(float first) => SafetensorsWriter.File(("w", "F32", new long[] { values.Length }, values.Select((v, i) => i == 0 ? first : v).ToArray()));
        File.WriteAllBytes(source, Bytes(1));

        List<string> first = ConvGenWeightsEncoder.EncodeFile(source, output);
        Assert.Equal(4, first.Count); // the index, then 3 parts (2.3 MB of data)
        File.SetLastWriteTimeUtc(first[0], new DateTime(2020, 1, 1, 0, 0, 0, DateTimeKind.Utc));
        File.SetLastWriteTimeUtc(first[3], new DateTime(2020, 1, 1, 0, 0, 0, DateTimeKind.Utc));

        // Unchanged content: nothing is rewritten, however new the source file looks.
        File.SetLastWriteTimeUtc(source, DateTime.UtcNow);
        Assert.Equal(first, ConvGenWeightsEncoder.EncodeFile(source, output));
        Assert.Equal(new DateTime(2020, 1, 1, 0, 0, 0, DateTimeKind.Utc), File.GetLastWriteTimeUtc(first[0]));

        // Changed content with an older modification time: the first part and the index are new, the last part stays.
        File.WriteAllBytes(source, Bytes(-1));
        File.SetLastWriteTimeUtc(source, new DateTime(2001, 1, 1, 0, 0, 0, DateTimeKind.Utc));
        List<string> second = ConvGenWeightsEncoder.EncodeFile(source, output);
        Assert.Equal(first[0], second[0]);
        Assert.NotEqual(new DateTime(2020, 1, 1, 0, 0, 0, DateTimeKind.Utc), File.GetLastWriteTimeUtc(second[0]));
        Assert.NotEqual(first[1], second[1]);
        Assert.Equal(first[2], second[2]);
        Assert.Equal(first[3], second[3]);
        Assert.Equal(new DateTime(2020, 1, 1, 0, 0, 0, DateTimeKind.Utc), File.GetLastWriteTimeUtc(second[3]));
        Assert.False(File.Exists(first[1]), "the stale part is removed");
        Assert.Equal(second.Select(Path.GetFileName).Order(), Directory.GetFiles(output).Select(Path.GetFileName).Order());

        // A part cut short (a build stopped while writing it) is written again.
        long partLength = new FileInfo(second[2]).Length;
        File.WriteAllText(second[2], "AAAA");
        ConvGenWeightsEncoder.EncodeFile(source, output);
        Assert.Equal(partLength, new FileInfo(second[2]).Length);

        // Refused now: its parts go.
        File.WriteAllBytes(source, HostileSafetensorsTests.LfsPointer);
        Assert.Single(ConvGenWeightsEncoder.EncodeFile(source, output));
        Assert.Single(Directory.GetFiles(output));
    }

    [Fact]
    public void Failing_to_write_into_obj_is_an_error_of_the_build_not_a_refusal_of_the_file()
    {
        using var temp = new TempDirectory();
        File.WriteAllBytes(temp["model.safetensors"], Model(1));
        // Where the part would go, a folder of the same name: the write fails as on a full or read-only disk.
        string part = InMemoryAdditionalText.Weights(temp["model.safetensors"], Model(1)).Parts.Single().Path;
        Directory.CreateDirectory(Path.Combine(temp["obj"], Path.GetFileName(part) + ".tmp"));

        Assert.Throws<ConvGenWeightsEncoder.WriteFailedException>(() => ConvGenWeightsEncoder.EncodeFile(temp["model.safetensors"], temp["obj"]));
    }

    // ------------------------------------------------------------------ dotnet build

    private static (int ExitCode, string Output) Build(string directory, TimeSpan timeout)
    {
        var start = new ProcessStartInfo("dotnet", "build -nologo -v:q -nodeReuse:false -p:UseSharedCompilation=false")
        {
            WorkingDirectory = directory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        start.Environment["MSBUILDDISABLENODEREUSE"] = "1";
        var output = new StringBuilder();
        using var build = new Process { StartInfo = start };
        build.OutputDataReceived += (_, e) => { lock (output) output.AppendLine(e.Data); };
        build.ErrorDataReceived += (_, e) => { lock (output) output.AppendLine(e.Data); };
        build.Start();
        build.BeginOutputReadLine();
        build.BeginErrorReadLine();
        if (!build.WaitForExit(timeout))
        {
            build.Kill(entireProcessTree: true);
            Assert.Fail($"dotnet build did not finish in {timeout} (a weights file made it hang):\n{output}");
        }
        build.WaitForExit();
        lock (output)
            return (build.ExitCode, output.ToString());
    }

    /// <summary>A library project that references the built ConvGen and imports the repository's build step, as the package does.</summary>
    private static void WriteProject(string directory, string weights, string source)
    {
        string bin = AppContext.BaseDirectory;
        string targets = Path.Combine(Fixtures.RepositoryRoot, "src", "ConvGen", "build", "ConvGen.targets");
        File.WriteAllText(Path.Combine(directory, "Nets.csproj"), $"""
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup>
                <TargetFramework>net10.0</TargetFramework>
                <Nullable>enable</Nullable>
                <EmitCompilerGeneratedFiles>true</EmitCompilerGeneratedFiles>
                <CompilerGeneratedFilesOutputPath>obj/generated</CompilerGeneratedFilesOutputPath>
              </PropertyGroup>
              <ItemGroup>
                <Reference Include="{Path.Combine(bin, "ConvGen.dll")}" />
                <Analyzer Include="{Path.Combine(bin, "ConvGen.Generators.dll")}" />
                <AdditionalFiles Include="{weights}" />
              </ItemGroup>
              <Import Project="{targets}" />
            </Project>
            """);
        File.WriteAllText(Path.Combine(directory, "Nets.cs"), "using ConvGen;\n" + source);
    }

    private static string Network(string className, string file)
        => $"[ConvNet(3, WeightsFile = \"{file}\")]\n[Dense(2, Name = \"fc\")]\npublic static partial class {className};\n";

    [Fact]
    public void Dotnet_build_reports_every_hostile_file_as_CG0031_without_MSB4018_or_a_hang()
    {
        using var temp = new TempDirectory();
        // The reliability probe's files, each bound by a network of its own; one build for all.
        var expected = new Dictionary<string, string>
        {
            ["sparse1g.safetensors"] = "it is 1,073,741,824 bytes, more than the 268,435,456 (256 MiB) ConvGen bakes into code",
            ["big.safetensors"] = "it is 314,572,800 bytes, more than the 268,435,456 (256 MiB) ConvGen bakes into code",
            ["header99.safetensors"] = "its header is 99,000,000 bytes, more than the 16,777,216 (16 MiB) ConvGen reads",
            ["missing.safetensors"] = $"there is no file at {temp["missing.safetensors"]}",
            ["folder.safetensors"] = "it is a directory, not a file",
            ["lfs.safetensors"] = "it is a Git LFS pointer, not the weights themselves; run `git lfs pull` to fetch them",
            ["image.safetensors"] = "it is not a safetensors file (its first 8 bytes are not a plausible header length)",
            ["archive.safetensors"] = "it is not a safetensors file (its first 8 bytes are not a plausible header length)",
        };
        Sparse(temp["sparse1g.safetensors"], 1L << 30);
        Sparse(temp["big.safetensors"], 300L << 20);
        Sparse(temp["header99.safetensors"], 99_000_100, SafetensorsWriter.LittleEndian(99_000_000).Concat("{\"t0\":{"u8.ToArray()).ToArray());
        Directory.CreateDirectory(temp["folder.safetensors"]);
        File.WriteAllBytes(temp["lfs.safetensors"], HostileSafetensorsTests.LfsPointer);
        File.WriteAllBytes(temp["image.safetensors"], HostileSafetensorsTests.Png);
        File.WriteAllBytes(temp["archive.safetensors"], HostileSafetensorsTests.Zip);
        if (Unix)
        {
            const string Empty = "it is empty (0 bytes), or not a regular file (a pipe, a socket or a device, which ConvGen does not open)";
            MakeFifo(temp["fifo.safetensors"]);
            File.CreateSymbolicLink(temp["zero.safetensors"], "/dev/zero");
            expected["fifo.safetensors"] = Empty;
            expected["zero.safetensors"] = Empty;
        }
        File.WriteAllBytes(temp["good.safetensors"], Model(1));
        var names = expected.Keys.Append("good.safetensors").ToList();
        WriteProject(temp.Path, string.Join(";", names), string.Concat(names.Select((n, i) => Network("Net" + i, n))));

        var (exitCode, output) = Build(temp.Path, TimeSpan.FromMinutes(5));

        Assert.NotEqual(0, exitCode);
        Assert.DoesNotContain("MSB4018", output);
        Assert.DoesNotContain("OutOfMemory", output);
        foreach (var (file, reason) in expected)
            Assert.Contains($"error CG0031: WeightsFile '{file}' cannot be read: {reason}", output);
        Assert.Equal(expected.Count, output.Split('\n').Where(l => l.Contains("error CG", StringComparison.Ordinal)).Distinct().Count());
        // The good file's network was generated; nothing of the refused files was copied into obj/.
        Assert.Single(Directory.GetFiles(temp["obj/generated"], "Net*.g.cs", SearchOption.AllDirectories));
        var written = Directory.GetFiles(temp["obj"], "*.b64", SearchOption.AllDirectories);
        Assert.Equal(expected.Count + 2, written.Length); // an index per file, and the good file's one data part
        Assert.All(written.Where(f => !f.Contains("good", StringComparison.Ordinal) && !f.EndsWith(WeightsFiles.PartExtension, StringComparison.Ordinal)),
            f => Assert.True(new FileInfo(f).Length < 400, $"{f} is {new FileInfo(f).Length} bytes"));
    }

    [Fact]
    public void Dotnet_build_regenerates_a_network_whose_weights_file_was_replaced_by_an_older_one()
    {
        // tar -x, cp -p, rsync -t and CI caches restore old modification times: the content decides.
        using var temp = new TempDirectory();
        string model = temp["model.safetensors"];
        File.WriteAllBytes(model, Model(1));
        WriteProject(temp.Path, "model.safetensors", Network("Net", "model.safetensors"));
        string Generated() => File.ReadAllText(Directory.GetFiles(temp["obj/generated"], "Net.g.cs", SearchOption.AllDirectories).Single());

        var first = Build(temp.Path, TimeSpan.FromMinutes(5));
        Assert.True(first.ExitCode == 0, first.Output);
        string before = Generated();

        File.WriteAllBytes(model, Model(-3));
        File.SetLastWriteTimeUtc(model, DateTime.UtcNow.AddDays(-30));
        var second = Build(temp.Path, TimeSpan.FromMinutes(5));
        Assert.True(second.ExitCode == 0, second.Output);
        string after = Generated();
        Assert.NotEqual(before, after);

        // And back, older still: the first network's code exactly.
        File.WriteAllBytes(model, Model(1));
        File.SetLastWriteTimeUtc(model, DateTime.UtcNow.AddDays(-60));
        var third = Build(temp.Path, TimeSpan.FromMinutes(5));
        Assert.True(third.ExitCode == 0, third.Output);
        Assert.Equal(before, Generated());
    }
}
