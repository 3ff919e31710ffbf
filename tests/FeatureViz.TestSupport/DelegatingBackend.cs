using FeatureViz.Tensors;
using FeatureViz.Tensors.Backends;
using FeatureViz.Tensors.Ops;

namespace FeatureViz.TestSupport;

/// <summary>
/// An <see cref="IBackend"/> that forwards every call to an inner backend: the one decorator base of the tests. Its
/// storage wraps the inner backend's storage (<see cref="DelegatingStorage"/>), so tensors made on it stay on it: every
/// op on them comes back through this class. Every method is virtual and reports itself to <see cref="OnCall"/> first,
/// so tests can count calls (<see cref="CountingBackend"/>), defer them (<see cref="QueuedBackend"/>) or intercept
/// them. It runs the conformance suite as a stand-in for an added backend.
/// </summary>
/// <remarks>A plain forwarder, one method per <see cref="IBackend"/> method: regenerate it when IBackend changes
/// (a guard test fails when an IBackend method is left to a default body here). A subclass that defers a kernel
/// returns <see cref="Pending"/> storage and later gives it its contents with <see cref="Complete"/>; reading pending
/// storage, or storage whose memory was freed, fails, so a read that does not wait is caught.</remarks>
public class DelegatingBackend(IBackend inner) : IBackend
{
    private static readonly HashSet<string> TransferMethods =
        [nameof(Allocate), nameof(Upload), nameof(Download), nameof(Synchronize)];

    /// <summary>The backend every call is forwarded to.</summary>
    public IBackend Inner { get; } = inner ?? throw new ArgumentNullException(nameof(inner));

    /// <inheritdoc/>
    public virtual string Name => "delegating(" + Inner.Name + ")";

    /// <summary>
    /// True for the <see cref="IBackend"/> methods that move memory between host and device or wait for it
    /// (Allocate, Upload, Download, Synchronize); every other method is a kernel.
    /// </summary>
    public static bool IsTransfer(string method) => TransferMethods.Contains(method);

    /// <summary>Called with the <see cref="IBackend"/> method's name before each forwarded call.</summary>
    protected virtual void OnCall(string method) { }

    /// <summary>Called when one of this backend's storages is disposed; the default frees its inner storage at once.</summary>
    protected internal virtual void OnRelease(DelegatingStorage storage) => storage.ReleaseInner();

    /// <summary>Wraps storage made by <see cref="Inner"/> as storage of this backend.</summary>
    protected TensorStorage Wrap(TensorStorage inner) => new DelegatingStorage(this, inner.Length, inner);

    /// <summary>A storage of <paramref name="length"/> elements whose contents a later <see cref="Complete"/> provides.</summary>
    protected TensorStorage Pending(int length) => new DelegatingStorage(this, length, null);

    /// <summary>Gives a <see cref="Pending"/> storage its inner storage (the result of its kernel).</summary>
    protected static void Complete(TensorStorage pending, TensorStorage inner)
    {
        var d = (DelegatingStorage)pending;
        if (inner.Length != d.Length) throw new InvalidOperationException($"Complete: the kernel made {inner.Length} elements for a storage of {d.Length}.");
        d.Inner = inner;
        if (d.ReleaseRequested) d.ReleaseInner();
    }

    /// <summary>
    /// The inner storage of storage made by this backend. Fails for another backend's storage, for pending storage
    /// (a read that did not wait for its kernel) and for storage whose memory was freed (a use after free).
    /// </summary>
    protected TensorStorage Unwrap(TensorStorage storage)
    {
        if (storage is not DelegatingStorage d || !ReferenceEquals(d.Backend, this))
            throw new ArgumentException($"{Name}: storage of backend '{storage.Backend.Name}' cannot be used here.", nameof(storage));
        if (d.InnerReleased) throw new ObjectDisposedException(nameof(TensorStorage), $"{Name}: storage of {d.Length} used after its memory was freed.");
        return d.Inner ?? throw new InvalidOperationException($"{Name}: storage of {d.Length} read before the kernel that writes it ran.");
    }

    /// <summary><see cref="Unwrap"/>, or null for null.</summary>
    protected TensorStorage? UnwrapOptional(TensorStorage? storage) => storage is null ? null : Unwrap(storage);

    private TensorStorage? WrapOptional(TensorStorage? storage) => storage is null ? null : Wrap(storage);

    /// <inheritdoc/>
    public virtual TensorStorage Allocate(int length) { OnCall(nameof(Allocate)); return Wrap(Inner.Allocate(length)); }

    /// <inheritdoc/>
    public virtual TensorStorage Upload(ReadOnlySpan<float> data) { OnCall(nameof(Upload)); return Wrap(Inner.Upload(data)); }

    /// <inheritdoc/>
    public virtual void Download(TensorStorage source, Span<float> destination) { OnCall(nameof(Download)); Inner.Download(Unwrap(source), destination); }

    /// <inheritdoc/>
    public virtual TensorStorage Fill(int length, float value) { OnCall(nameof(Fill)); return Wrap(Inner.Fill(length, value)); }

    /// <inheritdoc/>
    public virtual TensorStorage Copy(TensorStorage source) { OnCall(nameof(Copy)); return Wrap(Inner.Copy(Unwrap(source))); }

    /// <inheritdoc/>
    public virtual void Synchronize() { OnCall(nameof(Synchronize)); Inner.Synchronize(); }

    /// <summary>Does nothing: the inner backend belongs to whoever made it.</summary>
    public virtual void Dispose() => GC.SuppressFinalize(this);

    /// <inheritdoc/>
    public virtual TensorStorage Unary<TOp>(TOp op, TensorStorage x) where TOp : struct, IUnaryOp
    { OnCall(nameof(Unary)); return Wrap(Inner.Unary(op, Unwrap(x))); }

    /// <inheritdoc/>
    public virtual TensorStorage UnaryBackward<TOp>(TOp op, TensorStorage x, TensorStorage y, TensorStorage dy) where TOp : struct, IUnaryOp
    { OnCall(nameof(UnaryBackward)); return Wrap(Inner.UnaryBackward(op, Unwrap(x), Unwrap(y), Unwrap(dy))); }

    /// <inheritdoc/>
    public virtual TensorStorage Binary<TOp>(TOp op, TensorStorage a, Shape aShape, TensorStorage b, Shape bShape, Shape outShape) where TOp : struct, IBinaryOp
    { OnCall(nameof(Binary)); return Wrap(Inner.Binary(op, Unwrap(a), aShape, Unwrap(b), bShape, outShape)); }

    /// <inheritdoc/>
    public virtual (TensorStorage? Da, TensorStorage? Db) BinaryBackward<TOp>(TOp op, TensorStorage a, Shape aShape, TensorStorage b,
        Shape bShape, TensorStorage dy, Shape outShape, bool needA, bool needB) where TOp : struct, IBinaryOp
    {
        OnCall(nameof(BinaryBackward));
        var (da, db) = Inner.BinaryBackward(op, Unwrap(a), aShape, Unwrap(b), bShape, Unwrap(dy), outShape, needA, needB);
        return (WrapOptional(da), WrapOptional(db));
    }

    /// <inheritdoc/>
    public virtual TensorStorage Where(TensorStorage cond, Shape condShape, TensorStorage a, Shape aShape, TensorStorage b, Shape bShape, Shape outShape)
    { OnCall(nameof(Where)); return Wrap(Inner.Where(Unwrap(cond), condShape, Unwrap(a), aShape, Unwrap(b), bShape, outShape)); }

    /// <inheritdoc/>
    public virtual TensorStorage Reduce(ReduceKind kind, TensorStorage x, Shape shape, ReadOnlySpan<int> axes)
    { OnCall(nameof(Reduce)); return Wrap(Inner.Reduce(kind, Unwrap(x), shape, axes)); }

    /// <inheritdoc/>
    public virtual TensorStorage BroadcastTo(TensorStorage x, Shape shape, Shape outShape)
    { OnCall(nameof(BroadcastTo)); return Wrap(Inner.BroadcastTo(Unwrap(x), shape, outShape)); }

    /// <inheritdoc/>
    public virtual TensorStorage Rfft2(TensorStorage x, Fft2Geometry geometry, float scale, float interiorWeight, TensorStorage? binWeights = null)
    { OnCall(nameof(Rfft2)); return Wrap(Inner.Rfft2(Unwrap(x), geometry, scale, interiorWeight, UnwrapOptional(binWeights))); }

    /// <inheritdoc/>
    public virtual TensorStorage Irfft2(TensorStorage spectrum, Fft2Geometry geometry, float scale, float interiorWeight, TensorStorage? binWeights = null)
    { OnCall(nameof(Irfft2)); return Wrap(Inner.Irfft2(Unwrap(spectrum), geometry, scale, interiorWeight, UnwrapOptional(binWeights))); }

    /// <inheritdoc/>
    public virtual TensorStorage BatchedGemm(TensorStorage a, TensorStorage b, TensorStorage? c, GemmGeometry geometry)
    { OnCall(nameof(BatchedGemm)); return Wrap(Inner.BatchedGemm(Unwrap(a), Unwrap(b), UnwrapOptional(c), geometry)); }

    /// <inheritdoc/>
    public virtual TensorStorage Conv2d(TensorStorage x, TensorStorage w, TensorStorage? bias, Conv2dGeometry geometry)
    { OnCall(nameof(Conv2d)); return Wrap(Inner.Conv2d(Unwrap(x), Unwrap(w), UnwrapOptional(bias), geometry)); }

    /// <inheritdoc/>
    public virtual TensorStorage Conv2dActivation(TensorStorage x, TensorStorage w, TensorStorage? bias, Conv2dGeometry geometry, ConvEpilogue epilogue)
    { OnCall(nameof(Conv2dActivation)); return Wrap(Inner.Conv2dActivation(Unwrap(x), Unwrap(w), UnwrapOptional(bias), geometry, epilogue)); }

    /// <inheritdoc/>
    public virtual TensorStorage Conv2dBackwardInput(TensorStorage dy, TensorStorage w, Conv2dGeometry geometry)
    { OnCall(nameof(Conv2dBackwardInput)); return Wrap(Inner.Conv2dBackwardInput(Unwrap(dy), Unwrap(w), geometry)); }

    /// <inheritdoc/>
    public virtual TensorStorage Conv2dBackwardWeight(TensorStorage x, TensorStorage dy, Conv2dGeometry geometry)
    { OnCall(nameof(Conv2dBackwardWeight)); return Wrap(Inner.Conv2dBackwardWeight(Unwrap(x), Unwrap(dy), geometry)); }

    /// <inheritdoc/>
    public virtual TensorStorage ConvTranspose2d(TensorStorage x, TensorStorage w, TensorStorage? bias, Conv2dGeometry geometry)
    { OnCall(nameof(ConvTranspose2d)); return Wrap(Inner.ConvTranspose2d(Unwrap(x), Unwrap(w), UnwrapOptional(bias), geometry)); }

    /// <inheritdoc/>
    public virtual TensorStorage StridedCopy(TensorStorage x, StridedView view)
    { OnCall(nameof(StridedCopy)); return Wrap(Inner.StridedCopy(Unwrap(x), view)); }

    /// <inheritdoc/>
    public virtual TensorStorage StridedScatter(TensorStorage dy, StridedView view, int length)
    { OnCall(nameof(StridedScatter)); return Wrap(Inner.StridedScatter(Unwrap(dy), view, length)); }

    /// <inheritdoc/>
    public virtual TensorStorage Concat(IReadOnlyList<TensorStorage> parts, int outer, ReadOnlySpan<int> partInner)
    { OnCall(nameof(Concat)); return Wrap(Inner.Concat(parts.Select(Unwrap).ToArray(), outer, partInner)); }

    /// <inheritdoc/>
    public virtual TensorStorage[] Split(TensorStorage x, int outer, ReadOnlySpan<int> partInner)
    { OnCall(nameof(Split)); return Array.ConvertAll(Inner.Split(Unwrap(x), outer, partInner), Wrap); }

    /// <inheritdoc/>
    public virtual TensorStorage Pad(TensorStorage x, PadGeometry geometry)
    { OnCall(nameof(Pad)); return Wrap(Inner.Pad(Unwrap(x), geometry)); }

    /// <inheritdoc/>
    public virtual TensorStorage PadBackward(TensorStorage dy, PadGeometry geometry)
    { OnCall(nameof(PadBackward)); return Wrap(Inner.PadBackward(Unwrap(dy), geometry)); }

    /// <inheritdoc/>
    public virtual TensorStorage Gather(TensorStorage x, int outer, int axisDim, int inner, TensorStorage indices)
    { OnCall(nameof(Gather)); return Wrap(Inner.Gather(Unwrap(x), outer, axisDim, inner, Unwrap(indices))); }

    /// <inheritdoc/>
    public virtual TensorStorage GatherBackward(TensorStorage dy, int outer, int axisDim, int inner, TensorStorage indices)
    { OnCall(nameof(GatherBackward)); return Wrap(Inner.GatherBackward(Unwrap(dy), outer, axisDim, inner, Unwrap(indices))); }

    /// <inheritdoc/>
    public virtual TensorStorage Lrn(TensorStorage x, LrnGeometry geometry)
    { OnCall(nameof(Lrn)); return Wrap(Inner.Lrn(Unwrap(x), geometry)); }

    /// <inheritdoc/>
    public virtual TensorStorage LrnBackward(TensorStorage x, TensorStorage dy, LrnGeometry geometry)
    { OnCall(nameof(LrnBackward)); return Wrap(Inner.LrnBackward(Unwrap(x), Unwrap(dy), geometry)); }

    /// <inheritdoc/>
    public virtual TensorStorage Resize(TensorStorage x, ResizeGeometry geometry)
    { OnCall(nameof(Resize)); return Wrap(Inner.Resize(Unwrap(x), geometry)); }

    /// <inheritdoc/>
    public virtual TensorStorage ResizeBackward(TensorStorage dy, ResizeGeometry geometry)
    { OnCall(nameof(ResizeBackward)); return Wrap(Inner.ResizeBackward(Unwrap(dy), geometry)); }

    /// <inheritdoc/>
    public virtual TensorStorage AffineWarp(TensorStorage x, TensorStorage theta, AffineWarpGeometry geometry)
    { OnCall(nameof(AffineWarp)); return Wrap(Inner.AffineWarp(Unwrap(x), Unwrap(theta), geometry)); }

    /// <inheritdoc/>
    public virtual TensorStorage AffineWarpBackward(TensorStorage dy, TensorStorage theta, AffineWarpGeometry geometry)
    { OnCall(nameof(AffineWarpBackward)); return Wrap(Inner.AffineWarpBackward(Unwrap(dy), Unwrap(theta), geometry)); }

    /// <inheritdoc/>
    public virtual TensorStorage AffineWarpBackwardTheta(TensorStorage x, TensorStorage dy, TensorStorage theta, AffineWarpGeometry geometry)
    { OnCall(nameof(AffineWarpBackwardTheta)); return Wrap(Inner.AffineWarpBackwardTheta(Unwrap(x), Unwrap(dy), Unwrap(theta), geometry)); }

    /// <inheritdoc/>
    public virtual TensorStorage ChannelAffine(TensorStorage x, int outer, int channels, int inner, TensorStorage scale, TensorStorage? shift)
    { OnCall(nameof(ChannelAffine)); return Wrap(Inner.ChannelAffine(Unwrap(x), outer, channels, inner, Unwrap(scale), UnwrapOptional(shift))); }

    /// <inheritdoc/>
    public virtual (TensorStorage Parameter, TensorStorage M, TensorStorage V) MomentUpdate(TensorStorage parameter,
        TensorStorage gradient, TensorStorage? m, TensorStorage? v, MomentUpdateRule rule)
    {
        OnCall(nameof(MomentUpdate));
        var (p, m1, v1) = Inner.MomentUpdate(Unwrap(parameter), Unwrap(gradient), UnwrapOptional(m), UnwrapOptional(v), rule);
        return (Wrap(p), Wrap(m1), Wrap(v1));
    }

    /// <inheritdoc/>
    public virtual TensorStorage MaxPool2d(TensorStorage x, Pool2dGeometry geometry)
    { OnCall(nameof(MaxPool2d)); return Wrap(Inner.MaxPool2d(Unwrap(x), geometry)); }

    /// <inheritdoc/>
    public virtual TensorStorage MaxPool2dBackward(TensorStorage x, TensorStorage dy, Pool2dGeometry geometry)
    { OnCall(nameof(MaxPool2dBackward)); return Wrap(Inner.MaxPool2dBackward(Unwrap(x), Unwrap(dy), geometry)); }

    /// <inheritdoc/>
    public virtual TensorStorage AvgPool2d(TensorStorage x, Pool2dGeometry geometry)
    { OnCall(nameof(AvgPool2d)); return Wrap(Inner.AvgPool2d(Unwrap(x), geometry)); }

    /// <inheritdoc/>
    public virtual TensorStorage AvgPool2dBackward(TensorStorage dy, Pool2dGeometry geometry)
    { OnCall(nameof(AvgPool2dBackward)); return Wrap(Inner.AvgPool2dBackward(Unwrap(dy), geometry)); }
}

/// <summary>
/// Storage of a <see cref="DelegatingBackend"/>: the inner backend's storage, owned by the wrapper (null while the
/// kernel that writes it is still queued).
/// </summary>
public sealed class DelegatingStorage : TensorStorage
{
    private readonly DelegatingBackend _backend;
    private readonly int _length;

    internal DelegatingStorage(DelegatingBackend backend, int length, TensorStorage? inner)
    {
        _backend = backend;
        _length = length;
        Inner = inner;
    }

    /// <summary>The inner backend's storage; null until the kernel that writes it has run.</summary>
    public TensorStorage? Inner { get; internal set; }

    /// <summary>True once the inner memory has been freed.</summary>
    public bool InnerReleased { get; private set; }

    /// <summary>True once disposal asked for the inner memory to be freed.</summary>
    public bool ReleaseRequested { get; private set; }

    /// <inheritdoc/>
    public override int Length => _length;

    /// <inheritdoc/>
    public override IBackend Backend => _backend;

    /// <summary>Frees the inner memory now, or as soon as its kernel has produced it.</summary>
    public void ReleaseInner()
    {
        ReleaseRequested = true;
        if (Inner is null || InnerReleased) return;
        InnerReleased = true;
        Inner.Dispose();
    }

    /// <inheritdoc/>
    protected override void Release() => _backend.OnRelease(this);
}
