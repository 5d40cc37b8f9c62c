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
        var rows = new List<string[]> { new[] { "Layer (type)", "Output shape", "Params", "MACs" } };
        foreach (LayerPlan layer in network.Layers)
        {
            rows.Add(new[]
            {
                $"{layer.Name} ({layer.Spec.TypeName}{ActivationSuffix(layer.Spec)}{(layer.FoldedInto is { } into ? ", folded into " + into : "")})",
                layer.Out.Describe(layout),
                Number(layer.Parameters),
                Number(layer.MultiplyAccumulates),
            });
        }

        int[] widths = Enumerable.Range(0, 4).Select(c => rows.Max(r => r[c].Length)).ToArray();
        var text = new StringBuilder();
        string rule = new('-', widths.Sum() + 3 * 3);
        text.Append("Model: ").Append(network.Spec.ClassName).Append('\n');
        text.Append(rule.Replace('-', '=')).Append('\n');
        for (int r = 0; r < rows.Count; r++)
        {
            string[] row = rows[r];
            text.Append(row[0].PadRight(widths[0])).Append("   ")
                .Append(row[1].PadRight(widths[1])).Append("   ")
                .Append(row[2].PadLeft(widths[2])).Append("   ")
                .Append(row[3].PadLeft(widths[3])).Append('\n');
            if (r == 0) text.Append(rule).Append('\n');
        }
        long parameters = network.Layers.Sum(l => l.Parameters);
        long macs = network.Layers.Sum(l => l.MultiplyAccumulates);
        text.Append(rule.Replace('-', '=')).Append('\n');
        text.Append("Input: ").Append(network.Input.Describe(layout)).Append(", ").Append(LayoutName(layout)).Append('\n');
        text.Append("Total params: ").Append(Number(parameters)).Append(" (").Append(Bytes(parameters * 4)).Append(")\n");
        text.Append("Total MACs: ").Append(Number(macs)).Append('\n');
        text.Append("Scratch: ").Append(Number(plan.ScratchLength)).Append(" floats (").Append(Bytes(plan.ScratchLength * 4L)).Append(")\n");
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
