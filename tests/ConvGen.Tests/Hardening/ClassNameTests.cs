using System.Linq;
using ConvGen.Tests.Infrastructure;
using Xunit;

namespace ConvGen.Tests.Hardening;

/// <summary>
/// Issue 17's fuzz found generated code that did not compile for classes named with keywords; those are escaped
/// now. (Classes named like a generated member, or declaring one, are CG0013: see the diagnostic catalogue.)
/// </summary>
public class ClassNameTests
{
    [Fact]
    public void Keyword_names_of_classes_namespaces_and_containing_types_compile()
    {
        const string source = """
            using ConvGen;
            namespace @event.@params
            {
                [ConvNet(1, 4, 4)]
                [Flatten]
                public static partial class @class;

                public static partial class @record
                {
                    [ConvNet(1, 4, 4)]
                    [MaxPool2D(2)]
                    public static partial class @var;
                }

                [ConvNet(1, 4, 4)]
                [Flatten]
                public static partial class Pixels
                {
                    // An overload of other parameters is the user's own and stays.
                    public static void Run(float[] image, float[] result) => Run(image, result, System.Span<float>.Empty);
                }
            }
            """;
        GeneratorRun run = GeneratorHarness.Run(source);
        Assert.Empty(run.CompilationDiagnostics());
        Assert.Equal(3, run.Sources.Length);
        var assembly = GeneratorHarness.Load(run);
        Assert.Equal(16, GeneratorHarness.Constant(assembly, "event.params.class", "OutputLength"));
        Assert.Equal(4, GeneratorHarness.Constant(assembly, "event.params.record+var", "OutputLength"));
    }
}
