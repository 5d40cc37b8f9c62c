using System;
using System.Collections.Generic;
using System.Linq;
using ConvGen.Generators.Diagnostics;
using ConvGen.Generators.Helpers;
using ConvGen.Generators.Model;
using Microsoft.CodeAnalysis;

namespace ConvGen.Generators.Parsing;

/// <summary>Reads one layer attribute into a <see cref="LayerSpec"/>, merging scalar/array option pairs per axis.</summary>
internal sealed class LayerReader
{
    private readonly AttributeData _attribute;
    private readonly int _index;
    private readonly List<NetProblem> _problems;
    private readonly Dictionary<string, TypedConstant> _named;
    private LayerSpec _layer;

    public LayerReader(AttributeData attribute, int index, string name, List<NetProblem> problems)
    {
        _attribute = attribute;
        _index = index;
        _problems = problems;
        _named = attribute.NamedArguments.GroupBy(a => a.Key).ToDictionary(g => g.Key, g => g.Last().Value);
        string typeName = TypeName(attribute);
        var (kind, rank) = KindOf(typeName);
        _layer = new LayerSpec(kind, typeName, rank) { Name = name };
    }

    /// <summary>The layer's type as written: <c>Conv2D</c> for <c>Conv2DAttribute</c>.</summary>
    public static string TypeName(AttributeData attribute)
    {
        string typeName = attribute.AttributeClass?.Name ?? "?";
        return typeName.EndsWith("Attribute", StringComparison.Ordinal) ? typeName.Substring(0, typeName.Length - "Attribute".Length) : typeName;
    }

    private static (LayerKind Kind, int Rank) KindOf(string typeName) => typeName switch
    {
        "Conv1D" => (LayerKind.Conv, 1),
        "Conv2D" => (LayerKind.Conv, 2),
        "DepthwiseConv2D" => (LayerKind.Conv, 2),
        "Conv2DTranspose" => (LayerKind.ConvTranspose, 2),
        "Dense" => (LayerKind.Dense, 0),
        "MaxPool1D" => (LayerKind.MaxPool, 1),
        "MaxPool2D" => (LayerKind.MaxPool, 2),
        "AvgPool1D" => (LayerKind.AvgPool, 1),
        "AvgPool2D" => (LayerKind.AvgPool, 2),
        "GlobalAvgPool" => (LayerKind.GlobalAvgPool, 0),
        "GlobalMaxPool" => (LayerKind.GlobalMaxPool, 0),
        "Flatten" => (LayerKind.Flatten, 0),
        "Dropout" => (LayerKind.Dropout, 0),
        "Softmax" => (LayerKind.Softmax, 0),
        "Activation" => (LayerKind.Activation, 0),
        "BatchNorm" => (LayerKind.BatchNorm, 0),
        "Add" => (LayerKind.Add, 0),
        "Concat" => (LayerKind.Concat, 0),
        "ZeroPad2D" => (LayerKind.ZeroPad, 2),
        "ChannelShuffle" => (LayerKind.ChannelShuffle, 0),
        _ => ((LayerKind)(-1), 0),
    };

    private string Who => NetworkParser.Describe(_layer);

    private void Problem(DiagnosticDescriptor descriptor, string? argument, params object[] args)
        => _problems.Add(NetProblem.Create(descriptor, _index, argument, args));

    public LayerSpec Read()
    {
        _layer = _layer with { Input = NamedString("Input") };
        if (_attribute.AttributeConstructor is null || (int)_layer.Kind < 0)
        {
            Problem(Descriptors.InvalidArgument, null, Who, "the attribute's arguments could not be read");
            return _layer;
        }

        switch (_layer.Kind)
        {
            case LayerKind.Conv:
            case LayerKind.ConvTranspose:
                bool depthwise = _layer.TypeName == "DepthwiseConv2D";
                // A depthwise conv's filters and groups follow from its input channels (shape inference).
                _layer = depthwise
                    ? _layer with { DepthMultiplier = NamedPositive("DepthMultiplier", 1) }
                    : _layer with { Outputs = Positive(0, "filters"), Groups = NamedPositive("Groups", 1) };
                ReadKernel();
                _layer = _layer with
                {
                    Strides = PerAxis("Stride", "Strides", 1),
                    Dilations = PerAxis("Dilation", "Dilations", 1),
                    PaddingMode = (PaddingModeKind)(NamedInt("PaddingMode") ?? 0),
                };
                ReadPadding();
                ReadWeighted();
                if (_layer.PaddingMode is not PaddingModeKind.Zeros and not PaddingModeKind.Reflect
                    and not PaddingModeKind.Replicate and not PaddingModeKind.Circular)
                    Problem(Descriptors.InvalidArgument, "PaddingMode", Who, FormattableString.Invariant($"PaddingMode {(int)_layer.PaddingMode} is not a PaddingMode value"));
                else if (_layer.Kind == LayerKind.ConvTranspose && _layer.PaddingMode != PaddingModeKind.Zeros)
                    Problem(Descriptors.InvalidArgument, "PaddingMode", Who, $"a transposed convolution pads with zeros only (as PyTorch's ConvTranspose2d), not PaddingMode.{_layer.PaddingMode}");
                if (_layer.Kind == LayerKind.ConvTranspose)
                    ReadOutputPadding();
                break;
            case LayerKind.Dense:
                _layer = _layer with { Outputs = Positive(0, "units") };
                ReadWeighted();
                break;
            case LayerKind.MaxPool:
            case LayerKind.AvgPool:
                ReadKernel();
                int[] window = _layer.Kernel.ToArray();
                _layer = _layer with
                {
                    Strides = PerAxis("Stride", "Strides", 0, window),
                    Dilations = _layer.Kind == LayerKind.MaxPool ? PerAxis("Dilation", "Dilations", 1) : Enumerable.Repeat(1, _layer.SpatialRank).ToEquatableArray(),
                    CeilMode = NamedBool("CeilMode") ?? false,
                    CountIncludePad = NamedBool("CountIncludePad"),
                };
                ReadPadding();
                break;
            case LayerKind.BatchNorm:
                float epsilon = _named.TryGetValue("Epsilon", out var e) && Values.Float(e) is float given ? given : 1e-5f;
                if (!(epsilon > 0) || float.IsInfinity(epsilon))
                    Problem(Descriptors.InvalidArgument, "Epsilon", Who, "Epsilon must be a positive number");
                _layer = _layer with
                {
                    Epsilon = epsilon,
                    Gamma = NamedFloats("Gamma"),
                    Beta = NamedFloats("Beta"),
                    Mean = NamedFloats("Mean"),
                    Variance = NamedFloats("Variance"),
                };
                break;
            case LayerKind.Add:
            case LayerKind.Concat:
                string[] inputs = Values.Strings(_attribute.ConstructorArguments[0]) ?? Array.Empty<string>();
                if (inputs.Length < 2)
                    Problem(Descriptors.InvalidArgument, "inputs", Who, $"{_layer.TypeName} needs the names of at least two layers, such as [{_layer.TypeName}(\"conv2\", \"input\")]");
                if (_layer.Input is not null)
                    Problem(Descriptors.InvalidArgument, "Input", Who, $"{_layer.TypeName} reads the layers named in its constructor; remove Input");
                _layer = _layer with { Inputs = inputs.ToEquatableArray() };
                break;
            case LayerKind.ZeroPad:
                ReadZeroPads();
                break;
            case LayerKind.ChannelShuffle:
                _layer = _layer with { Groups = Positive(0, "groups") };
                break;
            case LayerKind.Activation:
                // ReadActivation also sets Alpha, so it must run before _layer is copied.
                var kind = ReadActivation(Values.Int(_attribute.ConstructorArguments[0]), "kind");
                _layer = _layer with { Activation = kind };
                break;
        }
        return _layer;
    }

    private void ReadKernel()
    {
        // Constructor arguments after "filters" (conv) are the window sizes; a single value is square in 2-D.
        int first = _layer.Kind is LayerKind.Conv or LayerKind.ConvTranspose && _layer.DepthMultiplier == 0 ? 1 : 0;
        var names = _attribute.AttributeConstructor!.Parameters.Select(p => p.Name).ToArray();
        var sizes = new List<int>();
        for (int i = first; i < _attribute.ConstructorArguments.Length; i++)
            sizes.Add(Positive(i, names[i]));
        if (sizes.Count == 1 && _layer.SpatialRank == 2)
            sizes.Add(sizes[0]);
        _layer = _layer with { Kernel = sizes.ToEquatableArray() };
    }

    private void ReadPadding()
    {
        int rank = _layer.SpatialRank;
        _layer = _layer with { Padding = (PaddingKind)(NamedInt("Padding") ?? 0) };
        if (_layer.Padding is not PaddingKind.Valid and not PaddingKind.Same)
            Problem(Descriptors.InvalidArgument, "Padding", Who, FormattableString.Invariant($"Padding {(int)_layer.Padding} is not a Padding value"));

        int[]? pads = null;
        if (_named.TryGetValue("Pads", out var padsConstant) && !padsConstant.IsNull)
        {
            pads = Values.Ints(padsConstant);
            if (pads is null || pads.Length != 2 * rank)
            {
                Problem(Descriptors.WrongAxisCount, "Pads", Who, "Pads", Wording.Count(2 * rank, "value"), rank == 1 ? "[left, right]" : "[top, left, bottom, right]", Wording.Given(pads?.Length ?? 0));
                pads = null;
            }
        }
        else if (NamedInt("Pad") is int pad)
        {
            pads = Enumerable.Repeat(pad, 2 * rank).ToArray();
        }
        if (pads is not null)
        {
            string argument = padsConstant is { IsNull: false } ? "Pads" : "Pad";
            int negative = Array.FindIndex(pads, p => p < 0);
            if (negative >= 0)
                Problem(Descriptors.NegativePadding, argument, Who, argument == "Pads" ? $"Pads[{negative}]" : "Pad", pads[negative]);
            _layer = _layer with { Pads = pads.ToEquatableArray(), PadsWrittenAs = argument };
        }
    }

    /// <summary>OutputPadding / OutputPaddings: per axis, non-negative (shape inference checks them against stride and dilation).</summary>
    private void ReadOutputPadding()
    {
        string argument = _named.TryGetValue("OutputPaddings", out var array) && !array.IsNull ? "OutputPaddings" : "OutputPadding";
        int[] values;
        if (argument == "OutputPaddings")
        {
            values = Values.Ints(array) ?? Array.Empty<int>();
            if (values.Length != 2)
            {
                Problem(Descriptors.WrongAxisCount, argument, Who, argument, Wording.Count(2, "value"), "[rows, columns]", Wording.Given(values.Length));
                values = new[] { 0, 0 };
            }
        }
        else
        {
            values = Enumerable.Repeat(NamedInt("OutputPadding") ?? 0, 2).ToArray();
        }
        foreach (int v in values.Where(v => v < 0).Take(1))
            Problem(Descriptors.NegativePadding, argument, Who, argument, v);
        _layer = _layer with { OutputPadding = values.Select(v => Math.Max(v, 0)).ToEquatableArray() };
    }

    /// <summary>ZeroPad2D's one, two ([rows, columns]) or four ([top, left, bottom, right]) values, as four.</summary>
    private void ReadZeroPads()
    {
        int[] given = Values.Ints(_attribute.ConstructorArguments[0]) ?? Array.Empty<int>();
        int[]? pads = given.Length switch
        {
            1 => new[] { given[0], given[0], given[0], given[0] },
            2 => new[] { given[0], given[1], given[0], given[1] },
            4 => given,
            _ => null,
        };
        if (pads is null)
        {
            Problem(Descriptors.WrongAxisCount, "pads", Who, "pads", "1, 2 or 4 values", "[all], [rows, columns] or [top, left, bottom, right]", Wording.Given(given.Length));
            pads = new int[4];
        }
        int negative = Array.FindIndex(pads, p => p < 0);
        if (negative >= 0)
        {
            Problem(Descriptors.NegativePadding, "pads", Who, "pads", pads[negative]);
            pads = pads.Select(p => Math.Max(p, 0)).ToArray();
        }
        _layer = _layer with { Pads = pads.ToEquatableArray(), PadsWrittenAs = "pads" };
    }

    private void ReadWeighted()
    {
        var activation = ReadActivation(NamedInt("Activation") ?? 0, "Activation");
        _layer = _layer with
        {
            UseBias = NamedBool("UseBias") ?? true,
            Activation = activation,
            Weights = NamedFloats("Weights"),
            Bias = NamedFloats("Bias"),
        };
    }

    private EquatableArray<float>? NamedFloats(string argument)
        => _named.TryGetValue(argument, out var constant) ? ReadFloats(constant, argument)?.ToEquatableArray() : null;

    private float[]? ReadFloats(TypedConstant constant, string argument)
    {
        float[]? values = Values.Floats(constant);
        if (values is null)
        {
            if (!constant.IsNull)
                Problem(Descriptors.InvalidArgument, argument, Who, $"{argument} must be an array of constants, such as new float[] {{ 0.5f, -1f }}");
            return null;
        }
        for (int i = 0; i < values.Length; i++)
        {
            if (float.IsNaN(values[i]) || float.IsInfinity(values[i]))
            {
                Problem(Descriptors.NonFiniteWeights, argument, Who, argument, values[i].ToString(System.Globalization.CultureInfo.InvariantCulture), i);
                break;
            }
        }
        return values;
    }

    private ActivationKind ReadActivation(int? value, string argument)
    {
        var kind = (ActivationKind)(value ?? 0);
        if (kind is < ActivationKind.None or > ActivationKind.Softmax)
        {
            Problem(Descriptors.InvalidArgument, argument, Who, FormattableString.Invariant($"{value} is not an Activation value"));
            kind = ActivationKind.None;
        }
        float alpha = kind switch { ActivationKind.LeakyReLU => 0.01f, ActivationKind.ELU => 1f, _ => 0f };
        if (_named.TryGetValue("Alpha", out var a) && Values.Float(a) is float given)
        {
            if (float.IsNaN(given) || float.IsInfinity(given))
                Problem(Descriptors.InvalidArgument, "Alpha", Who, FormattableString.Invariant($"Alpha must be finite but is {given}"));
            else
                alpha = given;
        }
        _layer = _layer with { Alpha = alpha };
        return kind;
    }

    /// <summary>Merges <c>Stride = s</c> / <c>Strides = [..]</c> into one value per axis.</summary>
    private EquatableArray<int> PerAxis(string scalar, string array, int fallback, int[]? fallbackPerAxis = null)
    {
        int rank = _layer.SpatialRank;
        int[] result;
        string argument = scalar;
        if (_named.TryGetValue(array, out var constant) && !constant.IsNull)
        {
            argument = array;
            result = Values.Ints(constant) ?? Array.Empty<int>();
            if (result.Length != rank)
            {
                Problem(Descriptors.WrongAxisCount, array, Who, array, Wording.Count(rank, "value"), rank == 1 ? "one per axis" : "[height, width]", Wording.Given(result.Length));
                return Enumerable.Repeat(1, rank).ToEquatableArray();
            }
        }
        else if (NamedInt(scalar) is int value && !(value == 0 && fallbackPerAxis is not null))
        {
            // A pool's Stride of 0 is its "unset" default: the pool size.
            result = Enumerable.Repeat(value, rank).ToArray();
        }
        else
        {
            result = fallbackPerAxis ?? Enumerable.Repeat(fallback, rank).ToArray();
        }
        foreach (int v in result.Where(v => v < 1).Take(1))
            Problem(Descriptors.NotPositive, argument, Who, argument, v);
        return result.Select(v => Math.Max(v, 1)).ToEquatableArray();
    }

    private int Positive(int constructorIndex, string argument)
    {
        if (constructorIndex >= _attribute.ConstructorArguments.Length)
            return 1;
        int? value = Values.Int(_attribute.ConstructorArguments[constructorIndex]);
        if (value is null or < 1)
        {
            Problem(Descriptors.NotPositive, argument, Who, argument, value?.ToString() ?? "unreadable");
            return 1;
        }
        return value.Value;
    }

    private int NamedPositive(string argument, int fallback)
    {
        int value = NamedInt(argument) ?? fallback;
        if (value < 1)
        {
            Problem(Descriptors.NotPositive, argument, Who, argument, value);
            return fallback;
        }
        return value;
    }

    private int? NamedInt(string name) => _named.TryGetValue(name, out var c) ? Values.Int(c) : null;

    private bool? NamedBool(string name) => _named.TryGetValue(name, out var c) ? Values.Bool(c) : null;

    private string? NamedString(string name) => _named.TryGetValue(name, out var c) ? Values.String(c) : null;
}
