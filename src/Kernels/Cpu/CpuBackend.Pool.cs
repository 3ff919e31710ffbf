using System.Numerics.Tensors;
using FeatureViz.Tensors.Backends;

namespace FeatureViz.Kernels.Cpu;

public sealed partial class CpuBackend
{
    /// <summary>Per output row and column, the window start and the valid tap range (computed once per call).</summary>
    private sealed class PoolWindows
    {
        public readonly int[] RowStart, RowK0, RowK1, ColStart, ColK0, ColK1;
        public readonly float[] RowDiv, ColDiv;

        public PoolWindows(Pool2dGeometry g, bool divisors)
        {
            RowStart = new int[g.OutH]; RowK0 = new int[g.OutH]; RowK1 = new int[g.OutH];
            ColStart = new int[g.OutW]; ColK0 = new int[g.OutW]; ColK1 = new int[g.OutW];
            RowDiv = divisors ? new float[g.OutH] : [];
            ColDiv = divisors ? new float[g.OutW] : [];
            for (int i = 0; i < g.OutH; i++)
            {
                (RowStart[i], RowK0[i], RowK1[i]) = g.RowWindow(i);
                if (divisors) RowDiv[i] = g.DivisorRows(i);
            }
            for (int i = 0; i < g.OutW; i++)
            {
                (ColStart[i], ColK0[i], ColK1[i]) = g.ColWindow(i);
                if (divisors) ColDiv[i] = g.DivisorCols(i);
            }
        }
    }

    /// <inheritdoc/>
    public TensorStorage MaxPool2d(TensorStorage x, Pool2dGeometry g)
    {
        var xv = Data(x);
        var y = NewUninitialized(g.N * g.C * g.OutH * g.OutW);
        var win = new PoolWindows(g, false);
        int plane = g.H * g.W, outPlane = g.OutH * g.OutW;
        For(g.N * g.C, (long)outPlane * g.KernelH * g.KernelW, (p0, p1) =>
        {
            for (int p = p0; p < p1; p++)
            {
                var xp = xv.AsSpan(p * plane, plane);
                int o = p * outPlane;
                for (int oh = 0; oh < g.OutH; oh++)
                    for (int ow = 0; ow < g.OutW; ow++)
                    {
                        float m = float.NegativeInfinity;
                        int c0 = win.ColK0[ow], c1 = win.ColK1[ow], cs = win.ColStart[ow];
                        for (int kh = win.RowK0[oh]; kh < win.RowK1[oh]; kh++)
                        {
                            int row = (win.RowStart[oh] + kh * g.DilationH) * g.W + cs;
                            if (g.DilationW == 1)
                            {
                                var span = xp.Slice(row + c0, c1 - c0);
                                if (span.Length >= 16) m = MathF.Max(m, TensorPrimitives.Max<float>(span));
                                else foreach (float v in span) m = float.MaxNative(v, m);
                            }
                            else
                                for (int kw = c0; kw < c1; kw++)
                                {
                                    m = float.MaxNative(xp[row + kw * g.DilationW], m);
                                }
                        }
                        y[o++] = m;
                    }
            }
        });
        return Wrap(y);
    }

    /// <inheritdoc/>
    public TensorStorage MaxPool2dBackward(TensorStorage x, TensorStorage dy, Pool2dGeometry g)
    {
        var xv = Data(x);
        var gv = Data(dy);
        var dx = NewZeroed(xv.Length);
        var win = new PoolWindows(g, false);
        int plane = g.H * g.W, outPlane = g.OutH * g.OutW;
        For(g.N * g.C, (long)outPlane * g.KernelH * g.KernelW, (p0, p1) =>
        {
            for (int p = p0; p < p1; p++)
            {
                var xp = xv.AsSpan(p * plane, plane);
                var dp = dx.AsSpan(p * plane, plane);
                int o = p * outPlane;
                for (int oh = 0; oh < g.OutH; oh++)
                    for (int ow = 0; ow < g.OutW; ow++, o++)
                    {
                        // The first maximum in row-major window order receives the gradient. A branch-free max
                        // pass and then a branch-free search mispredict far less than a running argmax.
                        float m = float.NegativeInfinity;
                        int c0 = win.ColK0[ow], c1 = win.ColK1[ow], cs = win.ColStart[ow];
                        int h0 = win.RowK0[oh], h1 = win.RowK1[oh];
                        for (int kh = h0; kh < h1; kh++)
                        {
                            int row = (win.RowStart[oh] + kh * g.DilationH) * g.W + cs;
                            for (int kw = c0; kw < c1; kw++) m = float.MaxNative(xp[row + kw * g.DilationW], m);
                        }
                        // Walking backwards, the last match seen is the first in window order; the select is a cmov.
                        int arg = -1;
                        for (int kh = h1 - 1; kh >= h0; kh--)
                        {
                            int row = (win.RowStart[oh] + kh * g.DilationH) * g.W + cs;
                            for (int kw = c1 - 1; kw >= c0; kw--)
                            {
                                int i = row + kw * g.DilationW;
                                arg = xp[i] == m ? i : arg;
                            }
                        }
                        // All-NaN windows have no match; they pass no gradient.
                        if (arg >= 0) dp[arg] += gv[o];
                    }
            }
        });
        return Wrap(dx);
    }

    /// <inheritdoc/>
    public TensorStorage AvgPool2d(TensorStorage x, Pool2dGeometry g)
    {
        var xv = Data(x);
        var y = NewUninitialized(g.N * g.C * g.OutH * g.OutW);
        var win = new PoolWindows(g, true);
        int plane = g.H * g.W, outPlane = g.OutH * g.OutW;
        For(g.N * g.C, (long)outPlane * g.KernelH * g.KernelW, (p0, p1) =>
        {
            for (int p = p0; p < p1; p++)
            {
                var xp = xv.AsSpan(p * plane, plane);
                int o = p * outPlane;
                for (int oh = 0; oh < g.OutH; oh++)
                    for (int ow = 0; ow < g.OutW; ow++)
                    {
                        float s = 0;
                        int c0 = win.ColK0[ow], c1 = win.ColK1[ow], cs = win.ColStart[ow];
                        for (int kh = win.RowK0[oh]; kh < win.RowK1[oh]; kh++)
                        {
                            int row = (win.RowStart[oh] + kh * g.DilationH) * g.W + cs;
                            if (g.DilationW == 1)
                            {
                                var span = xp.Slice(row + c0, c1 - c0);
                                if (span.Length >= 16) s += TensorPrimitives.Sum<float>(span);
                                else foreach (float v in span) s += v;
                            }
                            else
                                for (int kw = c0; kw < c1; kw++) s += xp[row + kw * g.DilationW];
                        }
                        float div = win.RowDiv[oh] * win.ColDiv[ow];
                        y[o++] = div > 0 ? s / div : 0f;
                    }
            }
        });
        return Wrap(y);
    }

    /// <inheritdoc/>
    public TensorStorage AvgPool2dBackward(TensorStorage dy, Pool2dGeometry g)
    {
        var gv = Data(dy);
        var dx = NewZeroed(g.N * g.C * g.H * g.W);
        var win = new PoolWindows(g, true);
        int plane = g.H * g.W, outPlane = g.OutH * g.OutW;
        For(g.N * g.C, (long)outPlane * g.KernelH * g.KernelW, (p0, p1) =>
        {
            for (int p = p0; p < p1; p++)
            {
                var dp = dx.AsSpan(p * plane, plane);
                int o = p * outPlane;
                for (int oh = 0; oh < g.OutH; oh++)
                    for (int ow = 0; ow < g.OutW; ow++, o++)
                    {
                        float div = win.RowDiv[oh] * win.ColDiv[ow];
                        if (div <= 0) continue;
                        float v = gv[o] / div;
                        int c0 = win.ColK0[ow], c1 = win.ColK1[ow], cs = win.ColStart[ow];
                        for (int kh = win.RowK0[oh]; kh < win.RowK1[oh]; kh++)
                        {
                            int row = (win.RowStart[oh] + kh * g.DilationH) * g.W + cs;
                            if (g.DilationW == 1)
                            {
                                var d = dp.Slice(row + c0, c1 - c0);
                                if (d.Length >= 16) TensorPrimitives.Add(d, v, d);
                                else for (int i = 0; i < d.Length; i++) d[i] += v;
                            }
                            else
                                for (int kw = c0; kw < c1; kw++) dp[row + kw * g.DilationW] += v;
                        }
                    }
            }
        });
        return Wrap(dx);
    }
}
