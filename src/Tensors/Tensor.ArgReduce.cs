using FeatureViz.Tensors.Backends;

namespace FeatureViz.Tensors;

public sealed partial class Tensor
{
    /// <summary>
    /// Index of the largest element along <paramref name="axis"/> (the first among ties, or the last with
    /// <paramref name="selectLastIndex"/>), as float values on the backend. Not differentiable: the result never
    /// requires a gradient.
    /// </summary>
    public Tensor ArgMax(int axis, bool keepDims = true, bool selectLastIndex = false) =>
        ArgReduce(selectLastIndex ? ReduceKind.ArgMaxLast : ReduceKind.ArgMax, "ArgMax", axis, keepDims);

    /// <summary>Index of the smallest element along <paramref name="axis"/>; see <see cref="ArgMax"/>.</summary>
    public Tensor ArgMin(int axis, bool keepDims = true, bool selectLastIndex = false) =>
        ArgReduce(selectLastIndex ? ReduceKind.ArgMinLast : ReduceKind.ArgMin, "ArgMin", axis, keepDims);

    private Tensor ArgReduce(ReduceKind kind, string op, int axis, bool keepDims)
    {
        int ax = Shape.NormalizeAxis(axis, Rank, op);
        if (Shape[ax] == 0) throw new ArgumentException($"{op}: cannot reduce over empty axis {ax} of {Shape}.", nameof(axis));
        var keep = Shape.ToArray();
        keep[ax] = 1;
        var outShape = keepDims ? new Shape(keep) : new Shape(keep.Where((_, i) => i != ax).ToArray());
        return Result(Backend.Reduce(kind, Storage, Shape, [ax]), outShape);
    }
}
