namespace FeatureViz.Kernels.Gpu;

/// <summary>
/// Shape of ILGPU's CPU accelerator. Every simulated lane is an OS thread and each group pays a full barrier, so tests
/// use small groups and launch few of them (<see cref="MaxGroups"/>); the kernels are grid-stride loops and stay correct.
/// </summary>
/// <param name="WarpSize">Threads per warp (32 as on NVIDIA; other sizes check that kernels are warp-size agnostic).</param>
/// <param name="WarpsPerGroup">Warps per multiprocessor, hence per group (a power of two).</param>
/// <param name="MaxGroups">Most groups a grid-stride launch uses.</param>
public sealed record CpuSimulatorOptions(int WarpSize = 32, int WarpsPerGroup = 2, int MaxGroups = 2);
