using FeatureViz.Kernels.Gpu.Elementwise;
using FeatureViz.Kernels.Gpu.Movement;
using FeatureViz.Tensors;
using FeatureViz.Tensors.Backends;
using FeatureViz.Tensors.Ops;
using ILGPU;

namespace FeatureViz.Kernels.Gpu.Backend;

public sealed partial class IlgpuBackend
{
    /// <inheritdoc/>
    public TensorStorage Unary<TOp>(TOp op, TensorStorage x) where TOp : struct, IUnaryOp
    {
        var xv = View(x, op.Name, nameof(x));
        var y = New(op.Name, xv.Length);
        if (xv.Length > 0) Launch(op.Name, () => $"{xv.Length} elements", () => GpuElementwise.Unary(Gpu, op, xv, y.View));
        return y;
    }

    /// <inheritdoc/>
    public TensorStorage UnaryBackward<TOp>(TOp op, TensorStorage x, TensorStorage y, TensorStorage dy) where TOp : struct, IUnaryOp
    {
        string name = op.Name + "Backward";
        var xv = View(x, name, nameof(x));
        var yv = View(y, name, nameof(y));
        var gv = View(dy, name, nameof(dy));
        var dx = New(name, xv.Length);
        if (xv.Length > 0) Launch(name, () => $"{xv.Length} elements", () => GpuElementwise.UnaryBackward(Gpu, op, xv, yv, gv, dx.View));
        return dx;
    }

    /// <inheritdoc/>
    public TensorStorage Binary<TOp>(TOp op, TensorStorage a, Shape aShape, TensorStorage b, Shape bShape, Shape outShape)
        where TOp : struct, IBinaryOp
    {
        var av = View(a, op.Name, nameof(a));
        var bv = View(b, op.Name, nameof(b));
        var y = New(op.Name, outShape.Numel);
        if (outShape.Numel > 0)
            Launch(op.Name, () => $"a {aShape}, b {bShape}, out {outShape}",
                () => GpuElementwise.Binary(Gpu, op, av, aShape.Dims, bv, bShape.Dims, y.View, outShape.Dims));
        return y;
    }

    /// <inheritdoc/>
    public (TensorStorage? Da, TensorStorage? Db) BinaryBackward<TOp>(TOp op, TensorStorage a, Shape aShape, TensorStorage b,
        Shape bShape, TensorStorage dy, Shape outShape, bool needA, bool needB) where TOp : struct, IBinaryOp
    {
        string name = op.Name + "Backward";
        var av = View(a, name, nameof(a));
        var bv = View(b, name, nameof(b));
        var gv = View(dy, name, nameof(dy));
        var da = needA ? New(name, outShape.Numel) : null;
        var db = needB ? New(name, outShape.Numel) : null;
        if (outShape.Numel > 0 && (needA || needB))
            Launch(name, () => $"a {aShape}, b {bShape}, out {outShape}", () => GpuElementwise.BinaryBackward(Gpu, op, av, aShape.Dims,
                bv, bShape.Dims, gv, outShape.Dims, da?.View ?? default(ArrayView<float>), db?.View ?? default(ArrayView<float>)));
        return (da, db);
    }

    /// <inheritdoc/>
    public TensorStorage Where(TensorStorage cond, Shape condShape, TensorStorage a, Shape aShape, TensorStorage b,
        Shape bShape, Shape outShape)
    {
        var cv = View(cond, nameof(Where), nameof(cond));
        var av = View(a, nameof(Where), nameof(a));
        var bv = View(b, nameof(Where), nameof(b));
        var y = New(nameof(Where), outShape.Numel);
        if (outShape.Numel > 0)
            Launch(nameof(Where), () => $"cond {condShape}, a {aShape}, b {bShape}, out {outShape}",
                () => GpuMovement.Where(Gpu, cv, condShape.Dims, av, aShape.Dims, bv, bShape.Dims, y.View, outShape.Dims));
        return y;
    }
}
