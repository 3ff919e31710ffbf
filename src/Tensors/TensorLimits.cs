namespace FeatureViz.Tensors;

/// <summary>
/// The largest tensor (in elements and in bytes) ops may create on this thread. Every op computes its output shape
/// (and any workspace proportional to it) through <see cref="Elements(string, ReadOnlySpan{long}, string, string?, string?, int)"/> or <see cref="OutputShape"/> before it
/// asks the backend for storage, and <see cref="Shape"/>'s constructor holds every shape to the same limits, so a
/// hostile geometry fails with an <see cref="ArgumentException"/> instead of an overflow, a huge allocation or
/// memory corruption. Outside any scope the limits are what an <see cref="int"/>-indexed float32 tensor can hold;
/// a model importer opens a tighter scope (<see cref="Begin"/>) while it runs a model.
/// </summary>
public static class TensorLimits
{
    /// <summary>The element limit outside any scope: <see cref="int.MaxValue"/>.</summary>
    public const long DefaultMaxElements = int.MaxValue;

    /// <summary>The byte limit outside any scope: <see cref="int.MaxValue"/> float32 elements.</summary>
    public const long DefaultMaxBytes = (long)int.MaxValue * sizeof(float);

    [ThreadStatic] private static Scope? _current;

    /// <summary>The element limit in force on this thread.</summary>
    public static long MaxElements => _current?.MaxElements ?? DefaultMaxElements;

    /// <summary>The byte limit in force on this thread.</summary>
    public static long MaxBytes => _current?.MaxBytes ?? DefaultMaxBytes;

    /// <summary>
    /// Until the returned handle is disposed, ops on this thread may create tensors of at most
    /// <paramref name="maxElements"/> elements and <paramref name="maxBytes"/> bytes (never more than an enclosing
    /// scope allows). Scopes begun meanwhile must end before it.
    /// </summary>
    public static IDisposable Begin(long maxElements, long maxBytes)
    {
        if (maxElements <= 0) throw new ArgumentOutOfRangeException(nameof(maxElements), maxElements, "TensorLimits.Begin: the element limit must be positive.");
        if (maxBytes <= 0) throw new ArgumentOutOfRangeException(nameof(maxBytes), maxBytes, "TensorLimits.Begin: the byte limit must be positive.");
        return new Scope(Math.Min(maxElements, MaxElements), Math.Min(maxBytes, MaxBytes), _current);
    }

    /// <summary>
    /// The element count of a tensor of <paramref name="dims"/> whose elements take <paramref name="elementSize"/>
    /// bytes, computed in overflow-checked arithmetic and held to the limits in force; otherwise an
    /// <see cref="ArgumentException"/> naming <paramref name="op"/>, <paramref name="what"/> (e.g. "output") and the
    /// dimensions and <paramref name="context"/> (e.g. the attributes that make the tensor this large), with
    /// <paramref name="paramName"/> as the argument at fault.
    /// </summary>
    public static long Elements(string op, ReadOnlySpan<long> dims, string what = "output", string? paramName = null, string? context = null, int elementSize = sizeof(float))
    {
        string tail = context is null ? "" : $" ({context})";
        long n = 1;
        bool overflow = false;
        foreach (var d in dims)
        {
            if (d < 0)
                throw new ArgumentException($"{op}: {what} [{Join(dims)}] has a negative dimension{tail}.", paramName);
            if (!overflow && d != 0 && n > long.MaxValue / d) overflow = true;
            else if (!overflow) n *= d;
        }
        // A zero dimension makes the tensor empty however large the others are.
        foreach (var d in dims) if (d == 0) return 0;
        long maxElements = MaxElements, maxBytes = MaxBytes;
        if (overflow || n > maxElements)
            throw new ArgumentException($"{op}: {what} [{Join(dims)}] would hold {(overflow ? "more than 2^63" : n.ToString(System.Globalization.CultureInfo.InvariantCulture))} elements, more than the limit of {maxElements}{tail}.", paramName);
        if (n > maxBytes / elementSize)
            throw new ArgumentException($"{op}: {what} [{Join(dims)}] would take {n * (double)elementSize:0} bytes, more than the limit of {maxBytes} bytes{tail}.", paramName);
        return n;
    }

    /// <summary>
    /// The float32 output shape <paramref name="dims"/> of <paramref name="op"/>, checked as by
    /// <see cref="Elements(string, ReadOnlySpan{long}, string, string?, string?, int)"/> (each dimension must also
    /// fit an <see cref="int"/>).
    /// </summary>
    public static Shape OutputShape(string op, ReadOnlySpan<long> dims, string? paramName = null, string? context = null)
    {
        Elements(op, dims, "output", paramName, context);
        var d = new int[dims.Length];
        for (int i = 0; i < d.Length; i++)
        {
            if (dims[i] > int.MaxValue)
                throw new ArgumentException($"{op}: output dimension {i} of [{Join(dims)}] is larger than {int.MaxValue}{(context is null ? "" : $" ({context})")}.", paramName);
            d[i] = (int)dims[i];
        }
        return new Shape(d);
    }

    /// <summary>Checks a new <see cref="Shape"/> whose element count <paramref name="numel"/> fits an <see cref="int"/>.</summary>
    internal static void CheckShape(ReadOnlySpan<int> dims, long numel)
    {
        var s = _current;
        if (s is null) return;
        if (numel > s.MaxElements)
            throw new ArgumentException($"Shape: [{string.Join(", ", dims.ToArray())}] would hold {numel} elements, more than the limit of {s.MaxElements}.", nameof(dims));
        if (numel > s.MaxBytes / sizeof(float))
            throw new ArgumentException($"Shape: [{string.Join(", ", dims.ToArray())}] would take {numel * sizeof(float)} bytes, more than the limit of {s.MaxBytes} bytes.", nameof(dims));
    }

    private static string Join(ReadOnlySpan<long> dims) => string.Join(", ", dims.ToArray());

    private sealed class Scope : IDisposable
    {
        private readonly Scope? _parent;
        private bool _disposed;

        public Scope(long maxElements, long maxBytes, Scope? parent)
        {
            MaxElements = maxElements;
            MaxBytes = maxBytes;
            _parent = parent;
            _current = this;
        }

        public long MaxElements { get; }
        public long MaxBytes { get; }

        public void Dispose()
        {
            if (_disposed) return;
            _disposed = true;
            if (!ReferenceEquals(_current, this))
                throw new InvalidOperationException("TensorLimits: scopes must end in the reverse order they began.");
            _current = _parent;
        }
    }
}
