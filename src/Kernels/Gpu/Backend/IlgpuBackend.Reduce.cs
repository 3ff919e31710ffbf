using FeatureViz.Kernels.Gpu.Movement;
using FeatureViz.Kernels.Gpu.Reductions;
using FeatureViz.Tensors;
using FeatureViz.Tensors.Backends;
using ILGPU;
using ILGPU.Runtime;

namespace FeatureViz.Kernels.Gpu.Backend;

public sealed partial class IlgpuBackend
{
    /// <inheritdoc/>
    public TensorStorage Reduce(ReduceKind kind, TensorStorage x, Shape shape, ReadOnlySpan<int> axes)
    {
        string op = "Reduce" + kind;
        var xv = View(x, op, nameof(x));
        int outLength = shape.Numel;
        foreach (int a in axes)
        {
            if (a < 0 || a >= shape.Rank)
                throw new ArgumentException($"{op}: axis {a} is out of range for {shape}.", nameof(axes));
            outLength = shape[a] == 0 ? 0 : outLength / shape[a];
        }
        if (kind >= ReduceKind.ArgMax) return ArgReduce(kind, op, xv, shape, axes);
        if (shape.Numel == 0)
        {
            // Reducing an empty axis gives the identity for every output.
            long outputs = 1;
            var ax = axes.ToArray();
            for (int d = 0; d < shape.Rank; d++) if (Array.IndexOf(ax, d) < 0) outputs *= shape[d];
            return Fill((int)outputs, kind == ReduceKind.Sum ? 0f : kind == ReduceKind.Max ? float.NegativeInfinity : float.PositiveInfinity);
        }
        var y = New(op, outLength);
        var axesCopy = axes.ToArray();
        Launch(op, () => $"x {shape}, axes [{string.Join(", ", axesCopy)}]", () => GpuReduce.Reduce(Gpu, kind, xv, shape.Dims, axesCopy, y.View));
        return y;
    }

    private IlgpuStorage ArgReduce(ReduceKind kind, string op, ArrayView<float> xv, Shape shape, ReadOnlySpan<int> axes)
    {
        if (axes.Length != 1)
            throw new ArgumentException($"{op}: exactly one axis is needed, got [{string.Join(", ", axes.ToArray())}] for {shape}.", nameof(axes));
        int axis = axes[0], n = shape[axis];
        if (n == 0) throw new ArgumentException($"{op}: axis {axis} of {shape} is empty.", nameof(axes));
        int outer = 1, inner = 1;
        for (int i = 0; i < axis; i++) outer *= shape[i];
        for (int i = axis + 1; i < shape.Rank; i++) inner *= shape[i];
        var y = New(op, (long)outer * inner);
        if (y.Length == 0) return y;
        int max = kind is ReduceKind.ArgMax or ReduceKind.ArgMaxLast ? 1 : 0;
        int last = kind is ReduceKind.ArgMaxLast or ReduceKind.ArgMinLast ? 1 : 0;
        Launch(op, () => $"x {shape}, axis {axis}", () =>
        {
            var k = Gpu.Kernels.Get(nameof(ArgReduceKernels.ArgReduce), null,
                a => a.LoadKernel<ArrayView<float>, ArrayView<float>, int, int, int, int>(ArgReduceKernels.ArgReduce));
            k(Gpu.Stream, Gpu.Policy.For(y.Length), xv, y.View, n, inner, max, last);
        });
        return y;
    }
}
