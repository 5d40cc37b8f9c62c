using System;
using System.Linq;
using Microsoft.CodeAnalysis;

namespace ConvGen.Generators.Parsing;

/// <summary>Reads attribute constants defensively: a value of an unexpected kind reads as null, never throws.</summary>
internal static class Values
{
    public static int? Int(TypedConstant constant) => constant.Kind is TypedConstantKind.Primitive or TypedConstantKind.Enum
        ? constant.Value switch { int i => i, short s => s, byte b => b, sbyte sb => sb, ushort us => us, _ => null }
        : null;

    public static float? Float(TypedConstant constant) => constant.Kind == TypedConstantKind.Primitive
        ? constant.Value switch { float f => f, double d => (float)d, int i => i, long l => l, _ => null }
        : null;

    public static bool? Bool(TypedConstant constant) => constant.Kind == TypedConstantKind.Primitive && constant.Value is bool b ? b : null;

    public static string? String(TypedConstant constant) => constant.Kind == TypedConstantKind.Primitive ? constant.Value as string : null;

    public static int[]? Ints(TypedConstant constant)
    {
        if (constant.Kind != TypedConstantKind.Array || constant.IsNull)
            return null;
        int?[] items = constant.Values.Select(Int).ToArray();
        return items.All(i => i.HasValue) ? items.Select(i => i!.Value).ToArray() : null;
    }

    public static string[]? Strings(TypedConstant constant)
    {
        if (constant.Kind != TypedConstantKind.Array || constant.IsNull)
            return null;
        string?[] items = constant.Values.Select(String).ToArray();
        return items.All(i => i is not null) ? items.Select(i => i!).ToArray() : null;
    }

    public static float[]? Floats(TypedConstant constant)
    {
        if (constant.Kind != TypedConstantKind.Array || constant.IsNull)
            return null;
        var result = new float[constant.Values.Length];
        for (int i = 0; i < result.Length; i++)
        {
            float? value = Float(constant.Values[i]);
            if (value is null) return null;
            result[i] = value.Value;
        }
        return result;
    }
}
