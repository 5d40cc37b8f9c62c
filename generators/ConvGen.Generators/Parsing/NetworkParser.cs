using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Globalization;
using System.Linq;
using System.Threading;
using ConvGen.Generators.Diagnostics;
using ConvGen.Generators.Helpers;
using ConvGen.Generators.Model;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace ConvGen.Generators.Parsing;

/// <summary>The parser's answer: a spec when the declaration could be read, and every problem found.</summary>
internal sealed record ParseResult(NetworkSpec? Spec, EquatableArray<NetProblem> Problems);

/// <summary>
/// Reads a [ConvNet] class and its layer attributes into a <see cref="NetworkSpec"/>. Shared by the
/// generator and the analyzer, so both see the same network. Never throws on user input: anything it
/// cannot read becomes a <see cref="NetProblem"/>.
/// </summary>
internal static class NetworkParser
{
    public const string Namespace = "ConvGen";
    public const string ConvNetAttributeName = "ConvGen.ConvNetAttribute";

    /// <summary>The longest layer name: names become part of method names, which C# limits to 512 characters.</summary>
    public const int MaxNameLength = 256;

    public static ParseResult Parse(INamedTypeSymbol type, CancellationToken cancellationToken)
    {
        var problems = new List<NetProblem>();
        AttributeData? convNet = type.GetAttributes().FirstOrDefault(a => a.AttributeClass?.ToDisplayString() == ConvNetAttributeName);
        if (convNet is null)
            return new ParseResult(null, EquatableArray<NetProblem>.Empty);

        CheckClass(type, problems);
        var (shape, layout, weightLayout, weightsFile, maxRam) = ReadConvNet(convNet, problems);

        AttributeData[] attributes = LayerAttributes(type).ToArray();
        CheckOneDeclaration(type, attributes, problems, cancellationToken);
        string[] names = LayerNames(attributes);
        var layers = new List<LayerSpec>();
        foreach (AttributeData attribute in attributes)
        {
            cancellationToken.ThrowIfCancellationRequested();
            layers.Add(new LayerReader(attribute, layers.Count, names[layers.Count], problems).Read());
        }
        if (layers.Count == 0)
            problems.Add(NetProblem.Create(Descriptors.NoLayers, NetProblem.Class, null, type.Name));
        CheckNamesAndInputs(layers, problems);
        // Unknown or ambiguous names leave the graph undefined: order and cycles only make sense without them.
        int[] order = problems.Any(p => p.Id is "CG0021" or "CG0022")
            ? Enumerable.Range(0, layers.Count).ToArray()
            : ExecutionOrder(layers, problems);

        var containing = new List<ContainingType>();
        for (INamedTypeSymbol? outer = type.ContainingType; outer is not null; outer = outer.ContainingType)
            containing.Insert(0, new ContainingType(TypeKeyword(outer), outer.Name));

        var spec = new NetworkSpec(
            type.ContainingNamespace is { IsGlobalNamespace: false } ns ? ns.ToDisplayString() : null,
            containing.ToEquatableArray(),
            type.Name,
            type.IsStatic,
            shape.ToEquatableArray(),
            layout,
            weightLayout,
            weightsFile,
            maxRam,
            layers.ToEquatableArray()) { Order = order.ToEquatableArray() };
        return new ParseResult(spec, problems.ToEquatableArray());
    }

    /// <summary>The ConvGen layer attributes on the class, in the order they are written.</summary>
    public static IEnumerable<AttributeData> LayerAttributes(INamedTypeSymbol type)
        => type.GetAttributes()
            .Where(a => IsLayerAttribute(a.AttributeClass))
            .Select((a, i) => (Attribute: a, Order: i, Ref: a.ApplicationSyntaxReference))
            .OrderBy(x => x.Ref?.SyntaxTree.FilePath ?? "", StringComparer.Ordinal)
            .ThenBy(x => x.Ref?.Span.Start ?? 0)
            .ThenBy(x => x.Order)
            .Select(x => x.Attribute);

    private static bool IsLayerAttribute(INamedTypeSymbol? attributeClass)
    {
        for (INamedTypeSymbol? t = attributeClass; t is not null; t = t.BaseType)
            if (t.Name == "LayerAttribute" && t.ContainingNamespace?.ToDisplayString() == Namespace)
                return true;
        return false;
    }

    private static string TypeKeyword(INamedTypeSymbol type) => type switch
    {
        { IsRecord: true, TypeKind: TypeKind.Struct } => "record struct",
        { IsRecord: true } => "record",
        { TypeKind: TypeKind.Struct } => "struct",
        { TypeKind: TypeKind.Interface } => "interface",
        _ => "class",
    };

    private static void CheckClass(INamedTypeSymbol type, List<NetProblem> problems)
    {
        void Fail(string why) => problems.Add(NetProblem.Create(Descriptors.BadClass, NetProblem.Class, null, type.Name, why));

        if (type.TypeKind != TypeKind.Class || type.IsRecord)
            Fail("it must be a class, not a record or a struct");
        if (type.IsGenericType)
            Fail("it must not be generic");
        if (!IsPartial(type))
            Fail("it must be declared partial");
        for (INamedTypeSymbol? outer = type.ContainingType; outer is not null; outer = outer.ContainingType)
        {
            if (!IsPartial(outer))
                Fail($"its containing type '{outer.Name}' must be declared partial");
            if (outer.IsGenericType)
                Fail($"its containing type '{outer.Name}' must not be generic");
        }
        CheckGeneratedMembersFit(type, Fail);
    }

    /// <summary>
    /// Layers run in the order they are written; across partial declarations that order would be the order of
    /// files, which a rename changes (relu(conv(x)) becomes conv(relu(x))). So layers must share one declaration.
    /// </summary>
    private static void CheckOneDeclaration(INamedTypeSymbol type, AttributeData[] attributes, List<NetProblem> problems, CancellationToken cancellationToken)
    {
        var declarations = attributes
            .Select((a, i) => (Index: i, Declaration: a.ApplicationSyntaxReference?.GetSyntax(cancellationToken).Parent?.Parent as TypeDeclarationSyntax))
            .Where(x => x.Declaration is not null)
            .GroupBy(x => x.Declaration)
            .ToList();
        if (declarations.Count < 2)
            return;
        string files = string.Join(", ", declarations.Select(d => System.IO.Path.GetFileName(d.Key!.SyntaxTree.FilePath)));
        problems.Add(NetProblem.Create(Descriptors.LayersOnSeveralDeclarations, declarations[1].First().Index, null, type.Name, declarations.Count, files));
    }

    /// <summary>
    /// The generated members must not clash with the class: a class named like one of them (CS0542), or a member of
    /// the user's with one of their names (CS0102, CS0111), or one the generated member would hide (CS0108).
    /// </summary>
    private static void CheckGeneratedMembersFit(INamedTypeSymbol type, Action<string> fail)
    {
        if (Emit.NetworkEmitter.GeneratedMembers.Contains(type.Name))
            fail($"it must not be named '{type.Name}', the name of a member ConvGen generates in it; rename the class");
        foreach (ISymbol member in type.GetMembers().Where(m => !m.IsImplicitlyDeclared && Clashes(m) && !IsGenerated(m)))
            fail($"its member '{member.Name}' has the name of a member ConvGen generates; rename it");
        for (INamedTypeSymbol? ancestor = type.BaseType; ancestor is { SpecialType: not SpecialType.System_Object }; ancestor = ancestor.BaseType)
            foreach (ISymbol member in ancestor.GetMembers().Where(m => m.DeclaredAccessibility != Accessibility.Private && !m.IsImplicitlyDeclared && Clashes(m)))
                fail($"its base class '{ancestor.Name}' has a member '{member.Name}' that a generated member would hide; rename it");
    }

    /// <summary>A member of a generated name, but for Run overloads whose parameters differ from the generated ones.</summary>
    private static bool Clashes(ISymbol member)
    {
        if (!Emit.NetworkEmitter.GeneratedMembers.Contains(member.Name))
            return false;
        if (member is not IMethodSymbol { Name: "Run" } run)
            return true;
        string[] parameters = run.Parameters.Select(p => p.Type.ToDisplayString()).ToArray();
        return run.Arity == 0 && parameters.Length is 2 or 3
            && parameters[0] == "System.ReadOnlySpan<float>" && parameters.Skip(1).All(p => p == "System.Span<float>");
    }

    /// <summary>Whether ConvGen wrote the member (the analyzer sees the generated code beside the user's).</summary>
    private static bool IsGenerated(ISymbol member) => member.DeclaringSyntaxReferences.Length > 0
        && member.DeclaringSyntaxReferences.All(r => r.SyntaxTree.GetText().Lines is { Count: > 1 } lines
            && lines[1].ToString().StartsWith(Emit.NetworkEmitter.Header, StringComparison.Ordinal));

    private static bool IsPartial(INamedTypeSymbol type)
        => type.DeclaringSyntaxReferences.Length > 0
           && type.DeclaringSyntaxReferences.All(r => r.GetSyntax() is TypeDeclarationSyntax t
                && t.Modifiers.Any(m => m.ValueText == "partial"));

    private static bool layoutIsChannelsLast(AttributeData attribute)
        => attribute.NamedArguments.Any(n => n.Key == "Layout" && Values.Int(n.Value) == (int)LayoutKind.ChannelsLast);

    private static (int[] Shape, LayoutKind, WeightLayoutKind, string?, long) ReadConvNet(AttributeData attribute, List<NetProblem> problems)
    {
        int[] shape = Array.Empty<int>();
        if (attribute.AttributeConstructor is null || attribute.ConstructorArguments.Length != 1)
        {
            problems.Add(NetProblem.Create(Descriptors.BadInputShape, NetProblem.Network, null, "?", "the [ConvNet] arguments could not be read"));
        }
        else
        {
            shape = Values.Ints(attribute.ConstructorArguments[0]) ?? Array.Empty<int>();
            string text = "(" + string.Join(", ", shape) + ")";
            if (shape.Length is < 1 or > 3)
                problems.Add(NetProblem.Create(Descriptors.BadInputShape, NetProblem.Network, "inputShape", text,
                    "give (C, L) for 1-D signals, (C, H, W) for images or (N) for a dense-only network"));
            else if (shape.Any(d => d < 1))
                problems.Add(NetProblem.Create(Descriptors.BadInputShape, NetProblem.Network, "inputShape", text, "every size must be at least 1"));
            else if (Shapes.Sizes.Product(shape.Select(d => (long)d).ToArray()) > Shapes.ShapeInference.MaxElements)
                problems.Add(NetProblem.Create(Descriptors.BadInputShape, NetProblem.Network, "inputShape", text,
                    $"it holds more than {Shapes.ShapeInference.MaxElements.ToString(CultureInfo.InvariantCulture)} values"));
            else if (shape.Length == 3 && layoutIsChannelsLast(attribute) && shape[0] > 4 && shape[2] is 1 or 3 or 4)
                problems.Add(NetProblem.Create(Descriptors.ChannelsLastShape, NetProblem.Network, "inputShape", shape[0], shape[1], shape[2], Wording.Count(shape[2], "channel")));
        }

        var layout = LayoutKind.ChannelsFirst;
        var weightLayout = WeightLayoutKind.PyTorch;
        string? weightsFile = null;
        long maxRam = 0;
        foreach (var named in attribute.NamedArguments)
        {
            switch (named.Key)
            {
                case "Layout": layout = (LayoutKind)(Values.Int(named.Value) ?? 0); break;
                case "WeightLayout": weightLayout = (WeightLayoutKind)(Values.Int(named.Value) ?? 0); break;
                case "WeightsFile": weightsFile = named.Value.Value as string; break;
                case "MaxRamBytes":
                    maxRam = named.Value.Value is long l ? l : 0;
                    if (maxRam < 0)
                        problems.Add(NetProblem.Create(Descriptors.InvalidArgument, NetProblem.Network, "MaxRamBytes", "[ConvNet]",
                            "MaxRamBytes must be a positive number of bytes, or 0 for no budget"));
                    break;
            }
        }
        if (layout is not (LayoutKind.ChannelsFirst or LayoutKind.ChannelsLast))
            problems.Add(NetProblem.Create(Descriptors.InvalidArgument, NetProblem.Network, "Layout", "[ConvNet]", FormattableString.Invariant($"Layout {(int)layout} is not a Layout value")));
        if (weightLayout is not (WeightLayoutKind.PyTorch or WeightLayoutKind.Keras))
            problems.Add(NetProblem.Create(Descriptors.InvalidArgument, NetProblem.Network, "WeightLayout", "[ConvNet]", FormattableString.Invariant($"WeightLayout {(int)weightLayout} is not a WeightLayout value")));
        return (shape, layout, weightLayout, weightsFile, maxRam);
    }

    /// <summary>
    /// Each layer's name: its Name argument, else a Keras-style default (conv2d, conv2d_1, …) that no
    /// explicit name takes. Known before any layer is read, so every message names the layer the same way.
    /// </summary>
    private static string[] LayerNames(AttributeData[] attributes)
    {
        string? Explicit(AttributeData a) => a.NamedArguments.Where(n => n.Key == "Name").Select(n => Values.String(n.Value)).LastOrDefault();
        var taken = new HashSet<string>(attributes.Select(Explicit).Where(n => n is not null)!, StringComparer.Ordinal);
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        return attributes.Select(attribute =>
        {
            if (Explicit(attribute) is { } given)
                return given;
            string stem = LayerReader.TypeName(attribute).ToLowerInvariant();
            string name;
            do
            {
                counts.TryGetValue(stem, out int n);
                counts[stem] = n + 1;
                name = n == 0 ? stem : stem + "_" + n.ToString(CultureInfo.InvariantCulture);
            } while (taken.Contains(name));
            taken.Add(name);
            return name;
        }).ToArray();
    }

    /// <summary>
    /// Names are unique and not "input"; every layer's inputs are resolved (Add/Concat's names, else Input,
    /// else the layer written above) and name a layer or "input".
    /// </summary>
    private static void CheckNamesAndInputs(List<LayerSpec> layers, List<NetProblem> problems)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var all = new HashSet<string>(layers.Select(l => l.Name!), StringComparer.Ordinal) { "input" };
        string known = string.Join(", ", new[] { "input" }.Concat(layers.Select(l => l.Name!)).Select(Wording.Quote));
        for (int i = 0; i < layers.Count; i++)
        {
            LayerSpec layer = layers[i];
            string name = layer.Name!;
            if (seen.Contains(name) || name == "input")
            {
                problems.Add(NetProblem.Create(Descriptors.DuplicateName, i, "Name", Describe(layer),
                    name == "input" ? "the name 'input' is reserved for the network's input" : $"an earlier layer is already named {Wording.Quote(name)}"));
            }
            else if (name.Length > MaxNameLength)
            {
                problems.Add(NetProblem.Create(Descriptors.DuplicateName, i, "Name", Describe(layer),
                    $"a layer name may have at most {MaxNameLength} characters, but this one has {name.Length}"));
            }
            else if (SafeText.FirstUnsafe(name) is var at and >= 0)
            {
                // Names reach generated source and messages, and soon come from model files: plain text only.
                problems.Add(NetProblem.Create(Descriptors.DuplicateName, i, "Name", Describe(layer),
                    $"a layer name may not hold control, line-break or format characters, but this one holds U+{(int)name[at]:X4} at index {at}"));
            }
            seen.Add(name);

            bool merge = layer.Kind is LayerKind.Add or LayerKind.Concat;
            if (!merge)
                layers[i] = layer = layer with { Inputs = new[] { layer.Input ?? (i == 0 ? "input" : layers[i - 1].Name!) }.ToEquatableArray() };
            for (int k = 0; k < layer.Inputs.Count; k++)
            {
                if (!all.Contains(layer.Inputs[k]))
                    problems.Add(NetProblem.Create(Descriptors.UnknownInput, i, merge ? $"inputs[{k}]" : "Input", Describe(layer), SafeText.Escape(layer.Inputs[k]), known));
            }
        }
    }

    /// <summary>
    /// The order layers run in: declaration order, except that a layer waits for the layers it reads
    /// (forward references are allowed). Reports cycles, and layers whose output nothing reads.
    /// </summary>
    private static int[] ExecutionOrder(List<LayerSpec> layers, List<NetProblem> problems)
    {
        var index = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int i = 0; i < layers.Count; i++)
            index[layers[i].Name!] = i; // (a duplicate name is already an error)
        int[][] reads = layers.Select(l => l.Inputs.Where(n => n != "input" && index.ContainsKey(n)).Select(n => index[n]).Distinct().ToArray()).ToArray();

        var order = new List<int>();
        var done = new bool[layers.Count];
        bool progress = true;
        while (progress)
        {
            progress = false;
            for (int i = 0; i < layers.Count; i++)
            {
                if (!done[i] && reads[i].All(r => done[r]))
                {
                    done[i] = progress = true;
                    order.Add(i);
                    break; // restart from the top: declaration order wins among ready layers
                }
            }
        }
        int stuck = Array.IndexOf(done, false);
        if (stuck >= 0)
        {
            // Follow unfinished inputs from the first stuck layer until a layer repeats: that is the cycle.
            var path = new List<int> { stuck };
            int at = stuck;
            while (true)
            {
                at = reads[at].First(r => !done[r]);
                int seenAt = path.IndexOf(at);
                if (seenAt >= 0)
                {
                    var cycle = path.Skip(seenAt).Concat(new[] { at }).ToList();
                    int first = cycle.Min();
                    problems.Add(NetProblem.Create(Descriptors.InputCycle, first, layers[cycle[0]].Kind is LayerKind.Add or LayerKind.Concat ? null : "Input",
                        Describe(layers[cycle[0]]), string.Join(" reads ", cycle.Select(c => Wording.Quote(layers[c].Name!)))));
                    break;
                }
                path.Add(at);
            }
            return order.ToArray();
        }

        var read = new HashSet<int>(reads.SelectMany(r => r));
        for (int i = 0; i < layers.Count - 1; i++)
        {
            if (!read.Contains(i))
                problems.Add(NetProblem.Create(Descriptors.UnusedOutput, i, null, Describe(layers[i]), Describe(layers[layers.Count - 1])));
        }
        return order.ToArray();
    }

    /// <summary>How messages name a layer: <c>Conv2D 'conv1'</c>.</summary>
    public static string Describe(LayerSpec layer) => layer.Name is null ? layer.TypeName : layer.TypeName + " " + Wording.Quote(layer.Name);
}
