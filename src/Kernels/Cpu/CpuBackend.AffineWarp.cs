using System.Buffers;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using FeatureViz.Tensors;
using FeatureViz.Tensors.Backends;

namespace FeatureViz.Kernels.Cpu;

public sealed partial class CpuBackend
{
    /// <inheritdoc/>
    public TensorStorage AffineWarp(TensorStorage x, TensorStorage theta, AffineWarpGeometry g)
    {
        var xs = Data(x);
        var th = Data(theta);
        int outH = g.OutH, outW = g.OutW, inPlane = g.InH * g.InW, c = g.C, outPlane = outH * outW;
        var y = NewUninitialized(g.N * c * outPlane);
        // One work item per output row of an image: its sampling corners are computed once and used for every channel.
        For(g.N * outH, outW * (16L + 8L * c), (s, e) =>
        {
            var idx = new int[outW * 4];
            var w = new float[outW * 4];
            for (int r = s; r < e; r++)
            {
                int n = r / outH, oy = r % outH;
                WarpRow(th, g.ThetaBatch == 1 ? 0 : n, oy, g, idx, w);
                for (int ch = 0; ch < c; ch++)
                {
                    // Offsets are in [0, inPlane) by construction (WarpRow), so the gathers skip bounds checks.
                    ref float src = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(xs), (n * c + ch) * inPlane);
                    var dst = y.AsSpan((n * c + ch) * outPlane + oy * outW, outW);
                    for (int ox = 0, t = 0; ox < dst.Length; ox++, t += 4)
                    {
                        dst[ox] = w[t] * Unsafe.Add(ref src, idx[t]) + w[t + 1] * Unsafe.Add(ref src, idx[t + 1])
                            + w[t + 2] * Unsafe.Add(ref src, idx[t + 2]) + w[t + 3] * Unsafe.Add(ref src, idx[t + 3]);
                    }
                }
            }
        });
        return Wrap(y);
    }

    /// <inheritdoc/>
    public TensorStorage AffineWarpBackward(TensorStorage dy, TensorStorage theta, AffineWarpGeometry g)
    {
        var gs = Data(dy);
        var th = Data(theta);
        int outH = g.OutH, outW = g.OutW, outPlane = outH * outW, inPlane = g.InH * g.InW, c = g.C;
        var dx = NewZeroed(g.N * c * inPlane);
        // The sampling corners of every output pixel of each theta, computed once and shared by the channels.
        int tableLength = g.ThetaBatch * outPlane * 4;
        var idx = ArrayPool<int>.Shared.Rent(tableLength);
        var w = ArrayPool<float>.Shared.Rent(tableLength);
        try
        {
            For(g.ThetaBatch * outH, outW * 24L, (s, e) =>
            {
                for (int r = s; r < e; r++)
                    WarpRow(th, r / outH, r % outH, g, idx.AsSpan(r * outW * 4, outW * 4), w.AsSpan(r * outW * 4, outW * 4));
            });
            // One plane per work item, so the scatter-adds never race.
            For(g.N * c, outPlane * 8L, (s, e) =>
            {
                for (int nc = s; nc < e; nc++)
                {
                    ref float src = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(dx), nc * inPlane);
                    var go = gs.AsSpan(nc * outPlane, outPlane);
                    int t = (g.ThetaBatch == 1 ? 0 : nc / c) * outPlane * 4;
                    for (int p = 0; p < go.Length; p++, t += 4)
                    {
                        float v = go[p];
                        Unsafe.Add(ref src, idx[t]) += w[t] * v;
                        Unsafe.Add(ref src, idx[t + 1]) += w[t + 1] * v;
                        Unsafe.Add(ref src, idx[t + 2]) += w[t + 2] * v;
                        Unsafe.Add(ref src, idx[t + 3]) += w[t + 3] * v;
                    }
                }
            });
        }
        finally
        {
            ArrayPool<int>.Shared.Return(idx);
            ArrayPool<float>.Shared.Return(w);
        }
        return Wrap(dx);
    }

    /// <summary>
    /// The four bilinear corners of every pixel of output row <paramref name="oy"/> under theta <paramref name="b"/>,
    /// as offsets into an input plane and weights (a corner outside the image gets weight 0 and offset 0).
    /// </summary>
    private static void WarpRow(float[] th, int b, int oy, AffineWarpGeometry g, Span<int> idx, Span<float> w)
    {
        int inH = g.InH, inW = g.InW, outW = g.OutW;
        bool border = g.Padding == WarpPadding.Border;
        double t00 = th[b * 6], t01 = th[b * 6 + 1], t02 = th[b * 6 + 2];
        double t10 = th[b * 6 + 3], t11 = th[b * 6 + 4], t12 = th[b * 6 + 5];
        // affine_grid (align_corners = false): x_n = (2 ox + 1) / outW - 1, y_n = (2 oy + 1) / outH - 1; grid = theta (x_n, y_n, 1);
        // grid_sample unnormalisation: i = ((grid + 1) size - 1) / 2. Both are affine in ox, so i = slope * ox + offset.
        double yn = (2.0 * oy + 1) / g.OutH - 1;
        double x0n = 1.0 / outW - 1;
        double ax = t00 * inW / outW, bx = ((t00 * x0n + t01 * yn + t02 + 1) * inW - 1) / 2;
        double ay = t10 * inH / outW, by = ((t10 * x0n + t11 * yn + t12 + 1) * inH - 1) / 2;
        for (int ox = 0, t = 0; ox < outW; ox++, t += 4)
        {
            double ix = Clean(ax * ox + bx, inW, border), iy = Clean(ay * ox + by, inH, border);
            double fx = Math.Floor(ix), fy = Math.Floor(iy);
            int x0 = (int)fx, y0 = (int)fy;
            double wx1 = ix - fx, wy1 = iy - fy;
            Corner(idx, w, t, y0, x0, (1 - wy1) * (1 - wx1), inH, inW);
            Corner(idx, w, t + 1, y0, x0 + 1, (1 - wy1) * wx1, inH, inW);
            Corner(idx, w, t + 2, y0 + 1, x0, wy1 * (1 - wx1), inH, inW);
            Corner(idx, w, t + 3, y0 + 1, x0 + 1, wy1 * wx1, inH, inW);
        }
    }

    private static double Clean(double i, int size, bool border)
    {
        // Snap float noise so that identity and whole-pixel shifts copy pixels exactly.
        double ri = Math.Round(i);
        if (Math.Abs(i - ri) < 1e-6) i = ri;
        if (border) return Math.Clamp(i, 0, size - 1);
        // Far outside (or NaN) reads zeros; keep the value in int range.
        return i >= -2 ? Math.Min(i, size + 1) : -2;
    }

    private static void Corner(Span<int> idx, Span<float> w, int t, int y, int x, double weight, int inH, int inW)
    {
        bool inside = (uint)y < (uint)inH && (uint)x < (uint)inW;
        idx[t] = inside ? y * inW + x : 0;
        w[t] = inside ? (float)weight : 0f;
    }
}
