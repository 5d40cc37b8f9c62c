using ConvGen.Generators.Model;

namespace ConvGen.Generators.Shapes;

/// <summary>
/// A tensor's shape, always held channels first. Rank 1 is a vector of <see cref="C"/> values, rank 2 a
/// 1-D signal (C, L) stored with H = 1, rank 3 an image (C, H, W); so one set of 2-D kernels serves 1-D too.
/// </summary>
internal sealed record Shape(int Rank, int C, int H, int W)
{
    public static Shape Vector(int n) => new(1, n, 1, 1);

    public static Shape FromDeclared(int[] dims) => dims.Length switch
    {
        1 => Vector(dims[0]),
        2 => new Shape(2, dims[0], 1, dims[1]),
        _ => new Shape(3, dims[0], dims[1], dims[2]),
    };

    public int Size => C * H * W;

    public int Spatial => H * W;

    public int SpatialRank => Rank - 1;

    /// <summary>The dimensions in the network's memory layout, as InputShape/OutputShape report them.</summary>
    public int[] Dims(LayoutKind layout) => (Rank, layout) switch
    {
        (1, _) => new[] { C },
        (2, LayoutKind.ChannelsLast) => new[] { W, C },
        (2, _) => new[] { C, W },
        (_, LayoutKind.ChannelsLast) => new[] { H, W, C },
        _ => new[] { C, H, W },
    };

    public string Describe(LayoutKind layout) => "(" + string.Join(", ", Dims(layout)) + ")";
}
