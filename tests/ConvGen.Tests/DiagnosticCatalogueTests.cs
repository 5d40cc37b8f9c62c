using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Runtime.CompilerServices;
using System.Text.RegularExpressions;
using System.Threading.Tasks;
using ConvGen.Tests.Infrastructure;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Text;
using Xunit;
using Descriptors = ConvGen.Generators.Diagnostics.Descriptors;

namespace ConvGen.Tests;

/// <summary>
/// One case per diagnostic: a declaration that triggers it, checked for the id, the severity, the exact
/// source span (written in the declaration between <c>[|</c> and <c>|]</c>) and the exact message; and a
/// near miss, the smallest change that makes the declaration right, which must not report it. Plus the
/// bookkeeping every descriptor needs: a docs page, an index row, a release-tracking row and a help link.
/// </summary>
/// <remarks>
/// The examples mirror the pages in <c>docs/diagnostics</c>, and every page must quote one message proven
/// here, so the pages stay true.
/// </remarks>
public class DiagnosticCatalogueTests
{
    /// <summary>
    /// CG9999 (internal error) is raised only when the generator or the analyzer throws, i.e. by a bug in
    /// ConvGen: no declaration is meant to trigger it, so it has no case here (it still needs its page,
    /// index row, release row and help link).
    /// </summary>
    private const string InternalErrorId = "CG9999";

    public sealed record Expected(string Id, DiagnosticSeverity Severity, string Message, int Span);

    /// <param name="Files">AdditionalFiles of the trigger (weights files); <paramref name="NearMissFiles"/> defaults to them.</param>
    public sealed record Case(string Id, string What, string Source, Expected[] Diagnostics, string NearMiss, string[]? NearMissIds = null,
        AdditionalText[]? Files = null, AdditionalText[]? NearMissFiles = null)
    {
        /// <summary>The row name shown by the test runner.</summary>
        public string Name => $"{Id}: {What}";
    }

    /// <summary>An expected error at the <paramref name="span"/>-th marked span (in source order).</summary>
    private static Expected Error(string id, string message, int span = 0) => new(id, DiagnosticSeverity.Error, message, span);

    private static Expected Warning(string id, string message, int span = 0) => new(id, DiagnosticSeverity.Warning, message, span);

    private static Expected Info(string id, string message, int span = 0) => new(id, DiagnosticSeverity.Info, message, span);

    private const string Usings = "using ConvGen;\n";

    private static readonly Case[] Cases =
    [
        // ---------------- CG0001: window larger than its input ----------------
        new("CG0001", "a conv kernel larger than the pooled map",
            """
            [ConvNet(1, 8, 8)]
            [MaxPool2D(2, Name = "pool1")]
            [Conv2D(1, [|5|], Name = "conv2", Weights = W(25), Bias = W(1))]
            public static partial class LineNet;
            """,
            [Error("CG0001", "Conv2D 'conv2' has a 5x5 window but its input (after MaxPool2D 'pool1') is 4x4x1; the output would be empty. Use Padding.Same, a kernel of at most 4x4, or remove a pooling layer before it.")],
            """
            [ConvNet(1, 8, 8)]
            [MaxPool2D(2, Name = "pool1")]
            [Conv2D(1, 4, Name = "conv2", Weights = W(16), Bias = W(1))]
            public static partial class LineNet;
            """),
        new("CG0001", "a pool window larger than the network input",
            """
            [ConvNet(3, 4, 4)]
            [MaxPool2D([|5|])]
            public static partial class Pool;
            """,
            [Error("CG0001", "MaxPool2D 'maxpool2d' has a 5x5 window but its input (the network input) is 4x4x3; the output would be empty. Use Padding.Same or a pool size of at most 4x4.")],
            """
            [ConvNet(3, 4, 4)]
            [MaxPool2D(4)]
            public static partial class Pool;
            """),
        new("CG0001", "a 1-D kernel longer than the signal",
            """
            [ConvNet(2, 7)]
            [Conv1D(1, [|9|], Weights = W(18), Bias = W(1))]
            public static partial class Signal;
            """,
            [Error("CG0001", "Conv1D 'conv1d' has a 9 window but its input (the network input) is 7 long with 2 channels; the output would be empty. Use Padding.Same or a kernel of at most 7.")],
            """
            [ConvNet(2, 7)]
            [Conv1D(1, 7, Weights = W(14), Bias = W(1))]
            public static partial class Signal;
            """),
        new("CG0001", "a kernel larger than the input with explicit Pads",
            """
            [ConvNet(1, 2, 2)]
            [Conv2D(1, [|5|], Pads = new[] { 1, 1, 1, 1 }, Weights = W(25), Bias = W(1))]
            public static partial class Padded;
            """,
            [Error("CG0001", "Conv2D 'conv2d' has a 5x5 window but its input (the network input) is 2x2x1 (4 with padding); the output would be empty. Use Padding.Same instead of Pads or a kernel of at most 4x4.")],
            """
            [ConvNet(1, 2, 2)]
            [Conv2D(1, 5, Pads = new[] { 2, 2, 2, 2 }, Weights = W(25), Bias = W(1))]
            public static partial class Padded;
            """),
        // The fix sentence names the option the user wrote (as CG0006 does): Pad = 1 has no Pads to replace.
        new("CG0001", "names Pad, not Pads, when Pad was written",
            """
            [ConvNet(1, 2, 2)]
            [Conv2D(1, [|5|], Pad = 1, Weights = W(25), Bias = W(1))]
            public static partial class Padded;
            """,
            [Error("CG0001", "Conv2D 'conv2d' has a 5x5 window but its input (the network input) is 2x2x1 (4 with padding); the output would be empty. Use Padding.Same instead of Pad or a kernel of at most 4x4.")],
            """
            [ConvNet(1, 2, 2)]
            [Conv2D(1, 5, Pad = 2, Weights = W(25), Bias = W(1))]
            public static partial class Padded;
            """),
        new("CG0001", "a dilated kernel spanning more rows than the input",
            """
            [ConvNet(1, 4, 6)]
            [Conv2D(1, [|3|], Dilation = 2, Weights = W(9), Bias = W(1))]
            public static partial class Dilated;
            """,
            [Error("CG0001", "Conv2D 'conv2d' has a 3x3 (dilation 2x2, spanning 5x5) window but its input (the network input) is 4x6x1; the output would be empty. Use Padding.Same or a kernel of at most 2x3.")],
            """
            [ConvNet(1, 5, 6)]
            [Conv2D(1, 3, Dilation = 2, Weights = W(9), Bias = W(1))]
            public static partial class Dilated;
            """),
        new("CG0001", "a height x width kernel is reported on both sizes",
            """
            [ConvNet(1, 8, 4)]
            [Conv2D(1, [|3, 5|], Weights = W(15), Bias = W(1))]
            public static partial class Wide;
            """,
            [Error("CG0001", "Conv2D 'conv2d' has a 3x5 window but its input (the network input) is 8x4x1; the output would be empty. Use Padding.Same or a kernel of at most 3x4.")],
            """
            [ConvNet(1, 8, 4)]
            [Conv2D(1, 3, 4, Weights = W(12), Bias = W(1))]
            public static partial class Wide;
            """),
        // Named constructor arguments (which the CG0001 code fix supports) are skipped when the locator
        // maps "kernelSize" to the (kernelHeight, kernelWidth) pair, so it falls back to the whole attribute.
        new("CG0001", "points at named kernelHeight: and kernelWidth: arguments",
            """
            [ConvNet(1, 8, 4)]
            [Conv2D(1, [|kernelHeight: 3, kernelWidth: 5|], Weights = W(15), Bias = W(1))]
            public static partial class Wide;
            """,
            [Error("CG0001", "Conv2D 'conv2d' has a 3x5 window but its input (the network input) is 8x4x1; the output would be empty. Use Padding.Same or a kernel of at most 3x4.")],
            """
            [ConvNet(1, 8, 4)]
            [Conv2D(1, kernelHeight: 3, kernelWidth: 4, Weights = W(12), Bias = W(1))]
            public static partial class Wide;
            """),
        // Counts of one: "1 channel", never "1 channels".
        new("CG0001", "says 1 channel, not 1 channels",
            """
            [ConvNet(1, 7)]
            [Conv1D(1, [|9|], Weights = W(9), Bias = W(1))]
            public static partial class Signal;
            """,
            [Error("CG0001", "Conv1D 'conv1d' has a 9 window but its input (the network input) is 7 long with 1 channel; the output would be empty. Use Padding.Same or a kernel of at most 7.")],
            """
            [ConvNet(1, 7)]
            [Conv1D(1, 7, Weights = W(7), Bias = W(1))]
            public static partial class Signal;
            """),

        // ---------------- CG0002: weights of the wrong length ----------------
        new("CG0002", "conv weights exported for fewer filters (and their bias)",
            """
            [ConvNet(2, 6, 6)]
            [Conv2D(3, 2, [|Weights = W(16)|], [|Bias = W(2)|])]
            public static partial class PairNet;
            """,
            [
                Error("CG0002", "Conv2D 'conv2d' needs 24 weights (3 filters x 2 input channels x 2x2) but got 16"),
                Error("CG0003", "Conv2D 'conv2d' needs 3 bias values (one per filter) but got 2", span: 1),
            ],
            """
            [ConvNet(2, 6, 6)]
            [Conv2D(2, 2, Weights = W(16), Bias = W(2))]
            public static partial class PairNet;
            """),
        new("CG0002", "conv weights that are no whole number of filters",
            """
            [ConvNet(2, 6, 6)]
            [Conv2D(3, 2, 3, [|Weights = W(17)|], Bias = W(3))]
            public static partial class Net;
            """,
            [Error("CG0002", "Conv2D 'conv2d' needs 36 weights (3 filters x 2 input channels x 2x3) but got 17")],
            """
            [ConvNet(2, 6, 6)]
            [Conv2D(3, 2, 3, Weights = W(36), Bias = W(3))]
            public static partial class Net;
            """),
        new("CG0002", "dense weights in Keras order",
            """
            [ConvNet(2, WeightLayout = WeightLayout.Keras)]
            [Dense(4, [|Weights = W(6)|], Bias = W(4))]
            public static partial class Head;
            """,
            [Error("CG0002", "Dense 'dense' needs 8 weights (2 inputs x 4 units, Keras order) but got 6")],
            """
            [ConvNet(2, WeightLayout = WeightLayout.Keras)]
            [Dense(4, Weights = W(8), Bias = W(4))]
            public static partial class Head;
            """),
        new("CG0002", "says 1 input channel, not 1 input channels",
            """
            [ConvNet(1, 8, 8)]
            [Conv2D(2, 3, [|Weights = W(9)|], Bias = W(2))]
            public static partial class Edges;
            """,
            [Error("CG0002", "Conv2D 'conv2d' needs 18 weights (2 filters x 1 input channel x 3x3) but got 9")],
            """
            [ConvNet(1, 8, 8)]
            [Conv2D(2, 3, Weights = W(18), Bias = W(2))]
            public static partial class Edges;
            """),

        // ---------------- CG0003: bias of the wrong length ----------------
        new("CG0003", "a bias copied from a layer with 3 filters",
            """
            [ConvNet(3, 8, 8)]
            [Conv2D(2, 1, Weights = W(6), [|Bias = W(3)|])]
            public static partial class Mixer;
            """,
            [Error("CG0003", "Conv2D 'conv2d' needs 2 bias values (one per filter) but got 3")],
            """
            [ConvNet(3, 8, 8)]
            [Conv2D(2, 1, Weights = W(6), Bias = W(2))]
            public static partial class Mixer;
            """),
        new("CG0003", "says 1 bias value, not 1 bias values",
            """
            [ConvNet(4)]
            [Dense(1, Weights = W(4), [|Bias = W(2)|])]
            public static partial class Score;
            """,
            [Error("CG0003", "Dense 'dense' needs 1 bias value (one per unit) but got 2")],
            """
            [ConvNet(4)]
            [Dense(1, Weights = W(4), Bias = W(1))]
            public static partial class Score;
            """),

        // ---------------- CG0004: groups do not divide the channels ----------------
        new("CG0004", "groups that do not divide the filters",
            """
            [ConvNet(3, 16)]
            [Conv1D(4, 3, [|Groups = 3|], Weights = W(12), Bias = W(4))]
            public static partial class Edges;
            """,
            [Error("CG0004", "Conv1D 'conv1d' has Groups = 3, which does not divide its 4 filters")],
            """
            [ConvNet(3, 16)]
            [Conv1D(3, 3, Groups = 3, Weights = W(9), Bias = W(3))]
            public static partial class Edges;
            """),
        new("CG0004", "groups that divide neither the input channels nor the filters",
            """
            [ConvNet(4, 16)]
            [Conv1D(2, 3, [|Groups = 3|], Weights = W(6), Bias = W(2))]
            public static partial class Edges;
            """,
            [Error("CG0004", "Conv1D 'conv1d' has Groups = 3, which does not divide its 4 input channels or its 2 filters")],
            """
            [ConvNet(4, 16)]
            [Conv1D(2, 3, Groups = 2, Weights = W(12), Bias = W(2))]
            public static partial class Edges;
            """),

        new("CG0004", "a channel shuffle in groups that do not divide",
            """
            [ConvNet(4, 2, 2)]
            [ChannelShuffle([|3|])]
            public static partial class Shuffle;
            """,
            [Error("CG0004", "ChannelShuffle 'channelshuffle' has Groups = 3, which does not divide its 4 input channels")],
            """
            [ConvNet(4, 2, 2)]
            [ChannelShuffle(2)]
            public static partial class Shuffle;
            """),

        // ---------------- CG0005: size must be positive ----------------
        new("CG0005", "a stride of 0",
            """
            [ConvNet(1, 8, 8)]
            [Conv2D(4, 3, [|Stride = 0|], Name = "conv1")]
            [GlobalMaxPool]
            public static partial class Detector;
            """,
            [Error("CG0005", "Conv2D 'conv1': Stride must be at least 1 but is 0")],
            """
            [ConvNet(1, 8, 8)]
            [Conv2D(4, 3, Stride = 1, Name = "conv1", Weights = W(36), Bias = W(4))]
            [GlobalMaxPool]
            public static partial class Detector;
            """),
        new("CG0005", "a Dense of 0 units",
            """
            [ConvNet(4)]
            [Dense([|0|])]
            public static partial class Head;
            """,
            [Error("CG0005", "Dense 'dense': units must be at least 1 but is 0")],
            """
            [ConvNet(4)]
            [Dense(1, Weights = W(4), Bias = W(1))]
            public static partial class Head;
            """),
        new("CG0005", "a pool width of 0",
            """
            [ConvNet(1, 8, 8)]
            [MaxPool2D(2, [|0|])]
            public static partial class Pool;
            """,
            [Error("CG0005", "MaxPool2D 'maxpool2d': poolWidth must be at least 1 but is 0")],
            """
            [ConvNet(1, 8, 8)]
            [MaxPool2D(2, 1)]
            public static partial class Pool;
            """),

        // ---------------- CG0006: negative padding ----------------
        new("CG0006", "a negative value in Pads",
            """
            [ConvNet(1, 8, 8)]
            [Conv2D(1, 3, Name = "conv1", [|Pads = new[] { 1, 1, -1, 1 }|], Weights = W(9), Bias = W(1))]
            public static partial class Lines;
            """,
            [Error("CG0006", "Conv2D 'conv1': padding must not be negative but Pads[2] is -1")],
            """
            [ConvNet(1, 8, 8)]
            [Conv2D(1, 3, Name = "conv1", Pads = new[] { 1, 1, 1, 1 }, Weights = W(9), Bias = W(1))]
            public static partial class Lines;
            """),
        new("CG0006", "a negative Pad on a pool",
            """
            [ConvNet(1, 8)]
            [MaxPool1D(2, [|Pad = -1|])]
            public static partial class Pool;
            """,
            [Error("CG0006", "MaxPool1D 'maxpool1d': padding must not be negative but Pad is -1")],
            """
            [ConvNet(1, 8)]
            [MaxPool1D(2, Pad = 1)]
            public static partial class Pool;
            """),

        // ---------------- CG0007: layer needs a flat input ----------------
        // "1-D" is what every other message calls a (C, L) signal (CG0008: "needs a 1-D (C, L) input",
        // "is 1-D"), so "Dense needs a 1-D input" contradicts itself on a (C, L) input: it needs a flat vector.
        new("CG0007", "says flat vector: a Dense after a pool",
            """
            [ConvNet(1, 4, 4)]
            [MaxPool2D(2)]
            [[|Dense(2, Weights = W(8), Bias = W(2))|]]
            public static partial class Tiny;
            """,
            [Error("CG0007", "Dense 'dense' needs a flat vector but its input (after MaxPool2D 'maxpool2d') is (1, 2, 2); add [Flatten] or a global pooling layer before it")],
            """
            [ConvNet(1, 4, 4)]
            [MaxPool2D(2)]
            [Flatten]
            [Dense(2, Weights = W(8), Bias = W(2))]
            public static partial class Tiny;
            """),
        new("CG0007", "says flat vector: a Dense on a 1-D signal",
            """
            [ConvNet(2, 7)]
            [[|Dense(2, Weights = W(14), Bias = W(2))|]]
            public static partial class Tiny;
            """,
            [Error("CG0007", "Dense 'dense' needs a flat vector but its input (the network input) is (2, 7); add [Flatten] or a global pooling layer before it")],
            """
            [ConvNet(2, 7)]
            [Flatten]
            [Dense(2, Weights = W(28), Bias = W(2))]
            public static partial class Tiny;
            """),

        // ---------------- CG0008: layer does not fit the input's rank ----------------
        new("CG0008", "a Conv2D on a 1-D signal",
            """
            [ConvNet(1, 16)]
            [[|Conv2D(2, 3, Weights = W(6), Bias = W(2))|]]
            public static partial class Bumps;
            """,
            [Error("CG0008", "Conv2D 'conv2d' needs a 2-D (C, H, W) input but its input (the network input, (1, 16)) is 1-D")],
            """
            [ConvNet(1, 16)]
            [Conv1D(2, 3, Weights = W(6), Bias = W(2))]
            public static partial class Bumps;
            """),
        new("CG0008", "a global pool after Flatten",
            """
            [ConvNet(2, 3, 3)]
            [Flatten]
            [[|GlobalAvgPool|]]
            public static partial class Pooled;
            """,
            [Error("CG0008", "GlobalAvgPool 'globalavgpool' needs a 1-D or 2-D input but its input (after Flatten 'flatten' of (2, 3, 3), (18)) is a flat vector")],
            """
            [ConvNet(2, 3, 3)]
            [GlobalAvgPool]
            [Flatten]
            public static partial class Pooled;
            """),

        // ---------------- CG0009: weights missing ----------------
        new("CG0009", "a conv without weights",
            """
            [ConvNet(1, 8, 8)]
            [[|Conv2D(2, 3, Bias = W(2))|]]
            public static partial class Edges;
            """,
            [Error("CG0009", "Conv2D 'conv2d' has no weights: give Weights = new float[] { ... } with 18 values")],
            """
            [ConvNet(1, 8, 8)]
            [Conv2D(2, 3, Weights = W(18), Bias = W(2))]
            public static partial class Edges;
            """),
        // An argument exists, so the error belongs on it rather than on the whole attribute.
        new("CG0009", "points at an explicit Weights = null",
            """
            [ConvNet(1, 8, 8)]
            [Conv2D(2, 3, [|Weights = null|], Bias = W(2))]
            public static partial class Edges;
            """,
            [Error("CG0009", "Conv2D 'conv2d' has no weights: give Weights = new float[] { ... } with 18 values")],
            """
            [ConvNet(1, 8, 8)]
            [Conv2D(2, 3, Weights = W(18), Bias = W(2))]
            public static partial class Edges;
            """),

        // Each missing BatchNorm parameter is one problem, but today the message tells the user to give
        // "Weights" (which BatchNorm does not have) "with 2 values each for Gamma, Beta, Mean and Variance values",
        // four times over on the attribute.
        new("CG0009", "names the missing BatchNorm parameter",
            """
            [ConvNet(2, 4, 4)]
            [[|BatchNorm|]]
            public static partial class Normalized;
            """,
            [
                Error("CG0009", "BatchNorm 'batchnorm' has no Gamma: give Gamma = new float[] { ... } with 2 values"),
                Error("CG0009", "BatchNorm 'batchnorm' has no Beta: give Beta = new float[] { ... } with 2 values"),
                Error("CG0009", "BatchNorm 'batchnorm' has no Mean: give Mean = new float[] { ... } with 2 values"),
                Error("CG0009", "BatchNorm 'batchnorm' has no Variance: give Variance = new float[] { ... } with 2 values"),
            ],
            """
            [ConvNet(2, 4, 4)]
            [BatchNorm(Gamma = new float[] { 1, 1 }, Beta = new float[] { 0, 0 }, Mean = new float[] { 0, 0 }, Variance = new float[] { 1, 1 })]
            public static partial class Normalized;
            """),

        // ---------------- CG0010: per-axis option of the wrong length ----------------
        new("CG0010", "PyTorch's two-value padding copied into Pads",
            """
            [ConvNet(1, 8, 8)]
            [Conv2D(1, 3, [|Pads = new[] { 1, 2 }|], Weights = W(9), Bias = W(1))]
            public static partial class Lines;
            """,
            [Error("CG0010", "Conv2D 'conv2d': Pads needs 4 values ([top, left, bottom, right]) but 2 were given")],
            """
            [ConvNet(1, 8, 8)]
            [Conv2D(1, 3, Pads = new[] { 1, 2, 1, 2 }, Weights = W(9), Bias = W(1))]
            public static partial class Lines;
            """),
        new("CG0010", "says 1 was given, not 1 were given",
            """
            [ConvNet(1, 8, 8)]
            [MaxPool2D(2, [|Strides = new[] { 2 }|])]
            public static partial class Pool;
            """,
            [Error("CG0010", "MaxPool2D 'maxpool2d': Strides needs 2 values ([height, width]) but 1 was given")],
            """
            [ConvNet(1, 8, 8)]
            [MaxPool2D(2, Strides = new[] { 2, 2 })]
            public static partial class Pool;
            """),
        new("CG0010", "says needs 1 value, not needs 1 values",
            """
            [ConvNet(1, 16)]
            [Conv1D(1, 3, [|Dilations = new[] { 2, 2 }|], Weights = W(3), Bias = W(1))]
            public static partial class Signal;
            """,
            [Error("CG0010", "Conv1D 'conv1d': Dilations needs 1 value (one per axis) but 2 were given")],
            """
            [ConvNet(1, 16)]
            [Conv1D(1, 3, Dilations = new[] { 2 }, Weights = W(3), Bias = W(1))]
            public static partial class Signal;
            """),

        new("CG0010", "a BatchNorm Gamma for another number of channels",
            """
            [ConvNet(2, 4, 4)]
            [BatchNorm([|Gamma = new float[] { 1, 1, 1 }|], Beta = new float[] { 0, 0 }, Mean = new float[] { 0, 0 }, Variance = new float[] { 1, 1 })]
            public static partial class Normalized;
            """,
            [Error("CG0010", "BatchNorm 'batchnorm': Gamma needs 2 values (one per channel) but 3 were given")],
            """
            [ConvNet(2, 4, 4)]
            [BatchNorm(Gamma = new float[] { 1, 1 }, Beta = new float[] { 0, 0 }, Mean = new float[] { 0, 0 }, Variance = new float[] { 1, 1 })]
            public static partial class Normalized;
            """),

        // ---------------- CG0011: pooling pad larger than half the window ----------------
        new("CG0011", "a pad of 2 on a 2x2 pool",
            """
            [ConvNet(1, 4, 4)]
            [MaxPool2D(2, [|Pad = 2|])]
            public static partial class Pool;
            """,
            [Error("CG0011", "MaxPool2D 'maxpool2d': a pad of 2 is more than half the 2x2 window; PyTorch allows at most half, so no trained model pools this way")],
            """
            [ConvNet(1, 4, 4)]
            [MaxPool2D(2, Pad = 1)]
            public static partial class Pool;
            """),

        // ---------------- CG0012: invalid input shape ----------------
        new("CG0012", "a batch dimension in the input shape",
            """
            [ConvNet([|1, 3, 224, 224|])]
            [GlobalAvgPool]
            public static partial class Colour;
            """,
            [Error("CG0012", "[ConvNet] input shape (1, 3, 224, 224) is invalid: give (C, L) for 1-D signals, (C, H, W) for images or (N) for a dense-only network")],
            """
            [ConvNet(3, 224, 224)]
            [GlobalAvgPool]
            public static partial class Colour;
            """),
        new("CG0012", "a size of 0",
            """
            [ConvNet([|1, 0, 8|])]
            [Flatten]
            public static partial class Flat;
            """,
            [Error("CG0012", "[ConvNet] input shape (1, 0, 8) is invalid: every size must be at least 1")],
            """
            [ConvNet(1, 1, 8)]
            [Flatten]
            public static partial class Flat;
            """),
        new("CG0012", "an input of more than 2^28 values",
            """
            [ConvNet([|1024, 1024, 1024|])]
            [GlobalAvgPool]
            public static partial class Huge;
            """,
            [Error("CG0012", "[ConvNet] input shape (1024, 1024, 1024) is invalid: it holds more than 268435456 values")],
            """
            [ConvNet(256, 1024, 1024)]
            [GlobalAvgPool]
            public static partial class Huge;
            """),
        new("CG0012", "no input shape at all",
            """
            [[|ConvNet|]]
            [Flatten]
            public static partial class Shapeless;
            """,
            [Error("CG0012", "[ConvNet] input shape () is invalid: give (C, L) for 1-D signals, (C, H, W) for images or (N) for a dense-only network")],
            """
            [ConvNet(4)]
            [Flatten]
            public static partial class Shapeless;
            """),

        // ---------------- CG0013: network class cannot be generated ----------------
        new("CG0013", "a class that is not partial",
            """
            [ConvNet(1, 4, 4)]
            [Flatten]
            public static class [|Pixels|] { }
            """,
            [Error("CG0013", "'Pixels' cannot hold a generated network: it must be declared partial")],
            """
            [ConvNet(1, 4, 4)]
            [Flatten]
            public static partial class Pixels { }
            """),
        new("CG0013", "a generic class",
            """
            [ConvNet(1, 4, 4)]
            [Flatten]
            public static partial class [|Pixels|]<T>;
            """,
            [Error("CG0013", "'Pixels' cannot hold a generated network: it must not be generic")],
            """
            [ConvNet(1, 4, 4)]
            [Flatten]
            public static partial class Pixels;
            """),
        new("CG0013", "a record",
            """
            [ConvNet(1, 4, 4)]
            [Flatten]
            public partial record [|Pixels|];
            """,
            [Error("CG0013", "'Pixels' cannot hold a generated network: it must be a class, not a record or a struct")],
            """
            [ConvNet(1, 4, 4)]
            [Flatten]
            public partial class Pixels;
            """),
        new("CG0013", "a containing type that is not partial",
            """
            public static class Outer
            {
                [ConvNet(1, 4, 4)]
                [Flatten]
                public static partial class [|Pixels|];
            }
            """,
            [Error("CG0013", "'Pixels' cannot hold a generated network: its containing type 'Outer' must be declared partial")],
            """
            public static partial class Outer
            {
                [ConvNet(1, 4, 4)]
                [Flatten]
                public static partial class Pixels;
            }
            """),

        // Issue 17's probe: these built generated code that did not compile.
        new("CG0013", "a class named like a generated member",
            """
            [ConvNet(1, 4, 4)]
            [Flatten]
            public static partial class [|Summary|];
            """,
            [Error("CG0013", "'Summary' cannot hold a generated network: it must not be named 'Summary', the name of a member ConvGen generates in it; rename the class")],
            """
            [ConvNet(1, 4, 4)]
            [Flatten]
            public static partial class Summarizer;
            """),
        new("CG0013", "a user member with a generated member's signature (near miss: an overload)",
            """
            [ConvNet(1, 4, 4)]
            [Flatten]
            public static partial class [|Pixels|]
            {
                public static void Run(System.ReadOnlySpan<float> image, System.Span<float> result) { }
            }
            """,
            [Error("CG0013", "'Pixels' cannot hold a generated network: its member 'Run' has the name of a member ConvGen generates; rename it")],
            """
            [ConvNet(1, 4, 4)]
            [Flatten]
            public static partial class Pixels
            {
                public static void Run(float[] image, float[] result) => Run(image, result, System.Span<float>.Empty);
            }
            """),
        new("CG0013", "a base class member the generated one would hide",
            """
            public class Base { public static int InputLength => 3; }
            [ConvNet(1, 4, 4)]
            [Flatten]
            public partial class [|Pixels|] : Base;
            """,
            [Error("CG0013", "'Pixels' cannot hold a generated network: its base class 'Base' has a member 'InputLength' that a generated member would hide; rename it")],
            """
            public class Base { public static int Length => 3; }
            [ConvNet(1, 4, 4)]
            [Flatten]
            public partial class Pixels : Base;
            """),

        // ---------------- CG0015: invalid attribute argument ----------------
        new("CG0015", "an Activation that is no Activation value",
            """
            [ConvNet(4)]
            [Dense(2, [|Activation = (Activation)99|], Weights = W(8), Bias = W(2))]
            public static partial class Head;
            """,
            [Error("CG0015", "Dense 'dense': 99 is not an Activation value")],
            """
            [ConvNet(4)]
            [Dense(2, Activation = Activation.ReLU, Weights = W(8), Bias = W(2))]
            public static partial class Head;
            """),
        new("CG0015", "a Layout that is no Layout value",
            """
            [ConvNet(1, 4, 4, [|Layout = (Layout)7|])]
            [Flatten]
            public static partial class Flat;
            """,
            [Error("CG0015", "[ConvNet]: Layout 7 is not a Layout value")],
            """
            [ConvNet(1, 4, 4, Layout = Layout.ChannelsLast)]
            [Flatten]
            public static partial class Flat;
            """),
        new("CG0015", "a Padding that is no Padding value",
            """
            [ConvNet(1, 8, 8)]
            [MaxPool2D(2, [|Padding = (Padding)5|])]
            public static partial class Pool;
            """,
            [Error("CG0015", "MaxPool2D 'maxpool2d': Padding 5 is not a Padding value")],
            """
            [ConvNet(1, 8, 8)]
            [MaxPool2D(2, Padding = Padding.Same)]
            public static partial class Pool;
            """),
        new("CG0015", "an Alpha of NaN",
            """
            [ConvNet(4)]
            [Activation(Activation.LeakyReLU, [|Alpha = float.NaN|])]
            public static partial class Leaky;
            """,
            [Error("CG0015", "Activation 'activation': Alpha must be finite but is NaN")],
            """
            [ConvNet(4)]
            [Activation(Activation.LeakyReLU, Alpha = 0.2f)]
            public static partial class Leaky;
            """),
        new("CG0015", "a negative memory budget",
            """
            [ConvNet(4, [|MaxRamBytes = -1|])]
            [Softmax]
            public static partial class Probabilities;
            """,
            [Error("CG0015", "[ConvNet]: MaxRamBytes must be a positive number of bytes, or 0 for no budget")],
            """
            [ConvNet(4, MaxRamBytes = 0)]
            [Softmax]
            public static partial class Probabilities;
            """),

        new("CG0015", "a BatchNorm Epsilon of 0",
            """
            [ConvNet(2, 4, 4)]
            [BatchNorm([|Epsilon = 0|], Gamma = new float[] { 1, 1 }, Beta = new float[] { 0, 0 }, Mean = new float[] { 0, 0 }, Variance = new float[] { 1, 1 })]
            public static partial class Normalized;
            """,
            [Error("CG0015", "BatchNorm 'batchnorm': Epsilon must be a positive number")],
            """
            [ConvNet(2, 4, 4)]
            [BatchNorm(Epsilon = 1e-3f, Gamma = new float[] { 1, 1 }, Beta = new float[] { 0, 0 }, Mean = new float[] { 0, 0 }, Variance = new float[] { 1, 1 })]
            public static partial class Normalized;
            """),

        new("CG0015", "an Add of one layer",
            """
            [ConvNet(1, 8, 8)]
            [Conv2D(1, 3, Pad = 1, Name = "conv1", Weights = W(9), Bias = W(1))]
            [Add([|"conv1"|])]
            public static partial class Residual;
            """,
            [Error("CG0015", "Add 'add': Add needs the names of at least two layers, such as [Add(\"conv2\", \"input\")]")],
            """
            [ConvNet(1, 8, 8)]
            [Conv2D(1, 3, Pad = 1, Name = "conv1", Weights = W(9), Bias = W(1))]
            [Add("conv1", "input")]
            public static partial class Residual;
            """),
        new("CG0015", "an output padding as large as the stride",
            """
            [ConvNet(1, 4, 4)]
            [Conv2DTranspose(1, 3, Stride = 2, [|OutputPadding = 2|], Weights = W(9), Bias = W(1))]
            public static partial class Upsample;
            """,
            [Error("CG0015", "Conv2DTranspose 'conv2dtranspose': an output padding of 2 rows must be smaller than the stride (2) or the dilation (1), as in PyTorch")],
            """
            [ConvNet(1, 4, 4)]
            [Conv2DTranspose(1, 3, Stride = 2, OutputPadding = 1, Weights = W(9), Bias = W(1))]
            public static partial class Upsample;
            """),
        new("CG0015", "a reflected border as wide as the input",
            """
            [ConvNet(1, 3, 3)]
            [Conv2D(1, 3, Pad = 3, [|PaddingMode = PaddingMode.Reflect|], Weights = W(9), Bias = W(1))]
            public static partial class Mirror;
            """,
            [Error("CG0015", "Conv2D 'conv2d': PaddingMode.Reflect pads 3 rows from a mirror image of the input, so the input needs more than 3 rows, but it (the network input, (1, 3, 3)) has 3")],
            """
            [ConvNet(1, 3, 3)]
            [Conv2D(1, 3, Pad = 2, PaddingMode = PaddingMode.Reflect, Weights = W(9), Bias = W(1))]
            public static partial class Mirror;
            """),

        // ---------------- CG0016: non-finite weight ----------------
        new("CG0016", "a NaN in the weights",
            """
            [ConvNet(1, 8, 8)]
            [Conv2D(1, 3, Name = "edge",
                [|Weights = new float[] { 0, 1, 0,  0, float.NaN, 0,  0, 1, 0 }|], Bias = new float[] { 0 })]
            public static partial class Edge;
            """,
            [Error("CG0016", "Conv2D 'edge': Weights holds a non-finite value (NaN) at index 4")],
            """
            [ConvNet(1, 8, 8)]
            [Conv2D(1, 3, Name = "edge",
                Weights = new float[] { 0, 1, 0,  0, 1, 0,  0, 1, 0 }, Bias = new float[] { 0 })]
            public static partial class Edge;
            """),
        new("CG0016", "an infinity in the bias",
            """
            [ConvNet(4)]
            [Dense(1, Weights = W(4), [|Bias = new float[] { float.NegativeInfinity }|])]
            public static partial class Score;
            """,
            [Error("CG0016", "Dense 'dense': Bias holds a non-finite value (-Infinity) at index 0")],
            """
            [ConvNet(4)]
            [Dense(1, Weights = W(4), Bias = new float[] { 0 })]
            public static partial class Score;
            """),

        new("CG0016", "a NaN in a tensor of the weights file",
            """
            [ConvNet(1, 8, 8, WeightsFile = "edges.safetensors")]
            [Conv2D(2, 3, [|Name = "conv1"|])]
            public static partial class Edges;
            """,
            [Error("CG0016", "Conv2D 'conv1': tensor 'conv1.weight' holds a non-finite value (NaN) at index 4")],
            """
            [ConvNet(1, 8, 8, WeightsFile = "edges.safetensors")]
            [Conv2D(2, 3, Name = "conv1")]
            public static partial class Edges;
            """,
            Files: [Weights("/proj/edges.safetensors", F32("conv1.weight", [2, 1, 3, 3], nanAt: 4), F32("conv1.bias", [2]))],
            NearMissFiles: [EdgesFile]),

        // ---------------- CG0017: network without layers ----------------
        new("CG0017", "a ConvNet with no layer",
            """
            [ConvNet(1, 8, 8)]
            public static partial class [|Empty|];
            """,
            [Error("CG0017", "'Empty' declares [ConvNet] but no layers")],
            """
            [ConvNet(1, 8, 8)]
            [Conv2D(1, 3, Weights = W(9), Bias = W(1))]
            public static partial class Empty;
            """),

        // ---------------- CG0018: bias missing ----------------
        new("CG0018", "a Dense without its bias",
            """
            [ConvNet(4)]
            [[|Dense(2, Weights = W(8))|]]
            public static partial class Head;
            """,
            [Error("CG0018", "Dense 'dense' has UseBias = true but no Bias: give Bias = new float[] { ... } with 2 values, or set UseBias = false")],
            """
            [ConvNet(4)]
            [Dense(2, UseBias = false, Weights = W(8))]
            public static partial class Head;
            """),
        new("CG0018", "says with 1 value, not with 1 values",
            """
            [ConvNet(1, 8, 8)]
            [[|Conv2D(1, 3, Weights = W(9))|]]
            public static partial class Lines;
            """,
            [Error("CG0018", "Conv2D 'conv2d' has UseBias = true but no Bias: give Bias = new float[] { ... } with 1 value, or set UseBias = false")],
            """
            [ConvNet(1, 8, 8)]
            [Conv2D(1, 3, Weights = W(9), Bias = W(1))]
            public static partial class Lines;
            """),
        // An argument exists, so the error belongs on it rather than on the whole attribute.
        new("CG0018", "points at an explicit Bias = null",
            """
            [ConvNet(4)]
            [Dense(2, Weights = W(8), [|Bias = null|])]
            public static partial class Head;
            """,
            [Error("CG0018", "Dense 'dense' has UseBias = true but no Bias: give Bias = new float[] { ... } with 2 values, or set UseBias = false")],
            """
            [ConvNet(4)]
            [Dense(2, Weights = W(8), Bias = W(2))]
            public static partial class Head;
            """),

        // ---------------- CG0019: bias given with UseBias = false ----------------
        new("CG0019", "a bias with UseBias = false",
            """
            [ConvNet(4)]
            [Dense(2, UseBias = false, Weights = W(8), [|Bias = W(2)|])]
            public static partial class Head;
            """,
            [Error("CG0019", "Dense 'dense' has UseBias = false but a Bias is given; remove one of them")],
            """
            [ConvNet(4)]
            [Dense(2, UseBias = false, Weights = W(8))]
            public static partial class Head;
            """),

        // ---------------- CG0020: Dense fed a size it was not built for ----------------
        new("CG0020", "Dense weights exported for a smaller pool",
            """
            [ConvNet(1, 6, 6)]
            [MaxPool2D(3)]
            [Flatten]
            [Dense(2, [|Weights = W(18)|], Bias = W(2))]
            public static partial class Diagonals;
            """,
            [Error("CG0020", "Dense 'dense' is fed 4 values (after Flatten 'flatten' of (1, 2, 2)) but its 18 weights are for 9 inputs x 2 units")],
            """
            [ConvNet(1, 6, 6)]
            [MaxPool2D(2)]
            [Flatten]
            [Dense(2, Weights = W(18), Bias = W(2))]
            public static partial class Diagonals;
            """),

        // ---------------- CG0021: unknown input name ----------------
        new("CG0021", "a typo in Input",
            """
            [ConvNet(1, 8, 8)]
            [Conv2D(1, 3, Name = "conv1", Weights = W(9), Bias = W(1))]
            [MaxPool2D(2, [|Input = "conv_1"|])]
            public static partial class Lines;
            """,
            [Error("CG0021", "MaxPool2D 'maxpool2d' reads 'conv_1', which names no layer; the names are: 'input', 'conv1', 'maxpool2d'")],
            """
            [ConvNet(1, 8, 8)]
            [Conv2D(1, 3, Name = "conv1", Weights = W(9), Bias = W(1))]
            [MaxPool2D(2, Input = "conv1")]
            public static partial class Lines;
            """),
        new("CG0021", "a typo in an Add input",
            """
            [ConvNet(1, 8, 8)]
            [Conv2D(1, 3, Pad = 1, Name = "conv1", Weights = W(9), Bias = W(1))]
            [Add("conv1", [|"inptu"|])]
            public static partial class Residual;
            """,
            [Error("CG0021", "Add 'add' reads 'inptu', which names no layer; the names are: 'input', 'conv1', 'add'")],
            """
            [ConvNet(1, 8, 8)]
            [Conv2D(1, 3, Pad = 1, Name = "conv1", Weights = W(9), Bias = W(1))]
            [Add("conv1", "input")]
            public static partial class Residual;
            """),

        // ---------------- CG0022: duplicate layer name ----------------
        new("CG0022", "two layers named conv1",
            """
            [ConvNet(1, 8, 8)]
            [Conv2D(2, 1, Name = "conv1", Weights = W(2), Bias = W(2))]
            [Conv2D(1, 1, [|Name = "conv1"|], Weights = W(2), Bias = W(1))]
            public static partial class Mix;
            """,
            [Error("CG0022", "Conv2D 'conv1': an earlier layer is already named 'conv1'")],
            """
            [ConvNet(1, 8, 8)]
            [Conv2D(2, 1, Name = "conv1", Weights = W(2), Bias = W(2))]
            [Conv2D(1, 1, Name = "conv2", Weights = W(2), Bias = W(1))]
            public static partial class Mix;
            """),
        new("CG0022", "a layer named input",
            """
            [ConvNet(1, 8, 8)]
            [Conv2D(1, 1, [|Name = "input"|], Weights = W(1), Bias = W(1))]
            public static partial class Scale;
            """,
            [Error("CG0022", "Conv2D 'input': the name 'input' is reserved for the network's input")],
            """
            [ConvNet(1, 8, 8)]
            [Conv2D(1, 1, Name = "scale", Weights = W(1), Bias = W(1))]
            public static partial class Scale;
            """),

        // Issue 17's probe: the name was pasted into a /// comment, and a carriage return ended it, declaring a type.
        new("CG0022", "a name holding a carriage return (code injection through the generated comments)",
            """
            [ConvNet(1, 8, 8)]
            [Conv2D(1, 1, [|Name = "x\rpartial class Injected { } //"|], Weights = W(1), Bias = W(1))]
            public static partial class Scale;
            """,
            [Error("CG0022", "Conv2D 'x\\u000Dpartial class Injected { } //': a layer name may not hold control, line-break or format characters, but this one holds U+000D at index 1")],
            """
            [ConvNet(1, 8, 8)]
            [Conv2D(1, 1, Name = "x partial class Injected { } //", Weights = W(1), Bias = W(1))]
            public static partial class Scale;
            """),
        new("CG0022", "a name of 300 characters",
            """
            [ConvNet(1, 8, 8)]
            [Conv2D(1, 1, [|Name = "features.0.conv.0.00000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000.weight"|], Weights = W(1), Bias = W(1))]
            public static partial class Scale;
            """,
            [Error("CG0022", "Conv2D 'features.0.conv.0.00000000000000000000000000000000000000000000000000000000000...': a layer name may have at most 256 characters, but this one has 300")],
            """
            [ConvNet(1, 8, 8)]
            [Conv2D(1, 1, Name = "features.0.conv.0", Weights = W(1), Bias = W(1))]
            public static partial class Scale;
            """),

        // ---------------- CG0023: network exceeds its memory budget ----------------
        new("CG0023", "a full-resolution conv over an 8 KiB budget",
            """
            [ConvNet(1, 32, 32, [|MaxRamBytes = 8 * 1024|])]
            [Conv2D(2, 3, Pad = 1, Name = "conv1", Weights = W(18), Bias = W(2))]
            [MaxPool2D(2, Name = "pool1")]
            public static partial class EdgeMap;
            """,
            [Error("CG0023", "'EdgeMap' needs 18960 bytes of RAM (input 4096 + output 2048 + scratch 12816) but MaxRamBytes is 8192; the largest activation is the output of Conv2D 'conv1', 8192 bytes")],
            """
            [ConvNet(1, 32, 32, MaxRamBytes = 20 * 1024)]
            [Conv2D(2, 3, Pad = 1, Name = "conv1", Weights = W(18), Bias = W(2))]
            [MaxPool2D(2, Name = "pool1")]
            public static partial class EdgeMap;
            """),

        // ---------------- CG0024: Run called with a span of the wrong length ----------------
        new("CG0024", "an output buffer the size of the input",
            """
            [ConvNet(1, 8, 8)]
            [Conv2D(1, 3, Weights = W(9), Bias = W(1))]
            public static partial class VerticalLineDetector;

            public static class Calls
            {
                public static void Detect() => VerticalLineDetector.Run(new float[64], [|new float[64]|]);
            }
            """,
            [Error("CG0024", "VerticalLineDetector.Run: 'output' holds 64 floats but must hold exactly 36 (OutputLength)")],
            """
            [ConvNet(1, 8, 8)]
            [Conv2D(1, 3, Weights = W(9), Bias = W(1))]
            public static partial class VerticalLineDetector;

            public static class Calls
            {
                public static void Detect() => VerticalLineDetector.Run(new float[64], new float[36]);
            }
            """),

        // ---------------- CG0025: tensor too large ----------------
        new("CG0025", "a Dense on a whole flattened image (near miss still lacks weights)",
            """
            [ConvNet(3, 224, 224)]
            [Flatten]
            [[|Dense(4096)|]]
            public static partial class Classifier;
            """,
            [Error("CG0025", "Dense 'dense': its weights would hold 616562688 values; ConvGen handles at most 268435456 per tensor, row or column")],
            """
            [ConvNet(3, 224, 224)]
            [MaxPool2D(8)]
            [Flatten]
            [Dense(4096)]
            public static partial class Classifier;
            """,
            ["CG0009", "CG0018"]),
        new("CG0025", "a conv output of 2^29 values (near miss still lacks weights)",
            """
            [ConvNet(1, 512, 512)]
            [[|Conv2D(2048, 1)|]]
            public static partial class Wide;
            """,
            [Error("CG0025", "Conv2D 'conv2d': its output would hold 536870912 values; ConvGen handles at most 268435456 per tensor, row or column")],
            """
            [ConvNet(1, 512, 512)]
            [Conv2D(1024, 1)]
            public static partial class Wide;
            """,
            ["CG0009", "CG0018"]),

        new("CG0025", "two live activations of 144 million floats each (near miss: one)",
            """
            [ConvNet(1, 12000, 12000)]
            [MaxPool2D(1)]
            [MaxPool2D(1)]
            [MaxPool2D(1)]
            public static partial class [|Giant|];
            """,
            [Error("CG0025", "Giant: its working memory would hold 288000000 values; ConvGen handles at most 268435456 per tensor, row or column")],
            """
            [ConvNet(1, 12000, 12000)]
            [MaxPool2D(1)]
            public static partial class Giant;
            """),

        // Issue 17's probe: these built, and their kernels wrote outside their buffers (offsets wrapped in int).
        new("CG0025", "a dilated Same conv whose window spans 2^31 rows (near miss still lacks weights)",
            """
            [ConvNet(4, 8, 8)]
            [[|Conv2D(2, 3, Dilation = 1073741823, Padding = Padding.Same)|]]
            public static partial class Dilated;
            """,
            [Error("CG0025", "Conv2D 'conv2d': each column of its dilated window would hold 2147483647 values; ConvGen handles at most 268435456 per tensor, row or column")],
            """
            [ConvNet(4, 8, 8)]
            [Conv2D(2, 3, Dilation = 3, Padding = Padding.Same)]
            public static partial class Dilated;
            """,
            ["CG0009", "CG0018"]),
        new("CG0025", "explicit pads of 2^30 on each side (near miss still lacks weights)",
            """
            [ConvNet(4, 8, 8)]
            [[|Conv2D(2, 3, Pad = 1073741823, Dilation = 1073741823)|]]
            public static partial class Padded;
            """,
            [Error("CG0025", "Conv2D 'conv2d': each column of its dilated window would hold 2147483647 values; ConvGen handles at most 268435456 per tensor, row or column")],
            """
            [ConvNet(4, 8, 8)]
            [Conv2D(2, 3, Pad = 1000, Dilation = 1000)]
            public static partial class Padded;
            """,
            ["CG0009", "CG0018"]),
        new("CG0025", "a padded input row of 2^31 (near miss: 2^16)",
            """
            [ConvNet(1, 8, 8)]
            [[|MaxPool2D(1, Pads = new[] { 0, 0, 0, 2147483000 })|]]
            public static partial class Wide;
            """,
            [Error("CG0025", "MaxPool2D 'maxpool2d': each row of its padded input would hold 2147483008 values; ConvGen handles at most 268435456 per tensor, row or column")],
            """
            [ConvNet(1, 8, 8)]
            [MaxPool2D(1, Pads = new[] { 0, 0, 0, 0 })]
            public static partial class Wide;
            """),
        new("CG0025", "ZeroPad2D(int.MaxValue), whose output shape wrapped to (1, -1, -1)",
            """
            [ConvNet(1, 1, 1)]
            [[|ZeroPad2D(int.MaxValue)|]]
            public static partial class Padded;
            """,
            [Error("CG0025", "ZeroPad2D 'zeropad2d': each column of its output would hold 4294967295 values; ConvGen handles at most 268435456 per tensor, row or column")],
            """
            [ConvNet(1, 1, 1)]
            [ZeroPad2D(1000)]
            public static partial class Padded;
            """),
        new("CG0025", "a transposed conv strided by int.MaxValue, whose output shape wrapped to (1, -8, -8) (near miss still lacks weights)",
            """
            [ConvNet(4, 8, 8)]
            [[|Conv2DTranspose(1, 1, Stride = int.MaxValue, Padding = Padding.Same)|]]
            public static partial class Upsampler;
            """,
            [Error("CG0025", "Conv2DTranspose 'conv2dtranspose': each column of its input with zeros between its elements would hold 15032385530 values; ConvGen handles at most 268435456 per tensor, row or column")],
            """
            [ConvNet(4, 8, 8)]
            [Conv2DTranspose(1, 1, Stride = 1000, Padding = Padding.Same)]
            public static partial class Upsampler;
            """,
            ["CG0009", "CG0018"]),
        new("CG0025", "a product that wrapped a long: 2^28 channels of (2^20 + 1)^2",
            """
            [ConvNet(268435456, 1, 1)]
            [[|ZeroPad2D(524288)|]]
            public static partial class Wrapped;
            """,
            [Error("CG0025", "ZeroPad2D 'zeropad2d': its output would hold more than 9223372036854775807 values; ConvGen handles at most 268435456 per tensor, row or column")],
            """
            [ConvNet(268435456, 1, 1)]
            [ZeroPad2D(0)]
            public static partial class Wrapped;
            """),

        // ---------------- CG0026: more weights than one assembly holds ----------------
        new("CG0026", "a Dense of 3.6 million weights from a file (near miss: half as many units)",
            """
            [ConvNet(1800, WeightsFile = "big.safetensors")]
            [Dense(2000, UseBias = false, Name = "fc")]
            public static partial class [|Huge|];
            """,
            [Error("CG0026", "'Huge' has 3,600,000 weights; an assembly holds at most 3,500,000 in ConvGen's form (string literals share the metadata's 16 MiB user-string heap), so split the network across assemblies")],
            """
            [ConvNet(1800, WeightsFile = "big.safetensors")]
            [Dense(1000, UseBias = false, Name = "fc")]
            public static partial class Huge;
            """,
            Files: [Weights("/proj/big.safetensors", F32("fc.weight", [2000, 1800]))],
            NearMissFiles: [Weights("/proj/big.safetensors", F32("fc.weight", [1000, 1800]))]),

        // ---------------- CG0027: cycle ----------------
        new("CG0027", "a layer reading itself",
            """
            [ConvNet(1, 8, 8)]
            [Conv2D(1, 3, Name = "conv1", Weights = W(9), Bias = W(1))]
            [MaxPool2D(2, Name = "pool", [|Input = "pool"|])]
            public static partial class Lines;
            """,
            [Error("CG0027", "MaxPool2D 'pool' depends on its own output: 'pool' reads 'pool'; a layer can only read layers that do not read it back")],
            """
            [ConvNet(1, 8, 8)]
            [Conv2D(1, 3, Name = "conv1", Weights = W(9), Bias = W(1))]
            [MaxPool2D(2, Name = "pool", Input = "conv1")]
            public static partial class Lines;
            """),
        new("CG0027", "two layers reading each other",
            """
            [ConvNet(1, 8, 8)]
            [Conv2D(1, 3, Name = "a", [|Input = "b"|], Weights = W(9), Bias = W(1))]
            [Conv2D(1, 1, Name = "b", Weights = W(1), Bias = W(1))]
            public static partial class Loop;
            """,
            [Error("CG0027", "Conv2D 'a' depends on its own output: 'a' reads 'b' reads 'a'; a layer can only read layers that do not read it back")],
            """
            [ConvNet(1, 8, 8)]
            [Conv2D(1, 3, Name = "a", Input = "input", Weights = W(9), Bias = W(1))]
            [Conv2D(1, 1, Name = "b", Weights = W(1), Bias = W(1))]
            public static partial class Loop;
            """),

        // ---------------- CG0028: unused output ----------------
        new("CG0028", "a branch nothing reads",
            """
            [ConvNet(1, 8, 8)]
            [[|Conv2D(1, 3, Pad = 1, Name = "edges", Weights = W(9), Bias = W(1))|]]
            [Conv2D(1, 3, Pad = 1, Name = "blur", Input = "input", Weights = W(9), Bias = W(1))]
            public static partial class Twice;
            """,
            [Warning("CG0028", "No layer reads the output of Conv2D 'edges', and only the last layer (Conv2D 'blur') is the network's output, so it is not computed; read it with Input, Add or Concat, or remove it")],
            """
            [ConvNet(1, 8, 8)]
            [Conv2D(1, 3, Pad = 1, Name = "edges", Weights = W(9), Bias = W(1))]
            [Conv2D(1, 3, Pad = 1, Name = "blur", Input = "input", Weights = W(9), Bias = W(1))]
            [Add("edges", "blur")]
            public static partial class Twice;
            """),

        // ---------------- CG0029: Add/Concat inputs do not match ----------------
        new("CG0029", "an Add of a valid and a padded conv",
            """
            [ConvNet(1, 8, 8)]
            [Conv2D(2, 3, Name = "a", Weights = W(18), Bias = W(2))]
            [Conv2D(2, 3, Pad = 1, Name = "b", Input = "input", Weights = W(18), Bias = W(2))]
            [Add("a", [|"b"|])]
            public static partial class Sum;
            """,
            [Error("CG0029", "Add 'add' needs inputs of the same shape, but 'a' is (2, 6, 6) (after Conv2D 'a') and 'b' is (2, 8, 8) (after Conv2D 'b')")],
            """
            [ConvNet(1, 8, 8)]
            [Conv2D(2, 3, Name = "a", Weights = W(18), Bias = W(2))]
            [Conv2D(2, 3, Name = "b", Input = "input", Weights = W(18), Bias = W(2))]
            [Add("a", "b")]
            public static partial class Sum;
            """),
        new("CG0029", "a Concat of a pooled map and the input",
            """
            [ConvNet(1, 8, 8)]
            [MaxPool2D(2, Name = "pool")]
            [Concat("pool", [|"input"|])]
            public static partial class Stack;
            """,
            [Error("CG0029", "Concat 'concat' needs inputs of the same spatial size, but 'pool' is (1, 4, 4) (after MaxPool2D 'pool') and 'input' is (1, 8, 8) (the network input)")],
            """
            [ConvNet(1, 8, 8)]
            [MaxPool2D(2, Name = "pool")]
            [AvgPool2D(2, Name = "avg", Input = "input")]
            [Concat("pool", "avg")]
            public static partial class Stack;
            """),

        // ---------------- CG0030: weights file not in AdditionalFiles ----------------
        new("CG0030", "a weights file the project does not list (near miss: listed)",
            """
            [ConvNet(1, 8, 8, [|WeightsFile = "edges.safetensors"|])]
            [Conv2D(2, 3, Name = "conv1")]
            public static partial class Edges;
            """,
            [Error("CG0030", "WeightsFile 'edges.safetensors' is not among the project's AdditionalFiles; add <AdditionalFiles Include=\"edges.safetensors\" /> to the project file")],
            """
            [ConvNet(1, 8, 8, WeightsFile = "edges.safetensors")]
            [Conv2D(2, 3, Name = "conv1")]
            public static partial class Edges;
            """,
            NearMissFiles: [EdgesFile]),

        // ---------------- CG0031: weights file cannot be read ----------------
        new("CG0031", "a file too short to be safetensors (near miss: a good file)",
            """
            [ConvNet(1, 8, 8, [|WeightsFile = "edges.safetensors"|])]
            [Conv2D(2, 3, Name = "conv1")]
            public static partial class Edges;
            """,
            [Error("CG0031", "WeightsFile 'edges.safetensors' cannot be read: it is 4 bytes long, too short for the 8-byte header length")],
            """
            [ConvNet(1, 8, 8, WeightsFile = "edges.safetensors")]
            [Conv2D(2, 3, Name = "conv1")]
            public static partial class Edges;
            """,
            Files: [InMemoryAdditionalText.Weights("/proj/edges.safetensors", [1, 2, 3, 4])],
            NearMissFiles: [EdgesFile]),
        new("CG0031", "a Git LFS pointer checked out instead of the file (near miss: the file)",
            """
            [ConvNet(1, 8, 8, [|WeightsFile = "edges.safetensors"|])]
            [Conv2D(2, 3, Name = "conv1")]
            public static partial class Edges;
            """,
            [Error("CG0031", "WeightsFile 'edges.safetensors' cannot be read: it is a Git LFS pointer, not the weights themselves; run `git lfs pull` to fetch them")],
            """
            [ConvNet(1, 8, 8, WeightsFile = "edges.safetensors")]
            [Conv2D(2, 3, Name = "conv1")]
            public static partial class Edges;
            """,
            Files: [InMemoryAdditionalText.Weights("/proj/edges.safetensors", ConvGen.Tests.Weights.HostileSafetensorsTests.LfsPointer)],
            NearMissFiles: [EdgesFile]),
        new("CG0031", "a file listed without ConvGen's build step (near miss: through it)",
            """
            [ConvNet(1, 8, 8, [|WeightsFile = "edges.safetensors"|])]
            [Conv2D(2, 3, Name = "conv1")]
            public static partial class Edges;
            """,
            [Error("CG0031", "WeightsFile 'edges.safetensors' cannot be read: it is listed as it is, not through ConvGen's build step, which hands binary files to the compiler losslessly; reference the ConvGen package (or import its build/ConvGen.targets)")],
            """
            [ConvNet(1, 8, 8, WeightsFile = "edges.safetensors")]
            [Conv2D(2, 3, Name = "conv1")]
            public static partial class Edges;
            """,
            Files: [new InMemoryAdditionalText("/proj/edges.safetensors", "binary data read as text")],
            NearMissFiles: [EdgesFile]),

        // ---------------- CG0032: tensor missing from the weights file ----------------
        new("CG0032", "a layer named otherwise than its tensors",
            """
            [ConvNet(1, 8, 8, WeightsFile = "edges.safetensors")]
            [Conv2D(2, 3, [|Name = "conv1"|])]
            public static partial class Edges;
            """,
            [
                Error("CG0032", "Conv2D 'conv1' needs tensor 'conv1.weight' [2, 1, 3, 3] but 'edges.safetensors' has no tensor of that name; closest: 'features.0.weight' [2, 1, 3, 3], 'features.0.bias' [2]"),
                Error("CG0032", "Conv2D 'conv1' needs tensor 'conv1.bias' [2] but 'edges.safetensors' has no tensor of that name; closest: 'features.0.bias' [2], 'features.0.weight' [2, 1, 3, 3]; if the layer has none, set UseBias = false"),
            ],
            """
            [ConvNet(1, 8, 8, WeightsFile = "edges.safetensors")]
            [Conv2D(2, 3, Name = "features.0")]
            public static partial class Edges;
            """,
            Files: [Weights("/proj/edges.safetensors", F32("features.0.weight", [2, 1, 3, 3]), F32("features.0.bias", [2]))]),

        // ---------------- CG0033: tensor shape differs from the declaration ----------------
        new("CG0033", "a 5x5 tensor for a 3x3 kernel",
            """
            [ConvNet(2, 8, 8, WeightsFile = "edges.safetensors")]
            [Conv2D(2, 3, [|Name = "conv1"|])]
            public static partial class Edges;
            """,
            [Error("CG0033", "Conv2D 'conv1': tensor 'conv1.weight' in 'edges.safetensors' has shape [2, 2, 5, 5] (100 values) but the declaration needs [2, 2, 3, 3] (36 values: 2 filters x 2 input channels x 3x3)")],
            """
            [ConvNet(2, 8, 8, WeightsFile = "edges.safetensors")]
            [Conv2D(2, 5, Name = "conv1")]
            public static partial class Edges;
            """,
            Files: [Weights("/proj/edges.safetensors", F32("conv1.weight", [2, 2, 5, 5]), F32("conv1.bias", [2]))]),

        // ---------------- CG0034: tensor is not floating point ----------------
        new("CG0034", "an integer weight tensor (near miss: F64)",
            """
            [ConvNet(1, 8, 8, WeightsFile = "edges.safetensors")]
            [Conv2D(2, 3, [|Name = "conv1"|])]
            public static partial class Edges;
            """,
            [Error("CG0034", "Conv2D 'conv1': tensor 'conv1.weight' in 'edges.safetensors' is I64; ConvGen reads F32, F16, BF16 and F64 tensors")],
            """
            [ConvNet(1, 8, 8, WeightsFile = "edges.safetensors")]
            [Conv2D(2, 3, Name = "conv1")]
            public static partial class Edges;
            """,
            Files: [Weights("/proj/edges.safetensors", new Tensor("conv1.weight", "I64", [2, 1, 3, 3], new double[18]), F32("conv1.bias", [2]))],
            NearMissFiles: [Weights("/proj/edges.safetensors", new Tensor("conv1.weight", "F64", [2, 1, 3, 3], new double[18]), F32("conv1.bias", [2]))]),

        // ---------------- CG0035: weights file name is ambiguous ----------------
        new("CG0035", "two listed files of the same name",
            """
            [ConvNet(1, 8, 8, [|WeightsFile = "edges.safetensors"|])]
            [Conv2D(2, 3, Name = "conv1")]
            public static partial class Edges;
            """,
            [Error("CG0035", "WeightsFile 'edges.safetensors' matches several AdditionalFiles (/proj/a/edges.safetensors, /proj/b/edges.safetensors); give enough of its path to tell them apart")],
            """
            [ConvNet(1, 8, 8, WeightsFile = "a/edges.safetensors")]
            [Conv2D(2, 3, Name = "conv1")]
            public static partial class Edges;
            """,
            Files:
            [
                Weights("/proj/a/edges.safetensors", F32("conv1.weight", [2, 1, 3, 3]), F32("conv1.bias", [2])),
                Weights("/proj/b/edges.safetensors", F32("conv1.weight", [2, 1, 3, 3]), F32("conv1.bias", [2])),
            ]),

        // ---------------- CG0036: negative variance ----------------
        new("CG0036", "a negative inline variance",
            """
            [ConvNet(2, 4, 4)]
            [BatchNorm(Gamma = new float[] { 1, 1 }, Beta = new float[] { 0, 0 }, Mean = new float[] { 0, 0 }, [|Variance = new float[] { 1, -0.5f }|])]
            public static partial class Normalized;
            """,
            [Error("CG0036", "BatchNorm 'batchnorm': the variance holds a negative value (-0.5) at index 1, which has no square root")],
            """
            [ConvNet(2, 4, 4)]
            [BatchNorm(Gamma = new float[] { 1, 1 }, Beta = new float[] { 0, 0 }, Mean = new float[] { 0, 0 }, Variance = new float[] { 1, 0.5f })]
            public static partial class Normalized;
            """),
        new("CG0036", "a negative running_var in the weights file",
            """
            [ConvNet(2, 4, 4, WeightsFile = "bn.safetensors")]
            [BatchNorm([|Name = "bn1"|])]
            public static partial class Normalized;
            """,
            [Error("CG0036", "BatchNorm 'bn1': the variance holds a negative value (-2) at index 1, which has no square root")],
            """
            [ConvNet(2, 4, 4, WeightsFile = "bn.safetensors")]
            [BatchNorm(Name = "bn1")]
            public static partial class Normalized;
            """,
            Files: [Weights("/proj/bn.safetensors", F32("bn1.weight", [2]), F32("bn1.bias", [2]), F32("bn1.running_mean", [2]), new Tensor("bn1.running_var", "F32", [2], [1, -2]))],
            NearMissFiles: [Weights("/proj/bn.safetensors", F32("bn1.weight", [2]), F32("bn1.bias", [2]), F32("bn1.running_mean", [2]), new Tensor("bn1.running_var", "F32", [2], [1, 2]))]),

        // ---------------- CG0037: layers on several partial declarations ----------------
        new("CG0037", "layers split over two partial declarations",
            """
            [ConvNet(1, 8, 8)]
            [Conv2D(1, 3, Name = "conv", Weights = W(9), Bias = W(1))]
            public static partial class Split;

            [[|Activation(Activation.ReLU)|]]
            public static partial class Split;
            """,
            [Error("CG0037", "'Split' has layer attributes on 2 partial declarations (Nets.cs, Nets.cs); layers run in the order they are written, which across declarations would depend on how the files are ordered, so write every layer attribute on one declaration")],
            """
            [ConvNet(1, 8, 8)]
            [Conv2D(1, 3, Name = "conv", Weights = W(9), Bias = W(1))]
            [Activation(Activation.ReLU)]
            public static partial class Split;
            """),

        // ---------------- CG0101: Same padding is asymmetric here ----------------
        new("CG0101", "a strided 3x3 conv with Same padding on an even size",
            """
            [ConvNet(1, 8, 8)]
            [Conv2D(1, 3, Stride = 2, [|Padding = Padding.Same|], Weights = W(9), Bias = W(1))]
            public static partial class Down;
            """,
            [Info("CG0101", "Conv2D 'conv2d': Padding.Same pads [top 0, left 0, bottom 1, right 1] here, more at the end than at the start (as Keras and TensorFlow do, and PyTorch's padding='same' at stride 1); a model trained with symmetric padding (PyTorch padding=(1, 1)) differs, so use Pads to match the training code")],
            """
            [ConvNet(1, 8, 8)]
            [Conv2D(1, 3, Stride = 2, Pad = 1, Weights = W(9), Bias = W(1))]
            public static partial class Down;
            """),
        new("CG0101", "an even 1-D kernel with Same padding",
            """
            [ConvNet(1, 8)]
            [Conv1D(1, 2, [|Padding = Padding.Same|], Weights = W(2), Bias = W(1))]
            public static partial class Pairs;
            """,
            [Info("CG0101", "Conv1D 'conv1d': Padding.Same pads [left 0, right 1] here, more at the end than at the start (as Keras and TensorFlow do, and PyTorch's padding='same' at stride 1); a model trained with symmetric padding (PyTorch padding=1) differs, so use Pads to match the training code")],
            """
            [ConvNet(1, 8)]
            [Conv1D(1, 3, Padding = Padding.Same, Weights = W(3), Bias = W(1))]
            public static partial class Pairs;
            """),

        // ---------------- CG0102: stride drops input ----------------
        new("CG0102", "a stride of 3 leaving two rows and two columns unread",
            """
            [ConvNet(1, 8, 8)]
            [Conv2D(1, 3, [|Stride = 3|], Weights = W(9), Bias = W(1))]
            public static partial class Down;
            """,
            [
                Info("CG0102", "Conv2D 'conv2d': with Padding.Valid the last 2 input rows of 8 are never read by any window"),
                Info("CG0102", "Conv2D 'conv2d': with Padding.Valid the last 2 input columns of 8 are never read by any window"),
            ],
            """
            [ConvNet(1, 9, 9)]
            [Conv2D(1, 3, Stride = 3, Weights = W(9), Bias = W(1))]
            public static partial class Down;
            """),
        new("CG0102", "says the last input element is, not the last 1 input elements are",
            """
            [ConvNet(1, 8)]
            [Conv1D(1, 3, [|Stride = 2|], Weights = W(3), Bias = W(1))]
            public static partial class Down;
            """,
            [Info("CG0102", "Conv1D 'conv1d': with Padding.Valid the last 1 input element of 8 is never read by any window")],
            """
            [ConvNet(1, 9)]
            [Conv1D(1, 3, Stride = 2, Weights = W(3), Bias = W(1))]
            public static partial class Down;
            """),

        // ---------------- CG0103: CeilMode changes the output size ----------------
        new("CG0103", "ceil mode on an odd size",
            """
            [ConvNet(1, 5, 5)]
            [MaxPool2D(2, [|CeilMode = true|])]
            public static partial class Pool;
            """,
            [Info("CG0103", "MaxPool2D 'maxpool2d': CeilMode gives 3x3 outputs where rounding down gives 2x2; Keras and TensorFlow have no ceil mode, so only a PyTorch model pools this way")],
            """
            [ConvNet(1, 4, 4)]
            [MaxPool2D(2, CeilMode = true)]
            public static partial class Pool;
            """),

        // ---------------- CG0104: padded average divides by the whole window ----------------
        new("CG0104", "a padded average pool without CountIncludePad",
            """
            [ConvNet(1, 6, 6)]
            [[|AvgPool2D(3, Stride = 1, Pad = 1)|]]
            public static partial class Blur;
            """,
            [Info("CG0104", "AvgPool2D 'avgpool2d': border averages divide by the whole window, padding included (PyTorch's default count_include_pad=True); Keras divides by the input elements only, so set CountIncludePad = false for a Keras model")],
            """
            [ConvNet(1, 6, 6)]
            [AvgPool2D(3, Stride = 1, Pad = 1, CountIncludePad = true)]
            public static partial class Blur;
            """),

        // ---------------- CG0105: stride larger than the window skips input ----------------
        new("CG0105", "a stride of 5 over a 3x3 window with Same padding",
            """
            [ConvNet(1, 16, 16)]
            [Conv2D(1, 3, [|Stride = 5|], Padding = Padding.Same, Weights = W(9), Bias = W(1))]
            public static partial class Sparse;
            """,
            [
                Info("CG0105", "Conv2D 'conv2d': a stride of 5 is larger than the window's span of 3, so 2 of every 5 input rows are never read"),
                Info("CG0105", "Conv2D 'conv2d': a stride of 5 is larger than the window's span of 3, so 2 of every 5 input columns are never read"),
            ],
            """
            [ConvNet(1, 16, 16)]
            [Conv2D(1, 5, Stride = 5, Padding = Padding.Same, Weights = W(25), Bias = W(1))]
            public static partial class Sparse;
            """),
        new("CG0105", "a 1-D stride of 4 over a 2-wide window (near miss: a 1-wide window is deliberate)",
            """
            [ConvNet(8, 16)]
            [Conv1D(8, 2, [|Stride = 4|], Padding = Padding.Same, Weights = W(128), Bias = W(8))]
            public static partial class Shortcut;
            """,
            [Info("CG0105", "Conv1D 'conv1d': a stride of 4 is larger than the window's span of 2, so 2 of every 4 input elements are never read")],
            """
            [ConvNet(8, 16)]
            [Conv1D(8, 1, Stride = 4, Padding = Padding.Same, Weights = W(64), Bias = W(8))]
            public static partial class Shortcut;
            """),

        // ---------------- CG0106: input shape looks channels last ----------------
        // Today the message's arguments are shifted: the parser passes the shape text as {0} before the three
        // sizes, so it reads "this declares (224, 224, 3) channels of 224x224. For a (224, 224, 3)x224 image ...".
        new("CG0106", "fills in the sizes: a Keras (H, W, C) shape with Layout.ChannelsLast",
            """
            [ConvNet([|224, 224, 3|], Layout = Layout.ChannelsLast)]
            [Flatten]
            public static partial class Photo;
            """,
            [Info("CG0106", "[ConvNet] shapes are always written channels first, even with Layout.ChannelsLast: this declares 224 channels of 224x3. For a 224x224 image with 3 channels write (3, 224, 224).")],
            """
            [ConvNet(3, 224, 224, Layout = Layout.ChannelsLast)]
            [Flatten]
            public static partial class Photo;
            """),
        new("CG0106", "says 1 channel, not 1 channels",
            """
            [ConvNet([|28, 28, 1|], Layout = Layout.ChannelsLast)]
            [Flatten]
            public static partial class Digits;
            """,
            [Info("CG0106", "[ConvNet] shapes are always written channels first, even with Layout.ChannelsLast: this declares 28 channels of 28x1. For a 28x28 image with 1 channel write (1, 28, 28).")],
            """
            [ConvNet(1, 28, 28, Layout = Layout.ChannelsLast)]
            [Flatten]
            public static partial class Digits;
            """),
    ];

    public static TheoryData<string> CaseNames
    {
        get
        {
            var data = new TheoryData<string>();
            foreach (Case c in Cases)
                data.Add(c.Name);
            return data;
        }
    }

    public static TheoryData<string> DescriptorIds
    {
        get
        {
            var data = new TheoryData<string>();
            foreach (DiagnosticDescriptor descriptor in Descriptors.All)
                data.Add(descriptor.Id);
            return data;
        }
    }

    public static TheoryData<string> DescriptorIdsWithCases
    {
        get
        {
            var data = new TheoryData<string>();
            foreach (DiagnosticDescriptor descriptor in Descriptors.All.Where(d => d.Id != InternalErrorId))
                data.Add(descriptor.Id);
            return data;
        }
    }

    private static Case Find(string name) => Cases.Single(c => c.Name == name);

    // ---------------- the cases ----------------

    [Theory]
    [MemberData(nameof(CaseNames))]
    public async Task The_case_reports_exactly_its_diagnostics_at_the_marked_spans(string diagnosticCase)
    {
        Case c = Find(diagnosticCase);
        var (source, spans) = Markup.Parse(Declarations.Expand(Usings + c.Source));
        Assert.Contains(c.Diagnostics, e => e.Id == c.Id);
        Assert.All(Enumerable.Range(0, spans.Count), i => Assert.Contains(c.Diagnostics, e => e.Span == i));

        var diagnostics = await AnalyzerHarness.Diagnostics(source, c.Files);

        // One line per diagnostic: id, severity, exact span (with the text it covers) and the full message.
        string expected = Lines(c.Diagnostics.Select(e => Describe(source, e.Id, e.Severity, spans[e.Span], e.Message)));
        string actual = Lines(diagnostics.Select(d => Describe(source, d.Id, d.Severity,
            d.Location.IsInSource ? d.Location.SourceSpan : null, d.GetMessage(CultureInfo.InvariantCulture))));
        Assert.True(expected == actual, $"\nExpected:\n{expected}\nActual:\n{actual}");
    }

    [Theory]
    [MemberData(nameof(CaseNames))]
    public async Task The_near_miss_does_not_report_it(string diagnosticCase)
    {
        Case c = Find(diagnosticCase);
        string nearMiss = Declarations.Expand(Usings + c.NearMiss);
        Assert.True(Markup.Parse(Declarations.Expand(Usings + c.Source)).Source != nearMiss || c.NearMissFiles is not null,
            "The near miss must change the declaration or its files.");

        var diagnostics = await AnalyzerHarness.Diagnostics(nearMiss, c.NearMissFiles ?? c.Files);

        Assert.DoesNotContain(diagnostics, d => d.Id == c.Id);
        // Anything else it reports must be listed in the case.
        Assert.Equal((c.NearMissIds ?? []).Order(StringComparer.Ordinal), diagnostics.Select(d => d.Id).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Every_descriptor_but_the_internal_error_has_a_case()
    {
        var ids = Descriptors.All.Select(d => d.Id).ToHashSet(StringComparer.Ordinal);
        Assert.Contains(InternalErrorId, ids);

        var withoutCase = ids.Where(id => id != InternalErrorId && !Cases.Any(c => c.Id == id)).Order(StringComparer.Ordinal);
        Assert.Empty(withoutCase);
        Assert.Empty(Cases.Where(c => !ids.Contains(c.Id) || c.Id == InternalErrorId).Select(c => c.Name));
        Assert.Empty(Cases.GroupBy(c => c.Name).Where(g => g.Count() > 1).Select(g => g.Key));
    }

    // ---------------- the bookkeeping every descriptor needs ----------------

    [Theory]
    [MemberData(nameof(DescriptorIds))]
    public void The_descriptor_has_a_docs_page_with_its_title_and_severity(string id)
    {
        DiagnosticDescriptor descriptor = Descriptors.ById(id);
        string path = Path.Combine(DocsDirectory, id + ".md");
        Assert.True(File.Exists(path), $"{path} is missing");

        string[] lines = File.ReadAllLines(path);
        Assert.Equal($"# {id}: {descriptor.Title}", lines[0]);
        Assert.Contains($"**Severity:** {descriptor.DefaultSeverity}", lines);
    }

    [Theory]
    [MemberData(nameof(DescriptorIds))]
    public void The_descriptor_has_a_row_in_the_docs_index(string id)
    {
        DiagnosticDescriptor descriptor = Descriptors.ById(id);
        string index = File.ReadAllText(Path.Combine(DocsDirectory, "README.md"));

        Assert.Contains($"| [{id}]({id}.md) | {descriptor.DefaultSeverity} | {descriptor.Title} |", index);
    }

    [Theory]
    [MemberData(nameof(DescriptorIds))]
    public void The_descriptor_has_an_unshipped_release_row_with_its_severity(string id)
    {
        DiagnosticDescriptor descriptor = Descriptors.ById(id);

        var rows = ReleaseRows().Where(r => r.Id == id).ToList();

        var row = Assert.Single(rows);
        Assert.Equal(descriptor.Category, row.Category);
        Assert.Equal(descriptor.DefaultSeverity.ToString(), row.Severity);
    }

    [Theory]
    [MemberData(nameof(DescriptorIds))]
    public void The_descriptor_names_its_docs_page_and_links_nowhere_the_project_does_not_control(string id)
    {
        DiagnosticDescriptor descriptor = Descriptors.ById(id);

        Assert.Equal("", descriptor.HelpLinkUri);
        Assert.Contains($"docs/diagnostics/{id}.md", descriptor.Description.ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(DescriptorIdsWithCases))]
    public void The_docs_page_quotes_a_message_proven_by_a_case(string id)
    {
        string page = File.ReadAllText(Path.Combine(DocsDirectory, id + ".md"));
        var messages = Cases.SelectMany(c => c.Diagnostics).Where(e => e.Id == id).Select(e => e.Message).Distinct().ToList();

        Assert.True(messages.Any(page.Contains),
            $"docs/diagnostics/{id}.md quotes none of the messages the catalogue expects:\n" + string.Join("\n", messages));
    }

    [Fact]
    public void Every_docs_page_and_release_row_belongs_to_a_descriptor()
    {
        var ids = Descriptors.All.Select(d => d.Id).ToHashSet(StringComparer.Ordinal);

        var orphanPages = Directory.GetFiles(DocsDirectory, "CG*.md").Select(Path.GetFileNameWithoutExtension).Where(p => !ids.Contains(p!)).ToList();
        var orphanRows = ReleaseRows().Select(r => r.Id).Where(r => !ids.Contains(r)).ToList();

        Assert.Empty(orphanPages);
        Assert.Empty(orphanRows);
    }

    // ---------------- helpers ----------------

    /// <summary>A tensor of a weights file; values are written in its dtype.</summary>
    public sealed record Tensor(string Name, string DType, long[] Shape, double[] Values);

    /// <summary>An F32 tensor of small values, with a NaN at <paramref name="nanAt"/> if given.</summary>
    private static Tensor F32(string name, long[] shape, int nanAt = -1)
        => new(name, "F32", shape, Enumerable.Range(0, (int)shape.Aggregate(1L, (p, d) => p * d))
            .Select(i => i == nanAt ? double.NaN : (i % 5 - 2) * 0.25).ToArray());

    /// <summary>The weights of a Conv2D(2, 3) named conv1 on one channel, as the build step lists them.</summary>
    private static AdditionalText EdgesFile => Weights("/proj/edges.safetensors", F32("conv1.weight", [2, 1, 3, 3]), F32("conv1.bias", [2]));

    private static AdditionalText Weights(string path, params Tensor[] tensors) => InMemoryAdditionalText.Weights(path, Safetensors(tensors));

    /// <summary>A safetensors file: 8-byte little-endian header length, JSON header, then the tensors' bytes in order.</summary>
    private static byte[] Safetensors(Tensor[] tensors)
    {
        var data = new List<byte>();
        var entries = new List<string>();
        foreach (Tensor tensor in tensors)
        {
            int begin = data.Count;
            foreach (double value in tensor.Values)
            {
                data.AddRange(tensor.DType switch
                {
                    "F32" => BitConverter.GetBytes((float)value),
                    "F64" => BitConverter.GetBytes(value),
                    "I64" => BitConverter.GetBytes((long)value),
                    _ => throw new ArgumentException("Unsupported dtype in a test file: " + tensor.DType),
                });
            }
            entries.Add(FormattableString.Invariant(
                $"\"{tensor.Name}\":{{\"dtype\":\"{tensor.DType}\",\"shape\":[{string.Join(",", tensor.Shape)}],\"data_offsets\":[{begin},{data.Count}]}}"));
        }
        string header = "{" + string.Join(",", entries) + "}";
        header = header.PadRight((header.Length + 7) / 8 * 8);
        byte[] headerBytes = System.Text.Encoding.UTF8.GetBytes(header);
        return BitConverter.GetBytes((ulong)headerBytes.Length).Concat(headerBytes).Concat(data).ToArray();
    }

    private static string Describe(string source, string id, DiagnosticSeverity severity, TextSpan? span, string message)
        => span is { } s
            ? $"{id} {severity} at [{s.Start}..{s.End}) \"{source.Substring(s.Start, s.Length)}\": {message}"
            : $"{id} {severity} at no source location: {message}";

    private static string Lines(IEnumerable<string> lines) => string.Join("\n", lines.Order(StringComparer.Ordinal));

    private static string RepositoryRoot([CallerFilePath] string thisFile = "")
        => Path.GetFullPath(Path.Combine(Path.GetDirectoryName(thisFile)!, "..", ".."));

    private static string DocsDirectory => Path.Combine(RepositoryRoot(), "docs", "diagnostics");

    private sealed record ReleaseRow(string Id, string Category, string Severity);

    /// <summary>The rule rows of AnalyzerReleases.Unshipped.md (<c>CG0001 | ConvGen | Error | notes</c>).</summary>
    private static IEnumerable<ReleaseRow> ReleaseRows()
        => File.ReadAllLines(Path.Combine(RepositoryRoot(), "generators", "ConvGen.Generators", "AnalyzerReleases.Unshipped.md"))
            .Select(line => line.Split('|').Select(cell => cell.Trim()).ToArray())
            .Where(cells => cells.Length >= 3 && Regex.IsMatch(cells[0], @"^CG\d{4}$"))
            .Select(cells => new ReleaseRow(cells[0], cells[1], cells[2]));

    /// <summary>Source with <c>[|</c> … <c>|]</c> markers: the markers removed, and the spans they enclosed, in order.</summary>
    private static class Markup
    {
        public static (string Source, List<TextSpan> Spans) Parse(string marked)
        {
            var spans = new List<TextSpan>();
            var text = new System.Text.StringBuilder();
            int at = 0;
            while (true)
            {
                int open = marked.IndexOf("[|", at, StringComparison.Ordinal);
                if (open < 0)
                    break;
                int close = marked.IndexOf("|]", open + 2, StringComparison.Ordinal);
                if (close < 0)
                    throw new ArgumentException("A [| marker has no closing |].");
                text.Append(marked, at, open - at);
                int start = text.Length;
                text.Append(marked, open + 2, close - open - 2);
                spans.Add(TextSpan.FromBounds(start, text.Length));
                at = close + 2;
            }
            text.Append(marked, at, marked.Length - at);
            string source = text.ToString();
            if (source.Contains("|]", StringComparison.Ordinal))
                throw new ArgumentException("A |] marker has no opening [|.");
            return (source, spans);
        }
    }
}
