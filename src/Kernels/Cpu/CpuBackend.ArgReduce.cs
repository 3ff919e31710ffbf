using FeatureViz.Tensors;
using FeatureViz.Tensors.Backends;

namespace FeatureViz.Kernels.Cpu;

public sealed partial class CpuBackend
{
    /// <summary>ArgMax/ArgMin (first or last among ties) along one axis; indices as floats.</summary>
    private TensorStorage ArgReduce(ReduceKind kind, TensorStorage x, Shape shape, ReadOnlySpan<int> axes)
    {
        if (axes.Length != 1)
            throw new ArgumentException($"Reduce {kind}: exactly one axis is needed, got [{string.Join(", ", axes.ToArray())}] for {shape}.", nameof(axes));
        int axis = axes[0], n = shape[axis];
        if (n == 0) throw new ArgumentException($"Reduce {kind}: axis {axis} of {shape} is empty.", nameof(axes));
        int outer = 1, inner = 1;
        for (int i = 0; i < axis; i++) outer *= shape[i];
        for (int i = axis + 1; i < shape.Rank; i++) inner *= shape[i];
        var xv = Data(x);
        var y = NewUninitialized((long)outer * inner);
        bool max = kind is ReduceKind.ArgMax or ReduceKind.ArgMaxLast;
        bool last = kind is ReduceKind.ArgMaxLast or ReduceKind.ArgMinLast;
        for (int o = 0; o < outer; o++)
            for (int i = 0; i < inner; i++)
            {
                int best = 0, baseIndex = o * n * inner + i;
                float bv = xv[baseIndex];
                for (int k = 1; k < n; k++)
                {
                    float v = xv[baseIndex + k * inner];
                    bool better = max ? (last ? v >= bv : v > bv) : (last ? v <= bv : v < bv);
                    if (better) { best = k; bv = v; }
                }
                y[o * inner + i] = best;
            }
        return Wrap(y);
    }
}
