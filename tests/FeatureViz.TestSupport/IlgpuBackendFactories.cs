using FeatureViz.Kernels.Gpu;
using FeatureViz.Kernels.Gpu.Backend;
using FeatureViz.Tensors.Backends;

namespace FeatureViz.TestSupport;

/// <summary>
/// The ILGPU backend on ILGPU's CPU accelerator with warp size 32 (as on NVIDIA), two warps per group and at most two
/// groups per launch: the GPU kernels, run without a GPU.
/// </summary>
public sealed class IlgpuCpuBackendFactory : IBackendFactory
{
    private static readonly Lazy<IlgpuBackend> Instance =
        new(() => new IlgpuBackend(GpuAccelerator.CreateCpu(new CpuSimulatorOptions(WarpSize: 32, WarpsPerGroup: 2, MaxGroups: 2)), ownsAccelerator: true));

    /// <inheritdoc/>
    public static IBackend Backend => Instance.Value;
}

/// <summary>
/// The ILGPU backend on the CPU accelerator with warp size 4, eight warps per group and three groups: more warps than
/// lanes and an odd group count, so that kernels which silently assume 32 lanes or a power-of-two grid fail.
/// </summary>
public sealed class IlgpuCpuWarp4BackendFactory : IBackendFactory
{
    private static readonly Lazy<IlgpuBackend> Instance =
        new(() => new IlgpuBackend(GpuAccelerator.CreateCpu(new CpuSimulatorOptions(WarpSize: 4, WarpsPerGroup: 8, MaxGroups: 3)), ownsAccelerator: true));

    /// <inheritdoc/>
    public static IBackend Backend => Instance.Value;
}
