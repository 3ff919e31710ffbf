namespace FeatureViz.Kernels.Gpu;

/// <summary>What a device is, for the <c>--device</c> option's messages and the device list.</summary>
/// <param name="Kind">The accelerator kind.</param>
/// <param name="Index">Index among the devices of <paramref name="Kind"/> (the N of <c>cuda:N</c>).</param>
/// <param name="Name">The device's name as its driver reports it.</param>
/// <param name="MemoryBytes">Device memory in bytes.</param>
/// <param name="WarpSize">Threads per warp (32 on NVIDIA; the simulator's chosen size on the CPU accelerator).</param>
/// <param name="MaxGroupSize">The largest thread group the device launches.</param>
/// <param name="Multiprocessors">Number of multiprocessors (SMs).</param>
public sealed record GpuDeviceInfo(GpuDeviceKind Kind, int Index, string Name, long MemoryBytes, int WarpSize,
    int MaxGroupSize, int Multiprocessors)
{
    /// <summary>The <c>--device</c> spelling of this device, e.g. <c>cuda:0</c>.</summary>
    public string Moniker => Kind switch
    {
        GpuDeviceKind.Cuda => $"cuda:{Index}",
        GpuDeviceKind.OpenCL => $"opencl:{Index}",
        _ => "ilgpu-cpu",
    };

    /// <inheritdoc />
    public override string ToString() => $"{Moniker} {Name} ({MemoryBytes / (1024.0 * 1024 * 1024):0.0} GiB)";
}
