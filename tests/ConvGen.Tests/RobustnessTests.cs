using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using System.Threading.Tasks;
using ConvGen.Generators.Analyzers;
using ConvGen.Tests.Infrastructure;
using CsCheck;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;
using Xunit;

namespace ConvGen.Tests;

/// <summary>
/// Random, mostly nonsensical declarations (zero, negative and huge sizes, empty, null and non-finite
/// arrays, bad enum values, duplicate and unknown names, wrong types): the generator and the analyzers
/// never throw, every declaration they cannot build gets an error, every one they build compiles.
/// </summary>
public class RobustnessTests
{
    // Mostly plausible sizes, so shape inference is reached, with enough nonsense to probe every check.
    private static readonly Gen<string> Small = Gen.Int[1, 4].Select(i => i.ToString());
    private static readonly Gen<string> Int = Gen.OneOf(Small, Small, Small,
        Gen.Int[-2, 9].Select(i => i.ToString()),
        Gen.OneOf("0", "1", "64", "100000", "int.MaxValue", "int.MinValue"),
        // Issue 17's extremes: sizes near 2^16, 2^28, 2^30 and 2^31 - 1, where int arithmetic used to wrap.
        Gen.OneOf("65536", "268435455", "268435456", "268435457", "1073741823", "1073741824", "int.MaxValue - 1"));

    private static readonly Gen<string> IntArray = Gen.OneOf(
        Gen.Const("null"),
        Small.Array[1, 2].Select(a => $"new int[] {{ {string.Join(", ", a)} }}"),
        Int.Array[0, 5].Select(a => $"new int[] {{ {string.Join(", ", a)} }}"));

    private static readonly Gen<string> FloatArray = Gen.OneOf(
        Gen.Const("null"),
        Gen.OneOf(Gen.Int[0, 12], Gen.Int[0, 80]).Select(n => $"W({n})"),
        Gen.OneOf(Gen.Int[0, 12], Gen.Int[0, 80]).Select(n => $"W({n})"),
        Gen.OneOf("new float[] { }", "new float[] { float.NaN }", "new float[] { 1f, float.PositiveInfinity }"));

    /// <summary>Issue 17's injection with every character C# ends a line at, every other control, format characters and lone surrogates.</summary>
    private static readonly Gen<string> Injection = Gen.OneOf(Hardening.NameInjectionTests.Unsafe)
        .Select(c => SymbolDisplay.FormatLiteral("x" + c + "partial class Injected { } //", quote: true));

    private static readonly Gen<string> Name = Gen.OneOf(Gen.OneOf("\"a\"", "\"b\"", "\"conv2d\"", "\"input\"", "\"\"", "null", "\"a.b c\"", "\"flatten\""), Injection);

    private static readonly Dictionary<string, Gen<string>> Options = new()
    {
        ["Stride"] = Int, ["Dilation"] = Int, ["Pad"] = Int, ["Groups"] = Int,
        ["Strides"] = IntArray, ["Dilations"] = IntArray, ["Pads"] = IntArray,
        ["Padding"] = Gen.OneOf("Padding.Valid", "Padding.Same", "Padding.Same", "(Padding)(-1)", "(Padding)3"),
        ["PaddingMode"] = Gen.OneOf("PaddingMode.Zeros", "PaddingMode.Zeros", "PaddingMode.Reflect", "PaddingMode.Replicate", "PaddingMode.Circular", "(PaddingMode)(-1)"),
        ["DepthMultiplier"] = Int, ["OutputPadding"] = Int, ["OutputPaddings"] = IntArray,
        ["Activation"] = Gen.OneOf(Gen.Int[0, 8].Select(i => $"(Activation){i}"), Gen.Int[0, 8].Select(i => $"(Activation){i}"), Gen.OneOf("(Activation)(-1)", "(Activation)42")),
        ["UseBias"] = Gen.OneOf("true", "false"), ["CeilMode"] = Gen.OneOf("true", "false"), ["CountIncludePad"] = Gen.OneOf("true", "false"),
        ["Alpha"] = Gen.OneOf("0.1f", "-1f", "0.2f", "float.NaN"),
        ["Weights"] = FloatArray, ["Bias"] = FloatArray,
        ["Name"] = Name, ["Input"] = Gen.OneOf(Gen.Const("null"), Gen.Const("null"), Name),
    };

    private static readonly string[] ConvOptions = { "Stride", "Strides", "Dilation", "Dilations", "Padding", "Pad", "Pads", "PaddingMode", "Groups", "UseBias", "Activation", "Alpha", "Weights", "Bias", "Name", "Input" };
    private static readonly string[] DepthwiseOptions = ConvOptions.Where(o => o != "Groups").Append("DepthMultiplier").ToArray();
    private static readonly string[] TransposeOptions = ConvOptions.Append("OutputPadding").Append("OutputPaddings").ToArray();
    private static readonly string[] DenseOptions = { "UseBias", "Activation", "Alpha", "Weights", "Bias", "Name", "Input" };
    private static readonly string[] MaxPoolOptions = { "Stride", "Strides", "Padding", "Pad", "Pads", "CeilMode", "Dilation", "Dilations", "Name", "Input" };
    private static readonly string[] AvgPoolOptions = { "Stride", "Strides", "Padding", "Pad", "Pads", "CeilMode", "CountIncludePad", "Name", "Input" };
    private static readonly string[] PlainOptions = { "Name", "Input" };

    /// <summary>A layer attribute: a kind, its constructor arguments and a random subset of its options.</summary>
    private static Gen<string> Layer(string kind, Gen<string> constructor, string[] options)
        => Gen.Select(constructor, Gen.Int[0, 5].Array[options.Length], Sequence(options.Select(n => Options[n])), (args, use, values) =>
        {
            // Each option with probability 1/6 (Weights and Bias 1/2), so a layer is plausible more often than not.
            var named = options.Select((o, i) => (o, i))
                .Where(x => use[x.i] == 0 || (x.o is "Weights" or "Bias" && use[x.i] < 3))
                .Select(x => $"{x.o} = {values[x.i]}");
            string all = string.Join(", ", new[] { args }.Where(a => a.Length > 0).Concat(named));
            return all.Length == 0 ? $"[{kind}]" : $"[{kind}({all})]";
        });

    private static Gen<string[]> Sequence(IEnumerable<Gen<string>> gens)
        => gens.Aggregate(Gen.Const(Array.Empty<string>()), (all, next) => Gen.Select(all, next, (a, v) => a.Append(v).ToArray()));

    private static readonly Gen<string> AnyLayer = Gen.OneOf(
        Layer("Conv1D", Gen.Select(Int, Int, (f, k) => $"{f}, {k}"), ConvOptions),
        Layer("Conv2D", Gen.OneOf(Gen.Select(Int, Int, (f, k) => $"{f}, {k}"), Gen.Select(Int, Int, Int, (f, h, w) => $"{f}, {h}, {w}")), ConvOptions),
        Layer("Dense", Int, DenseOptions),
        Layer("MaxPool1D", Int, MaxPoolOptions),
        Layer("MaxPool2D", Gen.OneOf(Int, Gen.Select(Int, Int, (h, w) => $"{h}, {w}")), MaxPoolOptions),
        Layer("AvgPool1D", Int, AvgPoolOptions),
        Layer("AvgPool2D", Gen.OneOf(Int, Gen.Select(Int, Int, (h, w) => $"{h}, {w}")), AvgPoolOptions),
        Layer("GlobalAvgPool", Gen.Const(""), PlainOptions),
        Layer("GlobalMaxPool", Gen.Const(""), PlainOptions),
        Layer("Flatten", Gen.Const(""), PlainOptions),
        Layer("Softmax", Gen.Const(""), PlainOptions),
        Layer("Dropout", Gen.OneOf("", "0.5f", "-1f"), PlainOptions),
        Layer("Activation", Gen.Int[-1, 10].Select(i => $"(Activation)({i})"), new[] { "Alpha", "Name", "Input" }),
        Layer("DepthwiseConv2D", Gen.OneOf(Int, Gen.Select(Int, Int, (h, w) => $"{h}, {w}")), DepthwiseOptions),
        Layer("Conv2DTranspose", Gen.OneOf(Gen.Select(Int, Int, (f, k) => $"{f}, {k}"), Gen.Select(Int, Int, Int, (f, h, w) => $"{f}, {h}, {w}")), TransposeOptions),
        Layer("Add", Gen.OneOf(Name.Array[0, 3], Gen.Const(new[] { "\"input\"", "\"a\"" })).Select(names => string.Join(", ", names)), PlainOptions),
        Layer("Concat", Gen.OneOf(Name.Array[0, 3], Gen.Const(new[] { "\"a\"", "\"input\"" })).Select(names => string.Join(", ", names)), PlainOptions),
        Layer("ZeroPad2D", Gen.OneOf(Int.Array[0, 5].Select(a => string.Join(", ", a)), Gen.OneOf("null", "new int[] { 1, 2 }")), PlainOptions),
        Layer("ChannelShuffle", Int, PlainOptions));

    private static readonly Gen<string> ConvNet = Gen.Select(
        Gen.OneOf(Gen.Int[1, 4].Array[1, 3].Select(a => string.Join(", ", a)), Gen.Int[1, 9].Array[1, 3].Select(a => string.Join(", ", a)),
            Gen.Int[1, 9].Array[1, 3].Select(a => string.Join(", ", a)), Int.Array[0, 4].Select(a => string.Join(", ", a))),
        Gen.OneOf("", "", "", ", Layout = Layout.ChannelsLast", ", WeightLayout = WeightLayout.Keras", ", Layout = (Layout)7", ", MaxRamBytes = 64", ", MaxRamBytes = -1"),
        (shape, named) => shape.Length == 0 && named.Length > 0 ? $"[ConvNet({named.Substring(2)})]" : $"[ConvNet({shape}{named})]");

    /// <summary>
    /// The class, now and then named like a generated member or a keyword, or declaring a member of a generated
    /// name (issue 17: such classes got generated code that did not compile): "#class name|member".
    /// </summary>
    private static readonly Gen<string> ClassLine = Gen.Select(
        Gen.Frequency((6, Gen.Const("C")), (1, Gen.OneOf("Run", "Summary", "ConvGenKernels", "InputLength", "OutputShape", "@class", "@record"))),
        Gen.Frequency((6, Gen.Const("")), (1, Gen.OneOf("public static int Summary => 1;", "public static void Run(System.ReadOnlySpan<float> a, System.Span<float> b) { }",
            "public static void Run(float[] a) { }", "private const int ScratchLength = 3;", "public class ConvGenKernels { }"))),
        (name, member) => $"#class {name}|{member}");

    private static readonly Gen<string[][]> Declarations = Gen.Select(ConvNet, AnyLayer.Array[0, 5], ClassLine,
        (net, layers, cls) => new[] { net }.Concat(layers).Append(cls).ToArray()).Array[24];

    [Fact]
    public void Random_declarations_never_crash_and_errors_match_what_is_generated()
    {
        Declarations.Sample(classes => Check(classes, "").GetAwaiter().GetResult(), iter: 20, threads: 1,
            print: classes => string.Join("\n\n", classes.Select((c, i) => string.Join("\n", c))));
    }

    private static readonly Gen<string> WrongType = Gen.OneOf(
        "[Conv2D(1, 3, Stride = \"2\")]", "[Conv2D(1, 3, Weights = new double[] { 1 })]", "[Conv2D(1.5, 3)]",
        "[Conv2D(1, 3, Padding = 3.5)]", "[Dense(2, Weights = new int[] { 1, 2 })]", "[MaxPool2D()]", "[Conv2D]",
        "[ConvNet(\"a\")]", "[Conv2D(1, 3, Weights = new float[4])]", "[Dense(2, Bias = Values)]", "[Flatten(3)]");

    [Fact]
    public void Declarations_that_are_not_valid_CSharp_never_crash_the_generator_or_analyzers()
    {
        var gen = Gen.Select(ConvNet, AnyLayer.Array[0, 3], WrongType, Gen.Int[0, 3],
            (net, layers, wrong, at) =>
            {
                var all = new List<string> { net };
                all.AddRange(layers);
                all.Insert(1 + Math.Min(at, layers.Length), wrong);
                return all.ToArray();
            }).Array[16];
        gen.Sample(classes => Check(classes, "public static float[] Values = { 1 };").GetAwaiter().GetResult(), iter: 8, threads: 1,
            print: classes => string.Join("\n\n", classes.Select(c => string.Join("\n", c))));
    }

    /// <summary>Each class in a file and namespace of its own (<c>Fuzz{i}</c>), after its attributes; a last "#class name|member" line names it.</summary>
    private static async Task Check(string[][] classes, string extraMember)
    {
        (string Name, string Member) Class(string[] lines) => lines[lines.Length - 1] is var last && last.StartsWith("#class ", StringComparison.Ordinal)
            ? (last.Substring(7, last.IndexOf('|') - 7), last.Substring(last.IndexOf('|') + 1))
            : ("C", "");
        var trees = classes.Select((lines, i) => CSharpSyntaxTree.ParseText(
            $"using ConvGen;\nnamespace Fuzz{i};\n" + Infrastructure.Declarations.Expand(string.Join("\n", lines.Where(l => !l.StartsWith("#class ", StringComparison.Ordinal))))
            + $"\npublic static partial class {Class(lines).Name} {{ {extraMember} {Class(lines).Member} }}\n", GeneratorHarness.ParseOptions, path: $"C{i}.cs")).ToArray();
        var input = GeneratorHarness.CreateCompilation("").AddSyntaxTrees(trees);
        bool validCSharp = !input.GetDiagnostics().Any(d => d.Severity == DiagnosticSeverity.Error);

        var driver = GeneratorHarness.CreateDriver().RunGeneratorsAndUpdateCompilation(input, out var output, out var generatorDiagnostics);
        var result = driver.GetRunResult().Results.Single();
        Assert.True(result.Exception is null, $"The generator threw: {result.Exception}");
        Assert.Empty(generatorDiagnostics); // CG9999 (internal error) or CS8785 would land here

        var analyzers = ImmutableArray.Create<DiagnosticAnalyzer>(new ConvNetAnalyzer(), new RunCallAnalyzer());
        var diagnostics = await output.WithAnalyzers(analyzers).GetAnalyzerDiagnosticsAsync();
        Assert.DoesNotContain(diagnostics, d => d.Id == "AD0001");
        var generatedFiles = result.GeneratedSources.Select(s => s.HintName).ToHashSet();

        for (int i = 0; i < classes.Length; i++)
        {
            var mine = diagnostics.Where(d => d.Location.SourceTree?.FilePath == $"C{i}.cs").ToList();
            Assert.All(diagnostics.Where(d => d.Location.SourceTree is null), d => Assert.Fail($"{d} has no location"));
            bool generated = generatedFiles.Contains($"Fuzz{i}.{Class(classes[i]).Name.TrimStart('@')}.g.cs");
            if (!validCSharp)
                continue; // the compiler has reported the broken C#; all that matters is that nothing crashed
            bool hasError = mine.Any(d => d.Severity == DiagnosticSeverity.Error);
            Assert.True(generated != hasError,
                $"C{i}: generated = {generated} but analyzer errors = [{string.Join("; ", mine)}]\n{string.Join("\n", classes[i])}");
        }

        Assert.False(output.ContainsSymbolsWithName("Injected")); // a name never becomes code
        if (validCSharp)
        {
            var broken = output.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error).ToList();
            Assert.True(broken.Count == 0, "Generated code does not compile:\n" + string.Join("\n", broken.Take(10)));
        }
    }
}
