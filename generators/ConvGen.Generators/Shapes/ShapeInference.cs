using System;
using System.Collections.Generic;
using System.Linq;
using ConvGen.Generators.Diagnostics;
using ConvGen.Generators.Helpers;
using ConvGen.Generators.Model;
using ConvGen.Generators.Parsing;
using ConvGen.Generators.Weights;
using Microsoft.CodeAnalysis;

namespace ConvGen.Generators.Shapes;

internal sealed record InferenceResult(NetworkPlan? Plan, EquatableArray<NetProblem> Problems);

/// <summary>
/// The single source of truth for sizes: walks the layers in order, resolves padding, output shapes and
/// weight counts, and reports every shape mistake with the shapes that make it wrong.
/// </summary>
internal static class ShapeInference
{
    /// <summary>
    /// The most floats one tensor may hold (1 GiB, far beyond any network ConvGen targets), and the most any
    /// one extent may reach: a padded row or column, a window's span, a transposed conv's interleaved input.
    /// With every size, pad and span at most 2^28, the sums of a few of them that planning and emission
    /// compute in int cannot overflow, and neither can their products in long (<see cref="Sizes.Product"/>).
    /// </summary>
    public const long MaxElements = 1L << 28;

    /// <param name="spec">The declared network.</param>
    /// <param name="weights">The network's resolved WeightsFile, if it has one.</param>
    /// <param name="parts">The data parts the file's values are in.</param>
    public static InferenceResult Infer(NetworkSpec spec, WeightsFile? weights = null, WeightsParts? parts = null)
    {
        var problems = new List<NetProblem>();
        var parameters = new ParameterSource(spec.WeightsFile, weights, parts ?? WeightsParts.None, problems);
        if (spec.InputShape.Count is < 1 or > 3 || spec.InputShape.Any(d => d < 1))
            return new InferenceResult(null, problems.ToEquatableArray());

        Shape input = Shape.FromDeclared(spec.InputShape.ToArray());
        // Every tensor by name: its shape, where it comes from (for messages) and its layer (-1: the input).
        var tensors = new Dictionary<string, Tensor>(StringComparer.Ordinal) { ["input"] = new Tensor(input, "the network input", -1) };
        var layers = new List<LayerPlan>();
        bool failed = false;
        foreach (int i in spec.Order)
        {
            LayerSpec layer = spec.Layers[i];
            var inputs = new List<(string Name, Tensor Tensor)>();
            foreach (string name in layer.Inputs)
            {
                if (tensors.TryGetValue(name, out Tensor? tensor))
                    inputs.Add((name, tensor));
            }
            // An input whose shape is unknown (its own error is reported) leaves this layer unknown too.
            LayerPlan? plan = inputs.Count == layer.Inputs.Count && inputs.Count > 0
                ? new LayerContext(spec, layer, i, inputs, problems, parameters).Infer()
                : null;
            if (plan is null)
            {
                failed = true;
                continue;
            }
            layers.Add(plan);
            string source = layer.Kind == LayerKind.Flatten
                ? $"after {NetworkParser.Describe(layer)} of {plan.In.Describe(spec.Layout)}"
                : $"after {NetworkParser.Describe(layer)}";
            tensors[layer.Name!] = new Tensor(plan.Out, source, i);
        }
        if (failed || spec.Layers.Count == 0 || spec.Order.Count != spec.Layers.Count)
            return new InferenceResult(null, problems.ToEquatableArray());
        var result = new NetworkPlan(spec, input, tensors[spec.Layers[spec.Layers.Count - 1].Name!].Shape, layers.ToEquatableArray());
        return new InferenceResult(problems.Any(p => p.IsError) ? null : result, problems.ToEquatableArray());
    }

    /// <summary>A named tensor during inference: its shape, how messages describe its origin, its layer (-1: the network input).</summary>
    private sealed record Tensor(Shape Shape, string Source, int Layer);

    private sealed class LayerContext
    {
        private readonly NetworkSpec _network;
        private LayerSpec _layer; // a DepthwiseConv2D becomes the grouped conv it is once its input is known
        private readonly int _index;
        private readonly Shape _in;
        private readonly string _source;
        private readonly List<(string Name, Tensor Tensor)> _inputs;
        private readonly List<NetProblem> _problems;
        private readonly ParameterSource _parameters;

        public LayerContext(NetworkSpec network, LayerSpec layer, int index, List<(string Name, Tensor Tensor)> inputs, List<NetProblem> problems, ParameterSource parameters)
        {
            _network = network;
            _layer = layer;
            _index = index;
            _inputs = inputs;
            _in = inputs[0].Tensor.Shape;
            _source = inputs[0].Tensor.Source;
            _problems = problems;
            _parameters = parameters;
        }

        private string Who => NetworkParser.Describe(_layer);

        private string InputText => $"{_source}, {_in.Describe(_network.Layout)}";

        private void Problem(DiagnosticDescriptor descriptor, string? argument, params object[] args)
            => Problem(NetProblem.Create(descriptor, _index, argument, args));

        private void Problem(NetProblem problem) => _problems.Add(problem);

        /// <summary>The layer's plan; null only when its output shape is unknown (other errors still let later layers be checked).</summary>
        public LayerPlan? Infer() => Infer(_layer.Kind) is { } plan
            ? plan with { Inputs = _inputs.Select(i => i.Tensor.Layer).ToEquatableArray() }
            : null;

        private LayerPlan? Infer(LayerKind kind) => kind switch
        {
            LayerKind.Conv when _layer.DepthMultiplier > 0 => Depthwise(),
            LayerKind.Conv => Conv(),
            LayerKind.ConvTranspose => ConvTranspose(),
            LayerKind.Add or LayerKind.Concat => Merge(),
            LayerKind.ZeroPad => ZeroPad(),
            LayerKind.ChannelShuffle => ChannelShuffle(),
            LayerKind.Dense => Dense(),
            LayerKind.MaxPool or LayerKind.AvgPool => Pool(),
            LayerKind.GlobalAvgPool or LayerKind.GlobalMaxPool => GlobalPool(),
            LayerKind.Flatten => new LayerPlan(_index, _layer, _in, Shape.Vector(_in.Size)),
            LayerKind.Dropout or LayerKind.Softmax or LayerKind.Activation => new LayerPlan(_index, _layer, _in, _in),
            LayerKind.BatchNorm => BatchNorm(),
            _ => null,
        };

        /// <summary>Refuses tensors too large to index with an int or to hold in memory, before anything overflows.</summary>
        private bool TooLarge(long elements, string what)
        {
            if (elements <= MaxElements)
                return false;
            Problem(Descriptors.TooLarge, null, Who, what, elements == long.MaxValue ? "more than " + elements : elements, MaxElements);
            return true;
        }

        private bool RequireSpatialRank()
        {
            if (_in.SpatialRank == _layer.SpatialRank)
                return true;
            string needed = _layer.SpatialRank == 1 ? "1-D (C, L)" : "2-D (C, H, W)";
            string actual = _in.Rank switch { 1 => "a flat vector", 2 => "1-D", _ => "2-D" };
            Problem(Descriptors.WrongInputRank, null, Who, needed, InputText, actual);
            return false;
        }

        /// <summary>A depthwise conv is a conv with one group per input channel and DepthMultiplier filters per group.</summary>
        private LayerPlan? Depthwise()
        {
            if (!RequireSpatialRank() || TooLarge((long)_in.C * _layer.DepthMultiplier, "its output channels"))
                return null;
            _layer = _layer with { Groups = _in.C, Outputs = _in.C * _layer.DepthMultiplier };
            return Conv();
        }

        private bool GroupsDivide(int inC, int outC)
        {
            int groups = _layer.Groups;
            if (inC % groups == 0 && outC % groups == 0)
                return true;
            string which = (inC % groups, outC % groups) switch
            {
                (not 0, not 0) => $"its {Wording.Count(inC, "input channel")} or its {Wording.Count(outC, "filter")}",
                (not 0, _) => $"its {Wording.Count(inC, "input channel")}",
                _ => $"its {Wording.Count(outC, "filter")}",
            };
            Problem(Descriptors.GroupsDoNotDivide, "Groups", Who, groups, which);
            return false;
        }

        private LayerPlan? Conv()
        {
            if (!RequireSpatialRank())
                return null;
            int groups = _layer.Groups, outC = _layer.Outputs;
            if (!GroupsDivide(_in.C, outC))
                return null;
            Window? window = ResolveWindow(isPool: false, outC);
            if (window is null || !PaddingModeFits(window))
                return null;

            int inPerGroup = _in.C / groups;
            int taps = window.Taps;
            if (TooLarge(Sizes.Product(outC, inPerGroup, taps), "its weights"))
                return null;
            string kernelText = KernelText(window);
            string perGroup = groups > 1 ? " per group" : "";
            bool keras = _network.WeightLayout == WeightLayoutKind.Keras;
            long[] kernelShape = _layer.SpatialRank == 2 ? new long[] { window.KernelH, window.KernelW } : new long[] { window.KernelW };
            // Keras stores a depthwise kernel [kh, kw, channels, multiplier]: the same order as [kh, kw, 1, channels * multiplier].
            long[] kerasTail = _layer.DepthMultiplier > 0 ? new long[] { _in.C, _layer.DepthMultiplier } : new long[] { inPerGroup, outC };
            var weights = ResolveWeights(outC * inPerGroup * taps,
                keras ? kernelShape.Concat(kerasTail).ToArray() : new long[] { outC, inPerGroup }.Concat(kernelShape).ToArray(),
                keras
                    ? $"{kernelText} x {Wording.Count(inPerGroup, "input channel")}{perGroup} x {Wording.Count(outC, "filter")}, Keras order"
                    : $"{Wording.Count(outC, "filter")} x {Wording.Count(inPerGroup, "input channel")}{perGroup} x {kernelText}",
                w => keras ? KerasConvToPyTorch(w, outC, inPerGroup, taps) : w);
            // Wrong weights do not change the output shape: go on, so later layers are checked too.
            var bias = ResolveBias(outC, "filter");
            Shape output = _in.Rank == 3 ? new Shape(3, outC, window.OutH, window.OutW) : new Shape(2, outC, 1, window.OutW);
            return new LayerPlan(_index, _layer, _in, output)
            {
                Window = window,
                Weights = weights,
                Bias = bias,
                MultiplyAccumulates = (long)output.Size * inPerGroup * taps,
            };
        }

        private string KernelText(Window window) => _layer.SpatialRank == 2 ? $"{window.KernelH}x{window.KernelW}" : $"{window.KernelW}";

        /// <summary>PyTorch's limits: a reflected border must be narrower than the input, a circular one no wider.</summary>
        private bool PaddingModeFits(Window g)
        {
            if (_layer.PaddingMode is not (PaddingModeKind.Reflect or PaddingModeKind.Circular))
                return true;
            bool reflect = _layer.PaddingMode == PaddingModeKind.Reflect;
            var axes = new[] { (Math.Max(g.PadTop, g.PadBottom), g.InH, "rows"), (Math.Max(g.PadLeft, g.PadRight), g.InW, "columns") };
            foreach (var (pad, size, what) in axes.Skip(_layer.SpatialRank == 1 ? 1 : 0))
            {
                if (reflect ? pad < size : pad <= size)
                    continue;
                string noun = _layer.SpatialRank == 1 ? "elements" : what;
                Problem(Descriptors.InvalidArgument, "PaddingMode", Who, reflect
                    ? $"PaddingMode.Reflect pads {pad} {noun} from a mirror image of the input, so the input needs more than {pad} {noun}, but it ({InputText}) has {size}"
                    : $"PaddingMode.Circular pads {pad} {noun} by wrapping the input around, so the input needs at least {pad} {noun}, but it ({InputText}) has {size}");
                return false;
            }
            return true;
        }

        /// <summary>
        /// A transposed convolution: output <c>(in - 1) * stride - padBegin - padEnd + dilation * (k - 1) + outputPadding + 1</c>
        /// per axis; Same (Keras) makes it <c>in * stride</c>. The window keeps the transpose's own pads and sizes.
        /// </summary>
        private LayerPlan? ConvTranspose()
        {
            if (!RequireSpatialRank())
                return null;
            int groups = _layer.Groups, outC = _layer.Outputs;
            if (!GroupsDivide(_in.C, outC))
                return null;
            int[] kernel = _layer.Kernel.ToArray(), stride = _layer.Strides.ToArray(), dilation = _layer.Dilations.ToArray();
            int[] inSize = { _in.H, _in.W };
            var begin = new long[2];
            var end = new long[2];
            var outputPadding = new long[2];
            var outSize = new long[2];
            string[] axisNames = { "rows", "columns" };
            for (int a = 0; a < 2; a++)
            {
                long span = (kernel[a] - 1L) * dilation[a] + 1;
                outputPadding[a] = _layer.OutputPadding.Count == 2 ? _layer.OutputPadding[a] : 0;
                if (outputPadding[a] >= stride[a] && outputPadding[a] >= dilation[a])
                {
                    Problem(Descriptors.InvalidArgument, _layer.OutputPadding.Count == 2 ? "OutputPadding" : null, Who,
                        $"an output padding of {outputPadding[a]} {axisNames[a]} must be smaller than the stride ({stride[a]}) or the dilation ({dilation[a]}), as in PyTorch");
                    return null;
                }
                if (_layer.Pads.Count > 0)
                {
                    begin[a] = _layer.Pads[a];
                    end[a] = _layer.Pads[2 + a];
                }
                else if (_layer.Padding == PaddingKind.Same)
                {
                    // Keras: the transpose of a Same conv, with output padding to reach in * stride when the kernel is shorter than the stride.
                    long total = span - stride[a];
                    if (total >= 0)
                    {
                        begin[a] = total / 2;
                        end[a] = total - begin[a];
                    }
                    else
                    {
                        outputPadding[a] += -total;
                    }
                }
                outSize[a] = (inSize[a] - 1L) * stride[a] - begin[a] - end[a] + span - 1 + outputPadding[a] + 1;
                if (outSize[a] < 1)
                {
                    Problem(Descriptors.InvalidArgument, _layer.PadsWrittenAs, Who,
                        $"padding of {begin[a]} + {end[a]} {axisNames[a]} leaves no output: the transposed convolution of {inSize[a]} {axisNames[a]} ({InputText}) spans only {(inSize[a] - 1L) * stride[a] + span + outputPadding[a]}");
                    return null;
                }
                // The stride-1 conv it is lowered to reads the input with stride - 1 zeros between elements, bordered.
                if (TooLarge(span, Extent(a, "dilated window")) || TooLarge((inSize[a] - 1L) * stride[a] + 1, Extent(a, "input with zeros between its elements"))
                    || TooLarge(Math.Max(outputPadding[a], Math.Max(begin[a], end[a])), Extent(a, "padding")) || TooLarge(outSize[a] + span - 1, Extent(a, "zero-interleaved input")))
                    return null;
            }
            if (TooLarge(Sizes.Product(outC, outSize[0], outSize[1]), "its output") || TooLarge(Sizes.Product(kernel[0], kernel[1]), "its window")
                || TooLarge(Sizes.Product(_in.C, outSize[0] + (kernel[0] - 1L) * dilation[0], outSize[1] + (kernel[1] - 1L) * dilation[1]), "its zero-interleaved input"))
                return null;
            int outH = (int)outSize[0], outW = (int)outSize[1];
            // A single input row or column has no neighbour to put zeros between: any stride is the same (and kept small).
            var window = new Window(kernel[0], kernel[1], _in.H == 1 ? 1 : stride[0], _in.W == 1 ? 1 : stride[1], dilation[0], dilation[1],
                (int)begin[0], (int)begin[1], (int)end[0], (int)end[1], _in.H, _in.W, outH, outW);

            int outPerGroup = outC / groups, taps = window.Taps;
            if (TooLarge(Sizes.Product(_in.C, outPerGroup, taps), "its weights"))
                return null;
            string kernelText = KernelText(window);
            string perGroup = groups > 1 ? " per group" : "";
            bool keras = _network.WeightLayout == WeightLayoutKind.Keras;
            var weights = ResolveWeights(_in.C * outPerGroup * taps,
                keras ? new long[] { kernel[0], kernel[1], outPerGroup, _in.C } : new long[] { _in.C, outPerGroup, kernel[0], kernel[1] },
                keras
                    ? $"{kernelText} x {Wording.Count(outPerGroup, "filter")}{perGroup} x {Wording.Count(_in.C, "input channel")}, Keras order"
                    : $"{Wording.Count(_in.C, "input channel")} x {Wording.Count(outPerGroup, "filter")}{perGroup} x {kernelText}",
                w => keras ? KerasConvTransposeToPyTorch(w, _in.C, outPerGroup, taps) : w);
            var bias = ResolveBias(outC, "filter");
            return new LayerPlan(_index, _layer, _in, new Shape(3, outC, outH, outW))
            {
                Window = window,
                Weights = weights,
                Bias = bias,
                MultiplyAccumulates = (long)_in.Size * outPerGroup * taps,
            };
        }

        /// <summary>Add needs equal shapes; Concat equal ranks and spatial sizes (channels add up).</summary>
        private LayerPlan? Merge()
        {
            bool add = _layer.Kind == LayerKind.Add;
            for (int k = 1; k < _inputs.Count; k++)
            {
                Shape other = _inputs[k].Tensor.Shape;
                bool fits = add ? other == _in : other.Rank == _in.Rank && (other.Rank == 1 || (other.H == _in.H && other.W == _in.W));
                if (fits)
                    continue;
                string need = add ? "the same shape" : other.Rank != _in.Rank ? "the same rank" : "the same spatial size";
                Problem(Descriptors.MergeShapeMismatch, $"inputs[{k}]", Who, need,
                    _inputs[0].Name, _in.Describe(_network.Layout), _inputs[0].Tensor.Source,
                    _inputs[k].Name, other.Describe(_network.Layout), _inputs[k].Tensor.Source);
                return null;
            }
            if (add)
                return new LayerPlan(_index, _layer, _in, _in);
            long channels = _inputs.Sum(i => (long)i.Tensor.Shape.C);
            if (TooLarge(Sizes.Product(channels, _in.Spatial), "its output"))
                return null;
            return new LayerPlan(_index, _layer, _in, _in with { C = (int)channels });
        }

        private LayerPlan? ZeroPad()
        {
            if (!RequireSpatialRank())
                return null;
            int[] p = _layer.Pads.ToArray();
            long height = (long)_in.H + p[0] + p[2], width = (long)_in.W + p[1] + p[3];
            if (TooLarge(height, Extent(0, "output")) || TooLarge(width, Extent(1, "output")) || TooLarge(Sizes.Product(_in.C, height, width), "its output"))
                return null;
            return new LayerPlan(_index, _layer, _in, _in with { H = (int)height, W = (int)width });
        }

        private LayerPlan? ChannelShuffle()
        {
            if (_in.C % _layer.Groups != 0)
            {
                Problem(Descriptors.GroupsDoNotDivide, "groups", Who, _layer.Groups, $"its {Wording.Count(_in.C, "input channel")}");
                return null;
            }
            return new LayerPlan(_index, _layer, _in, _in);
        }

        private LayerPlan? Dense()
        {
            if (_in.Rank != 1)
            {
                Problem(Descriptors.NeedsFlatInput, null, Who, _source, _in.Describe(_network.Layout));
                return null;
            }
            int inputs = _in.C, units = _layer.Outputs;
            if (TooLarge((long)units * inputs, "its weights"))
                return null;
            // Weights that are a whole number of rows say what input the layer was built for: name both sizes.
            bool builtForOtherInput = _layer.Weights is { Count: > 0 } given && given.Count != units * inputs && given.Count % units == 0;
            if (builtForOtherInput)
                Problem(Descriptors.DenseInputMismatch, "Weights", Who, inputs, _source, _layer.Weights!.Value.Count, _layer.Weights!.Value.Count / units, units);
            bool keras = _network.WeightLayout == WeightLayoutKind.Keras;
            var weights = builtForOtherInput ? EquatableArray<float>.Empty : ResolveWeights(units * inputs,
                keras ? new long[] { inputs, units } : new long[] { units, inputs },
                keras ? $"{Wording.Count(inputs, "input")} x {Wording.Count(units, "unit")}, Keras order" : $"{Wording.Count(units, "unit")} x {Wording.Count(inputs, "input")}",
                w => keras ? Transpose(w, inputs, units) : w);
            var bias = ResolveBias(units, "unit");
            return new LayerPlan(_index, _layer, _in, Shape.Vector(units))
            {
                Weights = weights,
                Bias = bias,
                MultiplyAccumulates = (long)units * inputs,
            };
        }

        private LayerPlan? Pool()
        {
            if (!RequireSpatialRank())
                return null;
            Window? window = ResolveWindow(isPool: true, _in.C);
            if (window is null)
                return null;
            Shape output = _in.Rank == 3 ? new Shape(3, _in.C, window.OutH, window.OutW) : new Shape(2, _in.C, 1, window.OutW);
            return new LayerPlan(_index, _layer, _in, output) { Window = window };
        }

        private LayerPlan? GlobalPool()
        {
            if (_in.Rank == 1)
            {
                Problem(Descriptors.WrongInputRank, null, Who, "1-D or 2-D", InputText, "a flat vector");
                return null;
            }
            return new LayerPlan(_index, _layer, _in, Shape.Vector(_in.C));
        }

        /// <summary>Resolves pads (explicit, Same or Valid) and output sizes per axis, in long arithmetic so absurd sizes cannot overflow.</summary>
        private Window? ResolveWindow(bool isPool, int outChannels)
        {
            int rank = _layer.SpatialRank;
            int[] kernel = _layer.Kernel.ToArray(), stride = _layer.Strides.ToArray(), dilation = _layer.Dilations.ToArray();
            int[] inSize = rank == 2 ? new[] { _in.H, _in.W } : new[] { _in.W };
            var begin = new long[rank];
            var end = new long[rank];
            var outSize = new long[rank];
            var floorSize = new long[rank];
            string[] axisNames = rank == 2 ? new[] { "rows", "columns" } : new[] { "elements" };
            for (int a = 0; a < rank; a++)
            {
                long span = (kernel[a] - 1L) * dilation[a] + 1;
                if (_layer.Pads.Count > 0)
                {
                    begin[a] = _layer.Pads[a];
                    end[a] = _layer.Pads[rank + a];
                }
                else if (_layer.Padding == PaddingKind.Same)
                {
                    long wanted = (inSize[a] + stride[a] - 1L) / stride[a];
                    long total = Math.Max((wanted - 1) * stride[a] + span - inSize[a], 0);
                    begin[a] = total / 2;
                    end[a] = total - begin[a];
                }

                long padded = inSize[a] + begin[a] + end[a];
                if (TooLarge(span, Extent(a, "dilated window")) || TooLarge(padded, Extent(a, "padded input")))
                    return null;
                if (span > padded)
                {
                    string padNote = begin[a] + end[a] > 0 ? $" ({padded} with padding)" : "";
                    // The largest window that fits on every axis, for the code fix.
                    // (Same padding always fits, so only explicit pads or none get here.)
                    long[] fit = Enumerable.Range(0, rank).Select(x =>
                    {
                        long pads = _layer.Pads.Count > 0 ? (long)_layer.Pads[x] + _layer.Pads[rank + x] : 0;
                        return Math.Min(kernel[x], (inSize[x] + pads - 1) / dilation[x] + 1);
                    }).ToArray();
                    Problem(NetProblem.Create(Descriptors.WindowTooLarge, _index, KernelArgument(), Who, WindowText(kernel, dilation), _source,
                            SpatialText(), padNote, WindowFixText(fit))
                        .WithFix(NetProblem.KernelFitKey, string.Join(",", fit)));
                    return null;
                }
                if (isPool && (begin[a] > span / 2 || end[a] > span / 2))
                {
                    Problem(Descriptors.PoolPadTooLarge, _layer.Pads.Count > 0 ? "Pads" : "Padding", Who, Math.Max(begin[a], end[a]), WindowText(kernel, dilation));
                    return null;
                }

                long reach = padded - span;
                floorSize[a] = reach / stride[a] + 1;
                outSize[a] = floorSize[a];
                if (isPool && _layer.CeilMode)
                {
                    // PyTorch's ceil mode, which drops a last window that would start in the end padding.
                    outSize[a] = (reach + stride[a] - 1) / stride[a] + 1;
                    if ((outSize[a] - 1) * stride[a] >= inSize[a] + begin[a])
                        outSize[a]--;
                }
                // (A strided 1x1 window is deliberate subsampling, as in ResNet shortcuts: not worth a note.)
                if (_layer.Pads.Count == 0 && _layer.Padding == PaddingKind.Same && stride[a] > span && span > 1)
                    Problem(Descriptors.SameStrideSkipsInput, "Strides", Who, stride[a], span, stride[a] - span, axisNames[a]);
                long unread = reach % stride[a];
                if (!isPool && _layer.Padding == PaddingKind.Valid && _layer.Pads.Count == 0 && unread > 0)
                    Problem(Descriptors.StrideDropsInput, "Strides", Who, Wording.Count(unread, "input " + axisNames[a].TrimEnd('s'), "input " + axisNames[a]),
                        inSize[a], unread == 1 ? "is" : "are");
            }
            if (TooLarge(Sizes.Product(outSize.Prepend(outChannels).ToArray()), "its output")
                || TooLarge(Sizes.Product(kernel.Select(k => (long)k).ToArray()), "its window"))
                return null;
            if (!outSize.SequenceEqual(floorSize))
            {
                Problem(Descriptors.CeilModeParity, "CeilMode", Who, string.Join("x", outSize), string.Join("x", floorSize));
            }
            if (_layer.Kind == LayerKind.AvgPool && _layer.CountIncludePad is null && begin.Concat(end).Any(p => p > 0))
                Problem(Descriptors.CountIncludePadParity, null, Who);
            if (_layer.Pads.Count == 0 && _layer.Padding == PaddingKind.Same && begin.Where((b, a) => b != end[a]).Any())
            {
                string pads = rank == 2 ? $"[top {begin[0]}, left {begin[1]}, bottom {end[0]}, right {end[1]}]" : $"[left {begin[0]}, right {end[0]}]";
                string symmetric = string.Join(", ", kernel.Select((k, a) => ((k - 1L) * dilation[a] + 1) / 2));
                Problem(Descriptors.SameAsymmetricPadding, "Padding", Who, pads, rank == 2 ? $"({symmetric})" : symmetric);
            }
            // Every value is at most MaxElements now: pads and spans are inside the padded extents, which passed TooLarge.
            // A stride past the padded extent leaves one window, as any such stride does: kept at the extent, so the
            // window's own arithmetic (InteriorRowStart's ceiling) cannot overflow.
            int[] b = begin.Select(v => (int)v).ToArray(), e = end.Select(v => (int)v).ToArray(), o = outSize.Select(v => (int)v).ToArray();
            int[] s = stride.Select((v, a) => (int)Math.Min(v, inSize[a] + begin[a] + end[a])).ToArray();
            return rank == 2
                ? new Window(kernel[0], kernel[1], s[0], s[1], dilation[0], dilation[1], b[0], b[1], e[0], e[1], inSize[0], inSize[1], o[0], o[1])
                : new Window(1, kernel[0], 1, s[0], 1, dilation[0], 0, b[0], 0, e[0], 1, inSize[0], 1, o[0]);
        }

        /// <summary>One axis of a window or plane, for messages: in 2-D a column holds the rows, a row the columns.</summary>
        private string Extent(int axis, string what) => _layer.SpatialRank == 1 ? "its " + what : (axis == 0 ? "each column of its " : "each row of its ") + what;

        private string KernelArgument() => _layer.Kind == LayerKind.Conv ? "kernelSize" : "poolSize";

        private string SpatialText() => _in.Rank == 3 ? $"{_in.H}x{_in.W}x{_in.C}" : $"{_in.W} long with {Wording.Count(_in.C, "channel")}";

        /// <summary>The ways out of a window that does not fit, naming only those that apply.</summary>
        private string WindowFixText(long[] fit)
        {
            string same = _layer.PadsWrittenAs is { } pads ? "Padding.Same instead of " + pads : "Padding.Same";
            string window = $"{(_layer.Kind == LayerKind.Conv ? "a kernel" : "a pool size")} of at most {string.Join("x", fit)}";
            bool pooledBefore = _network.Layers.Take(_index).Any(l => l.Kind is LayerKind.MaxPool or LayerKind.AvgPool);
            return pooledBefore
                ? $"Use {same}, {window}, or remove a pooling layer before it."
                : $"Use {same} or {window}.";
        }

        private string WindowText(int[] kernel, int[]? dilation = null)
        {
            string size = string.Join("x", kernel);
            return dilation is not null && dilation.Any(d => d > 1)
                ? $"{size} (dilation {string.Join("x", dilation)}, spanning {string.Join("x", kernel.Select((k, a) => (k - 1) * dilation[a] + 1))})"
                : size;
        }


        /// <summary>The layer's weights in PyTorch order: inline, else from the weights file, else an error.</summary>
        private EquatableArray<float> ResolveWeights(int expected, long[] fileShape, string makeUp, Func<float[], float[]> toPyTorch)
        {
            if (_layer.Weights is { } weights)
            {
                if (weights.Count == expected)
                    return toPyTorch(weights.ToArray()).ToEquatableArray();
                // Weights that are a whole number of filters/units say how many the author meant.
                int perOutput = expected / _layer.Outputs;
                var problem = NetProblem.Create(Descriptors.WeightsLength, _index, "Weights", Who, expected, makeUp, weights.Count);
                Problem(weights.Count > 0 && weights.Count % perOutput == 0
                    ? problem.WithFix(NetProblem.InferredOutputsKey, (weights.Count / perOutput).ToString(System.Globalization.CultureInfo.InvariantCulture))
                    : problem);
                return EquatableArray<float>.Empty;
            }
            if (_parameters.HasFile)
                return _parameters.Tensor(_index, _layer.Name!, Who, "weight", fileShape, makeUp) is { } values
                    ? toPyTorch(values).ToEquatableArray()
                    : EquatableArray<float>.Empty;
            Problem(Descriptors.MissingWeights, "Weights", Who, "weights", "Weights", Wording.Count(expected, "value"));
            return EquatableArray<float>.Empty;
        }

        /// <summary>The layer's bias: inline, else from the weights file; empty with UseBias = false.</summary>
        private EquatableArray<float> ResolveBias(int expected, string per)
        {
            if (!_layer.UseBias)
            {
                if (_layer.Bias is not null)
                    Problem(Descriptors.BiasWithoutUseBias, "Bias", Who);
                return EquatableArray<float>.Empty;
            }
            if (_layer.Bias is { } bias)
            {
                if (bias.Count != expected)
                    Problem(Descriptors.BiasLength, "Bias", Who, Wording.Count(expected, "bias value"), per, bias.Count);
                return bias;
            }
            if (_parameters.HasFile)
                return _parameters.Tensor(_index, _layer.Name!, Who, "bias", new long[] { expected }, $"one per {per}", "; if the layer has none, set UseBias = false")
                    is { } values ? values.ToEquatableArray() : EquatableArray<float>.Empty;
            Problem(NetProblem.Create(Descriptors.MissingBias, _index, "Bias", Who, Wording.Count(expected, "value"))
                .WithFix(NetProblem.BiasLengthKey, expected.ToString(System.Globalization.CultureInfo.InvariantCulture)));
            return EquatableArray<float>.Empty;
        }

        /// <summary>
        /// Batch normalization as a per-channel scale and shift (computed in double), kept in the plan's
        /// Weights and Bias; the planner folds it into the layer before when it can.
        /// </summary>
        private LayerPlan BatchNorm()
        {
            int channels = _in.C;
            float[]? Parameter(EquatableArray<float>? inline, string argument, string suffix)
            {
                if (inline is { } given)
                {
                    if (given.Count == channels)
                        return given.ToArray();
                    Problem(Descriptors.WrongAxisCount, argument, Who, argument, Wording.Count(channels, "value"), "one per channel", Wording.Given(given.Count));
                    return null;
                }
                if (_parameters.HasFile)
                    return _parameters.Tensor(_index, _layer.Name!, Who, suffix, new long[] { channels }, "one per channel");
                Problem(Descriptors.MissingWeights, argument, Who, argument, argument, Wording.Count(channels, "value"));
                return null;
            }
            float[]? gamma = Parameter(_layer.Gamma, "Gamma", "weight");
            float[]? beta = Parameter(_layer.Beta, "Beta", "bias");
            float[]? mean = Parameter(_layer.Mean, "Mean", "running_mean");
            float[]? variance = Parameter(_layer.Variance, "Variance", "running_var");
            var plan = new LayerPlan(_index, _layer, _in, _in) { ParameterCount = 4L * channels };
            if (gamma is null || beta is null || mean is null || variance is null)
                return plan;
            int negative = Array.FindIndex(variance, v => v < 0);
            if (negative >= 0)
            {
                Problem(Descriptors.NegativeVariance, _layer.Variance is null ? "Name" : "Variance", Who,
                    variance[negative].ToString(System.Globalization.CultureInfo.InvariantCulture), negative);
                return plan;
            }
            var scale = new float[channels];
            var shift = new float[channels];
            for (int c = 0; c < channels; c++)
            {
                double s = gamma[c] / Math.Sqrt((double)variance[c] + _layer.Epsilon);
                scale[c] = (float)s;
                shift[c] = (float)(beta[c] - mean[c] * s);
            }
            return plan with { Weights = scale.ToEquatableArray(), Bias = shift.ToEquatableArray() };
        }

        /// <summary>Keras <c>[k..., in/groups, out]</c> to PyTorch <c>[out, in/groups, k...]</c>.</summary>
        private static float[] KerasConvToPyTorch(float[] keras, int outC, int inPerGroup, int taps)
        {
            var result = new float[keras.Length];
            for (int t = 0; t < taps; t++)
                for (int i = 0; i < inPerGroup; i++)
                    for (int o = 0; o < outC; o++)
                        result[(o * inPerGroup + i) * taps + t] = keras[(t * inPerGroup + i) * outC + o];
            return result;
        }

        /// <summary>Keras <c>[kh, kw, out/groups, in]</c> to PyTorch <c>[in, out/groups, kh, kw]</c>.</summary>
        private static float[] KerasConvTransposeToPyTorch(float[] keras, int inC, int outPerGroup, int taps)
        {
            var result = new float[keras.Length];
            for (int t = 0; t < taps; t++)
                for (int o = 0; o < outPerGroup; o++)
                    for (int i = 0; i < inC; i++)
                        result[(i * outPerGroup + o) * taps + t] = keras[(t * outPerGroup + o) * inC + i];
            return result;
        }

        /// <summary>A row-major <c>[rows, cols]</c> matrix to <c>[cols, rows]</c>.</summary>
        private static float[] Transpose(float[] m, int rows, int cols)
        {
            var result = new float[m.Length];
            for (int r = 0; r < rows; r++)
                for (int c = 0; c < cols; c++)
                    result[c * rows + r] = m[r * cols + c];
            return result;
        }
    }
}
