using System.Buffers;
using System.Numerics;
using FeatureViz.Tensors.Backends;

namespace FeatureViz.Kernels.Cpu;

public sealed partial class CpuBackend
{
    private readonly GeometryCache<ResizeGeometry, ResizeTables> _resizeTables = new(ResizeTables.Compute);

    /// <inheritdoc/>
    public unsafe TensorStorage Resize(TensorStorage x, ResizeGeometry g)
    {
        var xs = Data(x);
        int inPlane = g.InH * g.InW, outW = g.OutW, outH = g.OutH, inW = g.InW;
        var y = NewUninitialized(g.Planes * outH * outW);
        var tables = _resizeTables.Get(g);
        int[] y0 = tables.Y0, y1 = tables.Y1, x0 = tables.X0, x1 = tables.X1;
        float[] wy = tables.WY1, wx = tables.WX1;
        For(g.Planes * outH, outW * 4L, (s, e) =>
        {
            // Linear: each output row blends two input rows interpolated along x (the ONNX reference's order, x
            // then y, so the result is the same to the bit). Consecutive output rows share input rows, so the two
            // last interpolated rows are kept.
            var buf = ArrayPool<float>.Shared.Rent(2 * outW);
            try
            {
                fixed (float* xp = xs, yp = y, bp = buf, wxp = wx)
                fixed (int* x0p = x0, x1p = x1)
                {
                    float* rowA = bp, rowB = bp + outW;
                    long keyA = -1, keyB = -1;
                    for (int r = s; r < e; r++)
                    {
                        int plane = r / outH, oy = r % outH;
                        float* src = xp + (long)plane * inPlane, dst = yp + (long)r * outW;
                        if (g.Nearest)
                        {
                            float* row = src + (long)y0[oy] * inW;
                            for (int ox = 0; ox < outW; ox++) dst[ox] = row[x0p[ox]];
                            continue;
                        }
                        long k0 = (long)plane * g.InH + y0[oy], k1 = (long)plane * g.InH + y1[oy];
                        float* top = k0 == keyA ? rowA : k0 == keyB ? rowB : null;
                        float* bottom = k1 == keyA ? rowA : k1 == keyB ? rowB : null;
                        if (top is null)
                        {
                            // Overwrite the slot bottom does not use.
                            top = bottom == rowA ? rowB : rowA;
                            InterpolateRow(src + (long)y0[oy] * inW, x0p, x1p, wxp, top, outW);
                            if (top == rowA) keyA = k0; else keyB = k0;
                        }
                        if (bottom is null)
                        {
                            bottom = top == rowA ? rowB : rowA;
                            InterpolateRow(src + (long)y1[oy] * inW, x0p, x1p, wxp, bottom, outW);
                            if (bottom == rowA) keyA = k1; else keyB = k1;
                        }
                        float b1 = wy[oy], b0 = 1f - b1;
                        BlendRows(top, bottom, b0, b1, dst, outW);
                    }
                }
            }
            finally
            {
                ArrayPool<float>.Shared.Return(buf);
            }
        });
        return Wrap(y);
    }

    /// <inheritdoc/>
    public unsafe TensorStorage ResizeBackward(TensorStorage dy, ResizeGeometry g)
    {
        var gs = Data(dy);
        int inH = g.InH, inPlane = g.InH * g.InW, outW = g.OutW, outH = g.OutH, inW = g.InW;
        var dx = g.Nearest ? NewZeroed(g.Planes * inPlane) : NewUninitialized(g.Planes * inPlane);
        var tables = _resizeTables.Get(g);
        int[] y0 = tables.Y0, y1 = tables.Y1, x0 = tables.X0, x1 = tables.X1;
        float[] wy = tables.WY1, wx = tables.WX1;
        // The x weights by input column (compressed rows of the transposed interpolation matrix), so that each
        // input pixel's gradient is one gathered sum, written once, instead of scattered read-modify-writes.
        var (start, taps, weights) = g.Nearest ? ([], [], []) : TransposeTaps(x0, x1, wx, inW);
        // One plane per work item: scatters never race.
        For(g.Planes, (long)outH * outW * 4, (s, e) =>
        {
            // Linear: the transpose of the forward's two passes. The output rows' gradients are first summed into
            // one row per input row (y weights, vector axpys), then each such row is scattered along x once.
            var buf = g.Nearest ? null : ArrayPool<float>.Shared.Rent(inH * outW);
            try
            {
                fixed (float* gp = gs, dp = dx, bp = buf, wtp = weights)
                fixed (int* x0p = x0, stp = start, tp = taps)
                {
                    for (int plane = s; plane < e; plane++)
                    {
                        float* dst = dp + (long)plane * inPlane, grad = gp + (long)plane * outH * outW;
                        if (g.Nearest)
                        {
                            for (int oy = 0; oy < outH; oy++)
                            {
                                float* row = dst + (long)y0[oy] * inW, go = grad + (long)oy * outW;
                                for (int ox = 0; ox < outW; ox++) row[x0p[ox]] += go[ox];
                            }
                            continue;
                        }
                        new Span<float>(bp, inH * outW).Clear();
                        for (int oy = 0; oy < outH; oy++)
                        {
                            float b1 = wy[oy], b0 = 1f - b1;
                            float* go = grad + (long)oy * outW;
                            VectorMath.Axpy(go, b0, bp + (long)y0[oy] * outW, outW);
                            VectorMath.Axpy(go, b1, bp + (long)y1[oy] * outW, outW);
                        }
                        for (int iy = 0; iy < inH; iy++)
                        {
                            float* t = bp + (long)iy * outW, row = dst + (long)iy * inW;
                            for (int ix = 0; ix < inW; ix++)
                            {
                                float acc = 0f;
                                for (int k = stp[ix]; k < stp[ix + 1]; k++) acc += wtp[k] * t[tp[k]];
                                row[ix] = acc;
                            }
                        }
                    }
                }
            }
            finally
            {
                if (buf is not null) ArrayPool<float>.Shared.Return(buf);
            }
        });
        return Wrap(dx);
    }

    /// <summary>
    /// For input column ix, the output columns that read it and with which weight: entries start[ix] to
    /// start[ix + 1] of taps and weights.
    /// </summary>
    private static (int[] Start, int[] Taps, float[] Weights) TransposeTaps(int[] x0, int[] x1, float[] w, int inW)
    {
        int n = x0.Length;
        var start = new int[inW + 1];
        for (int ox = 0; ox < n; ox++) { start[x0[ox] + 1]++; start[x1[ox] + 1]++; }
        for (int ix = 0; ix < inW; ix++) start[ix + 1] += start[ix];
        var fill = start[..inW];
        var taps = new int[2 * n];
        var weights = new float[2 * n];
        for (int ox = 0; ox < n; ox++)
        {
            float a1 = w[ox], a0 = 1f - a1;
            int k = fill[x0[ox]]++;
            taps[k] = ox;
            weights[k] = a0;
            k = fill[x1[ox]]++;
            taps[k] = ox;
            weights[k] = a1;
        }
        return (start, taps, weights);
    }

    /// <summary>dst[ox] = (1 - w[ox]) row[x0[ox]] + w[ox] row[x1[ox]].</summary>
    private static unsafe void InterpolateRow(float* row, int* x0, int* x1, float* w, float* dst, int n)
    {
        for (int ox = 0; ox < n; ox++)
        {
            float a1 = w[ox], a0 = 1f - a1;
            dst[ox] = a0 * row[x0[ox]] + a1 * row[x1[ox]];
        }
    }

    /// <summary>dst = b0 top + b1 bottom (two roundings and a sum, as the scalar formula).</summary>
    private static unsafe void BlendRows(float* top, float* bottom, float b0, float b1, float* dst, int n)
    {
        int i = 0, vc = Vector<float>.Count;
        var v0 = new Vector<float>(b0);
        var v1 = new Vector<float>(b1);
        for (; i <= n - vc; i += vc) (v0 * Vector.Load(top + i) + v1 * Vector.Load(bottom + i)).Store(dst + i);
        for (; i < n; i++) dst[i] = b0 * top[i] + b1 * bottom[i];
    }
}
