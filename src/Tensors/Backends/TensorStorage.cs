namespace FeatureViz.Tensors.Backends;

/// <summary>
/// Element memory owned by a backend. Opaque to ops and autograd: only the backend that made it reads or writes it.
/// Its contents may still be being computed by queued work (see the remarks on <see cref="IBackend"/>); the host
/// sees them only through <see cref="IBackend.Download"/>, which waits.
/// </summary>
public abstract class TensorStorage : IDisposable
{
    /// <summary>Number of float32 elements.</summary>
    public abstract int Length { get; }

    /// <summary>The backend that owns this storage.</summary>
    public abstract IBackend Backend { get; }

    /// <summary>True after <see cref="Dispose()"/>.</summary>
    public bool IsDisposed { get; private set; }

    /// <summary>
    /// Releases the memory (returns it to the backend's pool). Safe while kernels that read or write this storage are
    /// still queued: the backend frees it only after they have run (in stream order).
    /// </summary>
    public void Dispose()
    {
        if (IsDisposed) return;
        IsDisposed = true;
        Release();
        GC.SuppressFinalize(this);
    }

    /// <summary>Frees the backend memory.</summary>
    protected abstract void Release();
}
