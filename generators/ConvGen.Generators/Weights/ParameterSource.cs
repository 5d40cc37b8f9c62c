using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using ConvGen.Generators.Diagnostics;
using ConvGen.Generators.Helpers;

namespace ConvGen.Generators.Weights;

/// <summary>
/// Where a network's parameters come from: its WeightsFile, bound by layer name to PyTorch
/// <c>state_dict</c> names (<c>"conv1.weight"</c>). Checks each tensor's dtype, shape and values and says
/// exactly what differs.
/// </summary>
internal sealed class ParameterSource
{
    private readonly string? _wanted;
    private readonly WeightsFile? _file;
    private readonly WeightsParts _parts;
    private readonly List<NetProblem> _problems;
    private bool _reportedDamage;

    /// <param name="wanted">The network's <c>WeightsFile</c> as written, for messages.</param>
    /// <param name="file">The file it resolved to, or null if it has none.</param>
    /// <param name="parts">Where the file's values are: only the parts of bound tensors are read.</param>
    public ParameterSource(string? wanted, WeightsFile? file, WeightsParts parts, List<NetProblem> problems)
    {
        _wanted = wanted;
        _file = file;
        _parts = parts;
        _problems = problems;
    }

    public bool HasFile => _file is not null;

    /// <summary>
    /// The tensor <c>&lt;layer&gt;.&lt;suffix&gt;</c> as floats in file order, or null (with a problem reported)
    /// when there is no file, no such tensor, or it does not have <paramref name="shape"/>.
    /// </summary>
    /// <param name="meaning">How the shape is made up, for messages: "16 filters x 1 input channel x 3x3".</param>
    /// <param name="missingHint">Appended when the tensor is missing, e.g. "; or set UseBias = false".</param>
    public float[]? Tensor(int layer, string layerName, string who, string suffix, long[] shape, string meaning, string missingHint = "")
    {
        if (_file is null)
            return null;
        string name = layerName + "." + suffix;
        string shapeText = "[" + string.Join(", ", shape) + "]";
        Tensor? tensor = _file.Find(name);
        if (tensor is null)
        {
            _problems.Add(NetProblem.Create(Descriptors.TensorMissing, layer, "Name", who, name, shapeText, _file.FileName,
                Closest(name, shape) + missingHint));
            return null;
        }
        if (!tensor.IsFloat)
        {
            _problems.Add(NetProblem.Create(Descriptors.TensorNotFloat, layer, "Name", who, name, _file.FileName, tensor.DType));
            return null;
        }
        if (!tensor.Shape.AsSpan().SequenceEqual(shape))
        {
            _problems.Add(NetProblem.Create(Descriptors.TensorShapeMismatch, layer, "Name", who, name, _file.FileName,
                tensor.ShapeText, Count(tensor.Shape), shapeText, Count(shape), meaning));
            return null;
        }
        float[]? values = SafetensorsReader.Values(_file, tensor, _parts, default, out string? error);
        if (values is null)
        {
            // A part missing or damaged in obj/: one error for the file, at WeightsFile.
            if (!_reportedDamage)
                _problems.Add(NetProblem.Create(Descriptors.WeightsFileUnreadable, NetProblem.Network, "WeightsFile", _wanted ?? _file.FileName, error ?? SafetensorsReader.Damaged));
            _reportedDamage = true;
            return null;
        }
        int bad = Array.FindIndex(values, v => float.IsNaN(v) || float.IsInfinity(v));
        if (bad >= 0)
        {
            _problems.Add(NetProblem.Create(Descriptors.NonFiniteWeights, layer, "Name", who, $"tensor '{name}'",
                values[bad].ToString(CultureInfo.InvariantCulture), bad));
            return null;
        }
        return values;
    }

    private static long Count(IEnumerable<long> shape) => shape.Aggregate(1L, (p, d) => p * d);

    /// <summary>"; closest: 'conv1.weight' [16, 1, 3, 3], …": names near the wanted one, same shape first.</summary>
    private string Closest(string wanted, long[] shape)
    {
        var near = _file!.Tensors
            .OrderBy(t => t.Shape.AsSpan().SequenceEqual(shape) ? 0 : 1)
            .ThenBy(t => Distance(t.Name.Length > 256 ? t.Name.Substring(0, 256) : t.Name, wanted))
            .ThenBy(t => t.Name, StringComparer.Ordinal)
            .Take(3)
            .Select(t => $"{SafetensorsHeader.Shown(t.Name)} {t.ShapeText}")
            .ToList();
        return near.Count == 0 ? " (the file has no tensors)" : "; closest: " + string.Join(", ", near);
    }

    /// <summary>Levenshtein distance, for suggesting the tensor the user probably meant.</summary>
    private static int Distance(string a, string b)
    {
        var previous = Enumerable.Range(0, b.Length + 1).ToArray();
        for (int i = 1; i <= a.Length; i++)
        {
            var current = new int[b.Length + 1];
            current[0] = i;
            for (int j = 1; j <= b.Length; j++)
                current[j] = Math.Min(Math.Min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1));
            previous = current;
        }
        return previous[b.Length];
    }
}
