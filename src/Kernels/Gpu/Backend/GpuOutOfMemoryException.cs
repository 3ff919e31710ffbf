namespace FeatureViz.Kernels.Gpu.Backend;

/// <summary>
/// A device allocation failed even after the allocator returned its cached buffers to the driver. The backend is
/// still usable (nothing was allocated); the caller may retry with a smaller batch or image size, or on the CPU.
/// </summary>
public sealed class GpuOutOfMemoryException : InvalidOperationException
{
    internal GpuOutOfMemoryException(string op, long requestedBytes, long freeBytes, long inUseBytes, GpuDeviceInfo device, Exception inner)
        : base($"{op}: out of device memory on {device}: could not allocate {Mib(requestedBytes)} " +
               $"(device free memory: {(freeBytes < 0 ? "unknown" : Mib(freeBytes))}; held by live tensors: {Mib(inUseBytes)}). " +
               "Reduce the batch size or the image size, or run on the CPU (--device cpu).", inner)
    {
        Op = op;
        RequestedBytes = requestedBytes;
        FreeBytes = freeBytes;
    }

    /// <summary>The op whose allocation failed.</summary>
    public string Op { get; }

    /// <summary>Bytes requested (after rounding to the allocator's size class).</summary>
    public long RequestedBytes { get; }

    /// <summary>The device's free memory in bytes when the request failed (-1: unknown).</summary>
    public long FreeBytes { get; }

    private static string Mib(long bytes) => $"{bytes / (1024.0 * 1024):0.0} MiB";
}
