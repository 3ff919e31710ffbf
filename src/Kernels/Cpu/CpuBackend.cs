using FeatureViz.Tensors.Backends;

namespace FeatureViz.Kernels.Cpu;

/// <summary>
/// The managed CPU backend: SIMD kernels (Vector512 where the processor has it, Vector256 otherwise) and
/// multithreading over at most <see cref="Threads"/> threads.
/// </summary>
public sealed partial class CpuBackend : IBackend
{
    private static CpuBackend? _default;

    /// <summary>
    /// Creates a backend using <paramref name="threads"/> threads (default: all processors). Freed tensor memory up
    /// to <paramref name="poolCapacityBytes"/> (default <see cref="DefaultPoolCapacityBytes"/>; 0 disables reuse) is
    /// kept for the next tensors of the same size.
    /// </summary>
    public CpuBackend(int? threads = null, long? poolCapacityBytes = null)
    {
        if (poolCapacityBytes is < 0) throw new ArgumentOutOfRangeException(nameof(poolCapacityBytes), poolCapacityBytes, "CpuBackend: the pool capacity cannot be negative.");
        if (threads is < 1) throw new ArgumentOutOfRangeException(nameof(threads), threads, "CpuBackend: the thread count must be at least 1.");
        Threads = threads ?? Environment.ProcessorCount;
        Pool = new CpuArrayPool((poolCapacityBytes ?? DefaultPoolCapacityBytes) / sizeof(float));
    }

    /// <summary>Default bound on freed tensor memory kept for reuse: 4 GiB (a 512 x 512, batch-8 optimisation step uses about 2).</summary>
    public const long DefaultPoolCapacityBytes = 4L << 30;

    internal CpuArrayPool Pool { get; }

    /// <summary>A zeroed output array (recycled when a disposed tensor left one of this length).</summary>
    internal float[] NewZeroed(long length) => Pool.Rent(length, zeroed: true);

    /// <summary>An output array whose contents the kernel overwrites entirely.</summary>
    internal float[] NewUninitialized(long length) => Pool.Rent(length, zeroed: false);

    /// <summary>Called when a storage is disposed: its array may serve the next tensor of the same length.</summary>
    internal void Recycle(float[] array) => Pool.Return(array);

    /// <summary>A shared instance using every processor.</summary>
    // Published once with a compare-exchange: `??=` let two threads touching it first get different instances, and
    // tensors from the two then refused to mix ("on different backends").
    public static CpuBackend Default => _default ?? Interlocked.CompareExchange(ref _default, new CpuBackend(), null) ?? _default!;

    /// <summary>Maximum number of threads a kernel uses.</summary>
    public int Threads { get; }

    /// <inheritdoc/>
    public string Name => "cpu";

    internal static float[] Data(TensorStorage s) => s is CpuStorage c
        ? c.IsDisposed ? throw new ObjectDisposedException("CpuStorage") : c.Data
        : throw new ArgumentException($"CpuBackend: storage of backend '{s.Backend.Name}' cannot be used here.");

    internal CpuStorage Wrap(float[] data) => new(this, data);

    /// <inheritdoc/>
    public TensorStorage Allocate(int length) => Wrap(NewZeroed(length));

    /// <inheritdoc/>
    public TensorStorage Upload(ReadOnlySpan<float> data)
    {
        var a = NewUninitialized(data.Length);
        data.CopyTo(a);
        return Wrap(a);
    }

    /// <inheritdoc/>
    public void Download(TensorStorage source, Span<float> destination)
    {
        var d = Data(source);
        if (destination.Length != d.Length)
            throw new ArgumentException($"Download: destination has {destination.Length} elements, storage has {d.Length}.", nameof(destination));
        d.CopyTo(destination);
    }

    /// <inheritdoc/>
    public TensorStorage Fill(int length, float value)
    {
        var d = NewUninitialized(length);
        d.AsSpan().Fill(value);
        return Wrap(d);
    }

    /// <inheritdoc/>
    public TensorStorage Copy(TensorStorage source) => Upload(Data(source));

    /// <inheritdoc/>
    public void Synchronize() { }

    /// <summary>Runs <paramref name="body"/> over [0, count) in chunks, in parallel only when the work is large enough to pay.</summary>
    internal void For(int count, long workPerItem, Action<int, int> body)
    {
        long total = count * Math.Max(1, workPerItem);
        int chunks = total < 32_768 || Threads == 1 ? 1 : Math.Min(count, Threads * 4);
        if (chunks <= 1) { body(0, count); return; }
        ForkJoin.For(chunks, Threads, c =>
        {
            int start = (int)((long)count * c / chunks);
            int end = (int)((long)count * (c + 1) / chunks);
            if (end > start) body(start, end);
        });
    }

    /// <summary>
    /// Runs <paramref name="body"/>(row, j0, j1) over elements [j0, j1) of every row of a rows x rowLength walk; when
    /// there are fewer rows than threads, long rows are cut into pieces so that every thread gets work.
    /// </summary>
    internal void ForRowPieces(int rows, int rowLength, long workPerElement, Action<int, int, int> body)
    {
        int pieces = rows >= Threads * 4 ? 1 : Math.Clamp(Threads * 4 / Math.Max(rows, 1), 1, Math.Max(1, rowLength / 4096));
        For(rows * pieces, (long)(rowLength / pieces + 1) * workPerElement, (s, e) =>
        {
            for (int item = s; item < e; item++)
            {
                int r = item / pieces, k = item % pieces;
                body(r, (int)((long)rowLength * k / pieces), (int)((long)rowLength * (k + 1) / pieces));
            }
        });
    }

    /// <inheritdoc/>
    public void Dispose() => Pool.Clear();
}
