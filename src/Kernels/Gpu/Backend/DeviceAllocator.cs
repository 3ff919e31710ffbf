using ILGPU;
using ILGPU.Runtime;
using ILGPU.Runtime.Cuda;

namespace FeatureViz.Kernels.Gpu.Backend;

/// <summary>
/// A caching device allocator: buffers are rounded up to size classes (powers of two, then quarter steps between
/// them) and freed buffers wait in a per-class free list for the next request of that class, so a steady-state step
/// makes no driver allocation. Every buffer is used by one in-order stream, so reuse needs no synchronization; only a
/// real free (trimming the cache) waits for the stream.
/// </summary>
internal sealed class DeviceAllocator : IDisposable
{
    private readonly GpuAccelerator _gpu;
    private readonly Dictionary<long, Stack<MemoryBuffer1D<float, Stride1D.Dense>>> _free = new();
    private readonly object _gate = new();
    private readonly long _cacheCapacityBytes;

    public DeviceAllocator(GpuAccelerator gpu, long cacheCapacityBytes)
    {
        _gpu = gpu;
        _cacheCapacityBytes = cacheCapacityBytes;
        DriverAllocate = size => _gpu.Accelerator.Allocate1D<float>(size);
    }

    /// <summary>The driver allocation (replaceable so that tests can simulate an exhausted device).</summary>
    internal Func<long, MemoryBuffer1D<float, Stride1D.Dense>> DriverAllocate { get; set; }

    /// <summary>Bytes held by live storage.</summary>
    public long InUseBytes { get; private set; }

    /// <summary>Bytes held in the free lists.</summary>
    public long CachedBytes { get; private set; }

    /// <summary>Driver allocations made so far (a steady-state step should add none).</summary>
    public long DriverAllocations { get; private set; }

    /// <summary>The size class of a request of <paramref name="length"/> floats.</summary>
    public static long SizeClass(long length)
    {
        if (length <= 256) return 256;
        long p = 1L << (int)(63 - long.LeadingZeroCount(length - 1)); // largest power of two below length
        long quarter = p / 4;
        return (length + quarter - 1) / quarter * quarter;
    }

    /// <summary>A buffer of at least <paramref name="length"/> floats (contents undefined).</summary>
    public MemoryBuffer1D<float, Stride1D.Dense> Rent(string op, long length)
    {
        long size = SizeClass(length);
        lock (_gate)
        {
            if (_free.TryGetValue(size, out var stack) && stack.Count > 0)
            {
                CachedBytes -= size * sizeof(float);
                InUseBytes += size * sizeof(float);
                return stack.Pop();
            }
        }
        MemoryBuffer1D<float, Stride1D.Dense> buffer;
        try
        {
            buffer = DriverAllocate(size);
        }
        catch (Exception first) when (first is not ArgumentException)
        {
            // Out of memory (or a fragmented heap): give the cached buffers back to the driver and try once more.
            Trim(0);
            try
            {
                buffer = DriverAllocate(size);
            }
            catch (Exception e) when (e is not ArgumentException)
            {
                throw new GpuOutOfMemoryException(op, size * sizeof(float), FreeBytes(), InUseBytes, _gpu.Info, e);
            }
        }
        lock (_gate)
        {
            DriverAllocations++;
            InUseBytes += size * sizeof(float);
        }
        return buffer;
    }

    /// <summary>Puts <paramref name="buffer"/> back in its free list (trimming the cache beyond its capacity).</summary>
    public void Return(MemoryBuffer1D<float, Stride1D.Dense> buffer)
    {
        long size = buffer.Length;
        lock (_gate)
        {
            InUseBytes -= size * sizeof(float);
            if (!_free.TryGetValue(size, out var stack)) _free[size] = stack = new();
            stack.Push(buffer);
            CachedBytes += size * sizeof(float);
        }
        if (CachedBytes > _cacheCapacityBytes) Trim(_cacheCapacityBytes / 2);
    }

    /// <summary>Frees cached buffers until at most <paramref name="keepBytes"/> remain (waits for the stream first).</summary>
    public void Trim(long keepBytes)
    {
        List<MemoryBuffer1D<float, Stride1D.Dense>> victims = [];
        lock (_gate)
        {
            foreach (var stack in _free.Values.OrderByDescending(s => s.Count))
                while (CachedBytes > keepBytes && stack.Count > 0)
                {
                    var b = stack.Pop();
                    CachedBytes -= b.Length * sizeof(float);
                    victims.Add(b);
                }
        }
        if (victims.Count == 0) return;
        _gpu.Synchronize();
        foreach (var b in victims) b.Dispose();
    }

    /// <summary>The device's free memory in bytes as its driver reports it, or -1 where it cannot be asked.</summary>
    public long FreeBytes()
    {
        try
        {
            if (_gpu.Accelerator is CudaAccelerator)
            {
                var error = CudaAPI.CurrentAPI.GetMemoryInfo(out long free, out long _);
                return error == CudaError.CUDA_SUCCESS ? free : -1;
            }
        }
        catch (Exception)
        {
            // The query is best effort: the error message still names the request.
        }
        return _gpu.Info.Kind == GpuDeviceKind.IlgpuCpu ? GC.GetGCMemoryInfo().TotalAvailableMemoryBytes : -1;
    }

    public void Dispose() => Trim(0);
}
