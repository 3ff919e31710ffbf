using ILGPU;

namespace FeatureViz.Kernels.Gpu.Sampling;

/// <summary>Device code of the affine warp (affine_grid + bilinear grid_sample, align_corners = false) and its gradients.</summary>
internal static class WarpKernels
{
    /// <summary>A thread per output element.</summary>
    public static void Forward(ArrayView<float> x, ArrayView<float> theta, ArrayView<float> y, WarpLayout g)
    {
        int n = (int)y.Length, outPlane = g.OutH * g.OutW, inPlane = g.InH * g.InW;
        for (int i = Grid.GlobalIndex.X; i < n; i += Grid.DimX * Group.DimX)
        {
            int p = i / outPlane, r = i - p * outPlane, oy = r / g.OutW, ox = r - oy * g.OutW, img = p / g.C;
            g.Corners(theta, g.ThetaBatch == 1 ? 0 : img, oy, ox, out int i0, out int i1, out int i2, out int i3,
                out float w0, out float w1, out float w2, out float w3);
            int s = p * inPlane;
            y[i] = w0 * x[s + i0] + w1 * x[s + i1] + w2 * x[s + i2] + w3 * x[s + i3];
        }
    }

    /// <summary>A thread per (n, c) plane, scatter-adding its outputs in order (no races).</summary>
    public static void Backward(ArrayView<float> dy, ArrayView<float> theta, ArrayView<float> dx, WarpLayout g)
    {
        int planes = g.N * g.C, outPlane = g.OutH * g.OutW, inPlane = g.InH * g.InW;
        for (int p = Grid.GlobalIndex.X; p < planes; p += Grid.DimX * Group.DimX)
        {
            int b = g.ThetaBatch == 1 ? 0 : p / g.C, s = p * inPlane;
            for (int r = 0; r < outPlane; r++)
            {
                int oy = r / g.OutW, ox = r - oy * g.OutW;
                g.Corners(theta, b, oy, ox, out int i0, out int i1, out int i2, out int i3,
                    out float w0, out float w1, out float w2, out float w3);
                float v = dy[p * outPlane + r];
                dx[s + i0] += w0 * v;
                dx[s + i1] += w1 * v;
                dx[s + i2] += w2 * v;
                dx[s + i3] += w3 * v;
            }
        }
    }

    /// <summary>
    /// A thread per output pixel (n, oy, ox) writes its six theta partials (summed over channels) to
    /// <paramref name="partials"/> [N, OutH * OutW, 6]; a sum reduction finishes dtheta.
    /// </summary>
    public static void ThetaPartials(ArrayView<float> x, ArrayView<float> dy, ArrayView<float> theta, ArrayView<float> partials, WarpLayout g)
    {
        int outPlane = g.OutH * g.OutW, inPlane = g.InH * g.InW, pixels = g.N * outPlane;
        int inH = g.InH, inW = g.InW;
        for (int q = Grid.GlobalIndex.X; q < pixels; q += Grid.DimX * Group.DimX)
        {
            int n = q / outPlane, r = q - n * outPlane, oy = r / g.OutW, ox = r - oy * g.OutW, b = g.ThetaBatch == 1 ? 0 : n;
            double t00 = theta[b * 6], t01 = theta[b * 6 + 1], t02 = theta[b * 6 + 2];
            double t10 = theta[b * 6 + 3], t11 = theta[b * 6 + 4], t12 = theta[b * 6 + 5];
            double yn = (2.0 * oy + 1) / g.OutH - 1, xn = (2.0 * ox + 1) / g.OutW - 1;
            double ix = ((t00 * xn + t01 * yn + t02 + 1) * inW - 1) / 2;
            double iy = ((t10 * xn + t11 * yn + t12 + 1) * inH - 1) / 2;
            double sx = inW / 2.0, sy = inH / 2.0, gix = 0, giy = 0;
            bool skip = false;
            if (g.Border != 0)
            {
                if (ix < 0 || ix > inW - 1) { ix = ix < 0 ? 0 : inW - 1; sx = 0; }
                if (iy < 0 || iy > inH - 1) { iy = iy < 0 ? 0 : inH - 1; sy = 0; }
            }
            else if (!(ix > -1 && ix < inW && iy > -1 && iy < inH)) skip = true;
            if (!skip)
            {
                double fx = Math.Floor(ix), fy = Math.Floor(iy), wx = ix - fx, wy = iy - fy;
                int x0 = (int)fx, y0 = (int)fy;
                bool bx0 = (uint)x0 < (uint)inW, bx1 = (uint)(x0 + 1) < (uint)inW;
                bool by0 = (uint)y0 < (uint)inH, by1 = (uint)(y0 + 1) < (uint)inH;
                for (int ch = 0; ch < g.C; ch++)
                {
                    int src = (n * g.C + ch) * inPlane;
                    double gv = dy[(n * g.C + ch) * outPlane + r];
                    double a00 = by0 && bx0 ? x[src + y0 * inW + x0] : 0, a01 = by0 && bx1 ? x[src + y0 * inW + x0 + 1] : 0;
                    double a10 = by1 && bx0 ? x[src + (y0 + 1) * inW + x0] : 0, a11 = by1 && bx1 ? x[src + (y0 + 1) * inW + x0 + 1] : 0;
                    gix += gv * ((1 - wy) * (a01 - a00) + wy * (a11 - a10));
                    giy += gv * ((1 - wx) * (a10 - a00) + wx * (a11 - a01));
                }
                gix *= sx;
                giy *= sy;
            }
            int o = q * 6;
            partials[o] = (float)(gix * xn);
            partials[o + 1] = (float)(gix * yn);
            partials[o + 2] = (float)gix;
            partials[o + 3] = (float)(giy * xn);
            partials[o + 4] = (float)(giy * yn);
            partials[o + 5] = (float)giy;
        }
    }
}
