namespace FeatureViz.Kernels.Gpu.Gemm;

/// <summary>
/// Picks the SGEMM kernel for a problem on one device: the TF32 kernel when it is allowed, otherwise the large tile when
/// the problem fills the device with large tiles (at least <see cref="MinLargeTiles"/> of them, each at least half
/// full in both directions), otherwise the small tile, which launches 4 times as many groups and wastes less on
/// partial tiles.
/// </summary>
/// <param name="Small">The small-tile kernel.</param>
/// <param name="Large">The large-tile kernel, or null for the small one always.</param>
/// <param name="Tf32">The TF32 kernel when TF32 is allowed (CUDA, or the simulator with 32-lane warps), else null.</param>
/// <param name="MinLargeTiles">Fewest large tiles (over the batch) for which the large kernel is used: one wave of groups.</param>
public sealed record GemmPlanner(GemmKernel Small, GemmKernel? Large, GemmKernel? Tf32, int MinLargeTiles)
{
    /// <summary>The planner for <paramref name="gpu"/>: 128x128 and 64x64 tiles where groups of 256 threads fit, else the simulator's 32x32 and 16x16.</summary>
    public static GemmPlanner For(GpuAccelerator gpu, bool allowTf32)
    {
        ArgumentNullException.ThrowIfNull(gpu);
        bool big = gpu.Info.MaxGroupSize >= 256;
        var small = big ? GemmKernel.Small<GemmTile64>() : GemmKernel.Small<GemmTile16>();
        var large = big ? GemmKernel.Large<GemmTile128>() : GemmKernel.Large<GemmTile32>();
        GemmKernel? tf32 = null;
        if (allowTf32 && gpu.Info.WarpSize == 32 && gpu.Info.Kind != GpuDeviceKind.OpenCL)
        {
            if (gpu.Info.Kind == GpuDeviceKind.Cuda) tf32 = GemmKernel.Tf32<Tf32Tile128, TensorCoreMma>();
            else if (gpu.Info.MaxGroupSize >= 64) tf32 = GemmKernel.Tf32<Tf32Tile64, ShuffleMma>();
        }
        return new GemmPlanner(small, large, tf32, Math.Max(1, gpu.Info.Multiprocessors));
    }

    /// <summary>A planner that always uses <paramref name="kernel"/> (tests, benchmarks).</summary>
    public static GemmPlanner Only(GemmKernel kernel) => new(kernel, null, null, int.MaxValue);

    /// <summary>The kernel for M x N results, <paramref name="batch"/> of them.</summary>
    public GemmKernel Pick(int m, int n, int batch)
    {
        if (Tf32 is not null) return Tf32;
        if (Large is null || 2 * m < Large.TileM || 2 * n < Large.TileN) return Small;
        long tiles = (long)((m + Large.TileM - 1) / Large.TileM) * ((n + Large.TileN - 1) / Large.TileN) * batch;
        return tiles >= MinLargeTiles ? Large : Small;
    }
}
