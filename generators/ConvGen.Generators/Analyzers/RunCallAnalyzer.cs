using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using ConvGen.Generators.Diagnostics;
using ConvGen.Generators.Parsing;
using ConvGen.Generators.Planning;
using ConvGen.Generators.Weights;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;

namespace ConvGen.Generators.Analyzers;

/// <summary>
/// Checks calls to a generated <c>Run</c> whose span arguments have a length known at compile time
/// (an array creation, stackalloc, collection expression, InlineArray, or a local initialized with one
/// and never reassigned) against the network's InputLength, OutputLength and ScratchLength.
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class RunCallAnalyzer : DiagnosticAnalyzer
{
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } = ImmutableArray.Create(Descriptors.RunSpanLength);

    private sealed record Lengths(int Input, int Output, int Scratch);

    public override void Initialize(AnalysisContext context)
    {
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        context.EnableConcurrentExecution();
        context.RegisterCompilationStartAction(start =>
        {
            // One analysis per network per compilation, however many calls there are.
            var networks = new ConcurrentDictionary<INamedTypeSymbol, Lengths?>(SymbolEqualityComparer.Default);
            var files = WeightsFiles.Lazily(start.Options, start.CancellationToken);
            start.RegisterOperationAction(c => AnalyzeCall(c, networks, files), OperationKind.Invocation);
        });
    }

    private static void AnalyzeCall(OperationAnalysisContext context, ConcurrentDictionary<INamedTypeSymbol, Lengths?> networks,
        Lazy<(IReadOnlyList<WeightsFile> Files, WeightsParts Parts)> files)
    {
        var call = (IInvocationOperation)context.Operation;
        IMethodSymbol method = call.TargetMethod;
        if (method.Name != "Run" || !method.IsStatic || method.ContainingType is not { } type
            || !type.GetAttributes().Any(a => a.AttributeClass?.ToDisplayString() == NetworkParser.ConvNetAttributeName))
            return;

        Lengths? lengths = networks.GetOrAdd(type, t =>
            NetworkAnalysis.Analyze(NetworkParser.Parse(t, context.CancellationToken), files.Value.Files, files.Value.Parts).Plan is { } plan
                ? new Lengths(plan.Network.Input.Size, plan.Network.Output.Size, plan.ScratchLength)
                : null);
        if (lengths is null)
            return;

        foreach (IArgumentOperation argument in call.Arguments)
        {
            if (argument.Parameter is null || KnownLength(argument.Value) is not int actual)
                continue;
            var (expected, rule, constant) = argument.Parameter.Name switch
            {
                "input" => (lengths.Input, "exactly", "InputLength"),
                "output" => (lengths.Output, "exactly", "OutputLength"),
                "scratch" => (lengths.Scratch, "at least", "ScratchLength"),
                _ => (-1, "", ""),
            };
            bool wrong = rule == "exactly" ? actual != expected : actual < expected;
            if (expected >= 0 && wrong)
                context.ReportDiagnostic(Diagnostic.Create(Descriptors.RunSpanLength, argument.Syntax.GetLocation(),
                    type.Name, argument.Parameter.Name, actual, rule, expected, constant));
        }
    }

    /// <summary>The number of elements the expression is known to hold at compile time, or null.</summary>
    private static int? KnownLength(IOperation value)
    {
        while (value is IConversionOperation conversion)
        {
            // An InlineArray struct converted to a span: its length is in the type.
            if (InlineArrayLength(conversion.Operand.Type) is int inline)
                return inline;
            value = conversion.Operand;
        }
        switch (value)
        {
            case IArrayCreationOperation array when array.DimensionSizes.Length == 1:
                return array.Initializer is { } init ? init.ElementValues.Length : Constant(array.DimensionSizes[0]);
            case ILocalReferenceOperation local:
                return LocalLength(local);
        }
        return SyntaxLength(value.Syntax, value.SemanticModel);
    }

    private static int? Constant(IOperation operation) => operation.ConstantValue is { HasValue: true, Value: int n } ? n : null;

    /// <summary>stackalloc and collection expressions, read from syntax (the operation tree does not model them in every Roslyn 4.x).</summary>
    private static int? SyntaxLength(SyntaxNode syntax, SemanticModel? model)
    {
        switch (syntax)
        {
            case StackAllocArrayCreationExpressionSyntax stackAlloc:
                if (stackAlloc.Initializer is { } init)
                    return init.Expressions.Count;
                var sizes = (stackAlloc.Type as ArrayTypeSyntax)?.RankSpecifiers.FirstOrDefault()?.Sizes;
                return sizes is { Count: 1 } && model?.GetConstantValue(sizes.Value[0]) is { HasValue: true, Value: int n } ? n : null;
            case ImplicitStackAllocArrayCreationExpressionSyntax implicitStackalloc:
                return implicitStackalloc.Initializer.Expressions.Count;
            case CollectionExpressionSyntax collection when collection.Elements.All(e => e is ExpressionElementSyntax):
                return collection.Elements.Count;
            default:
                return null;
        }
    }

    /// <summary>A local initialized with a known length and never assigned again in its method.</summary>
    private static int? LocalLength(ILocalReferenceOperation reference)
    {
        ILocalSymbol local = reference.Local;
        if (InlineArrayLength(local.Type) is int inline)
            return inline;
        if (local.DeclaringSyntaxReferences.Length != 1
            || local.DeclaringSyntaxReferences[0].GetSyntax() is not VariableDeclaratorSyntax { Initializer.Value: { } initializer } declarator
            || reference.SemanticModel is not { } model)
            return null;

        SyntaxNode? body = declarator.FirstAncestorOrSelf<SyntaxNode>(n => n is BaseMethodDeclarationSyntax or LocalFunctionStatementSyntax
            or AnonymousFunctionExpressionSyntax or CompilationUnitSyntax or AccessorDeclarationSyntax);
        // Any write after the declaration (assignment, deconstruction, ref/out argument) means the length is not known.
        bool reassigned = body is null || body.DescendantNodes().OfType<IdentifierNameSyntax>()
            .Where(name => name.Identifier.ValueText == local.Name)
            .Any(name => model.GetOperation(name) is ILocalReferenceOperation reference
                         && SymbolEqualityComparer.Default.Equals(reference.Local, local)
                         && IsWritten(reference));
        if (reassigned)
            return null;
        return model.GetOperation(initializer) is { } operation ? KnownLength(operation) : null;
    }

    private static bool IsWritten(IOperation reference)
    {
        IOperation operation = reference;
        while (operation.Parent is ITupleOperation or IConversionOperation)
            operation = operation.Parent;
        return operation.Parent switch
        {
            IAssignmentOperation assignment => assignment.Target == operation, // also deconstruction
            IArgumentOperation argument => argument.Parameter?.RefKind is RefKind.Ref or RefKind.Out,
            IAddressOfOperation => true,
            _ => reference.Parent?.Kind == OperationKind.None, // ref locals and other writes Roslyn 4.x does not model: assume the worst
        };
    }

    private static int? InlineArrayLength(ITypeSymbol? type)
        => type?.GetAttributes().FirstOrDefault(a => a.AttributeClass?.ToDisplayString() == "System.Runtime.CompilerServices.InlineArrayAttribute")
               is { ConstructorArguments.Length: 1 } attribute && attribute.ConstructorArguments[0].Value is int n
            ? n
            : null;
}
