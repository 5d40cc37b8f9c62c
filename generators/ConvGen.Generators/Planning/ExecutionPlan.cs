using System;
using System.Collections.Generic;
using System.Linq;
using ConvGen.Generators.Helpers;
using ConvGen.Generators.Model;
using ConvGen.Generators.Parsing;
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
    /// <summary>
    /// A bordered copy (<see cref="PadGeometry"/>): ZeroPad2D, the zero border that spares a conv its bounds
    /// checks, a conv's Reflect/Replicate/Circular border, or a transposed conv's zero-interleaved input.
    /// </summary>
    Pad,
    Add,
    Concat,
    ChannelShuffle,
    /// <summary>(C, H, W) to channel blocks (C / 8, H, W, 8), where a chain of blocked steps starts (<see cref="ChannelBlocks"/>).</summary>
    ToChannelBlocks,
    /// <summary>Channel blocks back to (C, H, W), where a step that reads the plain layout follows a blocked one.</summary>
    FromChannelBlocks,
}

internal enum BufferKind { Input, Output, Scratch }

/// <summary>Where a step reads or writes: the caller's input or output span, or a slice of scratch.</summary>
internal sealed record Buffer(BufferKind Kind, int Offset, int Length);

/// <summary>
/// A Pad step's geometry: input element (y, x) goes to (y * StrideH + Top, x * StrideW + Left) of the output;
/// the rest is zero, or filled by <see cref="Mode"/>. Negative pads crop.
/// </summary>
internal sealed record PadGeometry(int Top, int Left, int Bottom, int Right, int StrideH, int StrideW, PaddingModeKind Mode)
{
    /// <summary>
    /// Above 1, each channel of the bordered result is stored as this many planes split by column phase: the
    /// bordered (y, x) at plane x % ColumnPhases, column x / ColumnPhases (planes ceil(width / ColumnPhases)
    /// wide). A conv strided across by ColumnPhases then reads adjacent columns for adjacent outputs.
    /// </summary>
    public int ColumnPhases { get; init; } = 1;
}

/// <summary>One call in the generated Run: a kernel over a layer (or an implicit layout change).</summary>
internal sealed record Step(StepKind Kind, LayerPlan? Layer, Shape In, Shape Out, EquatableArray<Buffer> Sources, Buffer Target)
{
    public Buffer Source => Sources[0];

    /// <summary>The shape of each source (Add and Concat have several).</summary>
    public EquatableArray<Shape> Inputs { get; init; } = EquatableArray<Shape>.Empty;

    public ActivationKind Activation { get; init; }
    public float Alpha { get; init; }
    public PadGeometry? Pad { get; init; }

    /// <summary>
    /// The step reads and writes tensors in channel blocks, (C / 8, H, W, 8) (see <see cref="ChannelBlocks"/>);
    /// a blocked global pool or Dense writes its vector result as usual (a Dense's <see cref="In"/> is then the
    /// map it flattens, whose blocks its permuted weights read).
    /// </summary>
    public bool Blocked { get; init; }

    /// <summary>A plain conv that writes its output in channel blocks, for the blocked steps that read it.</summary>
    public bool WritesBlocks { get; init; }

    /// <summary>
    /// Set when the step writes straight into a zero-bordered copy of its output (whose own step is gone):
    /// the target is (C, H + Top + Bottom, W + Left + Right) with the results inside the border.
    /// </summary>
    public PadGeometry? Border { get; init; }

    /// <summary>
    /// Scratch the step's kernel works in, alive only during the step (<see cref="Emit.NetworkEmitter.WorkFloats"/>):
    /// on the stack it would be zeroed on every call and could overflow a small thread's stack.
    /// </summary>
    public Buffer? Work { get; init; }

    /// <summary>A name for the step's method, unique within the network.</summary>
    public string MethodName { get; init; } = "";
}

/// <summary>The largest total of activations alive at once, and the step where it happens.</summary>
internal sealed record MemoryPeak(long Floats, string Where);

/// <summary>The steps of Run with their buffers, and the scratch size they need.</summary>
internal sealed record ExecutionPlan(NetworkPlan Network, EquatableArray<Step> Steps, int ScratchLength, MemoryPeak Peak)
{
    /// <summary>
    /// Plans with zero-bordered input copies for padded convs (faster: the conv then runs the vectorized
    /// row kernel with no bounds checks) unless they cost more than half as much scratch again (and over
    /// 16 KiB more), or push a network with a <c>MaxRamBytes</c> budget over it: memory is what small devices
    /// run out of first. (Without copies a fast kernel stages its planes in its work span: often as much.)
    /// </summary>
    public static ExecutionPlan Create(NetworkPlan network)
    {
        ExecutionPlan padded = Planner.Plan(network, padConvInputs: true);
        ExecutionPlan plain = Planner.Plan(network, padConvInputs: false);
        long budget = network.Spec.MaxRamBytes, fixedBytes = 4L * (network.Input.Size + network.Output.Size);
        if (budget > 0 && fixedBytes + 4L * padded.ScratchLength > budget)
            return plain.ScratchLength < padded.ScratchLength ? plain : padded; // the smaller plan, in or out of budget
        bool affordable = padded.ScratchLength <= Math.Max(plain.ScratchLength * 3L / 2, plain.ScratchLength + 4096L);
        return affordable ? padded : plain;
    }

    /// <summary>The sum of every activation the network computes (what a planner without reuse would need).</summary>
    public long ActivationTotal => Network.Layers.Where(l => Steps.Any(s => s.Layer?.Index == l.Index)).Sum(l => (long)l.Out.Size);
}

/// <summary>
/// Lowers the layer graph to steps and places every intermediate tensor in scratch. Layers nothing reads
/// are dropped; Flatten (channels first), Dropout and folded BatchNorms are views that cost nothing; an
/// activation merges into the Conv, Dense or Add that feeds only it; element-wise steps run in place on
/// an input that nothing reads afterwards. Offsets are assigned greedily, largest tensor first, at the
/// lowest offset free for its whole lifetime (as TensorFlow Lite Micro's greedy planner), so ScratchLength
/// is close to the peak of simultaneously live activations.
/// </summary>
internal static class Planner
{
    /// <summary>A tensor produced by a step; in-place steps and fused activations reuse the value they update.</summary>
    private sealed class Value
    {
        public int Size;
        public int FirstStep;
        public int LastStep;
        public BufferKind Kind = BufferKind.Scratch;
        public int Offset;
    }

    private sealed class PendingStep
    {
        public StepKind Kind;
        public LayerPlan? Layer;
        public Shape In = null!;
        public Shape Out = null!;
        public List<Value> Sources = new();
        public List<Shape> Inputs = new();
        public Value Target = null!;
        public ActivationKind Activation;
        public float Alpha;
        public PadGeometry? Pad;
        public bool Blocked;
        public bool WritesBlocks;
        public PadGeometry? Border;
        public Value? Work;
    }

    private readonly record struct Tensor(Value Value, Shape Shape);

    public static ExecutionPlan Plan(NetworkPlan network, bool padConvInputs)
    {
        network = FoldBatchNorms(network);
        var layout = network.Spec.Layout;
        var steps = new List<PendingStep>();

        Tensor Emit(StepKind kind, LayerPlan? layer, IReadOnlyList<Tensor> sources, Shape outShape, ActivationKind activation = ActivationKind.None, float alpha = 0, PadGeometry? pad = null)
        {
            var target = new Value { Size = outShape.Size };
            steps.Add(new PendingStep
            {
                Kind = kind, Layer = layer, In = sources[0].Shape, Out = outShape,
                Sources = sources.Select(t => t.Value).ToList(), Inputs = sources.Select(t => t.Shape).ToList(),
                Target = target, Activation = activation, Alpha = alpha, Pad = pad,
            });
            return new Tensor(target, outShape);
        }

        bool NeedsTranspose(Shape s) => layout == LayoutKind.ChannelsLast && s.Rank > 1 && s.C > 1 && s.Spatial > 1;

        // A padded conv reads a bordered copy of its input: every window then lies inside, so the unrolled
        // kernel runs everywhere with no branch per output. Reflect/Replicate/Circular borders always do.
        (Tensor, LayerPlan) PadFirst(Tensor x, LayerPlan conv)
        {
            Window g = conv.Window!;
            bool modeBorder = conv.Spec.PaddingMode != PaddingModeKind.Zeros;
            if (g.PadTop + g.PadLeft + g.PadBottom + g.PadRight == 0 || !(padConvInputs || modeBorder))
                return (x, conv);
            long paddedHeight = (long)g.InH + g.PadTop + g.PadBottom, paddedWidth = (long)g.InW + g.PadLeft + g.PadRight;
            if (!modeBorder && Sizes.Product(x.Shape.C, paddedHeight, paddedWidth) > ShapeInference.MaxElements)
                return (x, conv); // absurd padding: keep the bounds-checked border path rather than a huge copy
            int height = (int)paddedHeight, width = (int)paddedWidth;
            var geometry = new PadGeometry(g.PadTop, g.PadLeft, g.PadBottom, g.PadRight, 1, 1, conv.Spec.PaddingMode);
            Window bordered = g.Bordered();
            // Strided across, the copy also splits columns by phase, so that the conv's vector kernels read
            // adjacent outputs' inputs side by side (MobileNet's stride-2 convs: 3x fewer cycles than a kernel
            // vectorized over channels, which stores lane by lane) - for rows the row kernel takes.
            if (g.StrideW > 1 && !modeBorder && g.OutW >= ConvGen.Generators.Emit.ConvEmitter.MinRowWidth && !ChannelBlocks.Suits(conv with { Window = bordered }))
            {
                int phases = g.StrideW, phaseWidth = (width + phases - 1) / phases;
                Tensor split = Emit(StepKind.Pad, conv, new[] { x }, x.Shape with { H = phases * height, W = phaseWidth },
                    pad: geometry with { ColumnPhases = phases });
                return (split, conv with { Window = bordered with { InH = phases * height, InW = phaseWidth, StrideW = 1, ColumnPhases = phases } });
            }
            Tensor padded = Emit(StepKind.Pad, conv, new[] { x }, x.Shape with { H = height, W = width }, pad: geometry);
            return (padded, conv with { Window = bordered });
        }

        var live = LiveLayers(network);
        var tensors = new Dictionary<int, Tensor>();
        var input = new Tensor(new Value { Size = network.Input.Size, Kind = BufferKind.Input }, network.Input);
        tensors[-1] = NeedsTranspose(input.Shape) ? Emit(StepKind.ToChannelsFirst, null, new[] { input }, input.Shape) : input;

        foreach (LayerPlan layer in network.Layers.Where(l => live.Contains(l.Index)))
        {
            LayerSpec spec = layer.Spec;
            var ins = layer.Inputs.Select(i => tensors[i]).ToList();
            Tensor x = ins[0];
            // Softmax as a fused activation is a pass of its own over the finished output.
            var fused = spec.Activation == ActivationKind.Softmax ? ActivationKind.None : spec.Activation;
            Tensor result = spec.Kind switch
            {
                LayerKind.Conv => Conv(x, layer),
                LayerKind.ConvTranspose => Conv(Emit(StepKind.Pad, layer, new[] { x }, TransposeInput(layer, out PadGeometry geometry), pad: geometry), LowerTranspose(layer)),
                LayerKind.Dense => Emit(StepKind.Dense, layer, ins, layer.Out, fused, spec.Alpha),
                LayerKind.MaxPool => Emit(StepKind.MaxPool, layer, ins, layer.Out),
                LayerKind.AvgPool => Emit(StepKind.AvgPool, layer, ins, layer.Out),
                LayerKind.GlobalAvgPool => Emit(StepKind.GlobalAvgPool, layer, ins, layer.Out),
                LayerKind.GlobalMaxPool => Emit(StepKind.GlobalMaxPool, layer, ins, layer.Out),
                LayerKind.Softmax => Emit(StepKind.Softmax, layer, ins, layer.Out),
                LayerKind.Activation when spec.Activation == ActivationKind.Softmax => Emit(StepKind.Softmax, layer, ins, layer.Out),
                LayerKind.Activation when spec.Activation != ActivationKind.None => Emit(StepKind.Activation, layer, ins, layer.Out, spec.Activation, spec.Alpha),
                LayerKind.BatchNorm when layer.FoldedInto is null => Emit(StepKind.BatchNorm, layer, ins, layer.Out),
                LayerKind.Flatten when NeedsTranspose(x.Shape) => Emit(StepKind.ToChannelsLast, layer, ins, layer.Out),
                LayerKind.Add => Emit(StepKind.Add, layer, ins, layer.Out),
                LayerKind.Concat => Emit(StepKind.Concat, layer, ins, layer.Out),
                LayerKind.ZeroPad => Emit(StepKind.Pad, layer, ins, layer.Out,
                    pad: new PadGeometry(spec.Pads[0], spec.Pads[1], spec.Pads[2], spec.Pads[3], 1, 1, PaddingModeKind.Zeros)),
                LayerKind.ChannelShuffle => Emit(StepKind.ChannelShuffle, layer, ins, layer.Out),
                _ => new Tensor(x.Value, layer.Out), // Flatten (channels first), Dropout, a folded BatchNorm: views
            };
            if (spec.Kind is LayerKind.Conv or LayerKind.ConvTranspose or LayerKind.Dense && spec.Activation == ActivationKind.Softmax)
                result = Emit(StepKind.Softmax, layer, new[] { result }, layer.Out);
            tensors[layer.Index] = result;

            Tensor Conv(Tensor source, LayerPlan conv)
            {
                var (padded, lowered) = PadFirst(source, conv);
                return Emit(StepKind.Conv, lowered, new[] { padded }, layer.Out, fused, spec.Alpha);
            }
        }

        Tensor output = tensors[network.Spec.Layers.Count - 1];
        if (NeedsTranspose(output.Shape))
            output = Emit(StepKind.ToChannelsLast, null, new[] { output }, output.Shape);
        else if (output.Value.Kind == BufferKind.Input)
            output = Emit(StepKind.Copy, null, new[] { output }, output.Shape);

        FuseActivations(steps);
        BlockChannels(steps);
        RunInPlace(steps);
        foreach (PendingStep step in steps)
            if (ConvGen.Generators.Emit.NetworkEmitter.WorkFloats(Draft(step)) is > 0 and var work)
                step.Work = new Value { Size = work };
        // The last value is the caller's output span; everything else lives in scratch.
        steps[steps.Count - 1].Target.Kind = BufferKind.Output;

        var scratchValues = SetLifetimes(steps);
        int scratchLength = AssignOffsets(scratchValues);
        var peak = Peak(steps, scratchValues);

        var names = new HashSet<string>(StringComparer.Ordinal);
        var planned = steps.Select(s => Draft(s) with { MethodName = UniqueName(names, s.Kind, s.Layer) });
        return new ExecutionPlan(network, planned.ToEquatableArray(), scratchLength, peak);
    }

    /// <summary>The step as planned so far (buffers as their values now stand).</summary>
    private static Step Draft(PendingStep s) => new(s.Kind, s.Layer, s.In, s.Out, s.Sources.Select(BufferOf).ToEquatableArray(), BufferOf(s.Target))
    {
        Inputs = s.Inputs.ToEquatableArray(),
        Activation = s.Activation,
        Alpha = s.Alpha,
        Pad = s.Pad,
        Blocked = s.Blocked,
        WritesBlocks = s.WritesBlocks,
        Border = s.Border,
        Work = s.Work is null ? null : BufferOf(s.Work),
    };

    /// <summary>The layers the output depends on; the others (reported as unused) are not computed.</summary>
    private static HashSet<int> LiveLayers(NetworkPlan network)
    {
        var byIndex = network.Layers.ToDictionary(l => l.Index);
        var live = new HashSet<int>();
        var pending = new Stack<int>(new[] { network.Spec.Layers.Count - 1 });
        while (pending.Count > 0)
        {
            int index = pending.Pop();
            if (index >= 0 && live.Add(index))
                foreach (int input in byIndex[index].Inputs)
                    pending.Push(input);
        }
        return live;
    }

    /// <summary>
    /// A transposed conv is a stride-1 conv over its input with (stride - 1) zeros between elements and a
    /// border of <c>dilation * (k - 1) - pad</c> (plus the output padding at the end): this is that input's shape.
    /// </summary>
    private static Shape TransposeInput(LayerPlan layer, out PadGeometry geometry)
    {
        Window t = layer.Window!;
        int spanH = t.DilationH * (t.KernelH - 1), spanW = t.DilationW * (t.KernelW - 1);
        int outputPadH = t.OutH - ((t.InH - 1) * t.StrideH - t.PadTop - t.PadBottom + spanH + 1);
        int outputPadW = t.OutW - ((t.InW - 1) * t.StrideW - t.PadLeft - t.PadRight + spanW + 1);
        geometry = new PadGeometry(spanH - t.PadTop, spanW - t.PadLeft, spanH - t.PadBottom + outputPadH, spanW - t.PadRight + outputPadW,
            t.StrideH, t.StrideW, PaddingModeKind.Zeros);
        return layer.In with { H = t.OutH + spanH, W = t.OutW + spanW };
    }

    /// <summary>The stride-1 conv a transposed conv becomes: weights <c>[in, out/g, kh, kw]</c> to <c>[out, in/g, kh, kw]</c>, flipped in space.</summary>
    private static LayerPlan LowerTranspose(LayerPlan layer)
    {
        Window t = layer.Window!;
        int groups = layer.Spec.Groups, inC = layer.In.C, outC = layer.Out.C;
        int inPerGroup = inC / groups, outPerGroup = outC / groups, taps = t.Taps;
        var weights = new float[layer.Weights.Count];
        for (int i = 0; i < inC; i++)
            for (int o = 0; o < outPerGroup; o++)
                for (int tap = 0; tap < taps; tap++)
                {
                    int g = i / inPerGroup;
                    weights[((g * outPerGroup + o) * inPerGroup + i % inPerGroup) * taps + (taps - 1 - tap)] = layer.Weights[(i * outPerGroup + o) * taps + tap];
                }
        int spanH = t.DilationH * (t.KernelH - 1), spanW = t.DilationW * (t.KernelW - 1);
        return layer with
        {
            Spec = layer.Spec with { Kind = LayerKind.Conv, Strides = new[] { 1, 1 }.ToEquatableArray(), Pads = EquatableArray<int>.Empty, Padding = PaddingKind.Valid },
            Window = new Window(t.KernelH, t.KernelW, 1, 1, t.DilationH, t.DilationW, 0, 0, 0, 0, t.OutH + spanH, t.OutW + spanW, t.OutH, t.OutW),
            Weights = weights.ToEquatableArray(),
        };
    }

    /// <summary>An activation whose input only it reads is applied by the Conv, Dense or Add that made the input.</summary>
    private static void FuseActivations(List<PendingStep> steps)
    {
        foreach (PendingStep step in steps.Where(s => s.Kind == StepKind.Activation).ToList())
        {
            Value input = step.Sources[0];
            PendingStep? producer = steps.FirstOrDefault(s => s.Target == input);
            if (producer is not { Kind: StepKind.Conv or StepKind.Dense or StepKind.Add, Activation: ActivationKind.None }
                || steps.Count(s => s.Sources.Contains(input)) != 1)
                continue;
            producer.Activation = step.Activation;
            producer.Alpha = step.Alpha;
            steps.Remove(step);
            Replace(steps, step.Target, input);
        }
    }

    /// <summary>
    /// Depthwise, pointwise and short-row convs (and the bordered copies, pools and global pools around them)
    /// run in channel blocks (<see cref="ChannelBlocks"/>) where they form chains: a conv with no blocked
    /// neighbour stays as it is. Tensors change layout where a blocked step meets a plain one; the network's
    /// input and output stay plain (the last step runs blocked only as a global pool or a Dense, which read
    /// blocks and write a vector). A Dense reads blocks as they are: its weights are permuted at build time.
    /// </summary>
    private static void BlockChannels(List<PendingStep> steps)
    {
        PendingStep? ProducerOf(Value v) => steps.FirstOrDefault(s => s.Target == v);
        IEnumerable<PendingStep> ConsumersOf(Value v) => steps.Where(s => s.Sources.Contains(v));
        bool IsPool(PendingStep s) => s.Kind is StepKind.MaxPool or StepKind.AvgPool && ChannelBlocks.Suits(s.Layer!.Window!, s.In);
        // Readers that take blocks at no cost: a Dense (permuted weights) or a global average pool over a map.
        bool ReadsBlocksFree(PendingStep s) => s.Kind is StepKind.Dense or StepKind.GlobalAvgPool
            && ProducerOf(s.Sources[0]) is { Out: { Rank: > 1 } map } && map.C % ChannelBlocks.Lanes == 0;
        // Whether a step's result is in blocks (a blocked global pool's or Dense's vector is not).
        bool ResultInBlocks(PendingStep? s) => s is { Blocked: true, Kind: not (StepKind.GlobalAvgPool or StepKind.Dense) };
        // A plain conv whose vectors already run over channels could write blocks itself.
        bool CanWriteBlocks(PendingStep s) => s is { Kind: StepKind.Conv, Blocked: false } && ConvGen.Generators.Emit.ConvEmitter.CanWriteBlocks(Draft(s));

        foreach (PendingStep step in steps)
            step.Blocked = step.Kind == StepKind.Conv && ChannelBlocks.Suits(step.Layer!);
        steps[steps.Count - 1].Blocked = false; // it writes the caller's output
        foreach (PendingStep step in steps.Where(s => s.Kind == StepKind.Pad))
            step.Blocked = ChannelBlocks.Suits(step.Pad!, step.In) && ConsumersOf(step.Target).All(c => c.Blocked);
        // A conv alone among plain steps would pay two layout changes for one faster kernel. Pools and bordered
        // copies between it and its neighbours go either way.
        foreach (PendingStep step in steps.Where(s => s.Blocked && s.Kind == StepKind.Conv).ToList())
        {
            PendingStep? feeding = ProducerOf(step.Sources[0]);
            while (feeding is { Kind: StepKind.Pad, Blocked: true } || feeding is not null && IsPool(feeding))
                feeding = ProducerOf(feeding.Sources[0]);
            var readers = ConsumersOf(step.Target).ToList();
            while (readers.Count == 1 && IsPool(readers[0]) && readers[0] != steps[steps.Count - 1])
                readers = ConsumersOf(readers[0].Target).ToList();
            if (feeding is not { Blocked: true } && !readers.Any(c => c.Blocked || ReadsBlocksFree(c)))
            {
                step.Blocked = false;
                if (ProducerOf(step.Sources[0]) is { Kind: StepKind.Pad } pad)
                    pad.Blocked = false;
            }
        }
        // Pools run blocked after a blocked step, before blocked steps only, or between a conv that can write
        // blocks and readers that take them. (Backwards: a pool before a blocked bordered copy sees it decided.)
        for (int i = steps.Count - 2; i >= 0; i--)
        {
            PendingStep pool = steps[i];
            if (!IsPool(pool))
                continue;
            PendingStep? producer = ProducerOf(pool.Sources[0]);
            var readers = ConsumersOf(pool.Target).ToList();
            pool.Blocked = ResultInBlocks(producer)
                || readers.All(c => c.Blocked)
                || producer is not null && CanWriteBlocks(producer) && ConsumersOf(producer.Target).All(IsPool) && readers.All(c => c.Blocked || ReadsBlocksFree(c));
        }
        // Global pools and Dense layers read blocks where their input comes in blocks (the global pool's result,
        // a vector, is plain), and a Dense alone after a conv that can write blocks has it do so.
        foreach (PendingStep step in steps.Where(ReadsBlocksFree))
        {
            PendingStep producer = ProducerOf(step.Sources[0])!;
            step.Blocked = ResultInBlocks(producer)
                || step.Kind == StepKind.Dense && CanWriteBlocks(producer) && ConsumersOf(producer.Target).All(c => c == step);
            if (step.Blocked && step.Kind == StepKind.Dense)
                step.In = producer.Out; // the map it flattens: the permutation needs its channels and positions
        }

        // Layout changes: after each value's producer (or first, for the input), for the consumers that read the other layout.
        foreach (Value value in steps.SelectMany(s => s.Sources).Distinct().ToList())
        {
            PendingStep? producer = ProducerOf(value);
            bool blocked = ResultInBlocks(producer);
            var readers = ConsumersOf(value).Where(c => c.Blocked != blocked).ToList();
            if (readers.Count == 0)
                continue;
            // A plain conv read only by blocked steps can write blocks itself (its vectors run over channels).
            if (!blocked && producer is not null && CanWriteBlocks(producer) && readers.Count == ConsumersOf(value).Count())
            {
                producer.WritesBlocks = true;
                continue;
            }
            // The producer's shape: a reader may see a view of it (a Dense reads a Flatten of the conv before it).
            Shape shape = producer?.Out ?? readers[0].Inputs[readers[0].Sources.IndexOf(value)];
            var converted = new Value { Size = value.Size };
            var change = new PendingStep
            {
                Kind = blocked ? StepKind.FromChannelBlocks : StepKind.ToChannelBlocks, In = shape, Out = shape,
                Sources = { value }, Inputs = { shape }, Target = converted,
            };
            steps.Insert(producer is null ? 0 : steps.IndexOf(producer) + 1, change);
            foreach (PendingStep reader in readers)
                for (int k = 0; k < reader.Sources.Count; k++)
                    if (reader.Sources[k] == value)
                        reader.Sources[k] = converted;
        }

        // A blocked pointwise conv read only by a bordered copy writes into the copy's interior itself.
        foreach (PendingStep pad in steps.Where(s => s.Kind == StepKind.Pad && s.Blocked).ToList())
        {
            if (ProducerOf(pad.Sources[0]) is not { Kind: StepKind.Conv, Blocked: true, Border: null } conv || conv.Layer!.Spec.Groups != 1 || conv.Layer.Window!.Taps != 1
                || ConsumersOf(conv.Target).Count() != 1 || ConvGen.Generators.Emit.BlockedEmitter.BorderedBlock(conv.Out.W) == 0)
                continue;
            conv.Target = pad.Target;
            conv.Border = pad.Pad;
            steps.Remove(pad);
        }
    }

    /// <summary>Element-wise steps write over an input that no later step reads (never the caller's input).</summary>
    private static void RunInPlace(List<PendingStep> steps)
    {
        for (int i = 0; i < steps.Count; i++)
        {
            PendingStep step = steps[i];
            if (step.Kind is not (StepKind.Activation or StepKind.Softmax or StepKind.BatchNorm or StepKind.Add))
                continue;
            Value? reusable = step.Sources.FirstOrDefault(v => v.Kind == BufferKind.Scratch && v.Size == step.Target.Size
                && !steps.Skip(i + 1).Any(later => later.Sources.Contains(v)));
            if (reusable is not null)
                Replace(steps, step.Target, reusable);
        }
    }

    private static void Replace(List<PendingStep> steps, Value old, Value replacement)
    {
        foreach (PendingStep s in steps)
        {
            if (s.Target == old)
                s.Target = replacement;
            for (int k = 0; k < s.Sources.Count; k++)
                if (s.Sources[k] == old)
                    s.Sources[k] = replacement;
        }
    }

    /// <summary>Each scratch value lives from the first step that writes it to the last step that touches it.</summary>
    private static List<Value> SetLifetimes(List<PendingStep> steps)
    {
        var values = new List<Value>();
        for (int i = 0; i < steps.Count; i++)
        {
            foreach (Value v in steps[i].Sources.Append(steps[i].Target).Concat(steps[i].Work is { } work ? new[] { work } : Array.Empty<Value>()).Where(v => v.Kind == BufferKind.Scratch))
            {
                if (!values.Contains(v))
                {
                    values.Add(v);
                    v.FirstStep = i;
                }
                v.LastStep = i;
            }
        }
        return values;
    }

    /// <summary>The most scratch floats alive during one step, and that step's layer.</summary>
    private static MemoryPeak Peak(List<PendingStep> steps, List<Value> values)
    {
        long best = 0;
        string where = "";
        for (int i = 0; i < steps.Count; i++)
        {
            long alive = values.Where(v => v.FirstStep <= i && i <= v.LastStep).Sum(v => (long)v.Size);
            if (alive > best)
            {
                best = alive;
                where = steps[i].Layer is { } layer ? NetworkParser.Describe(layer.Spec) : steps[i].Kind.ToString();
            }
        }
        return new MemoryPeak(best, where);
    }

    /// <summary>
    /// Folds each BatchNorm into the Conv or Dense it reads when that layer has no activation and nothing
    /// else reads it: <c>W' = W * scale</c>, <c>b' = b * scale + shift</c> per output channel, at build time.
    /// The folded layer keeps its declared parameter count for Summary; the BatchNorm is marked as folded.
    /// </summary>
    private static NetworkPlan FoldBatchNorms(NetworkPlan network)
    {
        var layers = network.Layers.ToList();
        int Position(int index) => layers.FindIndex(l => l.Index == index);
        for (int i = 0; i < layers.Count; i++)
        {
            LayerPlan norm = layers[i];
            if (norm.Spec.Kind != LayerKind.BatchNorm || norm.Weights.Count == 0 || norm.Inputs[0] < 0)
                continue;
            int at = Position(norm.Inputs[0]);
            LayerPlan before = layers[at];
            if (before.Spec.Kind is not (LayerKind.Conv or LayerKind.Dense) || before.Spec.Activation != ActivationKind.None
                || layers.Count(l => l.Inputs.Contains(before.Index)) != 1)
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
            layers[at] = before with { Weights = weights.ToEquatableArray(), Bias = bias.ToEquatableArray(), ParameterCount = before.Parameters };
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

    /// <summary>The name as part of an identifier: letters and digits kept, the rest '_', at most 64 characters (UniqueName keeps it unique).</summary>
    private static string Identifier(string name)
        => new(name.Take(64).Select(c => char.IsLetterOrDigit(c) ? c : '_').ToArray());
}
