using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Runtime.CompilerServices;
using System.Text.Json;
using ConvGen.Tests.Infrastructure;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Xunit;

namespace ConvGen.Tests.Reference;

/// <summary>Pins <see cref="ReferenceNetwork"/> on graphs and the issue-5 layers against PyTorch.</summary>
public sealed class ReferenceNetworkDagTests
{
    private const double AbsTolerance = 1e-5;
    private const double RelTolerance = 1e-4;

    /// <summary>The networks of ReferenceNetworkDagNets.cs, compiled in memory without the generator (see that file).</summary>
    private static readonly Lazy<Dictionary<string, Type>> Networks = new(CompileNetworks);

    private static Dictionary<string, Type> CompileNetworks()
    {
        string path = Path.Combine(SourceDirectory(), "ReferenceNetworkDagNets.cs");
        var tree = CSharpSyntaxTree.ParseText(File.ReadAllText(path), GeneratorHarness.ParseOptions.WithPreprocessorSymbols("CONVGEN_DAG_NETS"), path);
        var compilation = CSharpCompilation.Create("DagNets_" + Guid.NewGuid().ToString("N"), [tree], GeneratorHarness.Net100,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable));
        using var stream = new MemoryStream();
        var emit = compilation.Emit(stream);
        Assert.True(emit.Success, string.Join("\n", emit.Diagnostics));
        Assembly assembly = Assembly.Load(stream.ToArray());
        return assembly.GetTypes().Where(t => t.GetCustomAttribute<ConvNetAttribute>() is not null).ToDictionary(t => t.Name);
    }

    private static string SourceDirectory([CallerFilePath] string path = "") => Path.GetDirectoryName(path)!;

    private static readonly Lazy<Dictionary<string, JsonElement>> Cases = new(() =>
    {
        string path = Path.Combine(AppContext.BaseDirectory, "Vectors", "pytorch_vectors.json");
        JsonDocument doc = JsonDocument.Parse(File.ReadAllText(path));
        return doc.RootElement.GetProperty("cases").EnumerateArray()
            .Where(c => c.GetProperty("op").GetString() == "network")
            .ToDictionary(c => c.GetProperty("network").GetString()!);
    });

    // Listed by hand: a theory's rows must be known without compiling anything.
    public static TheoryData<string> NetworkNames() => new(
        "DagResidualNet", "DagConcatShuffleNet", "DagForwardRefNet", "DagKerasTransposeNet", "Dag1DPaddingModeNet", "DagDenseConcatNet");

    [Fact]
    public void EveryNetworkHasAVector()
    {
        Assert.Equal(Networks.Value.Keys.Order(StringComparer.Ordinal), Cases.Value.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(Networks.Value.Keys.Order(StringComparer.Ordinal), ((IEnumerable<object[]>)NetworkNames()).Select(row => (string)row[0]).Order(StringComparer.Ordinal));
    }

    [Theory]
    [MemberData(nameof(NetworkNames))]
    public void MatchesPyTorch(string name)
    {
        Type network = Networks.Value[name];
        JsonElement c = Cases.Value[name];
        var layout = Enum.Parse<Layout>(c.GetProperty("layout").GetString()!);
        Assert.Equal(layout, network.GetCustomAttribute<ConvNetAttribute>()!.Layout);

        // The declaration's inline weights are the ones PyTorch used.
        LayerAttribute[] layers = network.GetCustomAttributes<LayerAttribute>(inherit: false).ToArray();
        string[] names = ReferenceNetwork.LayerNames(layers);
        foreach (JsonProperty p in c.GetProperty("params").EnumerateObject())
        {
            int index = Array.IndexOf(names, p.Name);
            Assert.True(index >= 0, $"{name}: no layer named '{p.Name}' (names: {string.Join(", ", names)})");
            var weighted = Assert.IsAssignableFrom<WeightedLayerAttribute>(layers[index]);
            Assert.Equal(Floats(p.Value.GetProperty("weight")), weighted.Weights);
            JsonElement bias = p.Value.GetProperty("bias");
            Assert.Equal(bias.ValueKind == JsonValueKind.Null ? null : Floats(bias), weighted.UseBias ? weighted.Bias : null);
        }

        AssertClose(name, Floats(c.GetProperty("expected")), ReferenceNetwork.Run(network, Floats(c.GetProperty("input"))));
    }

    /// <summary>The code ConvGen generated for the same declarations (compiled into this project) against the same vectors.</summary>
    [Theory]
    [MemberData(nameof(NetworkNames))]
    public void GeneratedCodeMatchesPyTorch(string name)
    {
        JsonElement c = Cases.Value[name];
        float[] input = Floats(c.GetProperty("input")), expected = Floats(c.GetProperty("expected"));
        var actual = new float[expected.Length];
        switch (name)
        {
            case "DagResidualNet": Dag.DagResidualNet.Run(input, actual); break;
            case "DagConcatShuffleNet": Dag.DagConcatShuffleNet.Run(input, actual); break;
            case "DagForwardRefNet": Dag.DagForwardRefNet.Run(input, actual); break;
            case "DagKerasTransposeNet": Dag.DagKerasTransposeNet.Run(input, actual); break;
            case "Dag1DPaddingModeNet": Dag.Dag1DPaddingModeNet.Run(input, actual); break;
            case "DagDenseConcatNet": Dag.DagDenseConcatNet.Run(input, actual); break;
            default: throw new ArgumentOutOfRangeException(nameof(name), name, null);
        }
        AssertClose(name, expected, actual);
    }

    private static void AssertClose(string name, float[] expected, float[] actual)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
        {
            double e = expected[i], a = actual[i];
            Assert.True(Math.Abs(a - e) <= AbsTolerance + RelTolerance * Math.Abs(e),
                string.Create(CultureInfo.InvariantCulture, $"{name}[{i}]: expected {e:R}, got {a:R}"));
        }
    }

    [Fact]
    public void DefaultNamesAreKerasStyleAndSkipExplicitNames()
    {
        LayerAttribute[] layers =
        [
            new Conv2DAttribute(1, 1),
            new Conv2DAttribute(1, 1) { Name = "conv2d_1" },
            new Conv2DAttribute(1, 1),
            new DepthwiseConv2DAttribute(3),
            new Conv2DTransposeAttribute(1, 2),
            new ZeroPad2DAttribute(1),
            new ChannelShuffleAttribute(2),
            new BatchNormAttribute(),
            new AddAttribute("a", "b") { Name = "add" },
            new AddAttribute("a", "b"),
            new ConcatAttribute("a", "b"),
            new Conv2DAttribute(1, 1),
            new DepthwiseConv2DAttribute(3),
        ];
        Assert.Equal(
            new[]
            {
                "conv2d", "conv2d_1", "conv2d_2", "depthwiseconv2d", "conv2dtranspose", "zeropad2d", "channelshuffle",
                "batchnorm", "add", "add_1", "concat", "conv2d_3", "depthwiseconv2d_1",
            },
            ReferenceNetwork.LayerNames(layers));
    }

    [Theory]
    [InlineData(3, 2, 1, 0, 1, 0)] // span 3, stride 2: total 1, the odd element at the end
    [InlineData(4, 2, 1, 1, 1, 0)]
    [InlineData(2, 2, 1, 0, 0, 0)]
    [InlineData(1, 2, 1, 0, 0, 1)] // span 1 < stride 2: no pads, one output-padding row
    [InlineData(1, 3, 1, 0, 0, 2)]
    [InlineData(3, 1, 1, 1, 1, 0)]
    [InlineData(3, 2, 2, 1, 2, 0)] // dilated span 5
    [InlineData(2, 4, 1, 0, 0, 2)]
    public void TransposeSameGivesInTimesStride(int kernel, int stride, int dilation, int begin, int end, int outputPadding)
    {
        Assert.Equal((begin, end, outputPadding), ReferenceNetwork.TransposeSamePads(kernel, stride, dilation));
        foreach (int input in new[] { 1, 2, 5 })
        {
            int output = (input - 1) * stride - begin - end + dilation * (kernel - 1) + outputPadding + 1;
            Assert.Equal(input * stride, output);
        }
    }

    private static float[] Floats(JsonElement array) => array.EnumerateArray().Select(e => (float)e.GetDouble()).ToArray();
}
