namespace FeatureViz.Tensors.Backends;

/// <summary>
/// A strided read pattern over a contiguous buffer (see <see cref="IBackend.StridedCopy"/>): a small immutable value
/// with no host arrays. The constructor drops size-1 axes and merges neighbours that are contiguous in the input
/// (which leaves the row-major element order unchanged), so <see cref="Rank"/> is the number of axes a kernel must
/// walk, at most <see cref="MaxRank"/>.
/// </summary>
public readonly struct StridedView
{
    /// <summary>Most axes a view keeps after merging (the fixed size of its inline storage).</summary>
    public const int MaxRank = InlineDims.MaxRank;

    private readonly InlineDims _dims;
    private readonly InlineDims _strides;

    /// <summary>Creates the view of <paramref name="shape"/> (the output shape).</summary>
    /// <param name="shape">The output shape.</param>
    /// <param name="strides">Input element stride for each output dimension (may be negative or zero).</param>
    /// <param name="offset">Input element offset of the output's first element.</param>
    /// <exception cref="ArgumentException">The lengths differ, or more than <see cref="MaxRank"/> axes remain after merging.</exception>
    public StridedView(ReadOnlySpan<int> shape, ReadOnlySpan<int> strides, int offset)
    {
        if (shape.Length != strides.Length)
            throw new ArgumentException($"StridedView: shape [{string.Join(", ", shape.ToArray())}] and strides [{string.Join(", ", strides.ToArray())}] differ in length.", nameof(strides));
        long numel = 1;
        int rank = 0;
        for (int i = 0; i < shape.Length; i++)
        {
            int d = shape[i], s = strides[i];
            numel *= d;
            if (d == 1) continue;
            if (rank > 0 && _strides[rank - 1] == (long)s * d)
            {
                _dims[rank - 1] *= d;
                _strides[rank - 1] = s;
                continue;
            }
            if (rank == MaxRank)
                throw new ArgumentException($"StridedView: shape [{string.Join(", ", shape.ToArray())}] with strides [{string.Join(", ", strides.ToArray())}] keeps more than {MaxRank} axes after merging contiguous ones.", nameof(shape));
            _dims[rank] = d;
            _strides[rank] = s;
            rank++;
        }
        if (rank == 0)
        {
            _dims[0] = 1;
            _strides[0] = 1;
            rank = 1;
        }
        Rank = rank;
        Numel = (int)numel;
        Offset = offset;
    }

    /// <summary>Creates the view of <paramref name="shape"/> (see the span overload).</summary>
    public StridedView(Shape shape, ReadOnlySpan<int> strides, int offset) : this(shape.Dims, strides, offset) { }

    /// <summary>Number of axes after merging (at least 1; a scalar view is [1] with stride 1).</summary>
    public int Rank { get; }

    /// <summary>Number of elements of the output.</summary>
    public int Numel { get; }

    /// <summary>Input element offset of the output's first element.</summary>
    public int Offset { get; }

    /// <summary>Merged output dimension <paramref name="axis"/> (in [0, <see cref="Rank"/>)).</summary>
    public int Dim(int axis) => (uint)axis < (uint)Rank ? _dims[axis] : throw new ArgumentOutOfRangeException(nameof(axis), axis, $"StridedView: axis out of [0, {Rank}).");

    /// <summary>Input stride of merged dimension <paramref name="axis"/> (in [0, <see cref="Rank"/>)).</summary>
    public int Stride(int axis) => (uint)axis < (uint)Rank ? _strides[axis] : throw new ArgumentOutOfRangeException(nameof(axis), axis, $"StridedView: axis out of [0, {Rank}).");

    /// <inheritdoc/>
    public override string ToString()
    {
        var dims = new int[Rank];
        var strides = new int[Rank];
        for (int i = 0; i < Rank; i++) (dims[i], strides[i]) = (_dims[i], _strides[i]);
        return $"StridedView(dims [{string.Join(", ", dims)}], strides [{string.Join(", ", strides)}], offset {Offset})";
    }
}
