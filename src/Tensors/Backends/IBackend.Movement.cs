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
    /// slab equal to row indices[j]. <paramref name="indices"/> is device data (exact integers held as floats, as
    /// the ONNX importer holds Int64 tensors; exact below 2^24): a negative index counts from the end (axisDim is
    /// added), and an index that is not an integer in [-axisDim, axisDim) selects nothing (a zero row). The caller
    /// checks host index tables before uploading them; device indices are data and are not checked.
    /// </summary>
    TensorStorage Gather(TensorStorage x, int outer, int axisDim, int inner, TensorStorage indices) =>
        FusedDefaults.Gather(this, x, outer, axisDim, inner, indices);

    /// <summary>
    /// Adjoint of <see cref="Gather"/>: scatter-adds rows of dy into zeros [outer, axisDim, inner] (repeated indices
    /// accumulate; a row whose index selects nothing adds nothing).
    /// </summary>
    TensorStorage GatherBackward(TensorStorage dy, int outer, int axisDim, int inner, TensorStorage indices) =>
        FusedDefaults.GatherBackward(this, dy, outer, axisDim, inner, indices);
}
