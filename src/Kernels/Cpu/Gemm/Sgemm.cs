using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace FeatureViz.Kernels.Cpu.Gemm;

/// <summary>
/// Packed, cache-blocked single-precision GEMM (GotoBLAS/BLIS structure): C (+)= alpha * op(A) * op(B) with
/// row-major operands. B is packed in KC x NC blocks of NR-wide panels (kept in L2), A in MC x KC blocks of
/// MR-high panels (one panel stays in L1 while the B panels stream past it); edges are zero-padded in the packed
/// panels so the micro-kernel always runs full tiles.
/// </summary>
internal static unsafe class Sgemm
{
    internal const int KC = 256;
    internal const int MC = 144;
    internal const int NC = 1024;

    /// <summary>
    /// C[m x n] (row stride ldc) = alpha * op(A) * op(B) (+ C when <paramref name="accumulate"/>). op(A) is m x k:
    /// A is stored m x k (row stride lda), or k x m when <paramref name="transA"/>; likewise op(B) is k x n.
    /// </summary>
    public static void Multiply(int m, int n, int k, float alpha, float* a, int lda, bool transA, float* b, int ldb, bool transB,
        float* c, int ldc, bool accumulate, int threads) =>
        Multiply(m, n, k, alpha, a, lda, transA, new MatrixB(b, ldb, transB), c, ldc, accumulate, threads);

    /// <summary>As above, with op(B) produced block by block by <paramref name="source"/> (e.g. im2col on the fly).</summary>
    public static void Multiply<TB>(int m, int n, int k, float alpha, float* a, int lda, bool transA, TB source,
        float* c, int ldc, bool accumulate, int threads) where TB : struct, IPanelSource =>
        Multiply(m, n, k, alpha, a, lda, transA, source, c, ldc, accumulate, threads, new NoEpilogue());

    /// <summary>As above, with <paramref name="epilogue"/> applied to each tile of C once its last K block is stored.</summary>
    public static void Multiply<TB, TE>(int m, int n, int k, float alpha, float* a, int lda, bool transA, TB source,
        float* c, int ldc, bool accumulate, int threads, TE epilogue) where TB : struct, IPanelSource where TE : struct, ITileEpilogue
    {
        if (m <= 0 || n <= 0) return;
        if (k <= 0)
        {
            if (!accumulate)
                for (int i = 0; i < m; i++) new Span<float>(c + (long)i * ldc, n).Clear();
            epilogue.Apply(c, ldc, m, n);
            return;
        }
        long flops = 2L * m * n * k;
        int nr = MicroKernel.NR, mr = MicroKernel.MR;
        int tasks = flops < 2_000_000 ? 1 : threads;
        if (tasks <= 1)
        {
            Serial(m, n, k, alpha, a, lda, transA, source, 0, c, ldc, accumulate, epilogue);
            return;
        }
        // Split the larger dimension into one contiguous, tile-aligned slice per thread.
        bool splitN = (n + nr - 1) / nr >= tasks && (n >= m || (m + mr - 1) / mr < tasks);
        int units = splitN ? (n + nr - 1) / nr : (m + mr - 1) / mr;
        tasks = Math.Min(tasks, units);
        nint pa = (nint)a, pc = (nint)c;
        ForkJoin.For(tasks, tasks, t =>
        {
            int u0 = (int)((long)units * t / tasks), u1 = (int)((long)units * (t + 1) / tasks);
            float* a0 = (float*)pa, c0 = (float*)pc;
            if (splitN)
            {
                int j0 = u0 * nr, j1 = Math.Min(n, u1 * nr);
                if (j1 <= j0) return;
                Serial(m, j1 - j0, k, alpha, a0, lda, transA, source, j0, c0 + j0, ldc, accumulate, epilogue);
            }
            else
            {
                int i0 = u0 * mr, i1 = Math.Min(m, u1 * mr);
                if (i1 <= i0) return;
                float* @as = transA ? a0 + i0 : a0 + (long)i0 * lda;
                Serial(i1 - i0, n, k, alpha, @as, lda, transA, source, 0, c0 + (long)i0 * ldc, ldc, accumulate, epilogue);
            }
        });
    }

    private static void Serial<TB, TE>(int m, int n, int k, float alpha, float* a, int lda, bool transA, TB source, int j0,
        float* c, int ldc, bool accumulate, TE epilogue) where TB : struct, IPanelSource where TE : struct, ITileEpilogue
    {
        int nr = MicroKernel.NR, mr = MicroKernel.MR;
        // Even K blocks (576 = 3 x 192, not 256 + 256 + 64): a short last block pays the C-tile reload for little work.
        int kBlocks = (k + KC - 1) / KC;
        int kcMax = (k + kBlocks - 1) / kBlocks;
        int ncMax = Math.Min(NC, RoundUp(n, nr));
        int mcMax = Math.Min(MC, RoundUp(m, mr));
        float* bp = PackBuffer.B((long)kcMax * ncMax);
        float* ap = PackBuffer.A((long)kcMax * mcMax);
        float* tile = stackalloc float[MicroKernel.MR * 32 + 16];
        tile = PackBuffer.Align64(tile);

        // A is read in place (no packing) when alpha is 1: the micro-kernel addresses it through strides.
        bool direct = alpha == 1f;
        for (int jc = 0; jc < n; jc += NC)
        {
            int nc = Math.Min(NC, n - jc);
            for (int pc = 0; pc < k; pc += kcMax)
            {
                int kc = Math.Min(kcMax, k - pc);
                bool acc = accumulate || pc > 0, last = pc + kc >= k;
                source.Pack(pc, j0 + jc, kc, nc, bp);
                for (int ic = 0; ic < m; ic += MC)
                {
                    int mc = Math.Min(MC, m - ic);
                    float* ablock = transA ? a + (long)pc * lda + ic : a + (long)ic * lda + pc;
                    int fullRows = mc / mr * mr;
                    if (!direct)
                    {
                        if (transA) PackATransposed(ablock, lda, mc, kc, alpha, ap);
                        else PackA(ablock, lda, mc, kc, alpha, ap);
                    }
                    else if (fullRows < mc)
                    {
                        // Only the ragged last panel is packed (zero-padded to MR rows).
                        if (transA) PackATransposed(ablock + fullRows, lda, mc - fullRows, kc, 1f, ap + (long)fullRows * kc);
                        else PackA(ablock + (long)fullRows * lda, lda, mc - fullRows, kc, 1f, ap + (long)fullRows * kc);
                    }
                    for (int ir = 0; ir < mc; ir += mr)
                    {
                        int mrr = Math.Min(mr, mc - ir);
                        float* apanel;
                        nint ars, acs;
                        if (!direct || mrr < mr) { apanel = ap + (long)ir * kc; ars = 1; acs = mr; }
                        else if (transA) { apanel = ablock + ir; ars = 1; acs = lda; }
                        else { apanel = ablock + (long)ir * lda; ars = lda; acs = 1; }
                        float* crow = c + (long)(ic + ir) * ldc + jc;
                        for (int jr = 0; jr < nc; jr += nr)
                        {
                            int nrr = Math.Min(nr, nc - jr);
                            float* bpanel = bp + (long)jr * kc;
                            if (mrr == mr && nrr == nr)
                            {
                                MicroKernel.Run(kc, apanel, ars, acs, bpanel, crow + jr, ldc, acc);
                                if (last) epilogue.Apply(crow + jr, ldc, mr, nr);
                            }
                            else
                            {
                                MicroKernel.Run(kc, apanel, ars, acs, bpanel, tile, nr, false);
                                for (int i = 0; i < mrr; i++)
                                {
                                    float* src = tile + i * nr;
                                    float* dst = crow + (long)i * ldc + jr;
                                    if (acc) for (int j = 0; j < nrr; j++) dst[j] += src[j];
                                    else for (int j = 0; j < nrr; j++) dst[j] = src[j];
                                }
                                if (last) epilogue.Apply(crow + jr, ldc, mrr, nrr);
                            }
                        }
                    }
                }
            }
        }
    }

    private static int RoundUp(int x, int m) => (x + m - 1) / m * m;

    /// <summary>A (mc x kc, row stride lda) into MR-high panels: panel[p * MR + i] = alpha * A[i, p].</summary>
    private static void PackA(float* a, int lda, int mc, int kc, float alpha, float* ap)
    {
        const int mr = MicroKernel.MR;
        for (int i0 = 0; i0 < mc; i0 += mr)
        {
            int rows = Math.Min(mr, mc - i0);
            float* dst = ap + (long)i0 * kc;
            if (rows == mr)
            {
                float* r0 = a + (long)i0 * lda, r1 = r0 + lda, r2 = r1 + lda, r3 = r2 + lda, r4 = r3 + lda, r5 = r4 + lda;
                for (int p = 0; p < kc; p++)
                {
                    dst[0] = alpha * r0[p]; dst[1] = alpha * r1[p]; dst[2] = alpha * r2[p];
                    dst[3] = alpha * r3[p]; dst[4] = alpha * r4[p]; dst[5] = alpha * r5[p];
                    dst += mr;
                }
            }
            else
            {
                for (int p = 0; p < kc; p++)
                {
                    int i = 0;
                    for (; i < rows; i++) dst[i] = alpha * a[(long)(i0 + i) * lda + p];
                    for (; i < mr; i++) dst[i] = 0f;
                    dst += mr;
                }
            }
        }
    }

    /// <summary>A stored transposed (kc x mc, row stride lda) into MR-high panels.</summary>
    private static void PackATransposed(float* a, int lda, int mc, int kc, float alpha, float* ap)
    {
        const int mr = MicroKernel.MR;
        for (int i0 = 0; i0 < mc; i0 += mr)
        {
            int rows = Math.Min(mr, mc - i0);
            float* dst = ap + (long)i0 * kc;
            for (int p = 0; p < kc; p++)
            {
                float* src = a + (long)p * lda + i0;
                int i = 0;
                for (; i < rows; i++) dst[i] = alpha * src[i];
                for (; i < mr; i++) dst[i] = 0f;
                dst += mr;
            }
        }
    }

    /// <summary>B (kc x nc, row stride ldb) into NR-wide panels: panel[p * NR + j] = B[p, j].</summary>
    internal static void PackB(float* b, int ldb, int kc, int nc, float* bp)
    {
        int nr = MicroKernel.NR;
        for (int j0 = 0; j0 < nc; j0 += nr)
        {
            int cols = Math.Min(nr, nc - j0);
            float* dst = bp + (long)j0 * kc;
            float* src = b + j0;
            if (cols == nr)
            {
                if (nr == 32 && Vector512.IsHardwareAccelerated)
                {
                    for (int p = 0; p < kc; p++)
                    {
                        Vector512.Load(src).Store(dst);
                        Vector512.Load(src + 16).Store(dst + 16);
                        src += ldb;
                        dst += 32;
                    }
                }
                else
                {
                    for (int p = 0; p < kc; p++)
                    {
                        Vector256.Load(src).Store(dst);
                        Vector256.Load(src + 8).Store(dst + 8);
                        src += ldb;
                        dst += 16;
                    }
                }
            }
            else
            {
                for (int p = 0; p < kc; p++)
                {
                    int j = 0;
                    for (; j < cols; j++) dst[j] = src[j];
                    for (; j < nr; j++) dst[j] = 0f;
                    src += ldb;
                    dst += nr;
                }
            }
        }
    }

    /// <summary>B stored transposed (nc x kc, row stride ldb) into NR-wide panels.</summary>
    internal static void PackBTransposed(float* b, int ldb, int kc, int nc, float* bp)
    {
        int nr = MicroKernel.NR;
        for (int j0 = 0; j0 < nc; j0 += nr)
        {
            int cols = Math.Min(nr, nc - j0);
            float* dst = bp + (long)j0 * kc;
            for (int j = 0; j < cols; j++)
            {
                float* src = b + (long)(j0 + j) * ldb;
                float* d = dst + j;
                for (int p = 0; p < kc; p++) d[(long)p * nr] = src[p];
            }
            for (int j = cols; j < nr; j++)
                for (int p = 0; p < kc; p++) dst[(long)p * nr + j] = 0f;
        }
    }
}
