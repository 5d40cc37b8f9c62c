using System;
using Xunit;

namespace ConvGen.Tests;

// The tutorial's two worked examples, declared here so the build itself runs the generator over them.

[ConvNet(1, 8)]
[Conv1D(1, 3, Weights = new float[] { 0, 1, 0 }, Bias = new float[] { 0 })]
public static partial class TutorialBumpDetector;

[ConvNet(1, 8, 8)]
[Conv2D(1, 3, Weights = new float[] { 0, 1, 0, 0, 1, 0, 0, 1, 0 }, Bias = new float[] { 0 })]
public static partial class TutorialVerticalLineDetector;

public class TutorialExampleTests
{
    [Fact]
    public void Bump_detector_finds_the_bump()
    {
        float[] input = { 0, 0, 0, 1, 1, 0, 0, 0 };
        var output = new float[TutorialBumpDetector.OutputLength];

        TutorialBumpDetector.Run(input, output);

        Assert.Equal(new float[] { 0, 0, 1, 1, 0, 0 }, output);
        Assert.Equal(new[] { 1, 8 }, TutorialBumpDetector.InputShape.ToArray());
        Assert.Equal(new[] { 1, 6 }, TutorialBumpDetector.OutputShape.ToArray());
    }

    [Fact]
    public void Vertical_line_detector_fires_on_the_line()
    {
        var image = new float[64];
        for (int row = 0; row < 8; row++)
            image[row * 8 + 3] = image[row * 8 + 4] = 1;
        var output = new float[TutorialVerticalLineDetector.OutputLength];

        TutorialVerticalLineDetector.Run(image, output);

        Assert.Equal(36, output.Length);
        for (int row = 0; row < 6; row++)
            Assert.Equal(new float[] { 0, 0, 3, 3, 0, 0 }, output.AsSpan(row * 6, 6).ToArray());
        Assert.Equal(new[] { 1, 6, 6 }, TutorialVerticalLineDetector.OutputShape.ToArray());
    }

    [Fact]
    public void Summary_is_a_keras_style_table()
    {
        string summary = TutorialVerticalLineDetector.Summary;

        Assert.Contains("conv2d (Conv2D)", summary);
        Assert.Contains("(1, 6, 6)", summary);
        Assert.Contains("Total params: 10", summary);
        Assert.Contains("Total MACs: 324", summary); // 36 outputs x 9 taps
    }
}
