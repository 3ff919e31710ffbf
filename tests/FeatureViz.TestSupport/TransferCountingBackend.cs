using FeatureViz.Tensors.Backends;

namespace FeatureViz.TestSupport;

/// <summary>
/// Counts the host-device traffic (uploads, downloads, allocations, synchronizations) and kernels that go through it,
/// forwarding everything to an inner backend (usually the CPU backend). With <see cref="RecordStacks"/> it also keeps
/// the call stack of every upload and download, to find where a stray transfer comes from.
/// </summary>
public sealed class TransferCountingBackend(IBackend inner) : DecoratingBackend(inner)
{
    private readonly object _sync = new();
    private readonly List<string> _transfers = [];
    private int _uploads, _downloads, _allocations, _synchronizations, _kernels;

    /// <summary>Keep a stack trace per upload and download (<see cref="Transfers"/>).</summary>
    public bool RecordStacks { get; set; }

    /// <summary>Calls to <see cref="Upload"/> since the last <see cref="Reset"/>.</summary>
    public int Uploads => _uploads;
    /// <summary>Calls to <see cref="Download"/>.</summary>
    public int Downloads => _downloads;
    /// <summary>Calls to <see cref="Allocate"/>.</summary>
    public int Allocations => _allocations;
    /// <summary>Calls to <see cref="Synchronize"/>.</summary>
    public int Synchronizations => _synchronizations;
    /// <summary>Kernel calls (every other method).</summary>
    public int Kernels => _kernels;

    /// <summary>"Upload"/"Download" followed by the stack, one entry per transfer, when <see cref="RecordStacks"/> is set.</summary>
    public IReadOnlyList<string> Transfers
    {
        get { lock (_sync) return _transfers.ToList(); }
    }

    /// <summary>Sets every count to zero and forgets the recorded stacks.</summary>
    public void Reset()
    {
        lock (_sync)
        {
            _uploads = _downloads = _allocations = _synchronizations = _kernels = 0;
            _transfers.Clear();
        }
    }

    /// <inheritdoc/>
    public override TensorStorage Upload(ReadOnlySpan<float> data)
    {
        Interlocked.Increment(ref _uploads);
        Record("Upload", data.Length);
        return base.Upload(data);
    }

    /// <inheritdoc/>
    public override void Download(TensorStorage source, Span<float> destination)
    {
        Interlocked.Increment(ref _downloads);
        Record("Download", destination.Length);
        base.Download(source, destination);
    }

    /// <inheritdoc/>
    public override TensorStorage Allocate(int length)
    {
        Interlocked.Increment(ref _allocations);
        return base.Allocate(length);
    }

    /// <inheritdoc/>
    public override void Synchronize()
    {
        Interlocked.Increment(ref _synchronizations);
        base.Synchronize();
    }

    /// <inheritdoc/>
    protected override void OnKernel(string name) => Interlocked.Increment(ref _kernels);

    private void Record(string what, int length)
    {
        if (!RecordStacks) return;
        lock (_sync) _transfers.Add($"{what} of {length} floats at{Environment.NewLine}{Environment.StackTrace}");
    }
}
