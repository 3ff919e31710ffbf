namespace FeatureViz.Tensors;

/// <summary>
/// Collects every tensor created on this thread while it is the innermost scope, and disposes them when it ends,
/// except those passed to <see cref="Keep"/>. One scope per optimisation step frees the step's temporaries
/// deterministically, which matters for GPU memory the GC cannot see.
/// </summary>
public sealed class TensorScope : IDisposable
{
    [ThreadStatic] private static TensorScope? _current;
    private readonly TensorScope? _parent;
    private readonly HashSet<Tensor> _tensors = new(ReferenceEqualityComparer.Instance);
    private bool _disposed;

    private TensorScope()
    {
        _parent = _current;
        _current = this;
    }

    /// <summary>Starts a scope nested in the current one.</summary>
    public static TensorScope Begin() => new();

    /// <summary>The innermost scope on this thread, if any.</summary>
    public static TensorScope? Current => _current;

    /// <summary>
    /// Until the returned handle is disposed, tensors created on this thread belong to no scope (for values that must
    /// outlive the caller's scope, such as a model's constants). Scopes begun meanwhile must end before it.
    /// </summary>
    public static IDisposable Suspend() => new Suspension(_current);

    /// <summary>Number of tensors this scope will dispose.</summary>
    public int Count => _tensors.Count;

    internal static void Track(Tensor t) => _current?._tensors.Add(t);

    /// <summary>Moves tensors out of this scope into the enclosing one (or to the caller when there is none).</summary>
    public Tensor Keep(Tensor tensor)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        if (_tensors.Remove(tensor)) _parent?._tensors.Add(tensor);
        return tensor;
    }

    private sealed class Suspension : IDisposable
    {
        private readonly TensorScope? _saved;
        private bool _disposed;

        public Suspension(TensorScope? saved)
        {
            _saved = saved;
            _current = null;
        }

        public void Dispose()
        {
            if (_disposed) return;
            _disposed = true;
            if (_current is not null)
                throw new InvalidOperationException("TensorScope: a scope begun during Suspend() was not disposed before it ended.");
            _current = _saved;
        }
    }

    /// <summary>Disposes every tracked tensor that was not kept.</summary>
    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        if (_current != this)
            throw new InvalidOperationException("TensorScope: scopes must be disposed in reverse order of creation.");
        _current = _parent;
        foreach (var t in _tensors) t.Dispose();
        _tensors.Clear();
    }
}
