using FeatureViz.Tensors.Autograd;
using FeatureViz.Tensors.Backends;

namespace FeatureViz.Tensors;

/// <summary>
/// A dense float32 tensor (row-major; images are NCHW) on some backend, with optional reverse-mode autodiff.
/// Tensors own backend memory (possibly GPU memory the GC cannot see): dispose them, or create them inside a
/// <see cref="TensorScope"/> that disposes a step's temporaries.
/// </summary>
/// <remarks>
/// Ops are methods on this class (split by family into partial files). Each op checks its arguments, computes the
/// output shape, calls one backend method and, when some input requires a gradient and gradients are enabled,
/// records a <see cref="Node"/> whose vector-Jacobian product is written next to the forward.
/// </remarks>
public sealed partial class Tensor : IDisposable
{
    private TensorStorage? _storage;

    internal Tensor(TensorStorage storage, Shape shape)
    {
        if (storage.Length != shape.Numel)
            throw new ArgumentException($"Tensor: storage of {storage.Length} elements does not match shape {shape}.");
        _storage = storage;
        Shape = shape;
        TensorScope.Track(this);
    }

    /// <summary>The shape.</summary>
    public Shape Shape { get; }

    /// <summary>Number of dimensions.</summary>
    public int Rank => Shape.Rank;

    /// <summary>Number of elements.</summary>
    public int Numel => Shape.Numel;

    /// <summary>The backend that owns the storage.</summary>
    public IBackend Backend => Storage.Backend;

    /// <summary>The backend storage; only backends look inside it.</summary>
    public TensorStorage Storage => _storage ?? throw new ObjectDisposedException(nameof(Tensor), $"Tensor {Shape} was disposed (was it created in a TensorScope that ended?).");

    /// <summary>True when gradients flow to (leaf) or through (op result) this tensor.</summary>
    public bool RequiresGrad { get; private set; }

    /// <summary>The op that produced this tensor when it is part of a recorded graph; null for leaves and constants.</summary>
    public Node? GradFn { get; private set; }

    /// <summary>The accumulated gradient of a leaf after <see cref="Backward"/>.</summary>
    public Tensor? Grad { get; set; }

    /// <summary>An optional name (used by model loaders and in error messages).</summary>
    public string? Name { get; set; }

    /// <summary>True once disposed.</summary>
    public bool IsDisposed => _storage is null;

    /// <summary>Marks this leaf as a variable whose gradient is wanted, and returns it.</summary>
    public Tensor RequireGrad(bool requires = true)
    {
        if (GradFn is not null)
            throw new InvalidOperationException($"RequireGrad: tensor {Shape} is the result of op {GradFn.OpName}; only leaves can be marked.");
        RequiresGrad = requires;
        return this;
    }

    /// <summary>A new tensor sharing no graph with this one (a copy of the values).</summary>
    public Tensor Detach() => new(Backend.Copy(Storage), Shape);

    /// <summary>Creates a tensor from host data.</summary>
    public static Tensor FromArray(IBackend backend, ReadOnlySpan<float> data, params int[] dims)
    {
        ArgumentNullException.ThrowIfNull(backend);
        var shape = new Shape(dims);
        if (data.Length != shape.Numel)
            throw new ArgumentException($"FromArray: {data.Length} values do not fill shape {shape} ({shape.Numel} elements).", nameof(data));
        return new Tensor(backend.Upload(data), shape);
    }

    /// <summary>A tensor of zeros.</summary>
    public static Tensor Zeros(IBackend backend, params int[] dims)
    {
        var shape = new Shape(dims);
        return new Tensor(backend.Allocate(shape.Numel), shape);
    }

    /// <summary>A tensor filled with <paramref name="value"/>.</summary>
    public static Tensor Full(IBackend backend, float value, params int[] dims)
    {
        var shape = new Shape(dims);
        return new Tensor(backend.Fill(shape.Numel, value), shape);
    }

    /// <summary>A rank-0 tensor.</summary>
    public static Tensor Scalar(IBackend backend, float value) => new(backend.Fill(1, value), Shape.Scalar);

    /// <summary>Wraps backend storage (for backends and loaders).</summary>
    public static Tensor FromStorage(TensorStorage storage, Shape shape) => new(storage, shape);

    /// <summary>Copies the values to a new host array.</summary>
    public float[] ToArray()
    {
        var a = new float[Numel];
        Backend.Download(Storage, a);
        return a;
    }

    /// <summary>The value of a one-element tensor.</summary>
    public float Item()
    {
        if (Numel != 1) throw new InvalidOperationException($"Item: tensor {Shape} has {Numel} elements, not 1.");
        Span<float> v = stackalloc float[1];
        Backend.Download(Storage, v);
        return v[0];
    }

    /// <summary>
    /// Runs reverse-mode differentiation from this tensor. A non-scalar output needs an explicit
    /// <paramref name="cotangent"/> of the same shape. Gradients are accumulated into <see cref="Grad"/> of every
    /// leaf that requires a gradient.
    /// </summary>
    public void Backward(Tensor? cotangent = null) => Backprop.Run(this, cotangent);

    internal static Tensor Result(TensorStorage storage, Shape shape) => new(storage, shape);

    internal void SetGraph(Node node)
    {
        GradFn = node;
        RequiresGrad = true;
    }

    /// <summary>Frees the storage. Using the tensor afterwards throws <see cref="ObjectDisposedException"/>.</summary>
    public void Dispose()
    {
        var s = _storage;
        _storage = null;
        s?.Dispose();
        GradFn = null;
    }

    /// <inheritdoc/>
    public override string ToString() => $"Tensor{Shape}{(Name is null ? "" : " " + Name)}{(RequiresGrad ? " requires_grad" : "")}";
}
