using FeatureViz.Tensors;
using FeatureViz.Tensors.Backends;

namespace FeatureViz.Kernels.Cpu;

public sealed partial class CpuBackend
{
    /// <inheritdoc/>
    public TensorStorage AffineWarpBackwardTheta(TensorStorage x, TensorStorage dy, TensorStorage theta, AffineWarpGeometry g)
    {
        var xs = Data(x);
        var gs = Data(dy);
        var th = Data(theta);
        int outH = g.OutH, outW = g.OutW, inH = g.InH, inW = g.InW, c = g.C, inPlane = inH * inW, outPlane = outH * outW;
        bool border = g.Padding == WarpPadding.Border;
        var total = new double[g.ThetaBatch * 6];
        var gate = new object();
        For(g.N * outH, outW * (24L + 12L * c), (s, e) =>
        {
            var local = new double[total.Length];
            for (int r = s; r < e; r++)
            {
                int n = r / outH, oy = r % outH, b = g.ThetaBatch == 1 ? 0 : n;
                double t00 = th[b * 6], t01 = th[b * 6 + 1], t02 = th[b * 6 + 2];
                double t10 = th[b * 6 + 3], t11 = th[b * 6 + 4], t12 = th[b * 6 + 5];
                double yn = (2.0 * oy + 1) / outH - 1;
                for (int ox = 0; ox < outW; ox++)
                {
                    double xn = (2.0 * ox + 1) / outW - 1;
                    double ix = ((t00 * xn + t01 * yn + t02 + 1) * inW - 1) / 2;
                    double iy = ((t10 * xn + t11 * yn + t12 + 1) * inH - 1) / 2;
                    // Border padding clamps the position, which has no gradient there.
                    double sx = inW / 2.0, sy = inH / 2.0;
                    if (border)
                    {
                        if (ix < 0 || ix > inW - 1) { ix = Math.Clamp(ix, 0, inW - 1); sx = 0; }
                        if (iy < 0 || iy > inH - 1) { iy = Math.Clamp(iy, 0, inH - 1); sy = 0; }
                    }
                    else if (!(ix > -1 && ix < inW && iy > -1 && iy < inH)) continue;
                    double fx = Math.Floor(ix), fy = Math.Floor(iy), wx = ix - fx, wy = iy - fy;
                    int x0 = (int)fx, y0 = (int)fy;
                    bool bx0 = (uint)x0 < (uint)inW, bx1 = (uint)(x0 + 1) < (uint)inW;
                    bool by0 = (uint)y0 < (uint)inH, by1 = (uint)(y0 + 1) < (uint)inH;
                    double gix = 0, giy = 0;
                    for (int ch = 0; ch < c; ch++)
                    {
                        int src = (n * c + ch) * inPlane;
                        double gv = gs[(n * c + ch) * outPlane + oy * outW + ox];
                        if (gv == 0) continue;
                        double a00 = by0 && bx0 ? xs[src + y0 * inW + x0] : 0, a01 = by0 && bx1 ? xs[src + y0 * inW + x0 + 1] : 0;
                        double a10 = by1 && bx0 ? xs[src + (y0 + 1) * inW + x0] : 0, a11 = by1 && bx1 ? xs[src + (y0 + 1) * inW + x0 + 1] : 0;
                        gix += gv * ((1 - wy) * (a01 - a00) + wy * (a11 - a10));
                        giy += gv * ((1 - wx) * (a10 - a00) + wx * (a11 - a01));
                    }
                    // d i / d grid = size / 2; d grid / d theta row = (x_n, y_n, 1).
                    gix *= sx;
                    giy *= sy;
                    local[b * 6] += gix * xn;
                    local[b * 6 + 1] += gix * yn;
                    local[b * 6 + 2] += gix;
                    local[b * 6 + 3] += giy * xn;
                    local[b * 6 + 4] += giy * yn;
                    local[b * 6 + 5] += giy;
                }
            }
            lock (gate)
                for (int k = 0; k < total.Length; k++) total[k] += local[k];
        });
        var result = NewZeroed(total.Length);
        for (int k = 0; k < total.Length; k++) result[k] = (float)total[k];
        return Wrap(result);
    }
}
