using FeatureViz.Tensors;
using FeatureViz.Tensors.Backends;

namespace FeatureViz.Kernels.Cpu;

public sealed partial class CpuBackend
{
    /// <inheritdoc/>
    public TensorStorage AffineWarp(TensorStorage x, TensorStorage theta, AffineWarpGeometry g)
    {
        var xs = Data(x);
        var (idx, w) = WarpTable(Data(theta), g);
        int outH = g.OutH, outW = g.OutW, inPlane = g.InH * g.InW, c = g.C;
        var y = GC.AllocateUninitializedArray<float>(g.N * c * outH * outW);
        For(g.N * c * outH, outW * 8L, (s, e) =>
        {
            for (int r = s; r < e; r++)
            {
                int nc = r / outH, oy = r % outH, src = nc * inPlane, dst = r * outW;
                int t = ((g.ThetaBatch == 1 ? 0 : nc / c) * outH + oy) * outW * 4;
                for (int ox = 0; ox < outW; ox++, t += 4)
                {
                    y[dst + ox] = w[t] * xs[src + idx[t]] + w[t + 1] * xs[src + idx[t + 1]]
                        + w[t + 2] * xs[src + idx[t + 2]] + w[t + 3] * xs[src + idx[t + 3]];
                }
            }
        });
        return Wrap(y);
    }

    /// <inheritdoc/>
    public TensorStorage AffineWarpBackward(TensorStorage dy, TensorStorage theta, AffineWarpGeometry g)
    {
        var gs = Data(dy);
        var (idx, w) = WarpTable(Data(theta), g);
        int outPlane = g.OutH * g.OutW, inPlane = g.InH * g.InW, c = g.C;
        var dx = new float[g.N * c * inPlane];
        // One plane per work item: scatters never race.
        For(g.N * c, outPlane * 8L, (s, e) =>
        {
            for (int nc = s; nc < e; nc++)
            {
                int src = nc * inPlane, go = nc * outPlane;
                int t = (g.ThetaBatch == 1 ? 0 : nc / c) * outPlane * 4;
                for (int p = 0; p < outPlane; p++, t += 4)
                {
                    float v = gs[go + p];
                    dx[src + idx[t]] += w[t] * v;
                    dx[src + idx[t + 1]] += w[t + 1] * v;
                    dx[src + idx[t + 2]] += w[t + 2] * v;
                    dx[src + idx[t + 3]] += w[t + 3] * v;
                }
            }
        });
        return Wrap(dx);
    }

    /// <summary>
    /// Per output pixel of each theta: the four bilinear corners as offsets into an input plane and their weights
    /// (a corner outside the image gets weight 0 and offset 0), computed once per call in float64.
    /// </summary>
    private (int[] Idx, float[] W) WarpTable(float[] th, AffineWarpGeometry g)
    {
        int outH = g.OutH, outW = g.OutW, inH = g.InH, inW = g.InW;
        var idx = new int[g.ThetaBatch * outH * outW * 4];
        var w = new float[idx.Length];
        bool border = g.Padding == WarpPadding.Border;
        For(g.ThetaBatch * outH, outW * 16L, (s, e) =>
        {
            for (int r = s; r < e; r++)
            {
                int b = r / outH, oy = r % outH, t = r * outW * 4;
                double t00 = th[b * 6], t01 = th[b * 6 + 1], t02 = th[b * 6 + 2];
                double t10 = th[b * 6 + 3], t11 = th[b * 6 + 4], t12 = th[b * 6 + 5];
                // affine_grid base coordinates (align_corners = false): pixel centres in [-1, 1].
                double yn = (2.0 * oy + 1) / outH - 1;
                for (int ox = 0; ox < outW; ox++, t += 4)
                {
                    double xn = (2.0 * ox + 1) / outW - 1;
                    double gx = t00 * xn + t01 * yn + t02, gy = t10 * xn + t11 * yn + t12;
                    // grid_sample unnormalisation (align_corners = false).
                    double ix = Unnormalize(gx, inW, border), iy = Unnormalize(gy, inH, border);
                    double fx = Math.Floor(ix), fy = Math.Floor(iy);
                    int x0 = (int)fx, y0 = (int)fy;
                    double wx1 = ix - fx, wy1 = iy - fy;
                    Corner(idx, w, t, y0, x0, (1 - wy1) * (1 - wx1), inH, inW);
                    Corner(idx, w, t + 1, y0, x0 + 1, (1 - wy1) * wx1, inH, inW);
                    Corner(idx, w, t + 2, y0 + 1, x0, wy1 * (1 - wx1), inH, inW);
                    Corner(idx, w, t + 3, y0 + 1, x0 + 1, wy1 * wx1, inH, inW);
                }
            }
        });
        return (idx, w);
    }

    private static double Unnormalize(double coord, int size, bool border)
    {
        double i = ((coord + 1) * size - 1) / 2;
        // Snap float noise so that identity and whole-pixel shifts copy pixels exactly.
        double ri = Math.Round(i);
        if (Math.Abs(i - ri) < 1e-6) i = ri;
        if (border) return Math.Clamp(i, 0, size - 1);
        // Far outside (or NaN) reads zeros; keep the value in int range.
        return i >= -2 ? Math.Min(i, size + 1) : -2;
    }

    private static void Corner(int[] idx, float[] w, int t, int y, int x, double weight, int inH, int inW)
    {
        if ((uint)y < (uint)inH && (uint)x < (uint)inW)
        {
            idx[t] = y * inW + x;
            w[t] = (float)weight;
        }
        else
        {
            idx[t] = 0;
            w[t] = 0;
        }
    }
}
