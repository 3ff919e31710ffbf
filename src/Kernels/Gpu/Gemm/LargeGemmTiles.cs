namespace FeatureViz.Kernels.Gpu.Gemm;

/// <summary>
/// Thread grid of the large-tile SIMT SGEMM (<see cref="LargeGemmKernels"/>) as a generic struct constant: each thread
/// computes an 8x8 block of C as four 4x4 blocks spaced half a tile apart, so a group of ThreadsX * ThreadsY threads
/// covers (8 ThreadsY) x (8 ThreadsX) of C, staging K slices of 8.
/// </summary>
public interface ILargeGemmTile
{
    /// <summary>Threads along N (the tile has 8 times as many columns).</summary>
    int ThreadsX { get; }

    /// <summary>Threads along M (the tile has 8 times as many rows).</summary>
    int ThreadsY { get; }
}

/// <summary>128x128 tiles, 256 threads: the GPU configuration.</summary>
public readonly struct GemmTile128 : ILargeGemmTile
{
    /// <inheritdoc />
    public int ThreadsX => 16;

    /// <inheritdoc />
    public int ThreadsY => 16;
}

/// <summary>32x32 tiles, 16 threads: the same kernel small enough for ILGPU's CPU simulator.</summary>
public readonly struct GemmTile32 : ILargeGemmTile
{
    /// <inheritdoc />
    public int ThreadsX => 4;

    /// <inheritdoc />
    public int ThreadsY => 4;
}

/// <summary>
/// Warp grid of the TF32 tensor-core SGEMM (<see cref="Tf32GemmKernels"/>): each warp computes a 64x32 block of C
/// with 4x4 <c>mma.sync.m16n8k8</c> tiles, so a group of 32 * WarpsM * WarpsN threads covers (64 WarpsM) x (32 WarpsN).
/// </summary>
public interface ITf32GemmTile
{
    /// <summary>Warps along M.</summary>
    int WarpsM { get; }

    /// <summary>Warps along N.</summary>
    int WarpsN { get; }
}

/// <summary>128x128 tiles, 8 warps: the GPU configuration.</summary>
public readonly struct Tf32Tile128 : ITf32GemmTile
{
    /// <inheritdoc />
    public int WarpsM => 2;

    /// <inheritdoc />
    public int WarpsN => 4;
}

/// <summary>64x64 tiles, 2 warps: small enough for ILGPU's CPU simulator (warp size 32).</summary>
public readonly struct Tf32Tile64 : ITf32GemmTile
{
    /// <inheritdoc />
    public int WarpsM => 1;

    /// <inheritdoc />
    public int WarpsN => 2;
}
