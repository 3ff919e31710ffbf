using FeatureViz.Kernels.Gpu.Pool;
using FeatureViz.Tensors.Backends;

namespace FeatureViz.Kernels.Gpu.Backend;

public sealed partial class IlgpuBackend
{
    /// <inheritdoc/>
    public TensorStorage MaxPool2d(TensorStorage x, Pool2dGeometry geometry)
    {
        var xv = View(x, nameof(MaxPool2d), nameof(x));
        var y = New(nameof(MaxPool2d), GpuPool.Out(geometry));
        Launch(nameof(MaxPool2d), geometry.ToString, () => GpuPool.MaxForward(Gpu, xv, y.View, geometry));
        return y;
    }

    /// <inheritdoc/>
    public TensorStorage MaxPool2dBackward(TensorStorage x, TensorStorage dy, Pool2dGeometry geometry)
    {
        var xv = View(x, nameof(MaxPool2dBackward), nameof(x));
        var gv = View(dy, nameof(MaxPool2dBackward), nameof(dy));
        var dx = NewZeroed(nameof(MaxPool2dBackward), GpuPool.In(geometry));
        Launch(nameof(MaxPool2dBackward), geometry.ToString, () => GpuPool.MaxBackward(Gpu, xv, gv, dx.View, geometry));
        return dx;
    }

    /// <inheritdoc/>
    public TensorStorage AvgPool2d(TensorStorage x, Pool2dGeometry geometry)
    {
        var xv = View(x, nameof(AvgPool2d), nameof(x));
        var y = New(nameof(AvgPool2d), GpuPool.Out(geometry));
        Launch(nameof(AvgPool2d), geometry.ToString, () => GpuPool.AvgForward(Gpu, xv, y.View, geometry));
        return y;
    }

    /// <inheritdoc/>
    public TensorStorage AvgPool2dBackward(TensorStorage dy, Pool2dGeometry geometry)
    {
        var gv = View(dy, nameof(AvgPool2dBackward), nameof(dy));
        var dx = NewZeroed(nameof(AvgPool2dBackward), GpuPool.In(geometry));
        Launch(nameof(AvgPool2dBackward), geometry.ToString, () => GpuPool.AvgBackward(Gpu, gv, dx.View, geometry));
        return dx;
    }
}
