using System.Globalization;
using FeatureViz.Kernels.Gpu;

namespace FeatureViz.Backends;

/// <summary>What a device is: its spelling, its name and its memory, for messages and device lists.</summary>
/// <param name="Spec">The device's own spelling (never <see cref="DeviceKind.Auto"/>).</param>
/// <param name="Name">The device's name (the driver's, or "CPU" with the thread count).</param>
/// <param name="MemoryBytes">Device memory in bytes (for the CPU: the memory this process may use).</param>
/// <param name="Gpu">The GPU's details, for CUDA, OpenCL and ILGPU's CPU accelerator; null for the CPU backend.</param>
public sealed record DeviceDescription(DeviceSpec Spec, string Name, long MemoryBytes, GpuDeviceInfo? Gpu = null)
{
    /// <summary>True for CUDA and OpenCL devices (not the CPU backend nor ILGPU's CPU accelerator).</summary>
    public bool IsGpu => Spec.Kind is DeviceKind.Cuda or DeviceKind.OpenCL;

    /// <summary>"cuda:0 NVIDIA H200 (139.8 GiB)".</summary>
    public override string ToString() =>
        $"{Spec} {Name} ({(MemoryBytes / (1024.0 * 1024 * 1024)).ToString("0.0", CultureInfo.InvariantCulture)} GiB)";

    internal static DeviceDescription Of(GpuDeviceInfo info) => info.Kind switch
    {
        GpuDeviceKind.Cuda => new(new DeviceSpec(DeviceKind.Cuda, info.Index), info.Name, info.MemoryBytes, info),
        GpuDeviceKind.OpenCL => new(new DeviceSpec(DeviceKind.OpenCL, info.Index), info.Name, info.MemoryBytes, info),
        // ILGPU reports no real size for its CPU accelerator (long.MaxValue): it has the process's memory.
        _ => new(DeviceSpec.IlgpuCpu, SimulatorName(info.WarpSize), Math.Min(info.MemoryBytes, HostMemory()), info),
    };

    /// <summary>The name of ILGPU's CPU accelerator with warp size <paramref name="warpSize"/>.</summary>
    internal static string SimulatorName(int warpSize) => $"ILGPU CPU accelerator (GPU kernels simulated on the CPU, warp {warpSize})";

    /// <summary>The memory this process may use (physical memory or the container's limit).</summary>
    internal static long HostMemory() => GC.GetGCMemoryInfo().TotalAvailableMemoryBytes;
}
