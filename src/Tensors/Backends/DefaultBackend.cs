namespace FeatureViz.Tensors.Backends;

/// <summary>
/// The process-wide default backend, for libraries that must not depend on a particular backend (the ONNX importer
/// uses it when <c>OnnxLoadOptions.Backend</c> is not given). The application's composition root registers it once
/// (FeatureViz.Core's <c>FeatureVizBackends</c> registers the CPU backend); tests register the backend they run on.
/// </summary>
public static class DefaultBackend
{
    private static Func<IBackend>? _factory;
    private static IBackend? _instance;
    private static readonly Lock Gate = new();

    /// <summary>True when a default backend has been registered.</summary>
    public static bool IsRegistered => Volatile.Read(ref _factory) is not null;

    /// <summary>
    /// Registers the default backend, created on first use by <paramref name="factory"/>. A later registration
    /// replaces an earlier one (the instance already created by the earlier one is not disposed: it may be in use).
    /// </summary>
    public static void Register(Func<IBackend> factory)
    {
        ArgumentNullException.ThrowIfNull(factory);
        lock (Gate)
        {
            _factory = factory;
            _instance = null;
        }
    }

    /// <summary>The default backend.</summary>
    /// <param name="caller">The operation that needs it, named in the error.</param>
    /// <exception cref="InvalidOperationException">No default backend has been registered.</exception>
    public static IBackend Resolve(string caller)
    {
        lock (Gate)
        {
            if (_instance is not null) return _instance;
            var factory = _factory ?? throw new InvalidOperationException(
                $"{caller}: no backend was given and no default backend is registered; pass one (e.g. OnnxLoadOptions.Backend) or call DefaultBackend.Register (FeatureVizBackends.RegisterDefault registers the CPU backend).");
            return _instance = factory();
        }
    }
}
