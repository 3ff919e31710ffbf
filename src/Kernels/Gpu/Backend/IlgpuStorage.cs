using FeatureViz.Tensors.Backends;
using ILGPU;
using ILGPU.Runtime;

namespace FeatureViz.Kernels.Gpu.Backend;

/// <summary>Device memory of an <see cref="IlgpuBackend"/>: a pooled device buffer of at least <see cref="Length"/> floats.</summary>
public sealed class IlgpuStorage : TensorStorage
{
    private MemoryBuffer1D<float, Stride1D.Dense>? _buffer;
    private readonly int _length;

    internal IlgpuStorage(IlgpuBackend backend, MemoryBuffer1D<float, Stride1D.Dense> buffer, int length)
    {
        Owner = backend;
        _buffer = buffer;
        _length = length;
    }

    internal IlgpuBackend Owner { get; }

    /// <inheritdoc/>
    public override int Length => _length;

    /// <inheritdoc/>
    public override IBackend Backend => Owner;

    /// <summary>The elements on the device (exactly <see cref="Length"/> long).</summary>
    internal ArrayView<float> View => Dense;

    /// <summary>The elements as ILGPU's dense 1-D view (for host copies).</summary>
    internal ArrayView1D<float, Stride1D.Dense> Dense =>
        (_buffer ?? throw new ObjectDisposedException(nameof(IlgpuStorage))).View.SubView(0, _length);

    /// <inheritdoc/>
    protected override void Release()
    {
        var b = _buffer;
        _buffer = null;
        // The allocator hands the buffer only to later work on the same in-order stream, so queued kernels that still
        // read or write it run first (stream-ordered reuse).
        if (b is not null) Owner.Allocator.Return(b);
    }
}
