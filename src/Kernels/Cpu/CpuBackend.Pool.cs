using System.Buffers;
using System.Numerics.Tensors;
using System.Numerics;
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
    public unsafe TensorStorage MaxPool2d(TensorStorage x, Pool2dGeometry g)
    {
        var xv = Data(x);
        var y = NewUninitialized(g.N * g.C * g.OutH * g.OutW);
        var win = new PoolWindows(g, false);
        int plane = g.H * g.W, outPlane = g.OutH * g.OutW;
        For(g.N * g.C, (long)outPlane * g.KernelH * g.KernelW, (p0, p1) =>
        {
            var column = ArrayPool<float>.Shared.Rent(g.W);
            try
            {
                fixed (float* xs = xv, ys = y, cm = column)
                    for (int p = p0; p < p1; p++)
                        for (int oh = 0; oh < g.OutH; oh++)
                            MaxPoolRow(xs + (long)p * plane, g, win, oh, cm, ys + (long)p * outPlane + (long)oh * g.OutW);
            }
            finally
            {
                ArrayPool<float>.Shared.Return(column);
            }
        });
        return Wrap(y);
    }

    /// <inheritdoc/>
    public unsafe TensorStorage MaxPool2dBackward(TensorStorage x, TensorStorage dy, Pool2dGeometry g)
    {
        var xv = Data(x);
        var gv = Data(dy);
        var dx = NewZeroed(xv.Length);
        var win = new PoolWindows(g, false);
        int plane = g.H * g.W, outPlane = g.OutH * g.OutW;
        For(g.N * g.C, (long)outPlane * g.KernelH * g.KernelW, (p0, p1) =>
        {
            var scratch = ArrayPool<float>.Shared.Rent(g.W + g.OutW);
            try
            {
                fixed (float* xs = xv, gs = gv, ds = dx, cm = scratch)
                {
                    float* maxima = cm + g.W;
                    for (int p = p0; p < p1; p++)
                    {
                        float* xp = xs + (long)p * plane, dp = ds + (long)p * plane;
                        for (int oh = 0; oh < g.OutH; oh++)
                        {
                            MaxPoolRow(xp, g, win, oh, cm, maxima);
                            float* go = gs + (long)p * outPlane + (long)oh * g.OutW;
                            int h0 = win.RowK0[oh], h1 = win.RowK1[oh];
                            for (int ow = 0; ow < g.OutW; ow++)
                            {
                                // The first maximum in row-major window order receives the gradient (the first NaN
                                // when the maximum is NaN). Walking backwards, the last match seen is the first in
                                // window order; the select is a cmov.
                                float m = maxima[ow];
                                bool nan = float.IsNaN(m);
                                int c0 = win.ColK0[ow], c1 = win.ColK1[ow], cs = win.ColStart[ow], arg = -1;
                                for (int kh = h1 - 1; kh >= h0; kh--)
                                {
                                    int row = (win.RowStart[oh] + kh * g.DilationH) * g.W + cs;
                                    for (int kw = c1 - 1; kw >= c0; kw--)
                                    {
                                        int i = row + kw * g.DilationW;
                                        arg = xp[i] == m | (nan & float.IsNaN(xp[i])) ? i : arg;
                                    }
                                }
                                // A window with no valid tap has no match and passes no gradient.
                                if (arg >= 0) dp[arg] += go[ow];
                            }
                        }
                    }
                }
            }
            finally
            {
                ArrayPool<float>.Shared.Return(scratch);
            }
        });
        return Wrap(dx);
    }

    /// <summary>
    /// One output row of a max pool over the plane <paramref name="xp"/>: the maximum over the window's rows for
    /// every input column first (vector code; <paramref name="column"/> holds W floats), then over each window's
    /// columns. A NaN in the window gives NaN (as numpy and PyTorch); a window with no valid tap gives -infinity.
    /// </summary>
    private static unsafe void MaxPoolRow(float* xp, Pool2dGeometry g, PoolWindows win, int oh, float* column, float* outRow)
    {
        int w = g.W, h0 = win.RowK0[oh], h1 = win.RowK1[oh], r0 = win.RowStart[oh];
        int i = 0, vc = Vector<float>.Count;
        for (; i <= w - vc; i += vc)
        {
            var m = new Vector<float>(float.NegativeInfinity);
            for (int kh = h0; kh < h1; kh++) m = Vector.Max(Vector.Load(xp + (long)(r0 + kh * g.DilationH) * w + i), m);
            m.Store(column + i);
        }
        for (; i < w; i++)
        {
            float m = float.NegativeInfinity;
            for (int kh = h0; kh < h1; kh++) m = MathF.Max(xp[(long)(r0 + kh * g.DilationH) * w + i], m);
            column[i] = m;
        }
        for (int ow = 0; ow < g.OutW; ow++)
        {
            float m = float.NegativeInfinity;
            int cs = win.ColStart[ow];
            for (int kw = win.ColK0[ow]; kw < win.ColK1[ow]; kw++) m = MathF.Max(column[cs + kw * g.DilationW], m);
            outRow[ow] = m;
        }
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
