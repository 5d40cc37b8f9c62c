using System.Threading.Tasks;
using ConvGen.Tests.Infrastructure;
using Xunit;

namespace ConvGen.Tests;

public class RunCallAnalyzerTests
{
    private const string Network = """
        using System;
        using System.Runtime.CompilerServices;
        using ConvGen;

        [ConvNet(1, 8)]
        [Conv1D(2, 3, Weights = new float[] { 0, 1, 0, 1, 0, 1 }, Bias = new float[] { 0, 0 })]
        [Flatten]
        [Dense(2, Weights = W(24), Bias = W(2))]
        public static partial class Net;

        [InlineArray(7)] public struct Seven { private float _first; }
        [InlineArray(8)] public struct Eight { private float _first; }

        public static class Calls
        {
            public static void Call(float[] unknown)
            {
                __CALL__
            }
        }
        """;

    private static Task<System.Collections.Immutable.ImmutableArray<Microsoft.CodeAnalysis.Diagnostic>> Diagnose(string call)
        => AnalyzerHarness.Diagnostics(Declarations.Expand(Network.Replace("__CALL__", call)));

    [Theory]
    [InlineData("Net.Run(new float[7], new float[2]);", "new float[7]", "'input' holds 7 floats but must hold exactly 8 (InputLength)")]
    [InlineData("Net.Run(new float[] { 1, 2, 3 }, new float[2]);", "new float[] { 1, 2, 3 }", "'input' holds 3 floats but must hold exactly 8 (InputLength)")]
    [InlineData("Net.Run(new float[8], stackalloc float[3]);", "stackalloc float[3]", "'output' holds 3 floats but must hold exactly 2 (OutputLength)")]
    [InlineData("Net.Run([1f, 2f], new float[2]);", "[1f, 2f]", "'input' holds 2 floats but must hold exactly 8 (InputLength)")]
    [InlineData("var seven = new Seven(); Net.Run(seven, new float[2]);", "seven", "'input' holds 7 floats but must hold exactly 8 (InputLength)")]
    [InlineData("var x = new float[9]; var y = new float[2]; Net.Run(x, y);", "x", "'input' holds 9 floats but must hold exactly 8 (InputLength)")]
    [InlineData("Net.Run(new float[8], new float[2], new float[Net.ScratchLength - 1]);", "new float[Net.ScratchLength - 1]", "'scratch' holds 11 floats but must hold at least 12 (ScratchLength)")]
    public async Task A_span_of_known_wrong_length_is_an_error_at_the_argument(string call, string argument, string message)
    {
        var diagnostic = Assert.Single(await Diagnose(call));

        Assert.Equal("CG0024", diagnostic.Id);
        Assert.Equal(argument, diagnostic.Text());
        Assert.Equal("Net.Run: " + message, diagnostic.GetMessage());
    }

    [Theory]
    [InlineData("Net.Run(new float[8], new float[2]);")]
    [InlineData("Net.Run(new float[Net.InputLength], stackalloc float[Net.OutputLength]);")]
    [InlineData("Net.Run(new float[8], new float[2], new float[100]);")]
    [InlineData("var eight = new Eight(); Net.Run(eight, new float[2]);")]
    [InlineData("Net.Run(unknown, new float[2]);")]
    [InlineData("var x = new float[9]; x = new float[8]; Net.Run(x, new float[2]);")]
    [InlineData("Net.Run(new float[9].AsSpan(1), new float[2]);")]
    public async Task A_span_of_the_right_or_unknown_length_is_fine(string call)
    {
        Assert.Empty(await Diagnose(call));
    }
}
