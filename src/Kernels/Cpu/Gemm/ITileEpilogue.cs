namespace FeatureViz.Kernels.Cpu.Gemm;

/// <summary>
/// Work the GEMM applies to each finished tile of C (after its last K block, while the tile is still in L1), e.g. a
/// convolution's activation. A struct implementation lets the JIT specialize the GEMM for it (and remove the call for
/// <see cref="NoEpilogue"/>).
/// </summary>
internal unsafe interface ITileEpilogue
{
    /// <summary>Transforms the finished tile of <paramref name="rows"/> x <paramref name="cols"/> elements at c (row stride ldc) in place.</summary>
    void Apply(float* c, nint ldc, int rows, int cols);
}

/// <summary>The plain GEMM: tiles are stored as computed.</summary>
internal readonly unsafe struct NoEpilogue : ITileEpilogue
{
    /// <inheritdoc/>
    public void Apply(float* c, nint ldc, int rows, int cols) { }
}
