namespace FeatureViz.Kernels.Cpu;

/// <summary>
/// Recycles the arrays of disposed tensors by exact length. An optimisation step creates and frees the same set of
/// (often multi-megabyte) tensors every time; reusing their arrays avoids a large-object allocation, page faults and
/// GC work per op. Bounded: beyond <see cref="CapacityFloats"/> pooled floats, freed arrays go to the GC.
/// </summary>
internal sealed class CpuArrayPool(long capacityFloats)
{
    private readonly Dictionary<int, Stack<float[]>> _buckets = new();
    private readonly Lock _lock = new();
    private long _pooled;

    /// <summary>Smallest array worth pooling: per-channel tensors (64 to 512 floats, a few per BatchNormalization each step) are pooled too.</summary>
    public const int MinLength = 64;

    /// <summary>Upper bound on the floats kept.</summary>
    public long CapacityFloats { get; } = capacityFloats;

    /// <summary>An array of exactly <paramref name="length"/> floats, zeroed when asked.</summary>
    public float[] Rent(long length, bool zeroed)
    {
        if (length > Array.MaxLength) throw new ArgumentOutOfRangeException(nameof(length), length, "CpuBackend: tensor too large for one array.");
        int n = (int)length;
        if (n >= MinLength)
        {
            float[]? a = null;
            lock (_lock)
            {
                if (_buckets.TryGetValue(n, out var stack) && stack.Count > 0)
                {
                    a = stack.Pop();
                    _pooled -= n;
                }
            }
            if (a is not null)
            {
                if (zeroed) Array.Clear(a);
                return a;
            }
        }
        return zeroed ? new float[n] : GC.AllocateUninitializedArray<float>(n);
    }

    /// <summary>Takes back an array nobody references any more.</summary>
    public void Return(float[] array)
    {
        int n = array.Length;
        if (n < MinLength) return;
        lock (_lock)
        {
            if (_pooled + n > CapacityFloats) return;
            if (!_buckets.TryGetValue(n, out var stack)) _buckets[n] = stack = new Stack<float[]>();
            stack.Push(array);
            _pooled += n;
        }
    }

    /// <summary>Drops every pooled array.</summary>
    public void Clear()
    {
        lock (_lock)
        {
            _buckets.Clear();
            _pooled = 0;
        }
    }
}
