using FeatureViz.Tensors.Ops;
using ILGPU;
using ILGPU.Runtime;

namespace FeatureViz.Kernels.Gpu.Elementwise;

/// <summary>Launches the elementwise kernels on a <see cref="GpuAccelerator"/>'s stream (asynchronously).</summary>
public static class GpuElementwise
{
    /// <summary>y = op(x) elementwise.</summary>
    public static void Unary<TOp>(GpuAccelerator gpu, TOp op, ArrayView<float> x, ArrayView<float> y) where TOp : struct, IUnaryOp
    {
        RequireLength(op.Name, "x", x, y.Length);
        var kernel = gpu.Kernels.Get(nameof(ElementwiseKernels.UnaryForward), typeof(TOp),
            a => a.LoadKernel<ArrayView<float>, ArrayView<float>, TOp>(ElementwiseKernels.UnaryForward));
        kernel(gpu.Stream, gpu.Policy.For(y.Length), x, y, op);
    }

    /// <summary>dx = op'(x, y) * dy elementwise.</summary>
    public static void UnaryBackward<TOp>(GpuAccelerator gpu, TOp op, ArrayView<float> x, ArrayView<float> y,
        ArrayView<float> dy, ArrayView<float> dx) where TOp : struct, IUnaryOp
    {
        RequireLength(op.Name, "x", x, dx.Length);
        RequireLength(op.Name, "y", y, dx.Length);
        RequireLength(op.Name, "dy", dy, dx.Length);
        var kernel = gpu.Kernels.Get(nameof(ElementwiseKernels.UnaryBackward), typeof(TOp),
            a => a.LoadKernel<ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, TOp>(ElementwiseKernels.UnaryBackward));
        kernel(gpu.Stream, gpu.Policy.For(dx.Length), x, y, dy, dx, op);
    }

    /// <summary>y = op(a, b) with NumPy broadcasting of a and b to <paramref name="outShape"/>.</summary>
    public static void Binary<TOp>(GpuAccelerator gpu, TOp op, ArrayView<float> a, ReadOnlySpan<int> aShape,
        ArrayView<float> b, ReadOnlySpan<int> bShape, ArrayView<float> y, ReadOnlySpan<int> outShape) where TOp : struct, IBinaryOp
    {
        var layout = BroadcastLayout.Create(op.Name, aShape, bShape, outShape);
        long n = Numel(outShape);
        RequireLength(op.Name, "y", y, n);
        RequireLength(op.Name, "a", a, Numel(aShape));
        RequireLength(op.Name, "b", b, Numel(bShape));
        if (aShape.SequenceEqual(outShape) && bShape.SequenceEqual(outShape))
        {
            var same = gpu.Kernels.Get(nameof(ElementwiseKernels.BinaryForwardSameShape), typeof(TOp),
                acc => acc.LoadKernel<ArrayView<float>, ArrayView<float>, ArrayView<float>, TOp>(ElementwiseKernels.BinaryForwardSameShape));
            same(gpu.Stream, gpu.Policy.For(n), a, b, y, op);
            return;
        }
        var kernel = gpu.Kernels.Get(nameof(ElementwiseKernels.BinaryForward), typeof(TOp),
            acc => acc.LoadKernel<ArrayView<float>, ArrayView<float>, ArrayView<float>, BroadcastLayout, TOp>(ElementwiseKernels.BinaryForward));
        kernel(gpu.Stream, gpu.Policy.For(n), a, b, y, layout, op);
    }

    /// <summary>
    /// The partial derivatives of y = op(a, b) per output element (each of <paramref name="da"/> and <paramref name="db"/>
    /// has the output's length, as the CPU backend; summing over broadcast dimensions is the caller's reduction).
    /// Pass a null view for a gradient that is not needed.
    /// </summary>
    public static void BinaryBackward<TOp>(GpuAccelerator gpu, TOp op, ArrayView<float> a, ReadOnlySpan<int> aShape,
        ArrayView<float> b, ReadOnlySpan<int> bShape, ArrayView<float> dy, ReadOnlySpan<int> outShape,
        ArrayView<float> da, ArrayView<float> db) where TOp : struct, IBinaryOp
    {
        var layout = BroadcastLayout.Create(op.Name, aShape, bShape, outShape);
        long n = Numel(outShape);
        RequireLength(op.Name, "dy", dy, n);
        RequireLength(op.Name, "a", a, Numel(aShape));
        RequireLength(op.Name, "b", b, Numel(bShape));
        int needs = (da.IsValid ? 1 : 0) | (db.IsValid ? 2 : 0);
        if (da.IsValid) RequireLength(op.Name, "da", da, n);
        if (db.IsValid) RequireLength(op.Name, "db", db, n);
        if (needs == 0) return;
        var kernel = gpu.Kernels.Get(nameof(ElementwiseKernels.BinaryBackward), typeof(TOp),
            acc => acc.LoadKernel<ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>,
                BroadcastLayout, int, TOp>(ElementwiseKernels.BinaryBackward));
        // A view that is not needed is never written; pass a valid one in its place so the kernel has no null view.
        kernel(gpu.Stream, gpu.Policy.For(n), a, b, dy, da.IsValid ? da : db, db.IsValid ? db : da, layout, needs, op);
    }

    internal static long Numel(ReadOnlySpan<int> shape)
    {
        long n = 1;
        foreach (int d in shape) n *= d;
        return n;
    }

    internal static void RequireLength(string op, string argument, ArrayView<float> view, long length)
    {
        if (view.Length != length)
            throw new ArgumentException($"{op}: {argument} has {view.Length} elements, expected {length}.", argument);
    }
}
