using System.Collections.Generic;
using System.Linq;
using Microsoft.CodeAnalysis;

namespace ConvGen.Generators.Diagnostics;

/// <summary>Every ConvGen diagnostic, in one place. Ids are stable once shipped (see AnalyzerReleases.*.md).</summary>
internal static class Descriptors
{
    private const string Category = "ConvGen";

    /// <summary>
    /// A descriptor whose description points at its page. There is no help link: the project has no public home
    /// yet, and a link to an address it does not control could lead anywhere; the pages ship in the package
    /// (docs/diagnostics/) and the repository.
    /// </summary>
    private static DiagnosticDescriptor Make(string id, string title, string message, DiagnosticSeverity severity)
        => new(id, title, message, Category, severity, isEnabledByDefault: true,
            description: $"What triggers {id}, an example and the fix: docs/diagnostics/{id}.md in the ConvGen package and repository.");

    public static readonly DiagnosticDescriptor WindowTooLarge = Make("CG0001",
        "Window larger than its input",
        "{0} has a {1} window but its input ({2}) is {3}{4}; the output would be empty. {5}",
        DiagnosticSeverity.Error);

    public static readonly DiagnosticDescriptor WeightsLength = Make("CG0002",
        "Weights of the wrong length",
        "{0} needs {1} weights ({2}) but got {3}",
        DiagnosticSeverity.Error);

    public static readonly DiagnosticDescriptor BiasLength = Make("CG0003",
        "Bias of the wrong length",
        "{0} needs {1} (one per {2}) but got {3}",
        DiagnosticSeverity.Error);

    public static readonly DiagnosticDescriptor GroupsDoNotDivide = Make("CG0004",
        "Groups do not divide the channels",
        "{0} has Groups = {1}, which does not divide {2}",
        DiagnosticSeverity.Error);

    public static readonly DiagnosticDescriptor NotPositive = Make("CG0005",
        "Size must be positive",
        "{0}: {1} must be at least 1 but is {2}",
        DiagnosticSeverity.Error);

    public static readonly DiagnosticDescriptor NegativePadding = Make("CG0006",
        "Negative padding",
        "{0}: padding must not be negative but {1} is {2}",
        DiagnosticSeverity.Error);

    public static readonly DiagnosticDescriptor NeedsFlatInput = Make("CG0007",
        "Layer needs a flat vector",
        "{0} needs a flat vector but its input ({1}) is {2}; add [Flatten] or a global pooling layer before it",
        DiagnosticSeverity.Error);

    public static readonly DiagnosticDescriptor WrongInputRank = Make("CG0008",
        "Layer does not fit the input's rank",
        "{0} needs a {1} input but its input ({2}) is {3}",
        DiagnosticSeverity.Error);

    public static readonly DiagnosticDescriptor MissingWeights = Make("CG0009",
        "Weights missing",
        "{0} has no {1}: give {2} = new float[] {{ ... }} with {3}",
        DiagnosticSeverity.Error);

    public static readonly DiagnosticDescriptor WrongAxisCount = Make("CG0010",
        "Per-axis option of the wrong length",
        "{0}: {1} needs {2} ({3}) but {4}",
        DiagnosticSeverity.Error);

    public static readonly DiagnosticDescriptor PoolPadTooLarge = Make("CG0011",
        "Pooling pad larger than half the window",
        "{0}: a pad of {1} is more than half the {2} window; PyTorch allows at most half, so no trained model pools this way",
        DiagnosticSeverity.Error);

    public static readonly DiagnosticDescriptor BadInputShape = Make("CG0012",
        "Invalid input shape",
        "[ConvNet] input shape {0} is invalid: {1}",
        DiagnosticSeverity.Error);

    public static readonly DiagnosticDescriptor BadClass = Make("CG0013",
        "Network class cannot be generated",
        "'{0}' cannot hold a generated network: {1}",
        DiagnosticSeverity.Error);

    public static readonly DiagnosticDescriptor InvalidArgument = Make("CG0015",
        "Invalid attribute argument",
        "{0}: {1}",
        DiagnosticSeverity.Error);

    public static readonly DiagnosticDescriptor NonFiniteWeights = Make("CG0016",
        "Non-finite weight",
        "{0}: {1} holds a non-finite value ({2}) at index {3}",
        DiagnosticSeverity.Error);

    public static readonly DiagnosticDescriptor NoLayers = Make("CG0017",
        "Network without layers",
        "'{0}' declares [ConvNet] but no layers",
        DiagnosticSeverity.Error);

    public static readonly DiagnosticDescriptor MissingBias = Make("CG0018",
        "Bias missing",
        "{0} has UseBias = true but no Bias: give Bias = new float[] {{ ... }} with {1}, or set UseBias = false",
        DiagnosticSeverity.Error);

    public static readonly DiagnosticDescriptor BiasWithoutUseBias = Make("CG0019",
        "Bias given with UseBias = false",
        "{0} has UseBias = false but a Bias is given; remove one of them",
        DiagnosticSeverity.Error);

    public static readonly DiagnosticDescriptor DenseInputMismatch = Make("CG0020",
        "Dense fed a size it was not built for",
        "{0} is fed {1} values ({2}) but its {3} weights are for {4} inputs x {5} units",
        DiagnosticSeverity.Error);

    public static readonly DiagnosticDescriptor UnknownInput = Make("CG0021",
        "Unknown input name",
        "{0} reads '{1}', which names no layer; the names are: {2}",
        DiagnosticSeverity.Error);

    public static readonly DiagnosticDescriptor InputCycle = Make("CG0027",
        "Layers read each other in a cycle",
        "{0} depends on its own output: {1}; a layer can only read layers that do not read it back",
        DiagnosticSeverity.Error);

    public static readonly DiagnosticDescriptor UnusedOutput = Make("CG0028",
        "Layer output never used",
        "No layer reads the output of {0}, and only the last layer ({1}) is the network's output, so it is not computed; read it with Input, Add or Concat, or remove it",
        DiagnosticSeverity.Warning);

    public static readonly DiagnosticDescriptor MergeShapeMismatch = Make("CG0029",
        "Inputs of Add or Concat do not match",
        "{0} needs inputs of {1}, but '{2}' is {3} ({4}) and '{5}' is {6} ({7})",
        DiagnosticSeverity.Error);

    public static readonly DiagnosticDescriptor DuplicateName = Make("CG0022",
        "Duplicate, reserved or invalid layer name",
        "{0}: {1}",
        DiagnosticSeverity.Error);

    public static readonly DiagnosticDescriptor MemoryBudget = Make("CG0023",
        "Network exceeds its memory budget",
        "'{0}' needs {1} bytes of RAM (input {2} + output {3} + scratch {4}) but MaxRamBytes is {5}; the largest activation is the output of {6}, {7} bytes",
        DiagnosticSeverity.Error);

    public static readonly DiagnosticDescriptor RunSpanLength = Make("CG0024",
        "Run called with a span of the wrong length",
        "{0}.Run: '{1}' holds {2} floats but must hold {3} {4} ({5})",
        DiagnosticSeverity.Error);

    public static readonly DiagnosticDescriptor TooLarge = Make("CG0025",
        "Tensor too large",
        "{0}: {1} would hold {2} values; ConvGen handles at most {3} per tensor, row or column",
        DiagnosticSeverity.Error);

    public static readonly DiagnosticDescriptor TooManyWeights = Make("CG0026",
        "Too many weights for one assembly",
        "'{0}' has {1} weights; an assembly holds at most {2} in ConvGen's form (string literals share the metadata's 16 MiB user-string heap), so split the network across assemblies",
        DiagnosticSeverity.Error);

    public static readonly DiagnosticDescriptor WeightsFileNotListed = Make("CG0030",
        "Weights file not in AdditionalFiles",
        "WeightsFile '{0}' is not among the project's AdditionalFiles; add <AdditionalFiles Include=\"{0}\" /> to the project file",
        DiagnosticSeverity.Error);

    public static readonly DiagnosticDescriptor WeightsFileUnreadable = Make("CG0031",
        "Weights file cannot be read",
        "WeightsFile '{0}' cannot be read: {1}",
        DiagnosticSeverity.Error);

    public static readonly DiagnosticDescriptor TensorMissing = Make("CG0032",
        "Tensor missing from the weights file",
        "{0} needs tensor '{1}' {2} but '{3}' has no tensor of that name{4}",
        DiagnosticSeverity.Error);

    public static readonly DiagnosticDescriptor TensorShapeMismatch = Make("CG0033",
        "Tensor shape differs from the declaration",
        "{0}: tensor '{1}' in '{2}' has shape {3} ({4} values) but the declaration needs {5} ({6} values: {7})",
        DiagnosticSeverity.Error);

    public static readonly DiagnosticDescriptor TensorNotFloat = Make("CG0034",
        "Tensor is not floating point",
        "{0}: tensor '{1}' in '{2}' is {3}; ConvGen reads F32, F16, BF16 and F64 tensors",
        DiagnosticSeverity.Error);

    public static readonly DiagnosticDescriptor WeightsFileAmbiguous = Make("CG0035",
        "Weights file name is ambiguous",
        "WeightsFile '{0}' matches several AdditionalFiles ({1}); give enough of its path to tell them apart",
        DiagnosticSeverity.Error);

    public static readonly DiagnosticDescriptor NegativeVariance = Make("CG0036",
        "Negative variance",
        "{0}: the variance holds a negative value ({1}) at index {2}, which has no square root",
        DiagnosticSeverity.Error);

    public static readonly DiagnosticDescriptor LayersOnSeveralDeclarations = Make("CG0037",
        "Layers on several partial declarations",
        "'{0}' has layer attributes on {1} partial declarations ({2}); layers run in the order they are written, which across declarations would depend on how the files are ordered, so write every layer attribute on one declaration",
        DiagnosticSeverity.Error);

    public static readonly DiagnosticDescriptor SameAsymmetricPadding = Make("CG0101",
        "Same padding is asymmetric here",
        "{0}: Padding.Same pads {1} here, more at the end than at the start (as Keras and TensorFlow do, and PyTorch's padding='same' at stride 1); a model trained with symmetric padding (PyTorch padding={2}) differs, so use Pads to match the training code",
        DiagnosticSeverity.Info);

    public static readonly DiagnosticDescriptor StrideDropsInput = Make("CG0102",
        "Stride drops input",
        "{0}: with Padding.Valid the last {1} of {2} {3} never read by any window",
        DiagnosticSeverity.Info);

    public static readonly DiagnosticDescriptor CeilModeParity = Make("CG0103",
        "CeilMode changes the output size",
        "{0}: CeilMode gives {1} outputs where rounding down gives {2}; Keras and TensorFlow have no ceil mode, so only a PyTorch model pools this way",
        DiagnosticSeverity.Info);

    public static readonly DiagnosticDescriptor CountIncludePadParity = Make("CG0104",
        "Padded average divides by the whole window",
        "{0}: border averages divide by the whole window, padding included (PyTorch's default count_include_pad=True); Keras divides by the input elements only, so set CountIncludePad = false for a Keras model",
        DiagnosticSeverity.Info);

    public static readonly DiagnosticDescriptor SameStrideSkipsInput = Make("CG0105",
        "Stride larger than the window skips input",
        "{0}: a stride of {1} is larger than the window's span of {2}, so {3} of every {1} input {4} are never read",
        DiagnosticSeverity.Info);

    public static readonly DiagnosticDescriptor ChannelsLastShape = Make("CG0106",
        "Input shape looks channels last",
        "[ConvNet] shapes are always written channels first, even with Layout.ChannelsLast: this declares {0} channels of {1}x{2}. For a {0}x{1} image with {3} write ({2}, {0}, {1}).",
        DiagnosticSeverity.Info);

    public static readonly DiagnosticDescriptor InternalError = Make("CG9999",
        "ConvGen internal error",
        "ConvGen could not generate '{0}': {1} Please report this with the declaration.",
        DiagnosticSeverity.Error);

    public static IReadOnlyList<DiagnosticDescriptor> All { get; } = typeof(Descriptors)
        .GetFields(System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.Static)
        .Where(f => f.FieldType == typeof(DiagnosticDescriptor))
        .Select(f => (DiagnosticDescriptor)f.GetValue(null)!)
        .ToArray();

    private static readonly Dictionary<string, DiagnosticDescriptor> s_byId = All.ToDictionary(d => d.Id);

    public static DiagnosticDescriptor ById(string id) => s_byId[id];
}
