using System;
using System.IO;
using System.Runtime.InteropServices;
using Xunit;

namespace ConvGen.Tests;

/// <summary>
/// The Digits sample's network, generated from the PyTorch-trained safetensors file, against PyTorch's
/// own logits on the held-out test split (samples/Digits/data, made by train_digits.py).
/// </summary>
public class DigitsTests
{
    private static readonly string Data = Path.Combine(AppContext.BaseDirectory, "Digits");
    private static readonly float[] Images = ReadFloats("test_images.f32");
    private static readonly byte[] Labels = File.ReadAllBytes(Path.Combine(Data, "test_labels.u8"));
    private static readonly float[] TorchLogits = ReadFloats("torch_logits.f32");

    [Fact]
    public void Every_test_image_gets_the_class_and_logits_PyTorch_gives()
    {
        Assert.Equal(360, Labels.Length);
        var logits = new float[DigitsNet.OutputLength];
        for (int i = 0; i < Labels.Length; i++)
        {
            DigitsNet.Run(Images.AsSpan(i * DigitsNet.InputLength, DigitsNet.InputLength), logits);
            float[] expected = TorchLogits.AsSpan(i * 10, 10).ToArray();

            Assert.Equal(ArgMax(expected), ArgMax(logits));
            for (int k = 0; k < 10; k++)
                Assert.True(Math.Abs(logits[k] - expected[k]) <= 1e-4f * Math.Max(1f, Math.Abs(expected[k])),
                    $"image {i}, logit {k}: PyTorch {expected[k]}, ConvGen {logits[k]}");
        }
    }

    [Fact]
    public void Accuracy_on_the_test_split_is_at_least_95_percent()
    {
        var logits = new float[DigitsNet.OutputLength];
        int correct = 0;
        for (int i = 0; i < Labels.Length; i++)
        {
            DigitsNet.Run(Images.AsSpan(i * DigitsNet.InputLength, DigitsNet.InputLength), logits);
            correct += ArgMax(logits) == Labels[i] ? 1 : 0;
        }

        Assert.True(correct >= 0.95 * Labels.Length, $"{correct}/{Labels.Length} correct");
    }

    [Fact]
    public void BatchNorm_is_folded_into_the_convolution_and_the_summary_says_so()
    {
        Assert.Contains("bn1 (BatchNorm, folded into conv1)", DigitsNet.Summary);
        Assert.Contains("Total params: 6,138", DigitsNet.Summary); // as Keras counts: BatchNorm includes its running statistics
    }

    private static float[] ReadFloats(string name) => MemoryMarshal.Cast<byte, float>(File.ReadAllBytes(Path.Combine(Data, name))).ToArray();

    private static int ArgMax(ReadOnlySpan<float> values)
    {
        int best = 0;
        for (int i = 1; i < values.Length; i++)
            if (values[i] > values[best])
                best = i;
        return best;
    }
}
