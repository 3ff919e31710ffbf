using FeatureViz.Tensors;
using FeatureViz.Tensors.Backends;

namespace FeatureViz.Kernels.Gpu.Sampling;

/// <summary>An <see cref="AffineWarpGeometry"/> as a kernel argument, with the CPU backend's sampling rules in device code.</summary>
public struct WarpLayout
{
#pragma warning disable CS1591 // the fields of AffineWarpGeometry (Border padding as 1)
    public int N, C, InH, InW, OutH, OutW, ThetaBatch, Border;
#pragma warning restore CS1591

    /// <summary>The layout of <paramref name="g"/>.</summary>
    public static WarpLayout Of(AffineWarpGeometry g) => new()
    {
        N = g.N, C = g.C, InH = g.InH, InW = g.InW, OutH = g.OutH, OutW = g.OutW, ThetaBatch = g.ThetaBatch,
        Border = g.Padding == WarpPadding.Border ? 1 : 0,
    };

    /// <summary>
    /// The four bilinear corners of output pixel (oy, ox) under theta <paramref name="b"/>: offsets into an input plane
    /// and weights (a corner outside the image has weight 0 and offset 0). The same arithmetic, in double, as the CPU
    /// backend's WarpRow, so that whole-pixel warps copy exactly on both.
    /// </summary>
    public readonly void Corners(ILGPU.ArrayView<float> theta, int b, int oy, int ox,
        out int i0, out int i1, out int i2, out int i3, out float w0, out float w1, out float w2, out float w3)
    {
        double t00 = theta[b * 6], t01 = theta[b * 6 + 1], t02 = theta[b * 6 + 2];
        double t10 = theta[b * 6 + 3], t11 = theta[b * 6 + 4], t12 = theta[b * 6 + 5];
        double yn = (2.0 * oy + 1) / OutH - 1;
        double x0n = 1.0 / OutW - 1;
        double ax = t00 * InW / OutW, bx = ((t00 * x0n + t01 * yn + t02 + 1) * InW - 1) / 2;
        double ay = t10 * InH / OutW, by = ((t10 * x0n + t11 * yn + t12 + 1) * InH - 1) / 2;
        double ix = Clean(ax * ox + bx, InW), iy = Clean(ay * ox + by, InH);
        double fx = Math.Floor(ix), fy = Math.Floor(iy);
        int x0 = (int)fx, y0 = (int)fy;
        double wx1 = ix - fx, wy1 = iy - fy;
        Corner(y0, x0, (1 - wy1) * (1 - wx1), out i0, out w0);
        Corner(y0, x0 + 1, (1 - wy1) * wx1, out i1, out w1);
        Corner(y0 + 1, x0, wy1 * (1 - wx1), out i2, out w2);
        Corner(y0 + 1, x0 + 1, wy1 * wx1, out i3, out w3);
    }

    private readonly double Clean(double i, int size)
    {
        double ri = Math.Round(i);
        if (Math.Abs(i - ri) < 1e-6) i = ri;
        if (Border != 0) return i < 0 ? 0 : i > size - 1 ? size - 1 : i;
        // Far outside (or NaN) reads zeros; keep the value in int range.
        return i >= -2 ? (i < size + 1 ? i : size + 1) : -2;
    }

    private readonly void Corner(int y, int x, double weight, out int index, out float w)
    {
        bool inside = (uint)y < (uint)InH && (uint)x < (uint)InW;
        index = inside ? y * InW + x : 0;
        w = inside ? (float)weight : 0f;
    }
}
