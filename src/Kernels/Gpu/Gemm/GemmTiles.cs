namespace FeatureViz.Kernels.Gpu.Gemm;

/// <summary>
/// Tile shape of the SGEMM kernel as a generic struct constant (specialised at compile time). Each thread computes a
/// 4x4 block of C, so a group has (BM/4)*(BN/4) threads.
/// </summary>
public interface IGemmTile
{
    /// <summary>Rows of C per group tile (a multiple of 4).</summary>
    int BM { get; }

    /// <summary>Columns of C per group tile (a multiple of 4).</summary>
    int BN { get; }

    /// <summary>Depth of the K slice staged in shared memory per iteration.</summary>
    int BK { get; }
}

/// <summary>64x64 tiles, K slices of 8, 256 threads: the GPU configuration.</summary>
public readonly struct GemmTile64 : IGemmTile
{
    /// <inheritdoc />
    public int BM => 64;

    /// <inheritdoc />
    public int BN => 64;

    /// <inheritdoc />
    public int BK => 8;
}

/// <summary>16x16 tiles, K slices of 4, 16 threads: small enough for ILGPU's CPU simulator.</summary>
public readonly struct GemmTile16 : IGemmTile
{
    /// <inheritdoc />
    public int BM => 16;

    /// <inheritdoc />
    public int BN => 16;

    /// <inheritdoc />
    public int BK => 4;
}
