using System.Collections.Generic;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace ConvGen.CodeFixes;

/// <summary>
/// Edits an attribute's argument list in the author's layout: a new argument copies the indentation of
/// its neighbour and the separator style (<c>", "</c> on one line, <c>",\n    "</c> one argument a line),
/// a replaced value keeps its trivia, and nothing else in the list is touched.
/// </summary>
internal sealed class ArgumentListEditor
{
    private readonly List<AttributeArgumentSyntax> _arguments;
    private readonly List<SyntaxToken> _separators;

    private ArgumentListEditor(SeparatedSyntaxList<AttributeArgumentSyntax> arguments)
    {
        _arguments = arguments.ToList();
        _separators = arguments.GetSeparators().ToList();
    }

    /// <summary>An editor for <paramref name="list"/>, or null when the list is incomplete (code being typed).</summary>
    public static ArgumentListEditor? For(AttributeArgumentListSyntax? list)
    {
        if (list is null)
            return new ArgumentListEditor(default);
        var arguments = list.Arguments;
        return arguments.SeparatorCount == System.Math.Max(0, arguments.Count - 1) && !list.CloseParenToken.IsMissing
            ? new ArgumentListEditor(arguments)
            : null;
    }

    public int Count => _arguments.Count;

    /// <summary>The index of the property argument <c>name = ...</c>, or -1.</summary>
    public int IndexOfProperty(string name)
        => _arguments.FindIndex(a => a.NameEquals?.Name.Identifier.ValueText == name);

    /// <summary>The index of the last constructor argument (positional or <c>name:</c>), or -1.</summary>
    public int LastConstructorArgument => _arguments.FindLastIndex(a => a.NameEquals is null);

    public AttributeArgumentSyntax this[int index] => _arguments[index];

    /// <summary>Replaces the value of an argument, keeping its name and trivia.</summary>
    public void SetValue(int index, ExpressionSyntax value)
        => _arguments[index] = _arguments[index].WithExpression(value.WithTriviaFrom(_arguments[index].Expression));

    /// <summary>Puts <paramref name="argument"/> in the place of the argument at <paramref name="index"/>, with its trivia.</summary>
    public void Replace(int index, AttributeArgumentSyntax argument)
        => _arguments[index] = argument.WithTriviaFrom(_arguments[index]);

    /// <summary>Inserts <paramref name="argument"/> after the one at <paramref name="index"/> (at the end for -1 in an empty list).</summary>
    public void InsertAfter(int index, AttributeArgumentSyntax argument)
    {
        if (_arguments.Count == 0)
        {
            _arguments.Add(argument.WithoutTrivia());
            return;
        }
        SyntaxToken separator = index < _separators.Count ? _separators[index]
            : index > 0 ? _separators[index - 1]
            : SyntaxFactory.Token(SyntaxKind.CommaToken).WithTrailingTrivia(SyntaxFactory.Space);
        separator = separator.WithLeadingTrivia().WithTrailingTrivia(LineBreakOrSpaces(separator.TrailingTrivia));

        // Indent like the anchor; the first argument usually sits right after "(", so look at the second.
        int like = index > 0 ? index : _arguments.Count > 1 ? 1 : 0;
        argument = argument.WithLeadingTrivia(Indentation(_arguments[like].GetLeadingTrivia()));
        if (index == _arguments.Count - 1)
        {
            // What followed the last argument (a line break before ")", a comment) now follows the new one.
            argument = argument.WithTrailingTrivia(_arguments[index].GetTrailingTrivia());
            _arguments[index] = _arguments[index].WithoutTrailingTrivia();
        }
        else
        {
            argument = argument.WithoutTrailingTrivia();
        }
        _arguments.Insert(index + 1, argument);
        _separators.Insert(index, separator);
    }

    public void RemoveAt(int index)
    {
        AttributeArgumentSyntax removed = _arguments[index];
        _arguments.RemoveAt(index);
        if (_arguments.Count == 0)
            return;
        if (index < _arguments.Count)
        {
            _separators.RemoveAt(index);
            if (index == 0)
                _arguments[0] = _arguments[0].WithLeadingTrivia(removed.GetLeadingTrivia());
        }
        else
        {
            _separators.RemoveAt(index - 1);
            _arguments[index - 1] = _arguments[index - 1].WithTrailingTrivia(removed.GetTrailingTrivia());
        }
    }

    public AttributeSyntax ApplyTo(AttributeSyntax attribute)
    {
        var arguments = SyntaxFactory.SeparatedList(_arguments, _separators);
        return attribute.WithArgumentList(attribute.ArgumentList is { } list
            ? list.WithArguments(arguments)
            : SyntaxFactory.AttributeArgumentList(arguments));
    }

    /// <summary><c>Name = value</c>, spaced as people write it.</summary>
    public static AttributeArgumentSyntax Property(string name, ExpressionSyntax value) => SyntaxFactory.AttributeArgument(
        SyntaxFactory.NameEquals(
            SyntaxFactory.IdentifierName(name).WithTrailingTrivia(SyntaxFactory.Space),
            SyntaxFactory.Token(SyntaxKind.EqualsToken).WithTrailingTrivia(SyntaxFactory.Space)),
        nameColon: null,
        value);

    /// <summary>A constructor argument, named (<c>name: value</c>) when <paramref name="name"/> is given.</summary>
    public static AttributeArgumentSyntax Constructor(string? name, ExpressionSyntax value) => SyntaxFactory.AttributeArgument(
        nameEquals: null,
        name is null ? null : SyntaxFactory.NameColon(SyntaxFactory.IdentifierName(name), SyntaxFactory.Token(SyntaxKind.ColonToken).WithTrailingTrivia(SyntaxFactory.Space)),
        value);

    public static LiteralExpressionSyntax Literal(int value)
        => SyntaxFactory.LiteralExpression(SyntaxKind.NumericLiteralExpression, SyntaxFactory.Literal(value));

    /// <summary>What a separator is followed by, without comments: its line break, else its spaces.</summary>
    private static SyntaxTriviaList LineBreakOrSpaces(SyntaxTriviaList trivia) => trivia.Any(t => t.IsKind(SyntaxKind.EndOfLineTrivia))
        ? SyntaxFactory.TriviaList(trivia.First(t => t.IsKind(SyntaxKind.EndOfLineTrivia)))
        : SyntaxFactory.TriviaList(trivia.Where(t => t.IsKind(SyntaxKind.WhitespaceTrivia)));

    /// <summary>The indentation in an argument's leading trivia: the whitespace after its last line break (comment lines dropped).</summary>
    private static SyntaxTriviaList Indentation(SyntaxTriviaList trivia) => SyntaxFactory.TriviaList(
        trivia.Reverse().TakeWhile(t => !t.IsKind(SyntaxKind.EndOfLineTrivia)).Where(t => t.IsKind(SyntaxKind.WhitespaceTrivia)).Reverse());
}
