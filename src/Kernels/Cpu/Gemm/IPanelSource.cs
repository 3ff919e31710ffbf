namespace FeatureViz.Kernels.Cpu.Gemm;

/// <summary>
/// Produces blocks of the GEMM's right operand op(B) (k x n) already packed into NR-wide, zero-padded panels:
/// panel t of the block holds rows [pc, pc + kc) and columns [jc + t * NR, jc + (t + 1) * NR) at dst + t * NR * kc,
/// element (p, j) at p * NR + j. A struct implementation lets the JIT specialize the GEMM for it.
/// </summary>
internal unsafe interface IPanelSource
{
    /// <summary>Packs rows [pc, pc + kc) and columns [jc, jc + nc) into <paramref name="dst"/>.</summary>
    void Pack(int pc, int jc, int kc, int nc, float* dst);
}

/// <summary>A row-major matrix B (k x n, row stride ldb) or, when transposed, B stored n x k.</summary>
internal readonly unsafe struct MatrixB(float* b, int ldb, bool transposed) : IPanelSource
{
    /// <inheritdoc/>
    public void Pack(int pc, int jc, int kc, int nc, float* dst)
    {
        if (transposed) Sgemm.PackBTransposed(b + (long)jc * ldb + pc, ldb, kc, nc, dst);
        else Sgemm.PackB(b + (long)pc * ldb + jc, ldb, kc, nc, dst);
    }
}
