using FeatureViz.Kernels.Gpu;

namespace FeatureViz.Backends;

/// <summary>How <see cref="FeatureVizBackends.Create"/> sets up the backend of a device.</summary>
public sealed record BackendOptions
{
    /// <summary>CPU backend threads (null: the shared backend using every processor). Ignored by the other devices.</summary>
    public int? Threads { get; init; }

    /// <summary>The shape of ILGPU's CPU accelerator for <c>ilgpu-cpu</c> (default: warp 32, 2 warps per group, 2 groups).</summary>
    public CpuSimulatorOptions Simulator { get; init; } = new();

    /// <summary>Most freed device memory the GPU backend keeps for reuse (default 1 GiB).</summary>
    public long DeviceCacheBytes { get; init; } = 1L << 30;
}
