using ILGPU;

namespace FeatureViz.Kernels.Gpu.Pool;

/// <summary>
/// Device code of 2-D pooling. Forwards run a thread per output element; backwards a thread per (n, c) plane that
/// walks its outputs in order, so the scatter-adds never race and sum in the CPU backend's order.
/// </summary>
internal static class PoolKernels
{
    public static void MaxForward(ArrayView<float> x, ArrayView<float> y, PoolLayout g)
    {
        int n = (int)y.Length, outPlane = g.OutH * g.OutW;
        for (int i = Grid.GlobalIndex.X; i < n; i += Grid.DimX * Group.DimX)
        {
            int p = i / outPlane, r = i - p * outPlane, oh = r / g.OutW, ow = r - oh * g.OutW;
            y[i] = WindowMax(x, g, p * g.H * g.W, oh, ow);
        }
    }

    public static void MaxBackward(ArrayView<float> x, ArrayView<float> dy, ArrayView<float> dx, PoolLayout g)
    {
        int planes = g.N * g.C, plane = g.H * g.W;
        for (int p = Grid.GlobalIndex.X; p < planes; p += Grid.DimX * Group.DimX)
        {
            int xBase = p * plane, yBase = p * g.OutH * g.OutW;
            for (int oh = 0; oh < g.OutH; oh++)
                for (int ow = 0; ow < g.OutW; ow++)
                {
                    float m = WindowMax(x, g, xBase, oh, ow);
                    bool nan = float.IsNaN(m);
                    int rs = oh * g.StrideH - g.PadTop, cs = ow * g.StrideW - g.PadLeft;
                    PoolLayout.Window(rs, g.KernelH, g.DilationH, g.H, out int r0, out int r1);
                    PoolLayout.Window(cs, g.KernelW, g.DilationW, g.W, out int c0, out int c1);
                    int arg = 0;
                    bool found = false;
                    // The first maximum in row-major window order (the first NaN when the maximum is NaN); a window
                    // with no valid tap passes no gradient.
                    for (int kh = r0; kh < r1 && !found; kh++)
                        for (int kw = c0; kw < c1 && !found; kw++)
                        {
                            int idx = xBase + (rs + kh * g.DilationH) * g.W + cs + kw * g.DilationW;
                            float v = x[idx];
                            if (v == m || (nan && float.IsNaN(v))) { arg = idx; found = true; }
                        }
                    if (found) dx[arg] += dy[yBase + oh * g.OutW + ow];
                }
        }
    }

    public static void AvgForward(ArrayView<float> x, ArrayView<float> y, PoolLayout g)
    {
        int n = (int)y.Length, outPlane = g.OutH * g.OutW;
        for (int i = Grid.GlobalIndex.X; i < n; i += Grid.DimX * Group.DimX)
        {
            int p = i / outPlane, r = i - p * outPlane, oh = r / g.OutW, ow = r - oh * g.OutW;
            int xBase = p * g.H * g.W, rs = oh * g.StrideH - g.PadTop, cs = ow * g.StrideW - g.PadLeft;
            PoolLayout.Window(rs, g.KernelH, g.DilationH, g.H, out int r0, out int r1);
            PoolLayout.Window(cs, g.KernelW, g.DilationW, g.W, out int c0, out int c1);
            float s = 0f;
            for (int kh = r0; kh < r1; kh++)
                for (int kw = c0; kw < c1; kw++)
                    s += x[xBase + (rs + kh * g.DilationH) * g.W + cs + kw * g.DilationW];
            y[i] = s / g.Divisor(oh, ow);
        }
    }

    public static void AvgBackward(ArrayView<float> dy, ArrayView<float> dx, PoolLayout g)
    {
        int planes = g.N * g.C, plane = g.H * g.W;
        for (int p = Grid.GlobalIndex.X; p < planes; p += Grid.DimX * Group.DimX)
        {
            int xBase = p * plane, yBase = p * g.OutH * g.OutW;
            for (int oh = 0; oh < g.OutH; oh++)
                for (int ow = 0; ow < g.OutW; ow++)
                {
                    int rs = oh * g.StrideH - g.PadTop, cs = ow * g.StrideW - g.PadLeft;
                    PoolLayout.Window(rs, g.KernelH, g.DilationH, g.H, out int r0, out int r1);
                    PoolLayout.Window(cs, g.KernelW, g.DilationW, g.W, out int c0, out int c1);
                    float v = dy[yBase + oh * g.OutW + ow] / g.Divisor(oh, ow);
                    for (int kh = r0; kh < r1; kh++)
                        for (int kw = c0; kw < c1; kw++)
                            dx[xBase + (rs + kh * g.DilationH) * g.W + cs + kw * g.DilationW] += v;
                }
        }
    }

    private static float WindowMax(ArrayView<float> x, PoolLayout g, int xBase, int oh, int ow)
    {
        int rs = oh * g.StrideH - g.PadTop, cs = ow * g.StrideW - g.PadLeft;
        PoolLayout.Window(rs, g.KernelH, g.DilationH, g.H, out int r0, out int r1);
        PoolLayout.Window(cs, g.KernelW, g.DilationW, g.W, out int c0, out int c1);
        float m = float.NegativeInfinity;
        for (int kh = r0; kh < r1; kh++)
            for (int kw = c0; kw < c1; kw++)
            {
                float v = x[xBase + (rs + kh * g.DilationH) * g.W + cs + kw * g.DilationW];
                // NaN propagates, as MathF.Max on the CPU backend.
                m = v > m || float.IsNaN(v) ? v : m;
            }
        return m;
    }
}
