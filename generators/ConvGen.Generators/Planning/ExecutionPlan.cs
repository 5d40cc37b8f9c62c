using System;
using System.Collections.Generic;
using System.Linq;
using ConvGen.Generators.Helpers;
using ConvGen.Generators.Model;
using ConvGen.Generators.Shapes;

namespace ConvGen.Generators.Planning;

internal enum StepKind
{
    Conv,
    Dense,
    MaxPool,
    AvgPool,
    GlobalAvgPool,
    GlobalMaxPool,
    Activation,
    Softmax,
    /// <summary>A BatchNorm that could not be folded: a per-channel scale and shift.</summary>
    BatchNorm,
    /// <summary>(C, S) to (S, C): a channels-last Flatten or output.</summary>
    ToChannelsLast,
    /// <summary>(S, C) to (C, S): a channels-last input.</summary>
    ToChannelsFirst,
    Copy,
    /// <summary>Copies a conv's input into a zero-bordered buffer, so the conv itself never checks bounds.</summary>
    Pad,
}

internal enum BufferKind { Input, Output, Scratch }

/// <summary>Where a step reads or writes: the caller's input or output span, or a slice of scratch.</summary>
internal sealed record Buffer(BufferKind Kind, int Offset, int Length);

/// <summary>One call in the generated Run: a kernel over a layer (or an implicit layout change).</summary>
internal sealed record Step(StepKind Kind, LayerPlan? Layer, Shape In, Shape Out, Buffer Source, Buffer Target)
{
    public ActivationKind Activation { get; init; }
    public float Alpha { get; init; }

    /// <summary>A name for the step's method, unique within the network.</summary>
    public string MethodName { get; init; } = "";
}

/// <summary>The steps of Run with their buffers, and the scratch size they need.</summary>
internal sealed record ExecutionPlan(NetworkPlan Network, EquatableArray<Step> Steps, int ScratchLength)
{
    /// <summary>
    /// Plans with zero-bordered input copies for padded convs (faster: no bounds checks anywhere) when they
    /// cost no extra scratch, else without them: memory is what small devices run out of first.
    /// </summary>
    public static ExecutionPlan Create(NetworkPlan network)
    {
        ExecutionPlan padded = Planner.Plan(network, padConvInputs: true);
        ExecutionPlan plain = Planner.Plan(network, padConvInputs: false);
        return padded.ScratchLength <= plain.ScratchLength ? padded : plain;
    }
}

/// <summary>
/// Lowers layers to steps and places every intermediate tensor in scratch. Element-wise steps run in
/// place; Flatten (channels first) and Dropout are views and cost nothing. Offsets are assigned greedily,
/// largest tensor first, at the lowest offset free for its whole lifetime (as TensorFlow Lite Micro's
/// greedy planner), so ScratchLength is close to the peak of simultaneously live activations.
/// </summary>
internal static class Planner
{
    /// <summary>A value produced by a step; in-place steps extend the value they update.</summary>
    private sealed class Value
    {
        public int Size;
        public int FirstStep;
        public int LastStep;
        public BufferKind Kind = BufferKind.Scratch;
        public int Offset;
    }

    private sealed record PendingStep(StepKind Kind, LayerPlan? Layer, Shape In, Shape Out, Value Source, Value Target, ActivationKind Activation, float Alpha);

    public static ExecutionPlan Plan(NetworkPlan network, bool padConvInputs)
    {
        network = FoldBatchNorms(network);
        var layout = network.Spec.Layout;
        var inputValue = new Value { Size = network.Input.Size, Kind = BufferKind.Input, FirstStep = -1 };
        var steps = new List<PendingStep>();
        Value current = inputValue;
        Shape shape = network.Input;

        void Add(StepKind kind, LayerPlan? layer, Shape outShape, bool inPlace, ActivationKind activation = ActivationKind.None, float alpha = 0)
        {
            Value target = inPlace && current.Kind != BufferKind.Input ? current : new Value { Size = outShape.Size, FirstStep = steps.Count };
            current.LastStep = steps.Count;
            steps.Add(new PendingStep(kind, layer, shape, outShape, current, target, activation, alpha));
            current = target;
            shape = outShape;
        }

        // A padded conv reads a zero-bordered copy of its input: every window then lies inside, so the
        // unrolled kernel runs everywhere, with no branch per output.
        LayerPlan PadFirst(LayerPlan conv)
        {
            Window g = conv.Window!;
            if (!padConvInputs || g.PadTop + g.PadLeft + g.PadBottom + g.PadRight == 0)
                return conv;
            long paddedHeight = (long)g.InH + g.PadTop + g.PadBottom, paddedWidth = (long)g.InW + g.PadLeft + g.PadRight;
            if (shape.C * paddedHeight * paddedWidth > Shapes.ShapeInference.MaxElements)
                return conv; // absurd padding: keep the bounds-checked border path rather than a huge copy
            int height = (int)paddedHeight, width = (int)paddedWidth;
            Add(StepKind.Pad, conv, shape with { H = height, W = width }, false);
            return conv with { Window = g with { PadTop = 0, PadLeft = 0, PadBottom = 0, PadRight = 0, InH = height, InW = width } };
        }

        bool NeedsTranspose(Shape s) => layout == LayoutKind.ChannelsLast && s.Rank > 1 && s.C > 1 && s.Spatial > 1;

        if (NeedsTranspose(shape))
            Add(StepKind.ToChannelsFirst, null, shape, inPlace: false);

        foreach (LayerPlan layer in network.Layers)
        {
            LayerSpec spec = layer.Spec;
            // Softmax as a fused activation is a pass of its own over the finished output.
            var fused = spec.Activation == ActivationKind.Softmax ? ActivationKind.None : spec.Activation;
            switch (spec.Kind)
            {
                case LayerKind.Conv:
                    Add(StepKind.Conv, PadFirst(layer), layer.Out, false, fused, spec.Alpha);
                    break;
                case LayerKind.Dense: Add(StepKind.Dense, layer, layer.Out, false, fused, spec.Alpha); break;
                case LayerKind.MaxPool: Add(StepKind.MaxPool, layer, layer.Out, false); break;
                case LayerKind.AvgPool: Add(StepKind.AvgPool, layer, layer.Out, false); break;
                case LayerKind.GlobalAvgPool: Add(StepKind.GlobalAvgPool, layer, layer.Out, false); break;
                case LayerKind.GlobalMaxPool: Add(StepKind.GlobalMaxPool, layer, layer.Out, false); break;
                case LayerKind.Softmax: Add(StepKind.Softmax, layer, layer.Out, true); break;
                case LayerKind.Activation when spec.Activation == ActivationKind.Softmax: Add(StepKind.Softmax, layer, layer.Out, true); break;
                case LayerKind.Activation when spec.Activation != ActivationKind.None:
                    // Conv or Dense, then an activation layer (as after a folded BatchNorm): one step, activation fused.
                    if (steps.Count > 0 && steps[steps.Count - 1] is { Kind: StepKind.Conv or StepKind.Dense, Activation: ActivationKind.None } last
                        && last.Target == current && current.Kind != BufferKind.Input)
                        steps[steps.Count - 1] = last with { Activation = spec.Activation, Alpha = spec.Alpha };
                    else
                        Add(StepKind.Activation, layer, layer.Out, true, spec.Activation, spec.Alpha);
                    break;
                case LayerKind.BatchNorm when layer.FoldedInto is null:
                    Add(StepKind.BatchNorm, layer, layer.Out, true);
                    break;
                case LayerKind.Flatten:
                    if (NeedsTranspose(shape)) Add(StepKind.ToChannelsLast, layer, layer.Out, false);
                    else shape = layer.Out; // a view: same memory, new shape
                    break;
                case LayerKind.Dropout:
                    break;
            }
            if ((spec.Kind is LayerKind.Conv or LayerKind.Dense) && spec.Activation == ActivationKind.Softmax)
                Add(StepKind.Softmax, layer, layer.Out, true);
        }

        if (NeedsTranspose(shape))
            Add(StepKind.ToChannelsLast, null, shape, false);
        if (current.Kind == BufferKind.Input)
            Add(StepKind.Copy, null, shape, false);

        // The last value is the caller's output span; everything else lives in scratch.
        current.Kind = BufferKind.Output;
        var scratchValues = steps.SelectMany(s => new[] { s.Source, s.Target })
            .Where(v => v.Kind == BufferKind.Scratch).Distinct().ToList();
        int scratchLength = AssignOffsets(scratchValues);

        var names = new HashSet<string>(StringComparer.Ordinal);
        var result = steps.Select((s, i) => new Step(s.Kind, s.Layer, s.In, s.Out, BufferOf(s.Source), BufferOf(s.Target))
        {
            Activation = s.Activation,
            Alpha = s.Alpha,
            MethodName = UniqueName(names, s.Kind, s.Layer),
        });
        return new ExecutionPlan(network, result.ToEquatableArray(), scratchLength);
    }

    /// <summary>
    /// Folds each BatchNorm into the Conv or Dense right before it when that layer has no activation:
    /// <c>W' = W * scale</c>, <c>b' = b * scale + shift</c> per output channel, at build time. The folded
    /// layer keeps its declared parameter count for Summary; the BatchNorm is marked as folded.
    /// </summary>
    private static NetworkPlan FoldBatchNorms(NetworkPlan network)
    {
        var layers = network.Layers.ToList();
        for (int i = 1; i < layers.Count; i++)
        {
            LayerPlan norm = layers[i], before = layers[i - 1];
            if (norm.Spec.Kind != LayerKind.BatchNorm || norm.Weights.Count == 0
                || before.Spec.Kind is not (LayerKind.Conv or LayerKind.Dense) || before.Spec.Activation != ActivationKind.None)
                continue;
            int channels = before.Out.C, perChannel = before.Weights.Count / channels;
            var weights = before.Weights.ToArray();
            var bias = new float[channels];
            for (int c = 0; c < channels; c++)
            {
                float scale = norm.Weights[c];
                for (int k = 0; k < perChannel; k++)
                    weights[c * perChannel + k] *= scale;
                bias[c] = (before.Bias.Count > 0 ? before.Bias[c] : 0f) * scale + norm.Bias[c];
            }
            layers[i - 1] = before with { Weights = weights.ToEquatableArray(), Bias = bias.ToEquatableArray(), ParameterCount = before.Parameters };
            layers[i] = norm with { FoldedInto = before.Name };
        }
        return network with { Layers = layers.ToEquatableArray() };
    }

    private static Buffer BufferOf(Value v) => new(v.Kind, v.Offset, v.Size);

    /// <summary>Greedy by size: each value takes the lowest offset that no value alive at the same time uses.</summary>
    /// <remarks>
    /// Offsets are summed in long: many tensors near the size limit could pass int. A plan past the limit
    /// reports the int-clamped total, which NetworkAnalysis refuses (CG0025), so it is never emitted.
    /// </remarks>
    private static int AssignOffsets(List<Value> values)
    {
        var placed = new List<Value>();
        long length = 0;
        foreach (Value v in values.OrderByDescending(v => v.Size).ThenBy(v => v.FirstStep))
        {
            long offset = 0;
            foreach (Value other in placed.Where(o => o.FirstStep <= v.LastStep && v.FirstStep <= o.LastStep).OrderBy(o => o.Offset))
            {
                if (offset + v.Size <= other.Offset)
                    break;
                offset = Math.Max(offset, (long)other.Offset + other.Size);
            }
            v.Offset = (int)Math.Min(offset, int.MaxValue);
            placed.Add(v);
            length = Math.Max(length, offset + v.Size);
        }
        return (int)Math.Min(length, int.MaxValue);
    }

    private static string UniqueName(HashSet<string> taken, StepKind kind, LayerPlan? layer)
    {
        string stem = layer is null ? kind.ToString() : kind + "_" + Identifier(layer.Name);
        string name = stem;
        for (int n = 2; !taken.Add(name); n++)
            name = stem + "_" + n;
        return name;
    }

    private static string Identifier(string name)
    {
        var chars = name.Select(c => char.IsLetterOrDigit(c) ? c : '_').ToArray();
        return new string(chars);
    }
}
