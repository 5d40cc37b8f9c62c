using System;
using System.Runtime.CompilerServices;

namespace ConvGen.Tests.Infrastructure;

/// <summary>
/// How much stack a call uses, by painting: fill a region below the caller's frame with a pattern, make the call,
/// and see how deep the pattern was overwritten. The same method paints and looks, so its region lies at the same
/// addresses both times.
/// </summary>
public static class StackDepth
{
    private const int Region = 256 * 1024;
    private const byte Paint = 0xCD;

    /// <summary>
    /// Bytes of stack <paramref name="call"/> wrote below this frame, the least of three measurements (a signal
    /// handler run on this thread, say to suspend it for another thread's GC, writes there too). Called once first,
    /// so that the JIT does not compile it in the painted region.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    public static int Of(Action call)
    {
        call();
        int least = int.MaxValue;
        for (int i = 0; i < 3; i++)
        {
            PaintOrMeasure(measure: false);
            call();
            least = Math.Min(least, PaintOrMeasure(measure: true));
        }
        return least;
    }

    [SkipLocalsInit, MethodImpl(MethodImplOptions.NoInlining)]
    private static int PaintOrMeasure(bool measure)
    {
        Span<byte> region = stackalloc byte[Region];
        if (!measure)
        {
            region.Fill(Paint);
            return 0;
        }
        // The stack grows down: region[0] is the deepest byte, and the call wrote from the top of the region down.
        int untouched = region.IndexOfAnyExcept(Paint);
        return Region - (untouched < 0 ? Region : untouched);
    }
}
