using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using ConvGen.Generators.Weights;
using ConvGen.Tests.Infrastructure;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Text;
using Xunit;

namespace ConvGen.Tests.Weights;

/// <summary>
/// What reading a weights file costs the compiler and the IDE: the data parts a network does not bind
/// are never read (the compiler loads an additional file's text only when asked), and a header is parsed
/// once per content, not once per compilation.
/// </summary>
public class WeightsReadingCostTests
{
    /// <summary>An additional file that counts how often its text is asked for.</summary>
    private sealed class CountingText(AdditionalText inner) : AdditionalText
    {
        private int _reads;

        public int Reads => Volatile.Read(ref _reads);

        public override string Path => inner.Path;

        public override SourceText? GetText(CancellationToken cancellationToken = default)
        {
            Interlocked.Increment(ref _reads);
            return inner.GetText(cancellationToken);
        }
    }

    private const string Source = """
        using ConvGen;
        [ConvNet(3, WeightsFile = "model.safetensors")]
        [Dense(2, Name = "fc")]
        public static partial class Net;
        """;

    /// <summary>fc's 32 bytes first, then 2.8 MB of a tensor nothing binds: data parts 0 (fc and more), 1 and 2.</summary>
    private static (CountingText Index, CountingText[] Parts) LargelyUnboundFile()
    {
        var unused = new float[700_000];
        EncodedWeights encoded = InMemoryAdditionalText.Weights("/p/model.safetensors", new SafetensorsWriter()
            .Add("fc.weight", "F32", new long[] { 2, 3 }, 1, 2, 3, 4, 5, 6)
            .Add("fc.bias", "F32", new long[] { 2 }, 0.5f, -0.5f)
            .Add("unused.weight", "F32", new long[] { unused.Length }, unused.Select((_, i) => (float)i).ToArray())
            .ToBytes());
        return (new CountingText(encoded), encoded.Parts.Select(p => new CountingText(p)).ToArray());
    }

    [Fact]
    public void The_generator_reads_only_the_parts_a_network_binds()
    {
        var (index, parts) = LargelyUnboundFile();
        Assert.Equal(3, parts.Length);

        GeneratorRun run = GeneratorHarness.Run(Source, additionalFiles: parts.Prepend(index).ToArray());

        Assert.Single(run.Sources);
        Assert.Equal(1, index.Reads);
        Assert.True(parts[0].Reads > 0, "the part holding fc was not read");
        Assert.Equal(0, parts[1].Reads);
        Assert.Equal(0, parts[2].Reads);
    }

    [Fact]
    public async Task The_analyzers_read_only_the_parts_a_network_binds()
    {
        var (index, parts) = LargelyUnboundFile();

        var diagnostics = await AnalyzerHarness.Diagnostics(Source + "public static class Use { public static void Go() => Net.Run(new float[3], new float[2]); }",
            parts.Prepend(index).ToArray());

        Assert.Empty(diagnostics);
        Assert.True(parts[0].Reads > 0, "the part holding fc was not read");
        Assert.Equal(0, parts[1].Reads);
        Assert.Equal(0, parts[2].Reads);
    }

    [Fact]
    public void A_header_is_parsed_once_per_content_whatever_text_object_carries_it()
    {
        // The IDE and the compiler server hand a new AdditionalText per compilation; the content decides.
        var cache = new WeightsFiles.ParsedHeaders();
        EncodedWeights one = InMemoryAdditionalText.Weights("/p/model.safetensors", Fixtures.Digits());
        EncodedWeights again = InMemoryAdditionalText.Weights("/p/model.safetensors", Fixtures.Digits());
        EncodedWeights other = InMemoryAdditionalText.Weights("/p/model.safetensors", Fixtures.Weights("tiny.safetensors"));

        WeightsFile first = WeightsFiles.Read(one, default, cache);
        WeightsFile second = WeightsFiles.Read(again, default, cache);
        WeightsFile third = WeightsFiles.Read(other, default, cache);

        Assert.Null(first.Error);
        Assert.Same(first, second);
        Assert.Equal(2, cache.Misses);
        Assert.NotEqual(first, third);
        // The same content listed under another path is another file (its name and path are in the result).
        Assert.NotSame(first, WeightsFiles.Read(InMemoryAdditionalText.Weights("/q/model.safetensors", Fixtures.Digits()), default, cache));
        Assert.Equal(3, cache.Misses);
    }

    [Fact]
    public void The_header_cache_is_bounded()
    {
        var cache = new WeightsFiles.ParsedHeaders();
        var files = new List<WeightsFile>();
        for (int i = 0; i < WeightsFiles.ParsedHeaders.MaxEntries + 5; i++)
            files.Add(WeightsFiles.Read(InMemoryAdditionalText.Weights($"/p/{i}/model.safetensors", Fixtures.Weights("tiny.safetensors")), default, cache));

        Assert.Equal(WeightsFiles.ParsedHeaders.MaxEntries, cache.Count);
        // The most recent stays, the oldest went.
        Assert.Same(files[^1], WeightsFiles.Read(InMemoryAdditionalText.Weights($"/p/{files.Count - 1}/model.safetensors", Fixtures.Weights("tiny.safetensors")), default, cache));
        Assert.NotSame(files[0], WeightsFiles.Read(InMemoryAdditionalText.Weights("/p/0/model.safetensors", Fixtures.Weights("tiny.safetensors")), default, cache));
    }
}
