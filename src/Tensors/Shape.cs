using System.Collections;

namespace FeatureViz.Tensors;

/// <summary>An immutable tensor shape (row-major, NCHW for images).</summary>
public sealed class Shape : IEquatable<Shape>, IReadOnlyList<int>
{
    private readonly int[] _dims;

    /// <summary>
    /// Creates a shape; every dimension must be non-negative, the element count must fit in an <see cref="int"/> and
    /// within the <see cref="TensorLimits"/> in force.
    /// </summary>
    public Shape(params int[] dims)
    {
        ArgumentNullException.ThrowIfNull(dims);
        long n = 1;
        for (int i = 0; i < dims.Length; i++)
        {
            if (dims[i] < 0)
                throw new ArgumentException($"Shape: dimension {i} is negative in [{string.Join(", ", dims)}].", nameof(dims));
            n *= dims[i];
            if (n > int.MaxValue)
                throw new ArgumentException($"Shape: [{string.Join(", ", dims)}] has more than {int.MaxValue} elements.", nameof(dims));
        }
        TensorLimits.CheckShape(dims, n);
        _dims = (int[])dims.Clone();
        Numel = (int)n;
    }

    /// <summary>The scalar shape (rank 0, one element).</summary>
    public static Shape Scalar { get; } = new();

    /// <summary>Number of dimensions.</summary>
    public int Rank => _dims.Length;

    /// <summary>Total number of elements.</summary>
    public int Numel { get; }

    /// <summary>Number of dimensions (same as <see cref="Rank"/>).</summary>
    public int Count => _dims.Length;

    /// <summary>The size of dimension <paramref name="axis"/>; negative axes count from the end.</summary>
    public int this[int axis] => _dims[NormalizeAxis(axis, Rank, "Shape")];

    /// <summary>A copy of the dimensions.</summary>
    public int[] ToArray() => (int[])_dims.Clone();

    /// <summary>The dimensions without copying.</summary>
    public ReadOnlySpan<int> Dims => _dims;

    /// <summary>Row-major strides in elements.</summary>
    public int[] Strides()
    {
        var s = new int[Rank];
        int acc = 1;
        for (int i = Rank - 1; i >= 0; i--) { s[i] = acc; acc *= _dims[i]; }
        return s;
    }

    /// <summary>Maps a possibly negative axis into [0, rank), or throws naming the op.</summary>
    public static int NormalizeAxis(int axis, int rank, string op)
    {
        int a = axis < 0 ? axis + rank : axis;
        if (a < 0 || a >= rank)
            throw new ArgumentException($"{op}: axis {axis} is out of range for rank {rank}.", nameof(axis));
        return a;
    }

    /// <summary>The NumPy broadcast of two shapes, or an exception naming the op (and <paramref name="paramName"/>, the argument at fault).</summary>
    public static Shape Broadcast(Shape a, Shape b, string op, string? paramName = null)
    {
        int r = Math.Max(a.Rank, b.Rank);
        var d = new int[r];
        for (int i = 0; i < r; i++)
        {
            int da = i - (r - a.Rank) >= 0 ? a._dims[i - (r - a.Rank)] : 1;
            int db = i - (r - b.Rank) >= 0 ? b._dims[i - (r - b.Rank)] : 1;
            if (da != db && da != 1 && db != 1)
                throw new ArgumentException($"{op}: shapes {a} and {b} cannot be broadcast together (dimension {i}: {da} vs {db}).", paramName);
            d[i] = da == 1 ? db : da;
        }
        return TensorLimits.OutputShape(op, [.. d], paramName, $"the broadcast of {a} and {b}");
    }

    /// <inheritdoc/>
    public bool Equals(Shape? other) => other is not null && _dims.AsSpan().SequenceEqual(other._dims);

    /// <inheritdoc/>
    public override bool Equals(object? obj) => Equals(obj as Shape);

    /// <inheritdoc/>
    public override int GetHashCode()
    {
        var h = new HashCode();
        foreach (var d in _dims) h.Add(d);
        return h.ToHashCode();
    }

    /// <summary>Value equality.</summary>
    public static bool operator ==(Shape? a, Shape? b) => a is null ? b is null : a.Equals(b);

    /// <summary>Value inequality.</summary>
    public static bool operator !=(Shape? a, Shape? b) => !(a == b);

    /// <summary>Converts an int array to a shape.</summary>
    public static implicit operator Shape(int[] dims) => new(dims);

    /// <inheritdoc/>
    public override string ToString() => "[" + string.Join(", ", _dims) + "]";

    /// <inheritdoc/>
    public IEnumerator<int> GetEnumerator() => ((IEnumerable<int>)_dims).GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => _dims.GetEnumerator();
}
