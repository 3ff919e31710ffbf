using FeatureViz.Kernels.Gpu;

namespace FeatureViz.Gpu.Tests;

/// <summary>
/// Two CPU accelerators shared by every test: warp size 32 as on NVIDIA and warp size 4 with 8 warps per group (more warps than lanes) so that
/// warp-level code that silently assumes 32 lanes, or as many warps as lanes, fails somewhere.
/// </summary>
public sealed class SimulatorFixture : IDisposable
{
    public GpuAccelerator Warp32 { get; } = GpuAccelerator.CreateCpu(new CpuSimulatorOptions(WarpSize: 32, WarpsPerGroup: 2, MaxGroups: 2));

    public GpuAccelerator Warp4 { get; } = GpuAccelerator.CreateCpu(new CpuSimulatorOptions(WarpSize: 4, WarpsPerGroup: 8, MaxGroups: 3));

    public GpuAccelerator this[int warpSize] => warpSize == 32 ? Warp32 : warpSize == 4 ? Warp4 : throw new ArgumentOutOfRangeException(nameof(warpSize));

    public void Dispose()
    {
        Warp32.Dispose();
        Warp4.Dispose();
    }
}

[CollectionDefinition(Name)]
public sealed class SimulatorCollection : ICollectionFixture<SimulatorFixture>
{
    public const string Name = "ILGPU CPU simulator";
}
