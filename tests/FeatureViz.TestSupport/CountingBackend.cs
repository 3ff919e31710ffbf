using System.Collections.Concurrent;
using FeatureViz.Tensors.Backends;

namespace FeatureViz.TestSupport;

/// <summary>A <see cref="DelegatingBackend"/> that counts the calls of each <see cref="IBackend"/> method (thread-safe).</summary>
public class CountingBackend(IBackend inner) : DelegatingBackend(inner)
{
    private readonly ConcurrentDictionary<string, long> _calls = new(StringComparer.Ordinal);

    /// <summary>How many times <paramref name="method"/> (an <see cref="IBackend"/> method name) was called.</summary>
    public long Calls(string method) => _calls.TryGetValue(method, out var n) ? n : 0;

    /// <summary>A snapshot of every method's call count.</summary>
    public IReadOnlyDictionary<string, long> Snapshot() => new Dictionary<string, long>(_calls, StringComparer.Ordinal);

    /// <inheritdoc/>
    protected override void OnCall(string method) => _calls.AddOrUpdate(method, 1, (_, n) => n + 1);
}
