using System.Collections.Concurrent;

namespace FeatureViz.Tensors.Backends;

/// <summary>
/// Values derived from a geometry (index and weight tables), computed once per distinct geometry value and kept for
/// the next call with an equal geometry. Thread-safe; bounded: when <see cref="Capacity"/> entries are held, the cache
/// is emptied and refilled on demand.
/// </summary>
/// <typeparam name="TKey">The geometry (a value type with value equality).</typeparam>
/// <typeparam name="TValue">What is derived from it.</typeparam>
/// <param name="build">Computes the value of a geometry.</param>
/// <param name="capacity">Most entries kept.</param>
public sealed class GeometryCache<TKey, TValue>(Func<TKey, TValue> build, int capacity = 256) where TKey : notnull
{
    private readonly ConcurrentDictionary<TKey, TValue> _entries = new();

    /// <summary>Most entries kept.</summary>
    public int Capacity { get; } = capacity;

    /// <summary>The value of <paramref name="geometry"/>, computed on first use.</summary>
    public TValue Get(TKey geometry)
    {
        if (_entries.TryGetValue(geometry, out var value)) return value;
        if (_entries.Count >= Capacity) _entries.Clear();
        return _entries.GetOrAdd(geometry, build);
    }
}
