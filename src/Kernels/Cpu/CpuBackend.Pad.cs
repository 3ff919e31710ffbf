using FeatureViz.Tensors.Backends;

namespace FeatureViz.Kernels.Cpu;

public sealed partial class CpuBackend
{
    /// <inheritdoc/>
    public TensorStorage Pad(TensorStorage x, PadGeometry geometry)
    {
        var xv = Data(x);
        var y = NewUninitialized(geometry.OutNumel);
        if (y.Length == 0) return Wrap(y);
        int r = geometry.Rank;
        if (r == 0) { y[0] = xv[0]; return Wrap(y); }
        var (maps, inStrides, outDims) = _padTables.Get(geometry);
        int n = outDims[r - 1];
        int rows = y.Length / n;
        var lastMap = maps[r - 1];
        int begin = geometry.Begin(r - 1), len = geometry.Len(r - 1), lo = geometry.Lo(r - 1);
        float value = geometry.Value;
        For(rows, n, (r0, r1) =>
        {
            for (int row = r0; row < r1; row++)
            {
                var dst = y.AsSpan(row * n, n);
                int src = SourceRow(maps, inStrides, outDims, row);
                if (src < 0) { dst.Fill(value); continue; }
                // The kept middle is one contiguous copy; only the borders go through the index map.
                xv.AsSpan(src + lo, len).CopyTo(dst.Slice(begin, len));
                for (int j = 0; j < begin; j++) dst[j] = lastMap[j] < 0 ? value : xv[src + lastMap[j]];
                for (int j = begin + len; j < n; j++) dst[j] = lastMap[j] < 0 ? value : xv[src + lastMap[j]];
            }
        });
        return Wrap(y);
    }

    /// <inheritdoc/>
    public TensorStorage PadBackward(TensorStorage dy, PadGeometry geometry)
    {
        var g = Data(dy);
        var dx = NewZeroed(geometry.InNumel);
        if (g.Length == 0) return Wrap(dx);
        int r = geometry.Rank;
        if (r == 0) { dx[0] = g[0]; return Wrap(dx); }
        var (maps, inStrides, outDims) = _padTables.Get(geometry);
        int n = outDims[r - 1];
        var lastMap = maps[r - 1];
        // Leading axes that are neither padded nor cropped give independent slabs that can run in parallel.
        int free = 0, slabs = 1;
        while (free < r - 1 && geometry.Begin(free) == 0 && geometry.Lo(free) == 0 && geometry.Len(free) == outDims[free]
               && geometry.Len(free) == geometry.InDim(free))
            slabs *= outDims[free++];
        int rowsPerSlab = g.Length / n / Math.Max(slabs, 1);
        For(slabs, (long)rowsPerSlab * n, (s0, s1) =>
        {
            for (int row = s0 * rowsPerSlab; row < s1 * rowsPerSlab; row++)
            {
                int src = SourceRow(maps, inStrides, outDims, row);
                if (src < 0) continue;
                var gr = g.AsSpan(row * n, n);
                for (int j = 0; j < n; j++)
                {
                    int i = lastMap[j];
                    if (i >= 0) dx[src + i] += gr[j];
                }
            }
        });
        return Wrap(dx);
    }

    private readonly GeometryCache<PadGeometry, (int[][] Maps, int[] InStrides, int[] OutDims)> _padTables = new(PadTables);

    /// <summary>Per axis, the input index each output index reads (-1 for the constant); the input strides; the output dims.</summary>
    private static (int[][] Maps, int[] InStrides, int[] OutDims) PadTables(PadGeometry geometry)
    {
        var maps = new int[geometry.Rank][];
        for (int a = 0; a < maps.Length; a++)
        {
            var m = new int[geometry.OutDim(a)];
            for (int j = 0; j < m.Length; j++) m[j] = geometry.SourceIndex(a, j);
            maps[a] = m;
        }
        return (maps, new FeatureViz.Tensors.Shape(geometry.InDims()).Strides(), geometry.OutDims());
    }

    /// <summary>Input offset of the start of the input row that output row <paramref name="row"/> reads, or -1 for a constant row.</summary>
    private static int SourceRow(int[][] maps, int[] inStrides, int[] outDims, int row)
    {
        int src = 0;
        for (int a = outDims.Length - 2; a >= 0; a--)
        {
            int d = outDims[a];
            int q = row / d;
            int i = maps[a][row - q * d];
            if (i < 0) return -1;
            src += i * inStrides[a];
            row = q;
        }
        return src;
    }
}
