using FeatureViz.Kernels.Gpu.Reductions;
using FeatureViz.Kernels.Gpu.Sampling;
using FeatureViz.Tensors.Backends;

namespace FeatureViz.Kernels.Gpu.Backend;

public sealed partial class IlgpuBackend
{
    /// <inheritdoc/>
    public TensorStorage AffineWarp(TensorStorage x, TensorStorage theta, AffineWarpGeometry geometry)
    {
        var xv = View(x, nameof(AffineWarp), nameof(x));
        var tv = View(theta, nameof(AffineWarp), nameof(theta));
        var y = New(nameof(AffineWarp), GpuWarp.Out(geometry));
        Launch(nameof(AffineWarp), geometry.ToString, () => GpuWarp.Forward(Gpu, xv, tv, y.View, geometry));
        return y;
    }

    /// <inheritdoc/>
    public TensorStorage AffineWarpBackward(TensorStorage dy, TensorStorage theta, AffineWarpGeometry geometry)
    {
        var gv = View(dy, nameof(AffineWarpBackward), nameof(dy));
        var tv = View(theta, nameof(AffineWarpBackward), nameof(theta));
        var dx = NewZeroed(nameof(AffineWarpBackward), GpuWarp.In(geometry));
        Launch(nameof(AffineWarpBackward), geometry.ToString, () => GpuWarp.Backward(Gpu, gv, tv, dx.View, geometry));
        return dx;
    }

    /// <inheritdoc/>
    public TensorStorage AffineWarpBackwardTheta(TensorStorage x, TensorStorage dy, TensorStorage theta, AffineWarpGeometry geometry)
    {
        const string op = nameof(AffineWarpBackwardTheta);
        var xv = View(x, op, nameof(x));
        var gv = View(dy, op, nameof(dy));
        var tv = View(theta, op, nameof(theta));
        int pixels = geometry.OutH * geometry.OutW;
        var result = New(op, (long)geometry.ThetaBatch * 6);
        if ((long)geometry.N * pixels == 0)
        {
            Launch(op, geometry.ToString, () => Movement.GpuMovement.Fill(Gpu, result.View, 0f));
            return result;
        }
        using var partials = New(op, (long)geometry.N * pixels * 6);
        Launch(op, geometry.ToString, () =>
        {
            GpuWarp.ThetaPartials(Gpu, xv, gv, tv, partials.View, geometry);
            // [N, pixels, 6] summed over the pixels (and over the batch when one theta is shared).
            int[] axes = geometry.ThetaBatch == 1 ? [0, 1] : [1];
            GpuReduce.Reduce(Gpu, Tensors.Backends.ReduceKind.Sum, partials.View, [geometry.N, pixels, 6], axes, result.View);
        });
        return result;
    }
}
