using System.Runtime.InteropServices;

namespace ConvGen.Generators.Helpers;

/// <summary>A float's IEEE 754 bits and back (netstandard2.0 has no BitConverter.SingleToInt32Bits).</summary>
[StructLayout(LayoutKind.Explicit)]
internal struct FloatBits
{
    [FieldOffset(0)] private uint _bits;
    [FieldOffset(0)] private float _value;

    public static uint ToBits(float value) => new FloatBits { _value = value }._bits;

    public static float FromBits(uint bits) => new FloatBits { _bits = bits }._value;
}
