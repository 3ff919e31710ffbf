using FeatureViz.Tensors.Backends;

namespace FeatureViz.Kernels.Cpu;

public sealed partial class CpuBackend
{
    /// <inheritdoc/>
    public TensorStorage StridedCopy(TensorStorage x, StridedView view)
    {
        var xv = Data(x);
        var y = NewUninitialized(view.Numel);
        if (y.Length == 0) return Wrap(y);
        var (dims, strides) = Coalesce(view);
        int m = dims.Length;
        int n = dims[m - 1], sIn = strides[m - 1];
        int unit = Array.IndexOf(strides, 1);
        if (sIn != 1 && unit >= 0 && unit < m - 1 && dims[unit] >= 8 && n >= 8)
        {
            TiledTranspose(xv, y, dims, strides, view.Offset, unit);
            return Wrap(y);
        }
        int rows = y.Length / n;
        int off0 = view.Offset;
        For(rows, n, (r0, r1) =>
        {
            for (int r = r0; r < r1; r++)
            {
                int src = off0 + RowOffset(dims, strides, r);
                int dst = r * n;
                if (sIn == 1) Array.Copy(xv, src, y, dst, n);
                else for (int j = 0; j < n; j++, src += sIn) y[dst + j] = xv[src];
            }
        });
        return Wrap(y);
    }

    /// <inheritdoc/>
    public TensorStorage StridedScatter(TensorStorage dy, StridedView view, int length)
    {
        var g = Data(dy);
        var dx = NewZeroed(length);
        if (g.Length == 0) return Wrap(dx);
        var (dims, strides) = Coalesce(view);
        int m = dims.Length;
        int n = dims[m - 1], sIn = strides[m - 1];
        int rows = g.Length / n;
        int off0 = view.Offset;
        For(rows, n, (r0, r1) =>
        {
            for (int r = r0; r < r1; r++)
            {
                int dst = off0 + RowOffset(dims, strides, r);
                int src = r * n;
                if (sIn == 1) Array.Copy(g, src, dx, dst, n);
                else for (int j = 0; j < n; j++, dst += sIn) dx[dst] = g[src + j];
            }
        });
        return Wrap(dx);
    }

    /// <inheritdoc/>
    public TensorStorage Concat(IReadOnlyList<TensorStorage> parts, int outer, ReadOnlySpan<int> partInner)
    {
        var inner = partInner.ToArray();
        var src = new float[parts.Count][];
        int total = 0;
        for (int k = 0; k < src.Length; k++) { src[k] = Data(parts[k]); total += inner[k]; }
        var y = NewUninitialized(outer * total);
        For(outer, total, (o0, o1) =>
        {
            for (int o = o0; o < o1; o++)
            {
                int dst = o * total;
                for (int k = 0; k < src.Length; k++)
                {
                    Array.Copy(src[k], o * inner[k], y, dst, inner[k]);
                    dst += inner[k];
                }
            }
        });
        return Wrap(y);
    }

    /// <inheritdoc/>
    public TensorStorage[] Split(TensorStorage x, int outer, ReadOnlySpan<int> partInner)
    {
        var xv = Data(x);
        var inner = partInner.ToArray();
        int total = 0;
        var outs = new float[inner.Length][];
        for (int k = 0; k < inner.Length; k++) { outs[k] = NewUninitialized(outer * inner[k]); total += inner[k]; }
        For(outer, total, (o0, o1) =>
        {
            for (int o = o0; o < o1; o++)
            {
                int src = o * total;
                for (int k = 0; k < outs.Length; k++)
                {
                    Array.Copy(xv, src, outs[k], o * inner[k], inner[k]);
                    src += inner[k];
                }
            }
        });
        var result = new TensorStorage[outs.Length];
        for (int k = 0; k < outs.Length; k++) result[k] = Wrap(outs[k]);
        return result;
    }

    /// <inheritdoc/>
    public TensorStorage Gather(TensorStorage x, int outer, int axisDim, int inner, TensorStorage indices)
    {
        var xv = Data(x);
        var idx = GatherRows(indices, axisDim);
        int count = idx.Length;
        var y = NewUninitialized(outer * count * inner);
        if (y.Length == 0) return Wrap(y);
        For(outer * count, inner, (r0, r1) =>
        {
            for (int r = r0; r < r1; r++)
            {
                int o = r / count, j = r - o * count;
                if (idx[j] < 0) Array.Clear(y, r * inner, inner);
                else Array.Copy(xv, (o * axisDim + idx[j]) * inner, y, r * inner, inner);
            }
        });
        return Wrap(y);
    }

    /// <inheritdoc/>
    public TensorStorage GatherBackward(TensorStorage dy, int outer, int axisDim, int inner, TensorStorage indices)
    {
        var g = Data(dy);
        var idx = GatherRows(indices, axisDim);
        int count = idx.Length;
        var dx = NewZeroed(outer * axisDim * inner);
        if (g.Length == 0) return Wrap(dx);
        // Outer slabs never share destinations; rows inside a slab may repeat, so each slab is summed in order.
        For(outer, (long)count * inner, (o0, o1) =>
        {
            for (int o = o0; o < o1; o++)
                for (int j = 0; j < count; j++)
                {
                    if (idx[j] < 0) continue;
                    var dst = dx.AsSpan((o * axisDim + idx[j]) * inner, inner);
                    System.Numerics.Tensors.TensorPrimitives.Add(dst, g.AsSpan((o * count + j) * inner, inner), dst);
                }
        });
        return Wrap(dx);
    }

    /// <summary>The source row of each index (negative ones count from the end), or -1 where the index selects nothing.</summary>
    private int[] GatherRows(TensorStorage indices, int axisDim)
    {
        var v = Data(indices);
        var rows = new int[indices.Length];
        for (int j = 0; j < rows.Length; j++)
        {
            float f = v[j] < 0 ? v[j] + axisDim : v[j];
            rows[j] = f >= 0 && f < axisDim && f == MathF.Floor(f) ? (int)f : -1;
        }
        return rows;
    }

    /// <summary>The view's axes (already without size-1 axes and with contiguous neighbours merged).</summary>
    private static (int[] Dims, int[] Strides) Coalesce(StridedView view)
    {
        var dims = new int[view.Rank];
        var strides = new int[view.Rank];
        for (int i = 0; i < dims.Length; i++) (dims[i], strides[i]) = (view.Dim(i), view.Stride(i));
        return (dims, strides);
    }

    /// <summary>Input offset (relative to the view offset) of output row <paramref name="row"/> (all but the last dimension).</summary>
    private static int RowOffset(int[] dims, int[] strides, int row)
    {
        int off = 0;
        for (int i = dims.Length - 2; i >= 0; i--)
        {
            int d = dims[i];
            int q = row / d;
            off += (row - q * d) * strides[i];
            row = q;
        }
        return off;
    }

    /// <summary>
    /// A permuted copy whose contiguous input dimension <paramref name="unit"/> is not the output's last one: moves
    /// 32x32 tiles of the (unit, last) plane so both reads and writes stay in cache.
    /// </summary>
    private void TiledTranspose(float[] xv, float[] y, int[] dims, int[] strides, int offset, int unit)
    {
        const int T = 32;
        int m = dims.Length;
        int rowsU = dims[unit], cols = dims[m - 1], sCol = strides[m - 1];
        int outStrideU = 1;
        for (int i = unit + 1; i < m; i++) outStrideU *= dims[i];
        // The other dimensions form the outer iteration; their output strides follow the row-major layout.
        var oDims = new List<int>();
        var oIn = new List<int>();
        var oOut = new List<int>();
        int acc = 1;
        for (int i = m - 1; i >= 0; i--)
        {
            if (i != unit && i != m - 1) { oDims.Insert(0, dims[i]); oIn.Insert(0, strides[i]); oOut.Insert(0, acc); }
            acc *= dims[i];
        }
        int outerCount = y.Length / (rowsU * cols);
        int tilesU = (rowsU + T - 1) / T, tilesC = (cols + T - 1) / T;
        int tasks = outerCount * tilesU;
        For(tasks, (long)T * cols, (t0, t1) =>
        {
            for (int t = t0; t < t1; t++)
            {
                int o = t / tilesU, tu = t - o * tilesU;
                int inBase = offset, outBase = 0, rem = o;
                for (int i = oDims.Count - 1; i >= 0; i--)
                {
                    int q = rem / oDims[i];
                    int k = rem - q * oDims[i];
                    inBase += k * oIn[i];
                    outBase += k * oOut[i];
                    rem = q;
                }
                int u0 = tu * T, u1 = Math.Min(rowsU, u0 + T);
                for (int tc = 0; tc < tilesC; tc++)
                {
                    int c0 = tc * T, c1 = Math.Min(cols, c0 + T);
                    for (int c = c0; c < c1; c++)
                    {
                        int src = inBase + c * sCol;
                        for (int u = u0; u < u1; u++) y[outBase + u * outStrideU + c] = xv[src + u];
                    }
                }
            }
        });
    }
}
