namespace FeatureViz.Tensors.Backends;

/// <summary>
/// Element memory owned by a backend. Opaque to ops and autograd: only the backend that made it reads or writes it.
/// </summary>
public abstract class TensorStorage : IDisposable
{
    /// <summary>Number of float32 elements.</summary>
    public abstract int Length { get; }

    /// <summary>The backend that owns this storage.</summary>
    public abstract IBackend Backend { get; }

    /// <summary>True after <see cref="Dispose()"/>.</summary>
    public bool IsDisposed { get; private set; }

    /// <summary>Releases the memory (returns it to the backend's pool).</summary>
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
