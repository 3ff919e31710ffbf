using FeatureViz.Tensors.Backends;

namespace FeatureViz.Kernels.Gpu.Pool;

/// <summary>A <see cref="Pool2dGeometry"/> as a kernel argument, with its window and divisor rules in device code.</summary>
public struct PoolLayout
{
#pragma warning disable CS1591 // the fields of Pool2dGeometry (CountIncludePad as 0/1)
    public int N, C, H, W, OutH, OutW, KernelH, KernelW, StrideH, StrideW, PadTop, PadLeft, PadBottom, PadRight, DilationH, DilationW, CountIncludePad;
#pragma warning restore CS1591

    /// <summary>The layout of <paramref name="g"/>.</summary>
    public static PoolLayout Of(Pool2dGeometry g) => new()
    {
        N = g.N, C = g.C, H = g.H, W = g.W, OutH = g.OutH, OutW = g.OutW, KernelH = g.KernelH, KernelW = g.KernelW,
        StrideH = g.StrideH, StrideW = g.StrideW, PadTop = g.PadTop, PadLeft = g.PadLeft, PadBottom = g.PadBottom,
        PadRight = g.PadRight, DilationH = g.DilationH, DilationW = g.DilationW, CountIncludePad = g.CountIncludePad ? 1 : 0,
    };

    /// <summary>Taps [k0, k1) of a window starting at <paramref name="start"/> that lie in [0, size) (as Pool2dGeometry's).</summary>
    public static void Window(int start, int k, int d, int size, out int k0, out int k1)
    {
        k0 = start >= 0 ? 0 : Min(k, (-start + d - 1) / d);
        k1 = size - start <= 0 ? 0 : Min(k, (size - start + d - 1) / d);
        if (k1 < k0) k1 = k0;
    }

    /// <summary>The average-pool divisor of output (oh, ow).</summary>
    public readonly float Divisor(int oh, int ow)
    {
        int rs = oh * StrideH - PadTop, cs = ow * StrideW - PadLeft, r0, r1, c0, c1;
        if (CountIncludePad == 0)
        {
            Window(rs, KernelH, DilationH, H, out r0, out r1);
            Window(cs, KernelW, DilationW, W, out c0, out c1);
        }
        else
        {
            Window(rs + PadTop, KernelH, DilationH, H + PadBottom + PadTop, out r0, out r1);
            Window(cs + PadLeft, KernelW, DilationW, W + PadRight + PadLeft, out c0, out c1);
        }
        return (float)(r1 - r0) * (c1 - c0);
    }

    private static int Min(int a, int b) => a < b ? a : b;
}
