namespace FeatureViz.TestSupport;

/// <summary>Synchronous <see cref="IProgress{T}"/>: reports on the calling thread (Progress&lt;T&gt; posts to the thread pool).</summary>
public sealed class SyncProgress<T>(Action<T> report) : IProgress<T>
{
    /// <inheritdoc/>
    public void Report(T value) => report(value);
}
