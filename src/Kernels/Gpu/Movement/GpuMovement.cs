using FeatureViz.Kernels.Gpu.Elementwise;
using FeatureViz.Tensors.Backends;
using ILGPU;
using ILGPU.Runtime;

namespace FeatureViz.Kernels.Gpu.Movement;

/// <summary>Launches the movement kernels on a <see cref="GpuAccelerator"/>'s stream (asynchronously).</summary>
public static class GpuMovement
{
    /// <summary>Every element of <paramref name="y"/> = <paramref name="value"/>.</summary>
    public static void Fill(GpuAccelerator gpu, ArrayView<float> y, float value)
    {
        if (y.Length == 0) return;
        var k = gpu.Kernels.Get(nameof(MovementKernels.Fill), null,
            a => a.LoadKernel<ArrayView<float>, float>(MovementKernels.Fill));
        k(gpu.Stream, gpu.Policy.For(y.Length), y, value);
    }

    /// <summary>y = the strided view of x (see <see cref="IBackend.StridedCopy"/>).</summary>
    public static void StridedCopy(GpuAccelerator gpu, ArrayView<float> x, StridedView view, ArrayView<float> y)
    {
        GpuElementwise.RequireLength("StridedCopy", "y", y, view.Numel);
        if (y.Length == 0) return;
        var k = gpu.Kernels.Get(nameof(MovementKernels.StridedCopy), null,
            a => a.LoadKernel<ArrayView<float>, ArrayView<float>, StridedLayout>(MovementKernels.StridedCopy));
        k(gpu.Stream, gpu.Policy.For(y.Length), x, y, StridedLayout.Of(view));
    }

    /// <summary>Writes dy at the view positions of y (which the caller zeroed).</summary>
    public static void StridedScatter(GpuAccelerator gpu, ArrayView<float> dy, StridedView view, ArrayView<float> y)
    {
        GpuElementwise.RequireLength("StridedScatter", "dy", dy, view.Numel);
        if (dy.Length == 0) return;
        var k = gpu.Kernels.Get(nameof(MovementKernels.StridedScatter), null,
            a => a.LoadKernel<ArrayView<float>, ArrayView<float>, StridedLayout>(MovementKernels.StridedScatter));
        k(gpu.Stream, gpu.Policy.For(dy.Length), dy, y, StridedLayout.Of(view));
    }

    /// <summary>y = cond != 0 ? a : b with all three broadcast to <paramref name="outShape"/>.</summary>
    public static void Where(GpuAccelerator gpu, ArrayView<float> cond, ReadOnlySpan<int> condShape, ArrayView<float> a,
        ReadOnlySpan<int> aShape, ArrayView<float> b, ReadOnlySpan<int> bShape, ArrayView<float> y, ReadOnlySpan<int> outShape)
    {
        var condA = BroadcastLayout.Create("Where", condShape, aShape, outShape);
        var bOnly = BroadcastLayout.Create("Where", bShape, bShape, outShape);
        GpuElementwise.RequireLength("Where", "y", y, GpuElementwise.Numel(outShape));
        GpuElementwise.RequireLength("Where", "cond", cond, GpuElementwise.Numel(condShape));
        GpuElementwise.RequireLength("Where", "a", a, GpuElementwise.Numel(aShape));
        GpuElementwise.RequireLength("Where", "b", b, GpuElementwise.Numel(bShape));
        if (y.Length == 0) return;
        var k = gpu.Kernels.Get(nameof(MovementKernels.Where), null,
            acc => acc.LoadKernel<ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, BroadcastLayout, BroadcastLayout>(MovementKernels.Where));
        k(gpu.Stream, gpu.Policy.For(y.Length), cond, a, b, y, condA, bOnly);
    }

    /// <summary>y = pad(x) per <paramref name="geometry"/>.</summary>
    public static void Pad(GpuAccelerator gpu, ArrayView<float> x, PadGeometry geometry, ArrayView<float> y)
    {
        GpuElementwise.RequireLength("Pad", "x", x, geometry.InNumel);
        GpuElementwise.RequireLength("Pad", "y", y, geometry.OutNumel);
        if (y.Length == 0) return;
        var k = gpu.Kernels.Get(nameof(MovementKernels.Pad), null,
            a => a.LoadKernel<ArrayView<float>, ArrayView<float>, PadLayout>(MovementKernels.Pad));
        k(gpu.Stream, gpu.Policy.For(y.Length), x, y, PadLayout.Of(geometry));
    }
}
