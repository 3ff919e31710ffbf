using FeatureViz.Tensors.Ops;

namespace FeatureViz.Tensors.Backends;

public partial interface IBackend
{
    /// <summary>y[i] = op.Forward(x[i]).</summary>
    TensorStorage Unary<TOp>(TOp op, TensorStorage x) where TOp : struct, IUnaryOp;

    /// <summary>dx[i] = op.Backward(x[i], y[i], dy[i]).</summary>
    TensorStorage UnaryBackward<TOp>(TOp op, TensorStorage x, TensorStorage y, TensorStorage dy) where TOp : struct, IUnaryOp;

    /// <summary>NumPy-broadcast binary op; <paramref name="outShape"/> is the broadcast of the two input shapes.</summary>
    TensorStorage Binary<TOp>(TOp op, TensorStorage a, Shape aShape, TensorStorage b, Shape bShape, Shape outShape)
        where TOp : struct, IBinaryOp;

    /// <summary>
    /// Elementwise partial derivatives times <paramref name="dy"/>, in the broadcast output shape (not yet summed
    /// back to the input shapes). A side that is not wanted is returned as null.
    /// </summary>
    (TensorStorage? Da, TensorStorage? Db) BinaryBackward<TOp>(TOp op, TensorStorage a, Shape aShape, TensorStorage b,
        Shape bShape, TensorStorage dy, Shape outShape, bool needA, bool needB) where TOp : struct, IBinaryOp;

    /// <summary>out = cond != 0 ? a : b, all three broadcast to <paramref name="outShape"/>.</summary>
    TensorStorage Where(TensorStorage cond, Shape condShape, TensorStorage a, Shape aShape, TensorStorage b,
        Shape bShape, Shape outShape);

    /// <summary>
    /// Reduces over <paramref name="axes"/> (sorted, distinct, in range); the result has the keepdims shape's element
    /// count. The index kinds (<see cref="ReduceKind.ArgMax"/> and the like) take exactly one non-empty axis and
    /// return the position along it as a float.
    /// </summary>
    TensorStorage Reduce(ReduceKind kind, TensorStorage x, Shape shape, ReadOnlySpan<int> axes);

    /// <summary>Repeats <paramref name="x"/> along broadcast dimensions to <paramref name="outShape"/> (NumPy broadcast_to; ranks may differ).</summary>
    TensorStorage BroadcastTo(TensorStorage x, Shape shape, Shape outShape) =>
        FusedDefaults.BroadcastTo(this, x, shape, outShape);
}

/// <summary>Reduction kinds.</summary>
public enum ReduceKind
{
    /// <summary>Sum of elements.</summary>
    Sum,
    /// <summary>Largest element.</summary>
    Max,
    /// <summary>Smallest element.</summary>
    Min,
    /// <summary>Index of the first largest element along the one reduced axis (a sequential scan from index 0 with IEEE comparisons: a NaN is never better than the best so far).</summary>
    ArgMax,
    /// <summary>Index of the first smallest element along the one reduced axis (the same scan).</summary>
    ArgMin,
    /// <summary>As <see cref="ArgMax"/>, the last index among ties (ONNX select_last_index).</summary>
    ArgMaxLast,
    /// <summary>As <see cref="ArgMin"/>, the last index among ties.</summary>
    ArgMinLast,
}
