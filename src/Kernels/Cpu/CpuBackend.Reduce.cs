using FeatureViz.Tensors;
using FeatureViz.Tensors.Backends;

namespace FeatureViz.Kernels.Cpu;

public sealed partial class CpuBackend
{
    /// <inheritdoc/>
    public TensorStorage Reduce(ReduceKind kind, TensorStorage x, Shape shape, ReadOnlySpan<int> axes)
    {
        if (kind >= ReduceKind.ArgMax) return ArgReduce(kind, x, shape, axes);
        var xv = Data(x);
        // Coalesce into alternating runs of kept / reduced dimensions.
        var dims = new List<int>();
        var red = new List<bool>();
        int outCount = 1;
        for (int i = 0; i < shape.Rank; i++)
        {
            bool r = axes.IndexOf(i) >= 0;
            if (!r) outCount *= shape[i];
            if (shape[i] == 1) continue;
            if (dims.Count > 0 && red[^1] == r) dims[^1] *= shape[i];
            else { dims.Add(shape[i]); red.Add(r); }
        }
        float init = kind switch { ReduceKind.Sum => 0f, ReduceKind.Max => float.NegativeInfinity, _ => float.PositiveInfinity };
        var y = NewUninitialized(outCount);
        y.AsSpan().Fill(init);
        if (xv.Length == 0) return Wrap(y);
        if (dims.Count == 0) { y[0] = xv[0]; return Wrap(y); }

        int m = dims.Count;
        var outStride = new int[m];
        int acc = 1;
        for (int i = m - 1; i >= 0; i--)
        {
            outStride[i] = red[i] ? 0 : acc;
            if (!red[i]) acc *= dims[i];
        }
        int inner = dims[m - 1];
        bool innerReduced = red[m - 1];
        int rows = xv.Length / inner;

        // Parallelise over the outermost kept run when there is enough work; rows in one partition never share outputs.
        int splitDim = red[0] ? (m > 1 ? 1 : -1) : 0;
        int parts = splitDim >= 0 && xv.Length > 1 << 16 ? Math.Min(Threads, dims[splitDim]) : 1;
        if (parts <= 1 || splitDim != 0)
        {
            ReduceRows(kind, xv, y, dims, outStride, inner, innerReduced, 0, rows);
            return Wrap(y);
        }
        int rowsPerOuter = rows / dims[0];
        ForkJoin.For(parts, Threads, p =>
        {
            int o0 = (int)((long)dims[0] * p / parts), o1 = (int)((long)dims[0] * (p + 1) / parts);
            ReduceRows(kind, xv, y, dims, outStride, inner, innerReduced, o0 * rowsPerOuter, o1 * rowsPerOuter);
        });
        return Wrap(y);
    }

    private static void ReduceRows(ReduceKind kind, float[] xv, float[] y, List<int> dims, int[] outStride, int inner,
        bool innerReduced, int rowStart, int rowEnd)
    {
        int m = dims.Count;
        for (int row = rowStart; row < rowEnd; row++)
        {
            int off = 0, rr = row;
            for (int i = m - 2; i >= 0; i--) { off += rr % dims[i] * outStride[i]; rr /= dims[i]; }
            var src = xv.AsSpan(row * inner, inner);
            if (innerReduced)
            {
                float v = kind switch
                {
                    ReduceKind.Sum => System.Numerics.Tensors.TensorPrimitives.Sum<float>(src),
                    ReduceKind.Max => System.Numerics.Tensors.TensorPrimitives.Max<float>(src),
                    _ => System.Numerics.Tensors.TensorPrimitives.Min<float>(src),
                };
                y[off] = kind switch { ReduceKind.Sum => y[off] + v, ReduceKind.Max => MathF.Max(y[off], v), _ => MathF.Min(y[off], v) };
            }
            else
            {
                var dst = y.AsSpan(off, inner);
                switch (kind)
                {
                    case ReduceKind.Sum: System.Numerics.Tensors.TensorPrimitives.Add(dst, src, dst); break;
                    case ReduceKind.Max: System.Numerics.Tensors.TensorPrimitives.Max(dst, src, dst); break;
                    default: System.Numerics.Tensors.TensorPrimitives.Min(dst, src, dst); break;
                }
            }
        }
    }
}
