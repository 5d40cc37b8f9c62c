using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;
using ConvGen.Generators.Model;
using ConvGen.Generators.Planning;

namespace ConvGen.Generators.Emit;

/// <summary>The Keras-style table behind <c>Summary</c> and the class's doc comment.</summary>
internal static class SummaryWriter
{
    public static string Write(ExecutionPlan plan)
    {
        NetworkPlan network = plan.Network;
        LayoutKind layout = network.Spec.Layout;
        // A graph gets Keras' "Connected to" column; a plain stack reads top to bottom without it.
        bool graph = network.Layers.Select((l, i) => l.Inputs.Count != 1 || l.Inputs[0] != (i == 0 ? -1 : network.Layers[i - 1].Index)).Any(b => b);
        var names = network.Layers.ToDictionary(l => l.Index, l => l.Name);
        var rows = new List<string[]> { new[] { "Layer (type)", "Output shape", "Params", "MACs", "Connected to" } };
        foreach (LayerPlan layer in network.Layers)
        {
            rows.Add(new[]
            {
                $"{layer.Name} ({layer.Spec.TypeName}{ActivationSuffix(layer.Spec)}{(layer.FoldedInto is { } into ? ", folded into " + into : "")})",
                layer.Out.Describe(layout),
                Number(layer.Parameters),
                Number(layer.MultiplyAccumulates),
                string.Join(", ", layer.Inputs.Select(i => i < 0 ? "input" : names[i])),
            });
        }
        int columns = graph ? 5 : 4;

        int[] widths = Enumerable.Range(0, columns).Select(c => rows.Max(r => r[c].Length)).ToArray();
        var text = new StringBuilder();
        string rule = new('-', widths.Sum() + 3 * (columns - 1));
        text.Append("Model: ").Append(network.Spec.ClassName).Append('\n');
        text.Append(rule.Replace('-', '=')).Append('\n');
        for (int r = 0; r < rows.Count; r++)
        {
            string[] row = rows[r];
            text.Append(row[0].PadRight(widths[0])).Append("   ")
                .Append(row[1].PadRight(widths[1])).Append("   ")
                .Append(row[2].PadLeft(widths[2])).Append("   ")
                .Append(row[3].PadLeft(widths[3]));
            if (graph)
                text.Append("   ").Append(row[4]);
            text.Append('\n');
            if (r == 0) text.Append(rule).Append('\n');
        }
        long parameters = network.Layers.Sum(l => l.Parameters);
        long macs = network.Layers.Sum(l => l.MultiplyAccumulates);
        text.Append(rule.Replace('-', '=')).Append('\n');
        text.Append("Input: ").Append(network.Input.Describe(layout)).Append(", ").Append(LayoutName(layout)).Append('\n');
        text.Append("Total params: ").Append(Number(parameters)).Append(" (").Append(Bytes(parameters * 4)).Append(")\n");
        text.Append("Total MACs: ").Append(Number(macs)).Append('\n');
        text.Append("Scratch: ").Append(Number(plan.ScratchLength)).Append(" floats (").Append(Bytes(plan.ScratchLength * 4L)).Append(')');
        if (plan.Peak.Floats > 0)
            text.Append("; peak alive at once ").Append(Number(plan.Peak.Floats)).Append(" floats, during ").Append(plan.Peak.Where);
        text.Append("; all activations ").Append(Number(plan.ActivationTotal)).Append(" floats\n");
        return text.ToString();
    }

    private static string ActivationSuffix(LayerSpec layer)
        => layer.Kind != LayerKind.Activation && layer.Activation != ActivationKind.None ? ", " + layer.Activation : layer.Kind == LayerKind.Activation ? ": " + layer.Activation : "";

    private static string LayoutName(LayoutKind layout) => layout == LayoutKind.ChannelsLast ? "channels last" : "channels first";

    private static string Number(long value) => value.ToString("N0", CultureInfo.InvariantCulture);

    private static string Bytes(long bytes) => bytes < 1024
        ? bytes.ToString(CultureInfo.InvariantCulture) + " B"
        : (bytes / 1024.0).ToString("0.##", CultureInfo.InvariantCulture) + " KiB";
}
