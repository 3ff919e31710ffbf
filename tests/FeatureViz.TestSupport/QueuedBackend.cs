using FeatureViz.Tensors;
using FeatureViz.Tensors.Backends;
using FeatureViz.Tensors.Ops;

namespace FeatureViz.TestSupport;

/// <summary>
/// A backend that really queues work, as a GPU stream does: elementwise kernels (unary, binary, where, fill, copy,
/// broadcast and their backward passes) are recorded and only run, in order, when something waits: a
/// <see cref="Download"/>, <see cref="Synchronize"/>, or any other kernel (which flushes the queue first and runs at
/// once). Until then their storage has no contents, so any read that does not wait fails. Disposing a storage while
/// work is queued defers freeing its memory until the queue has drained (stream order), which checks the rule that
/// such a disposal is safe. Forwards to an inner backend (usually the CPU backend).
/// </summary>
public sealed class QueuedBackend(IBackend inner) : DelegatingBackend(inner)
{
    private readonly Queue<Action> _queue = new();
    private readonly List<DelegatingStorage> _deferred = [];

    /// <summary>Kernels queued and not yet run.</summary>
    public int Queued => _queue.Count;

    /// <summary>The longest the queue has been.</summary>
    public int MaxQueued { get; private set; }

    /// <summary>Times the queue was drained with work in it.</summary>
    public int Flushes { get; private set; }

    /// <summary>Storages disposed while work was queued, whose memory was freed only after the queue drained.</summary>
    public int DeferredReleases { get; private set; }

    /// <summary>Runs every queued kernel in order, then frees the memory of storages disposed meanwhile.</summary>
    public void Flush()
    {
        if (_queue.Count == 0) return;
        Flushes++;
        while (_queue.TryDequeue(out var kernel)) kernel();
        foreach (var w in _deferred) w.ReleaseInner();
        _deferred.Clear();
    }

    private TensorStorage Defer(int length, Func<TensorStorage> kernel)
    {
        var s = Pending(length);
        _queue.Enqueue(() => Complete(s, kernel()));
        MaxQueued = Math.Max(MaxQueued, _queue.Count);
        return s;
    }

    /// <summary>Any kernel that is not queued flushes the queue first and runs at once.</summary>
    protected override void OnCall(string method)
    {
        if (!IsTransfer(method)) Flush();
    }

    /// <inheritdoc/>
    protected internal override void OnRelease(DelegatingStorage storage)
    {
        if (_queue.Count == 0)
        {
            storage.ReleaseInner();
            return;
        }
        DeferredReleases++;
        _deferred.Add(storage);
    }

    /// <summary>Waits for the queue, then copies to the host.</summary>
    public override void Download(TensorStorage source, Span<float> destination)
    {
        Flush();
        base.Download(source, destination);
    }

    /// <inheritdoc/>
    public override void Synchronize()
    {
        Flush();
        base.Synchronize();
    }

    /// <inheritdoc/>
    public override TensorStorage Fill(int length, float value) => Defer(length, () => Inner.Fill(length, value));

    /// <inheritdoc/>
    public override TensorStorage Copy(TensorStorage source) => Defer(source.Length, () => Inner.Copy(Unwrap(source)));

    /// <inheritdoc/>
    public override TensorStorage Unary<TOp>(TOp op, TensorStorage x) => Defer(x.Length, () => Inner.Unary(op, Unwrap(x)));

    /// <inheritdoc/>
    public override TensorStorage UnaryBackward<TOp>(TOp op, TensorStorage x, TensorStorage y, TensorStorage dy) =>
        Defer(x.Length, () => Inner.UnaryBackward(op, Unwrap(x), Unwrap(y), Unwrap(dy)));

    /// <inheritdoc/>
    public override TensorStorage Binary<TOp>(TOp op, TensorStorage a, Shape aShape, TensorStorage b, Shape bShape, Shape outShape) =>
        Defer(outShape.Numel, () => Inner.Binary(op, Unwrap(a), aShape, Unwrap(b), bShape, outShape));

    /// <inheritdoc/>
    public override TensorStorage Where(TensorStorage cond, Shape condShape, TensorStorage a, Shape aShape, TensorStorage b, Shape bShape, Shape outShape) =>
        Defer(outShape.Numel, () => Inner.Where(Unwrap(cond), condShape, Unwrap(a), aShape, Unwrap(b), bShape, outShape));

    /// <inheritdoc/>
    public override TensorStorage BroadcastTo(TensorStorage x, Shape shape, Shape outShape) =>
        Defer(outShape.Numel, () => Inner.BroadcastTo(Unwrap(x), shape, outShape));

    /// <summary>Runs what is queued, then disposes this decorator.</summary>
    public override void Dispose()
    {
        Flush();
        base.Dispose();
    }
}
