using FeatureViz.Kernels.Gpu.Elementwise;
using FeatureViz.Tensors.Backends;
using ILGPU;
using ILGPU.Runtime;

namespace FeatureViz.Kernels.Gpu.Sampling;

/// <summary>Launches the affine-warp kernels on a <see cref="GpuAccelerator"/>'s stream (asynchronously).</summary>
public static class GpuWarp
{
    /// <summary>y = warp of x by theta.</summary>
    public static void Forward(GpuAccelerator gpu, ArrayView<float> x, ArrayView<float> theta, ArrayView<float> y, AffineWarpGeometry g)
    {
        Check("AffineWarp", g, theta, ("x", x, In(g)), ("y", y, Out(g)));
        if (y.Length == 0) return;
        var k = gpu.Kernels.Get("WarpForward", null, a => a.LoadKernel<ArrayView<float>, ArrayView<float>, ArrayView<float>, WarpLayout>(WarpKernels.Forward));
        k(gpu.Stream, gpu.Policy.For(y.Length), x, theta, y, WarpLayout.Of(g));
    }

    /// <summary>dx (zeroed by the caller) += the input gradient.</summary>
    public static void Backward(GpuAccelerator gpu, ArrayView<float> dy, ArrayView<float> theta, ArrayView<float> dx, AffineWarpGeometry g)
    {
        Check("AffineWarpBackward", g, theta, ("dy", dy, Out(g)), ("dx", dx, In(g)));
        if (dy.Length == 0) return;
        var k = gpu.Kernels.Get("WarpBackward", null, a => a.LoadKernel<ArrayView<float>, ArrayView<float>, ArrayView<float>, WarpLayout>(WarpKernels.Backward));
        k(gpu.Stream, gpu.Policy.For((long)g.N * g.C), dy, theta, dx, WarpLayout.Of(g));
    }

    /// <summary>Per-pixel theta partials [N, OutH * OutW, 6] (the caller sums them).</summary>
    public static void ThetaPartials(GpuAccelerator gpu, ArrayView<float> x, ArrayView<float> dy, ArrayView<float> theta,
        ArrayView<float> partials, AffineWarpGeometry g)
    {
        Check("AffineWarpBackwardTheta", g, theta, ("x", x, In(g)), ("dy", dy, Out(g)), ("partials", partials, (long)g.N * g.OutH * g.OutW * 6));
        if (partials.Length == 0) return;
        var k = gpu.Kernels.Get("WarpThetaPartials", null,
            a => a.LoadKernel<ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, WarpLayout>(WarpKernels.ThetaPartials));
        k(gpu.Stream, gpu.Policy.For(partials.Length / 6), x, dy, theta, partials, WarpLayout.Of(g));
    }

    internal static long In(AffineWarpGeometry g) => (long)g.N * g.C * g.InH * g.InW;

    internal static long Out(AffineWarpGeometry g) => (long)g.N * g.C * g.OutH * g.OutW;

    private static void Check(string op, AffineWarpGeometry g, ArrayView<float> theta, params (string Name, ArrayView<float> View, long Length)[] args)
    {
        if (g.ThetaBatch != 1 && g.ThetaBatch != g.N)
            throw new ArgumentException($"{op}: ThetaBatch is {g.ThetaBatch}; it must be 1 or N = {g.N}.", nameof(g));
        GpuElementwise.RequireLength(op, "theta", theta, (long)g.ThetaBatch * 6);
        foreach (var (name, view, length) in args) GpuElementwise.RequireLength(op, name, view, length);
    }
}
