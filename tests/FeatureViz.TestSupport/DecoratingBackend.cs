using FeatureViz.Tensors;
using FeatureViz.Tensors.Backends;
using FeatureViz.Tensors.Ops;

namespace FeatureViz.TestSupport;

/// <summary>
/// A backend that forwards every call to an inner backend, wrapping the inner storage so that tensors made through
/// it keep calling it (a tensor's backend is its storage's). Subclasses observe or alter calls through the hooks.
/// </summary>
public abstract class DecoratingBackend(IBackend inner) : IBackend
{
    /// <summary>The backend that does the work.</summary>
    public IBackend Inner { get; } = inner ?? throw new ArgumentNullException(nameof(inner));

    /// <inheritdoc/>
    public virtual string Name => Inner.Name;

    /// <summary>Called before every kernel (every method but the memory transfers and <see cref="Synchronize"/>).</summary>
    protected virtual void OnKernel(string name)
    {
    }

    /// <summary>Called when one of this backend's storages is disposed; the default frees its inner storage at once.</summary>
    protected virtual void OnRelease(Wrapped storage) => storage.ReleaseInner();

    /// <summary>
    /// The inner storage of one of this backend's storages. Fails when its kernel has not run yet (a read that did not
    /// wait) or its memory was already freed (a use after free).
    /// </summary>
    protected TensorStorage In(TensorStorage s)
    {
        if (s is not Wrapped w || !ReferenceEquals(w.Owner, this))
            throw new ArgumentException($"{Name}: the storage belongs to another backend ({s.Backend.Name}).");
        if (w.InnerReleased) throw new ObjectDisposedException(nameof(TensorStorage), $"{Name}: storage of {w.Length} used after its memory was freed.");
        return w.InnerStorage ?? throw new InvalidOperationException($"{Name}: storage of {w.Length} read before the kernel that writes it ran.");
    }

    /// <summary><see cref="In"/>, or null for null.</summary>
    protected TensorStorage? InOrNull(TensorStorage? s) => s is null ? null : In(s);

    /// <summary>Wraps an inner storage.</summary>
    protected TensorStorage Out(TensorStorage s) => new Wrapped(this, s.Length, s);

    /// <summary>A storage of <paramref name="length"/> whose contents a later <see cref="Complete"/> provides.</summary>
    protected TensorStorage Pending(int length) => new Wrapped(this, length, null);

    /// <summary>Gives a <see cref="Pending"/> storage its inner storage (the result of its kernel).</summary>
    protected static void Complete(TensorStorage pending, TensorStorage inner)
    {
        var w = (Wrapped)pending;
        if (inner.Length != w.Length) throw new InvalidOperationException($"Complete: the kernel made {inner.Length} elements for a storage of {w.Length}.");
        w.InnerStorage = inner;
        if (w.IsDisposed && w.ReleaseRequested) w.ReleaseInner();
    }

    private TensorStorage? OutOrNull(TensorStorage? s) => s is null ? null : Out(s);

    private TensorStorage K(string name, Func<TensorStorage> f)
    {
        OnKernel(name);
        return Out(f());
    }

    /// <inheritdoc/>
    public virtual TensorStorage Allocate(int length) => Out(Inner.Allocate(length));
    /// <inheritdoc/>
    public virtual TensorStorage Upload(ReadOnlySpan<float> data) => Out(Inner.Upload(data));
    /// <inheritdoc/>
    public virtual void Download(TensorStorage source, Span<float> destination) => Inner.Download(In(source), destination);
    /// <inheritdoc/>
    public virtual TensorStorage Fill(int length, float value) => K(nameof(Fill), () => Inner.Fill(length, value));
    /// <inheritdoc/>
    public virtual TensorStorage Copy(TensorStorage source) => K(nameof(Copy), () => Inner.Copy(In(source)));
    /// <inheritdoc/>
    public virtual void Synchronize() => Inner.Synchronize();

    /// <inheritdoc/>
    public virtual TensorStorage Unary<TOp>(TOp op, TensorStorage x) where TOp : struct, IUnaryOp =>
        K(op.Name, () => Inner.Unary(op, In(x)));
    /// <inheritdoc/>
    public virtual TensorStorage UnaryBackward<TOp>(TOp op, TensorStorage x, TensorStorage y, TensorStorage dy) where TOp : struct, IUnaryOp =>
        K(op.Name + "Backward", () => Inner.UnaryBackward(op, In(x), In(y), In(dy)));
    /// <inheritdoc/>
    public virtual TensorStorage Binary<TOp>(TOp op, TensorStorage a, Shape aShape, TensorStorage b, Shape bShape, Shape outShape) where TOp : struct, IBinaryOp =>
        K(op.Name, () => Inner.Binary(op, In(a), aShape, In(b), bShape, outShape));
    /// <inheritdoc/>
    public (TensorStorage? Da, TensorStorage? Db) BinaryBackward<TOp>(TOp op, TensorStorage a, Shape aShape, TensorStorage b,
        Shape bShape, TensorStorage dy, Shape outShape, bool needA, bool needB) where TOp : struct, IBinaryOp
    {
        OnKernel(op.Name + "Backward");
        var (da, db) = Inner.BinaryBackward(op, In(a), aShape, In(b), bShape, In(dy), outShape, needA, needB);
        return (OutOrNull(da), OutOrNull(db));
    }
    /// <inheritdoc/>
    public virtual TensorStorage Where(TensorStorage cond, Shape condShape, TensorStorage a, Shape aShape, TensorStorage b, Shape bShape, Shape outShape) =>
        K(nameof(Where), () => Inner.Where(In(cond), condShape, In(a), aShape, In(b), bShape, outShape));
    /// <inheritdoc/>
    public TensorStorage Reduce(ReduceKind kind, TensorStorage x, Shape shape, ReadOnlySpan<int> axes)
    {
        OnKernel(nameof(Reduce));
        return Out(Inner.Reduce(kind, In(x), shape, axes));
    }
    /// <inheritdoc/>
    public virtual TensorStorage BroadcastTo(TensorStorage x, Shape shape, Shape outShape) => K(nameof(BroadcastTo), () => Inner.BroadcastTo(In(x), shape, outShape));
    /// <inheritdoc/>
    public TensorStorage Rfft2(TensorStorage x, Fft2Geometry geometry, float scale, float interiorWeight, TensorStorage? binWeights = null) =>
        K(nameof(Rfft2), () => Inner.Rfft2(In(x), geometry, scale, interiorWeight, InOrNull(binWeights)));
    /// <inheritdoc/>
    public TensorStorage Irfft2(TensorStorage spectrum, Fft2Geometry geometry, float scale, float interiorWeight, TensorStorage? binWeights = null) =>
        K(nameof(Irfft2), () => Inner.Irfft2(In(spectrum), geometry, scale, interiorWeight, InOrNull(binWeights)));
    /// <inheritdoc/>
    public TensorStorage BatchedGemm(TensorStorage a, TensorStorage b, TensorStorage? c, GemmGeometry geometry) =>
        K(nameof(BatchedGemm), () => Inner.BatchedGemm(In(a), In(b), InOrNull(c), geometry));
    /// <inheritdoc/>
    public TensorStorage Conv2d(TensorStorage x, TensorStorage w, TensorStorage? bias, Conv2dGeometry geometry) =>
        K(nameof(Conv2d), () => Inner.Conv2d(In(x), In(w), InOrNull(bias), geometry));
    /// <inheritdoc/>
    public TensorStorage Conv2dBackwardInput(TensorStorage dy, TensorStorage w, Conv2dGeometry geometry) =>
        K(nameof(Conv2dBackwardInput), () => Inner.Conv2dBackwardInput(In(dy), In(w), geometry));
    /// <inheritdoc/>
    public TensorStorage Conv2dBackwardWeight(TensorStorage x, TensorStorage dy, Conv2dGeometry geometry) =>
        K(nameof(Conv2dBackwardWeight), () => Inner.Conv2dBackwardWeight(In(x), In(dy), geometry));
    /// <inheritdoc/>
    public TensorStorage ConvTranspose2d(TensorStorage x, TensorStorage w, TensorStorage? bias, Conv2dGeometry geometry) =>
        K(nameof(ConvTranspose2d), () => Inner.ConvTranspose2d(In(x), In(w), InOrNull(bias), geometry));
    /// <inheritdoc/>
    public TensorStorage StridedCopy(TensorStorage x, StridedView view) => K(nameof(StridedCopy), () => Inner.StridedCopy(In(x), view));
    /// <inheritdoc/>
    public TensorStorage StridedScatter(TensorStorage dy, StridedView view, int length) => K(nameof(StridedScatter), () => Inner.StridedScatter(In(dy), view, length));
    /// <inheritdoc/>
    public TensorStorage Concat(IReadOnlyList<TensorStorage> parts, int outer, ReadOnlySpan<int> partInner)
    {
        OnKernel(nameof(Concat));
        return Out(Inner.Concat(parts.Select(In).ToList(), outer, partInner));
    }
    /// <inheritdoc/>
    public TensorStorage[] Split(TensorStorage x, int outer, ReadOnlySpan<int> partInner)
    {
        OnKernel(nameof(Split));
        return Inner.Split(In(x), outer, partInner).Select(Out).ToArray();
    }
    /// <inheritdoc/>
    public TensorStorage Pad(TensorStorage x, PadGeometry geometry) => K(nameof(Pad), () => Inner.Pad(In(x), geometry));
    /// <inheritdoc/>
    public TensorStorage PadBackward(TensorStorage dy, PadGeometry geometry) => K(nameof(PadBackward), () => Inner.PadBackward(In(dy), geometry));
    /// <inheritdoc/>
    public TensorStorage Gather(TensorStorage x, int outer, int axisDim, int inner, ReadOnlySpan<int> indices)
    {
        OnKernel(nameof(Gather));
        return Out(Inner.Gather(In(x), outer, axisDim, inner, indices));
    }
    /// <inheritdoc/>
    public TensorStorage GatherBackward(TensorStorage dy, int outer, int axisDim, int inner, ReadOnlySpan<int> indices)
    {
        OnKernel(nameof(GatherBackward));
        return Out(Inner.GatherBackward(In(dy), outer, axisDim, inner, indices));
    }
    /// <inheritdoc/>
    public TensorStorage Lrn(TensorStorage x, LrnGeometry geometry) => K(nameof(Lrn), () => Inner.Lrn(In(x), geometry));
    /// <inheritdoc/>
    public TensorStorage LrnBackward(TensorStorage x, TensorStorage dy, LrnGeometry geometry) => K(nameof(LrnBackward), () => Inner.LrnBackward(In(x), In(dy), geometry));
    /// <inheritdoc/>
    public TensorStorage Resize(TensorStorage x, ResizeGeometry geometry) => K(nameof(Resize), () => Inner.Resize(In(x), geometry));
    /// <inheritdoc/>
    public TensorStorage ResizeBackward(TensorStorage dy, ResizeGeometry geometry) => K(nameof(ResizeBackward), () => Inner.ResizeBackward(In(dy), geometry));
    /// <inheritdoc/>
    public TensorStorage AffineWarp(TensorStorage x, TensorStorage theta, AffineWarpGeometry geometry) =>
        K(nameof(AffineWarp), () => Inner.AffineWarp(In(x), In(theta), geometry));
    /// <inheritdoc/>
    public TensorStorage AffineWarpBackward(TensorStorage dy, TensorStorage theta, AffineWarpGeometry geometry) =>
        K(nameof(AffineWarpBackward), () => Inner.AffineWarpBackward(In(dy), In(theta), geometry));
    /// <inheritdoc/>
    public TensorStorage AffineWarpBackwardTheta(TensorStorage x, TensorStorage dy, TensorStorage theta, AffineWarpGeometry geometry) =>
        K(nameof(AffineWarpBackwardTheta), () => Inner.AffineWarpBackwardTheta(In(x), In(dy), In(theta), geometry));
    /// <inheritdoc/>
    public TensorStorage ChannelAffine(TensorStorage x, int outer, int channels, int inner, TensorStorage scale, TensorStorage? shift) =>
        K(nameof(ChannelAffine), () => Inner.ChannelAffine(In(x), outer, channels, inner, In(scale), InOrNull(shift)));
    /// <inheritdoc/>
    public (TensorStorage Parameter, TensorStorage M, TensorStorage V) MomentUpdate(TensorStorage parameter, TensorStorage gradient,
        TensorStorage? m, TensorStorage? v, MomentUpdateRule rule)
    {
        OnKernel(nameof(MomentUpdate));
        var (p, m2, v2) = Inner.MomentUpdate(In(parameter), In(gradient), InOrNull(m), InOrNull(v), rule);
        return (Out(p), Out(m2), Out(v2));
    }
    /// <inheritdoc/>
    public TensorStorage MaxPool2d(TensorStorage x, Pool2dGeometry geometry) => K(nameof(MaxPool2d), () => Inner.MaxPool2d(In(x), geometry));
    /// <inheritdoc/>
    public TensorStorage MaxPool2dBackward(TensorStorage x, TensorStorage dy, Pool2dGeometry geometry) =>
        K(nameof(MaxPool2dBackward), () => Inner.MaxPool2dBackward(In(x), In(dy), geometry));
    /// <inheritdoc/>
    public TensorStorage AvgPool2d(TensorStorage x, Pool2dGeometry geometry) => K(nameof(AvgPool2d), () => Inner.AvgPool2d(In(x), geometry));
    /// <inheritdoc/>
    public TensorStorage AvgPool2dBackward(TensorStorage dy, Pool2dGeometry geometry) => K(nameof(AvgPool2dBackward), () => Inner.AvgPool2dBackward(In(dy), geometry));

    /// <summary>Disposes this decorator only; the inner backend belongs to the caller.</summary>
    public virtual void Dispose() => GC.SuppressFinalize(this);

    /// <summary>A storage of this backend: the inner backend's storage (null while its kernel is queued).</summary>
    protected sealed class Wrapped : TensorStorage
    {
        private readonly int _length;

        internal Wrapped(DecoratingBackend owner, int length, TensorStorage? inner)
        {
            Owner = owner;
            _length = length;
            InnerStorage = inner;
        }

        /// <summary>The decorator that made it.</summary>
        public DecoratingBackend Owner { get; }

        /// <summary>The inner storage; null until the kernel that writes it has run.</summary>
        public TensorStorage? InnerStorage { get; internal set; }

        /// <summary>True once the inner memory has been freed.</summary>
        public bool InnerReleased { get; private set; }

        /// <summary>True once disposal asked for the inner memory to be freed.</summary>
        public bool ReleaseRequested { get; private set; }

        /// <inheritdoc/>
        public override int Length => _length;

        /// <inheritdoc/>
        public override IBackend Backend => Owner;

        /// <summary>Frees the inner memory now (or as soon as its kernel has produced it).</summary>
        public void ReleaseInner()
        {
            ReleaseRequested = true;
            if (InnerStorage is null || InnerReleased) return;
            InnerReleased = true;
            InnerStorage.Dispose();
        }

        /// <inheritdoc/>
        protected override void Release() => Owner.OnRelease(this);
    }
}
