using FeatureViz.Kernels.Gpu.Gemm;
using FeatureViz.Kernels.Gpu.Movement;
using FeatureViz.Tensors.Backends;
using ILGPU;
using ILGPU.Runtime;

namespace FeatureViz.Kernels.Gpu.Backend;

/// <summary>
/// The backend on our own ILGPU kernels (CUDA, OpenCL, or ILGPU's CPU accelerator for checking kernels without a
/// GPU). Every op queues its kernels on the accelerator's one in-order stream and returns at once;
/// <see cref="Download"/> waits. Storage comes from a caching allocator (<see cref="DeviceAllocator"/>). The fused
/// methods keep their default compositions.
/// </summary>
public sealed partial class IlgpuBackend : IBackend
{
    private readonly bool _ownsAccelerator;

    /// <summary>Creates a backend on <paramref name="gpu"/>.</summary>
    /// <param name="gpu">The accelerator.</param>
    /// <param name="ownsAccelerator">Dispose <paramref name="gpu"/> with the backend.</param>
    /// <param name="cacheCapacityBytes">Most freed device memory kept for reuse (default 1 GiB).</param>
    public IlgpuBackend(GpuAccelerator gpu, bool ownsAccelerator = false, long cacheCapacityBytes = 1L << 30)
        : this(gpu, new IlgpuBackendOptions(CacheCapacityBytes: cacheCapacityBytes), ownsAccelerator)
    {
    }

    /// <summary>Creates a backend on <paramref name="gpu"/> with <paramref name="options"/>.</summary>
    /// <param name="gpu">The accelerator.</param>
    /// <param name="options">TF32 and allocator options.</param>
    /// <param name="ownsAccelerator">Dispose <paramref name="gpu"/> with the backend.</param>
    public IlgpuBackend(GpuAccelerator gpu, IlgpuBackendOptions options, bool ownsAccelerator = false)
    {
        ArgumentNullException.ThrowIfNull(gpu);
        ArgumentNullException.ThrowIfNull(options);
        Gpu = gpu;
        Options = options;
        _ownsAccelerator = ownsAccelerator;
        Allocator = new DeviceAllocator(gpu, options.CacheCapacityBytes);
        Gemm = GemmPlanner.For(gpu, options.AllowTf32);
    }

    /// <summary>The options the backend was created with.</summary>
    public IlgpuBackendOptions Options { get; }

    /// <summary>
    /// How matrix products and convolutions pick their SGEMM kernel on this device. Replace it between steps to switch
    /// kernels, e.g. <c>GemmPlanner.For(Gpu, allowTf32: true)</c> (as PyTorch's <c>allow_tf32</c> flag), never while
    /// a step is being recorded.
    /// </summary>
    public GemmPlanner Gemm { get; set; }

    /// <summary>The accelerator the kernels run on.</summary>
    public GpuAccelerator Gpu { get; }

    /// <inheritdoc/>
    public string Name => Gpu.Info.Moniker;

    internal DeviceAllocator Allocator { get; }

    /// <summary>Driver allocations made so far (the caching allocator serves the rest).</summary>
    public long DriverAllocations => Allocator.DriverAllocations;

    /// <summary>New storage whose contents the op's kernel overwrites.</summary>
    internal IlgpuStorage New(string op, long length)
    {
        if (length is < 0 or > int.MaxValue)
            throw new ArgumentOutOfRangeException(nameof(length), length, $"{op}: storage of {length} elements is out of range.");
        return new IlgpuStorage(this, Allocator.Rent(op, Math.Max(length, 1)), (int)length);
    }

    /// <summary>New zero-filled storage (queued).</summary>
    internal IlgpuStorage NewZeroed(string op, long length)
    {
        var s = New(op, length);
        if (length > 0) Launch(op, () => $"{length} elements", () => s.View.MemSetToZero(Gpu.Stream));
        return s;
    }

    /// <summary>The device view of <paramref name="s"/>, which must be this backend's.</summary>
    internal ArrayView<float> View(TensorStorage s, string op, string argument) => s switch
    {
        IlgpuStorage g when ReferenceEquals(g.Owner, this) => g.IsDisposed
            ? throw new ObjectDisposedException(nameof(IlgpuStorage), $"{op}: {argument} was disposed.")
            : g.View,
        _ => throw new ArgumentException($"{op}: {argument} belongs to backend '{s.Backend.Name}', not {Name}.", argument),
    };

    /// <summary>
    /// Runs host code that queues kernels, turning ILGPU's compile and launch failures into errors that name the op,
    /// its shapes (<paramref name="describe"/>, evaluated only on failure) and the device.
    /// </summary>
    internal void Launch(string op, Func<string> describe, Action queue)
    {
        try
        {
            queue();
        }
        catch (Exception e) when (ThrownByIlgpu(e) || e is not (ArgumentException or GpuOutOfMemoryException or NotSupportedException or ObjectDisposedException))
        {
            throw new InvalidOperationException($"{op} ({describe()}) failed on {Gpu.Info}: {e.Message}", e);
        }
    }

    /// <summary>
    /// ILGPU reports a launch it refuses (group too large) as an ArgumentException and IL it cannot compile as a
    /// NotSupportedException: those are wrapped too, unlike the same types thrown by our own argument checks.
    /// </summary>
    private static bool ThrownByIlgpu(Exception e)
    {
        // The throwing frame is ILGPU's, or a kernel launcher ILGPU emitted at run time (a dynamic method, no type).
        var method = new System.Diagnostics.StackTrace(e, false).GetFrame(0)?.GetMethod();
        if (method is null) return false;
        var a = method.DeclaringType?.Assembly;
        return a is null || a == typeof(Accelerator).Assembly || a == typeof(ILGPU.Algorithms.XMath).Assembly;
    }

    /// <inheritdoc/>
    public TensorStorage Allocate(int length) => NewZeroed(nameof(Allocate), length);

    /// <inheritdoc/>
    public TensorStorage Upload(ReadOnlySpan<float> data)
    {
        var s = New(nameof(Upload), data.Length);
        if (data.Length > 0)
        {
            try
            {
                // A pageable host copy is staged before it returns, so the caller may reuse its buffer.
                s.Dense.CopyFromCPU(Gpu.Stream, data);
            }
            catch (Exception e) when (e is not (ArgumentException or GpuOutOfMemoryException))
            {
                s.Dispose();
                throw new InvalidOperationException($"Upload ({data.Length} elements) failed on {Gpu.Info}: {e.Message}", e);
            }
        }
        return s;
    }

    /// <inheritdoc/>
    public void Download(TensorStorage source, Span<float> destination)
    {
        View(source, nameof(Download), nameof(source));
        var view = ((IlgpuStorage)source).Dense;
        if (destination.Length != view.Length)
            throw new ArgumentException($"Download: destination has {destination.Length} elements, storage has {view.Length}.", nameof(destination));
        if (view.Length == 0) return;
        var host = new float[view.Length];
        Launch(nameof(Download), () => $"{host.Length} elements", () =>
        {
            view.CopyToCPU(Gpu.Stream, host);
            Gpu.Stream.Synchronize();
        });
        host.CopyTo(destination);
    }

    /// <inheritdoc/>
    public TensorStorage Fill(int length, float value)
    {
        var s = New(nameof(Fill), length);
        Launch(nameof(Fill), () => $"{length} elements", () => GpuMovement.Fill(Gpu, s.View, value));
        return s;
    }

    /// <inheritdoc/>
    public TensorStorage Copy(TensorStorage source)
    {
        var x = View(source, nameof(Copy), nameof(source));
        var s = New(nameof(Copy), x.Length);
        if (x.Length > 0) Launch(nameof(Copy), () => $"{x.Length} elements", () => x.CopyTo(Gpu.Stream, s.View));
        return s;
    }

    /// <inheritdoc/>
    public void Synchronize() => Launch(nameof(Synchronize), () => "", Gpu.Synchronize);

    /// <inheritdoc/>
    public void Dispose()
    {
        Gpu.Synchronize();
        Allocator.Dispose();
        if (_ownsAccelerator) Gpu.Dispose();
    }
}
