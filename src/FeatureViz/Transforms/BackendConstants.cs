using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using FeatureViz.Tensors;
using FeatureViz.Tensors.Backends;

namespace FeatureViz.Transforms;

/// <summary>
/// Small constant tensors a transform needs every step (e.g. kernel offsets), uploaded once per backend and key and
/// kept outside any <see cref="TensorScope"/> for as long as the backend and the owning transform live, so that
/// steps compute their per-step tensors on the device instead of uploading them.
/// </summary>
internal sealed class BackendConstants<TKey> where TKey : notnull
{
    private readonly ConditionalWeakTable<IBackend, ConcurrentDictionary<TKey, Tensor>> _tables = new();

    /// <summary>The constant for <paramref name="key"/> on <paramref name="backend"/>, made by <paramref name="create"/> the first time.</summary>
    public Tensor Get(IBackend backend, TKey key, Func<TKey, float[]> create, Func<TKey, int[]> dims) =>
        _tables.GetOrCreateValue(backend).GetOrAdd(key, k =>
        {
            using (TensorScope.Suspend()) return Tensor.FromArray(backend, create(k), dims(k));
        });
}
