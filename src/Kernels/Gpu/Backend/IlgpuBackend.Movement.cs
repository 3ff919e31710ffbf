using FeatureViz.Kernels.Gpu.Movement;
using FeatureViz.Tensors;
using FeatureViz.Tensors.Backends;

namespace FeatureViz.Kernels.Gpu.Backend;

public sealed partial class IlgpuBackend
{
    /// <inheritdoc/>
    public TensorStorage StridedCopy(TensorStorage x, StridedView view)
    {
        var xv = View(x, nameof(StridedCopy), nameof(x));
        var y = New(nameof(StridedCopy), view.Numel);
        if (view.Numel > 0) Launch(nameof(StridedCopy), view.ToString, () => GpuMovement.StridedCopy(Gpu, xv, view, y.View));
        return y;
    }

    /// <inheritdoc/>
    public TensorStorage StridedScatter(TensorStorage dy, StridedView view, int length)
    {
        var gv = View(dy, nameof(StridedScatter), nameof(dy));
        var y = NewZeroed(nameof(StridedScatter), length);
        if (view.Numel > 0) Launch(nameof(StridedScatter), () => $"{view}, length {length}", () => GpuMovement.StridedScatter(Gpu, gv, view, y.View));
        return y;
    }

    /// <inheritdoc/>
    public TensorStorage BroadcastTo(TensorStorage x, Shape shape, Shape outShape)
    {
        // A broadcast is a strided copy with zero strides along the repeated dimensions.
        if (shape.Rank > outShape.Rank)
            throw new ArgumentException($"BroadcastTo: {shape} has a higher rank than {outShape}.", nameof(outShape));
        var strides = new int[outShape.Rank];
        int offset = outShape.Rank - shape.Rank, stride = 1;
        for (int k = shape.Rank - 1; k >= 0; k--)
        {
            int d = shape[k], o = outShape[offset + k];
            if (d != o && d != 1)
                throw new ArgumentException($"BroadcastTo: dimension {k} of {shape} does not broadcast to {outShape}.", nameof(outShape));
            strides[offset + k] = d == 1 ? 0 : stride;
            stride *= d;
        }
        return StridedCopy(x, new StridedView(outShape, strides, 0));
    }

    /// <inheritdoc/>
    public TensorStorage Pad(TensorStorage x, PadGeometry geometry)
    {
        var xv = View(x, nameof(Pad), nameof(x));
        var y = New(nameof(Pad), geometry.OutNumel);
        if (geometry.OutNumel > 0)
            Launch(nameof(Pad), () => $"[{string.Join(", ", geometry.InDims())}] -> [{string.Join(", ", geometry.OutDims())}] {geometry.Mode}",
                () => GpuMovement.Pad(Gpu, xv, geometry, y.View));
        return y;
    }
}
