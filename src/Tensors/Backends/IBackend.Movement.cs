namespace FeatureViz.Tensors.Backends;

public partial interface IBackend
{
    /// <summary>
    /// Reads a strided view of <paramref name="x"/> into new contiguous storage: output element at multi-index
    /// (i_0, ..., i_{r-1}) of the view's dimensions is x[Offset + sum(i_k * Stride(k))]. Strides may be
    /// negative or zero (Transpose, Slice).
    /// </summary>
    TensorStorage StridedCopy(TensorStorage x, StridedView view);

    /// <summary>
    /// The adjoint of <see cref="StridedCopy"/> for a view whose positions are distinct: zero storage of
    /// <paramref name="length"/> elements with each element of <paramref name="dy"/> written at its view position.
    /// </summary>
    TensorStorage StridedScatter(TensorStorage dy, StridedView view, int length);

    /// <summary>
    /// Concatenation seen as [outer, sum(partInner)]: part k is [outer, partInner[k]] and lands in columns after the
    /// earlier parts.
    /// </summary>
    TensorStorage Concat(IReadOnlyList<TensorStorage> parts, int outer, ReadOnlySpan<int> partInner) =>
        FusedDefaults.Concat(this, parts, outer, partInner);

    /// <summary>The inverse of <see cref="Concat"/>: splits [outer, sum(partInner)] into parts [outer, partInner[k]].</summary>
    TensorStorage[] Split(TensorStorage x, int outer, ReadOnlySpan<int> partInner) =>
        FusedDefaults.Split(this, x, outer, partInner);

    /// <summary>Pads (and crops) per <paramref name="geometry"/>.</summary>
    TensorStorage Pad(TensorStorage x, PadGeometry geometry);

    /// <summary>
    /// Gradient of a Reflect, Edge or Wrap <see cref="Pad"/>: every output element adds into the input element it
    /// was read from.
    /// </summary>
    TensorStorage PadBackward(TensorStorage dy, PadGeometry geometry) => FusedDefaults.PadBackward(this, dy, geometry);

    /// <summary>
    /// Gather on x seen as [outer, axisDim, inner]: output [outer, indices.Length, inner] with row j of each outer
    /// slab equal to row indices[j] (already in [0, axisDim)).
    /// </summary>
    TensorStorage Gather(TensorStorage x, int outer, int axisDim, int inner, ReadOnlySpan<int> indices) =>
        FusedDefaults.Gather(this, x, outer, axisDim, inner, indices);

    /// <summary>Adjoint of <see cref="Gather"/>: scatter-adds rows of dy into zeros [outer, axisDim, inner] (repeated indices accumulate).</summary>
    TensorStorage GatherBackward(TensorStorage dy, int outer, int axisDim, int inner, ReadOnlySpan<int> indices) =>
        FusedDefaults.GatherBackward(this, dy, outer, axisDim, inner, indices);
}


/// <summary>
/// Geometry of a pad: along each axis the input is first cropped to [<see cref="Lo"/>[a], Lo[a] + <see cref="Len"/>[a])
/// and then padded with <see cref="Begin"/>[a] elements before (and the rest of <see cref="OutShape"/>[a] after).
/// </summary>
public sealed class PadGeometry
{
    /// <summary>Creates the geometry (the op validates it).</summary>
    public PadGeometry(Shape inShape, Shape outShape, int[] begin, int[] lo, int[] len, PadMode mode, float value)
    {
        InShape = inShape;
        OutShape = outShape;
        Begin = begin;
        Lo = lo;
        Len = len;
        Mode = mode;
        Value = value;
    }

    /// <summary>Input shape.</summary>
    public Shape InShape { get; }

    /// <summary>Output shape.</summary>
    public Shape OutShape { get; }

    /// <summary>Padding elements before the kept input range, per axis (non-negative).</summary>
    public int[] Begin { get; }

    /// <summary>First kept input index per axis (non-negative; positive when the begin side is cropped).</summary>
    public int[] Lo { get; }

    /// <summary>Number of kept input elements per axis.</summary>
    public int[] Len { get; }

    /// <summary>Fill mode.</summary>
    public PadMode Mode { get; }

    /// <summary>Constant fill value (Constant mode).</summary>
    public float Value { get; }

    /// <summary>
    /// The input index along <paramref name="axis"/> that output index <paramref name="j"/> reads, or -1 when it
    /// takes the constant. Reflect mirrors periodically without repeating the edge (NumPy "reflect").
    /// </summary>
    public int SourceIndex(int axis, int j)
    {
        int n = Len[axis];
        int i = j - Begin[axis];
        if (i >= 0 && i < n) return Lo[axis] + i;
        switch (Mode)
        {
            case PadMode.Constant:
                return -1;
            case PadMode.Edge:
                return Lo[axis] + (i < 0 ? 0 : n - 1);
            case PadMode.Wrap:
                int w = i % n;
                return Lo[axis] + (w < 0 ? w + n : w);
            default:
                if (n == 1) return Lo[axis];
                int period = 2 * (n - 1);
                int m = i % period;
                if (m < 0) m += period;
                if (m >= n) m = period - m;
                return Lo[axis] + m;
        }
    }
}
