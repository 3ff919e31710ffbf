namespace FeatureViz.Tensors.Backends;

/// <summary>
/// Geometry of a pad: along each axis a the input is first cropped to [<see cref="Lo"/>(a), Lo(a) + <see cref="Len"/>(a))
/// and then padded with <see cref="Begin"/>(a) elements before (and the rest of <see cref="OutDim"/>(a) after). A
/// small immutable value with its per-axis numbers inline (at most <see cref="MaxRank"/> axes), usable as a cache key.
/// </summary>
public readonly struct PadGeometry : IEquatable<PadGeometry>
{
    /// <summary>Most axes a pad geometry holds.</summary>
    public const int MaxRank = InlineDims.MaxRank;

    private readonly InlineDims _in, _out, _begin, _lo, _len;

    /// <summary>Creates the geometry (the op validates it); all spans have the input's rank.</summary>
    /// <param name="inShape">Input shape.</param>
    /// <param name="outShape">Output shape.</param>
    /// <param name="begin">Padding elements before the kept input range, per axis (non-negative).</param>
    /// <param name="lo">First kept input index per axis (positive when the begin side is cropped).</param>
    /// <param name="len">Number of kept input elements per axis.</param>
    /// <param name="mode">Fill mode.</param>
    /// <param name="value">Constant fill value (Constant mode).</param>
    /// <exception cref="ArgumentException">The ranks differ or exceed <see cref="MaxRank"/>.</exception>
    public PadGeometry(ReadOnlySpan<int> inShape, ReadOnlySpan<int> outShape, ReadOnlySpan<int> begin, ReadOnlySpan<int> lo,
        ReadOnlySpan<int> len, PadMode mode, float value)
    {
        int r = inShape.Length;
        if (outShape.Length != r || begin.Length != r || lo.Length != r || len.Length != r)
            throw new ArgumentException($"PadGeometry: input shape [{string.Join(", ", inShape.ToArray())}], output shape [{string.Join(", ", outShape.ToArray())}] and the per-axis ranges must have one entry per axis.", nameof(outShape));
        if (r > MaxRank)
            throw new ArgumentException($"PadGeometry: input shape [{string.Join(", ", inShape.ToArray())}] has more than {MaxRank} axes.", nameof(inShape));
        long inNumel = 1, outNumel = 1;
        for (int a = 0; a < r; a++)
        {
            (_in[a], _out[a], _begin[a], _lo[a], _len[a]) = (inShape[a], outShape[a], begin[a], lo[a], len[a]);
            inNumel *= inShape[a];
            outNumel *= outShape[a];
        }
        Rank = r;
        InNumel = (int)inNumel;
        OutNumel = (int)outNumel;
        Mode = mode;
        Value = value;
    }

    /// <summary>Number of axes.</summary>
    public int Rank { get; }

    /// <summary>Elements of the input.</summary>
    public int InNumel { get; }

    /// <summary>Elements of the output.</summary>
    public int OutNumel { get; }

    /// <summary>Fill mode.</summary>
    public PadMode Mode { get; }

    /// <summary>Constant fill value (Constant mode).</summary>
    public float Value { get; }

    /// <summary>Input dimension of <paramref name="axis"/>.</summary>
    public int InDim(int axis) => _in[Check(axis)];

    /// <summary>Output dimension of <paramref name="axis"/>.</summary>
    public int OutDim(int axis) => _out[Check(axis)];

    /// <summary>Padding elements before the kept input range along <paramref name="axis"/>.</summary>
    public int Begin(int axis) => _begin[Check(axis)];

    /// <summary>First kept input index along <paramref name="axis"/>.</summary>
    public int Lo(int axis) => _lo[Check(axis)];

    /// <summary>Number of kept input elements along <paramref name="axis"/>.</summary>
    public int Len(int axis) => _len[Check(axis)];

    /// <summary>The input dimensions as a new array.</summary>
    public int[] InDims() => Dims(_in);

    /// <summary>The output dimensions as a new array.</summary>
    public int[] OutDims() => Dims(_out);

    /// <summary>
    /// The input index along <paramref name="axis"/> that output index <paramref name="j"/> reads, or -1 when it
    /// takes the constant. Reflect mirrors periodically without repeating the edge (NumPy "reflect").
    /// </summary>
    public int SourceIndex(int axis, int j)
    {
        int n = Len(axis), lo = _lo[axis];
        int i = j - _begin[axis];
        if (i >= 0 && i < n) return lo + i;
        return Mode == PadMode.Constant ? -1 : lo + OutsideSource(i, n, Mode);
    }

    /// <summary>
    /// For an index <paramref name="i"/> outside the kept range [0, <paramref name="n"/>) of an Edge, Wrap or Reflect
    /// pad, the kept index it reads (NumPy "edge", "wrap" and "reflect": mirrored periodically without repeating the
    /// edge). Shared by the backends' pad kernels (it compiles for the GPU too).
    /// </summary>
    public static int OutsideSource(int i, int n, PadMode mode)
    {
        if (mode == PadMode.Edge) return i < 0 ? 0 : n - 1;
        if (mode == PadMode.Wrap)
        {
            int w = i % n;
            return w < 0 ? w + n : w;
        }
        if (n == 1) return 0;
        int period = 2 * (n - 1);
        int m = i % period;
        if (m < 0) m += period;
        return m >= n ? period - m : m;
    }

    /// <inheritdoc/>
    public bool Equals(PadGeometry other)
    {
        if (Rank != other.Rank || Mode != other.Mode || !Value.Equals(other.Value)) return false;
        for (int a = 0; a < Rank; a++)
            if (_in[a] != other._in[a] || _out[a] != other._out[a] || _begin[a] != other._begin[a] || _lo[a] != other._lo[a] || _len[a] != other._len[a])
                return false;
        return true;
    }

    /// <inheritdoc/>
    public override bool Equals(object? obj) => obj is PadGeometry g && Equals(g);

    /// <inheritdoc/>
    public override int GetHashCode()
    {
        var h = new HashCode();
        h.Add(Rank);
        h.Add(Mode);
        h.Add(Value);
        for (int a = 0; a < Rank; a++)
        {
            h.Add(_in[a]);
            h.Add(_out[a]);
            h.Add(_begin[a]);
            h.Add(_lo[a]);
            h.Add(_len[a]);
        }
        return h.ToHashCode();
    }

    /// <summary>Value equality.</summary>
    public static bool operator ==(PadGeometry a, PadGeometry b) => a.Equals(b);

    /// <summary>Value inequality.</summary>
    public static bool operator !=(PadGeometry a, PadGeometry b) => !a.Equals(b);

    private int Check(int axis) => (uint)axis < (uint)Rank ? axis : throw new ArgumentOutOfRangeException(nameof(axis), axis, $"PadGeometry: axis out of [0, {Rank}).");

    private int[] Dims(InlineDims dims)
    {
        var d = new int[Rank];
        for (int a = 0; a < d.Length; a++) d[a] = dims[a];
        return d;
    }
}
