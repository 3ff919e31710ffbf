using FeatureViz.Kernels.Gpu.Elementwise;
using FeatureViz.Tensors.Backends;
using ILGPU;
using ILGPU.Runtime;

namespace FeatureViz.Kernels.Gpu.Pool;

/// <summary>Launches the pooling kernels on a <see cref="GpuAccelerator"/>'s stream (asynchronously).</summary>
public static class GpuPool
{
    /// <summary>y = max pool of x.</summary>
    public static void MaxForward(GpuAccelerator gpu, ArrayView<float> x, ArrayView<float> y, Pool2dGeometry g)
    {
        Check("MaxPool2d", g, ("x", x, In(g)), ("y", y, Out(g)));
        if (y.Length == 0) return;
        var k = gpu.Kernels.Get(nameof(PoolKernels.MaxForward), null, a => a.LoadKernel<ArrayView<float>, ArrayView<float>, PoolLayout>(PoolKernels.MaxForward));
        k(gpu.Stream, gpu.Policy.For(y.Length), x, y, PoolLayout.Of(g));
    }

    /// <summary>dx (zeroed by the caller) += max-pool gradient.</summary>
    public static void MaxBackward(GpuAccelerator gpu, ArrayView<float> x, ArrayView<float> dy, ArrayView<float> dx, Pool2dGeometry g)
    {
        Check("MaxPool2dBackward", g, ("x", x, In(g)), ("dy", dy, Out(g)), ("dx", dx, In(g)));
        if (dy.Length == 0) return;
        var k = gpu.Kernels.Get(nameof(PoolKernels.MaxBackward), null, a => a.LoadKernel<ArrayView<float>, ArrayView<float>, ArrayView<float>, PoolLayout>(PoolKernels.MaxBackward));
        k(gpu.Stream, gpu.Policy.For((long)g.N * g.C), x, dy, dx, PoolLayout.Of(g));
    }

    /// <summary>y = average pool of x.</summary>
    public static void AvgForward(GpuAccelerator gpu, ArrayView<float> x, ArrayView<float> y, Pool2dGeometry g)
    {
        Check("AvgPool2d", g, ("x", x, In(g)), ("y", y, Out(g)));
        if (y.Length == 0) return;
        var k = gpu.Kernels.Get(nameof(PoolKernels.AvgForward), null, a => a.LoadKernel<ArrayView<float>, ArrayView<float>, PoolLayout>(PoolKernels.AvgForward));
        k(gpu.Stream, gpu.Policy.For(y.Length), x, y, PoolLayout.Of(g));
    }

    /// <summary>dx (zeroed by the caller) += average-pool gradient.</summary>
    public static void AvgBackward(GpuAccelerator gpu, ArrayView<float> dy, ArrayView<float> dx, Pool2dGeometry g)
    {
        Check("AvgPool2dBackward", g, ("dy", dy, Out(g)), ("dx", dx, In(g)));
        if (dy.Length == 0) return;
        var k = gpu.Kernels.Get(nameof(PoolKernels.AvgBackward), null, a => a.LoadKernel<ArrayView<float>, ArrayView<float>, PoolLayout>(PoolKernels.AvgBackward));
        k(gpu.Stream, gpu.Policy.For((long)g.N * g.C), dy, dx, PoolLayout.Of(g));
    }

    internal static long In(Pool2dGeometry g) => (long)g.N * g.C * g.H * g.W;

    internal static long Out(Pool2dGeometry g) => (long)g.N * g.C * g.OutH * g.OutW;

    private static void Check(string op, Pool2dGeometry g, params (string Name, ArrayView<float> View, long Length)[] args)
    {
        foreach (var (name, view, length) in args) GpuElementwise.RequireLength(op, name, view, length);
    }
}
