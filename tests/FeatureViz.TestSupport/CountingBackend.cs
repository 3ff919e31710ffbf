using System.Collections.Concurrent;
using FeatureViz.Tensors.Backends;

namespace FeatureViz.TestSupport;

/// <summary>
/// A <see cref="DelegatingBackend"/> that counts the calls of each <see cref="IBackend"/> method (thread-safe), in all
/// and per calling thread (so a test can see its own calls while other tests use the same backend in parallel).
/// </summary>
public class CountingBackend(IBackend inner) : DelegatingBackend(inner)
{
    private readonly ConcurrentDictionary<string, long> _calls = new(StringComparer.Ordinal);
    private readonly ThreadLocal<Dictionary<string, long>> _callsOnThisThread = new(() => new(StringComparer.Ordinal));

    /// <summary>A snapshot of the call counts of the current thread only.</summary>
    public IReadOnlyDictionary<string, long> SnapshotOfCurrentThread() => new Dictionary<string, long>(_callsOnThisThread.Value!, StringComparer.Ordinal);

    /// <summary>How many times <paramref name="method"/> (an <see cref="IBackend"/> method name) was called.</summary>
    public long Calls(string method) => _calls.TryGetValue(method, out var n) ? n : 0;

    /// <summary>A snapshot of every method's call count.</summary>
    public IReadOnlyDictionary<string, long> Snapshot() => new Dictionary<string, long>(_calls, StringComparer.Ordinal);

    /// <inheritdoc/>
    protected override void OnCall(string method)
    {
        _calls.AddOrUpdate(method, 1, (_, n) => n + 1);
        var mine = _callsOnThisThread.Value!;
        mine[method] = mine.GetValueOrDefault(method) + 1;
    }

    /// <inheritdoc/>
    public override void Dispose()
    {
        _callsOnThisThread.Dispose();
        base.Dispose();
    }
}
