using FeatureViz.Tensors.Backends;

namespace FeatureViz.Kernels.Cpu;

public sealed partial class CpuBackend
{
    /// <inheritdoc/>
    public TensorStorage Resize(TensorStorage x, ResizeGeometry g)
    {
        var xs = Data(x);
        int inPlane = g.InH * g.InW, outW = g.OutW, outH = g.OutH, inW = g.InW;
        var y = NewUninitialized(g.Planes * outH * outW);
        int[] y0 = g.Y0, y1 = g.Y1, x0 = g.X0, x1 = g.X1;
        float[] wy = g.WY1, wx = g.WX1;
        For(g.Planes * outH, outW * 4L, (s, e) =>
        {
            for (int r = s; r < e; r++)
            {
                int plane = r / outH, oy = r % outH, src = plane * inPlane, dst = r * outW;
                if (g.Nearest)
                {
                    int row = src + y0[oy] * inW;
                    for (int ox = 0; ox < outW; ox++) y[dst + ox] = xs[row + x0[ox]];
                    continue;
                }
                int r0 = src + y0[oy] * inW, r1 = src + y1[oy] * inW;
                float b1 = wy[oy], b0 = 1f - b1;
                for (int ox = 0; ox < outW; ox++)
                {
                    int c0 = x0[ox], c1 = x1[ox];
                    float a1 = wx[ox], a0 = 1f - a1;
                    // Along x first, then y, as the ONNX reference does.
                    float top = a0 * xs[r0 + c0] + a1 * xs[r0 + c1];
                    float bottom = a0 * xs[r1 + c0] + a1 * xs[r1 + c1];
                    y[dst + ox] = b0 * top + b1 * bottom;
                }
            }
        });
        return Wrap(y);
    }

    /// <inheritdoc/>
    public TensorStorage ResizeBackward(TensorStorage dy, ResizeGeometry g)
    {
        var gs = Data(dy);
        int inPlane = g.InH * g.InW, outW = g.OutW, outH = g.OutH, inW = g.InW;
        var dx = NewZeroed(g.Planes * inPlane);
        int[] y0 = g.Y0, y1 = g.Y1, x0 = g.X0, x1 = g.X1;
        float[] wy = g.WY1, wx = g.WX1;
        // One plane per work item: scatters never race.
        For(g.Planes, (long)outH * outW * 4, (s, e) =>
        {
            for (int plane = s; plane < e; plane++)
            {
                int src = plane * inPlane;
                for (int oy = 0; oy < outH; oy++)
                {
                    int go = (plane * outH + oy) * outW;
                    if (g.Nearest)
                    {
                        int row = src + y0[oy] * inW;
                        for (int ox = 0; ox < outW; ox++) dx[row + x0[ox]] += gs[go + ox];
                        continue;
                    }
                    int r0 = src + y0[oy] * inW, r1 = src + y1[oy] * inW;
                    float b1 = wy[oy], b0 = 1f - b1;
                    for (int ox = 0; ox < outW; ox++)
                    {
                        int c0 = x0[ox], c1 = x1[ox];
                        float a1 = wx[ox], a0 = 1f - a1, v = gs[go + ox];
                        float top = b0 * v, bottom = b1 * v;
                        dx[r0 + c0] += a0 * top;
                        dx[r0 + c1] += a1 * top;
                        dx[r1 + c0] += a0 * bottom;
                        dx[r1 + c1] += a1 * bottom;
                    }
                }
            }
        });
        return Wrap(dx);
    }
}
