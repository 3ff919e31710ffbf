using System.Collections.Concurrent;
using FeatureViz.Tensors;
using FeatureViz.Tensors.Backends;

namespace FeatureViz.TestSupport;

/// <summary>
/// A <see cref="DelegatingBackend"/> that counts the calls of each <see cref="IBackend"/> method (thread-safe), in all
/// and per calling thread (so a test can see its own calls while other tests use the same backend in parallel), with
/// the host-device traffic (<see cref="Uploads"/>, <see cref="Downloads"/>, ...) and kernels read off the same counts.
/// With <see cref="RecordStacks"/> it also keeps the call stack of every upload and download, to find where a stray
/// transfer comes from.
/// </summary>
public class CountingBackend(IBackend inner) : DelegatingBackend(inner)
{
    private readonly ConcurrentDictionary<string, long> _calls = new(StringComparer.Ordinal);
    private readonly ThreadLocal<Dictionary<string, long>> _callsOnThisThread = new(() => new(StringComparer.Ordinal), trackAllValues: true);
    private readonly ConcurrentQueue<string> _transfers = new();

    /// <summary>A snapshot of the call counts of the current thread only.</summary>
    public IReadOnlyDictionary<string, long> SnapshotOfCurrentThread() => new Dictionary<string, long>(_callsOnThisThread.Value!, StringComparer.Ordinal);

    /// <summary>How many times <paramref name="method"/> (an <see cref="IBackend"/> method name) was called.</summary>
    public long Calls(string method) => _calls.TryGetValue(method, out var n) ? n : 0;

    /// <summary>A snapshot of every method's call count.</summary>
    public IReadOnlyDictionary<string, long> Snapshot() => new Dictionary<string, long>(_calls, StringComparer.Ordinal);

    /// <summary>Calls to <see cref="Upload"/> since the last <see cref="Reset"/>.</summary>
    public int Uploads => (int)Calls(nameof(Upload));

    /// <summary>Calls to <see cref="Download"/>.</summary>
    public int Downloads => (int)Calls(nameof(Download));

    /// <summary>Calls to <see cref="Allocate"/>.</summary>
    public int Allocations => (int)Calls(nameof(Allocate));

    /// <summary>Calls to <see cref="Synchronize"/>.</summary>
    public int Synchronizations => (int)Calls(nameof(Synchronize));

    /// <summary>Kernel calls: every method but the transfers (<see cref="DelegatingBackend.IsTransfer"/>).</summary>
    public long Kernels => _calls.Where(kv => !IsTransfer(kv.Key)).Sum(kv => kv.Value);

    /// <summary>Keep a stack trace per upload and download (<see cref="Transfers"/>).</summary>
    public bool RecordStacks { get; set; }

    /// <summary>"Upload"/"Download" of a length followed by the stack, one entry per transfer, when <see cref="RecordStacks"/> is set.</summary>
    public IReadOnlyList<string> Transfers => _transfers.ToList();

    /// <summary>
    /// Sets every count to zero (of every thread) and forgets the recorded stacks. Call it while no other thread uses
    /// this backend.
    /// </summary>
    public void Reset()
    {
        _calls.Clear();
        foreach (var perThread in _callsOnThisThread.Values) perThread.Clear();
        _transfers.Clear();
    }

    /// <inheritdoc/>
    protected override void OnCall(string method)
    {
        _calls.AddOrUpdate(method, 1, (_, n) => n + 1);
        var mine = _callsOnThisThread.Value!;
        mine[method] = mine.GetValueOrDefault(method) + 1;
    }

    /// <inheritdoc/>
    public override TensorStorage Upload(ReadOnlySpan<float> data)
    {
        Record(nameof(Upload), data.Length);
        return base.Upload(data);
    }

    /// <inheritdoc/>
    public override void Download(TensorStorage source, Span<float> destination)
    {
        Record(nameof(Download), destination.Length);
        base.Download(source, destination);
    }

    private void Record(string what, int length)
    {
        if (RecordStacks) _transfers.Enqueue($"{what} of {length} floats at{Environment.NewLine}{Environment.StackTrace}");
    }

    /// <inheritdoc/>
    public override void Dispose()
    {
        _callsOnThisThread.Dispose();
        base.Dispose();
    }
}
