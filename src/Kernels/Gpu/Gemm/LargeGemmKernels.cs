using ILGPU;

namespace FeatureViz.Kernels.Gpu.Gemm;

/// <summary>
/// Device code of the large-tile SIMT SGEMM: (8 ThreadsY) x (8 ThreadsX) tiles (128x128 with 256 threads on a GPU), an
/// 8x8 register block per thread made of four 4x4 blocks spaced half a tile apart (so a warp's fragment reads are
/// 16-byte shared loads that broadcast or hit distinct banks), A stored transposed in shared memory, two shared
/// buffers (the next K slice is read from global memory into registers before the math on the current one and
/// stored after it, one barrier per slice), the 8 k steps and the 64 multiply-adds of each written out, 16-byte global
/// loads and stores where the layout allows them. Grid-stride over (batch, tile); edge tiles read zeros and store
/// bounds-checked. Same contract as <see cref="GemmKernels.Gemm{TTile, TA, TB}"/>.
/// </summary>
internal static class LargeGemmKernels
{
    public static void Gemm<TTile, TA, TB>(ArrayView<float> a, ArrayView<float> b, ArrayView<float> c, ArrayView<float> bias,
        TA aOp, TB bOp, StridedMatrix cLayout, GemmShape shape, TTile tile)
        where TTile : struct, ILargeGemmTile where TA : struct, IGemmOperand where TB : struct, IGemmOperand
    {
        int threadsX = tile.ThreadsX, threadsY = tile.ThreadsY, threads = threadsX * threadsY;
        int bm = 8 * threadsY, bn = 8 * threadsX, qa = 2 * bm / threads, qb = 2 * bn / threads;
        // Rows padded by 4 floats: keeps 16-byte alignment, and spreads the transposed scalar stores over the banks.
        int sa = bm + 4, sb = bn + 4, stageA = GemmStaging.BK * sa, stageB = GemmStaging.BK * sb;
        var smem = SharedMemory.GetDynamic<float>();
        var quads = smem.Cast<Quad>();
        int tid = Group.IdxX, tx = tid % threadsX, ty = tid / threadsX;
        bool aContiguous = aOp.ColumnsContiguous, bContiguous = bOp.ColumnsContiguous;
        int m = shape.M, n = shape.N, k = shape.K;
        int tilesM = (m + bm - 1) / bm, tilesN = (n + bn - 1) / bn, perBatch = tilesM * tilesN;
        int total = perBatch * shape.Batch;
        // Quad indices of this thread's fragments in stage 0 (A then B buffers); k step j adds j * sa / 4 (sb / 4).
        int saq = sa >> 2, sbq = sb >> 2;
        int a0q = ty, a1q = threadsY + ty, b0q = (2 * stageA >> 2) + tx, b1q = b0q + threadsX;
        for (int t = Grid.IdxX; t < total; t += Grid.DimX)
        {
            int batch = t / perBatch, rest = t - batch * perBatch;
            int tm = rest / tilesN;
            int m0 = tm * bm, n0 = (rest - tm * tilesN) * bn;
            var acc = default(Acc64);
            var slice = GemmStaging.Load(a, b, aOp, bOp, shape, batch, m0, n0, 0, tid, threads, bm, bn, qa, qb);
            GemmStaging.Store(slice, smem, quads, 0, 2 * stageA, sa, sb, aContiguous, bContiguous, tid, threads, bm, bn, qa, qb, false);
            Group.Barrier();
            int stage = 0;
            for (int k0 = 0; k0 < k; k0 += GemmStaging.BK)
            {
                bool more = k0 + GemmStaging.BK < k;
                if (more) slice = GemmStaging.Load(a, b, aOp, bOp, shape, batch, m0, n0, k0 + GemmStaging.BK, tid, threads, bm, bn, qa, qb);
                int ao = stage * (stageA >> 2), bo = stage * (stageB >> 2);
                int ia0 = a0q + ao, ia1 = a1q + ao, ib0 = b0q + bo, ib1 = b1q + bo;
                acc = Acc64.Fma(acc, quads[ia0], quads[ia1], quads[ib0], quads[ib1]);
                acc = Acc64.Fma(acc, quads[ia0 + saq], quads[ia1 + saq], quads[ib0 + sbq], quads[ib1 + sbq]);
                acc = Acc64.Fma(acc, quads[ia0 + 2 * saq], quads[ia1 + 2 * saq], quads[ib0 + 2 * sbq], quads[ib1 + 2 * sbq]);
                acc = Acc64.Fma(acc, quads[ia0 + 3 * saq], quads[ia1 + 3 * saq], quads[ib0 + 3 * sbq], quads[ib1 + 3 * sbq]);
                acc = Acc64.Fma(acc, quads[ia0 + 4 * saq], quads[ia1 + 4 * saq], quads[ib0 + 4 * sbq], quads[ib1 + 4 * sbq]);
                acc = Acc64.Fma(acc, quads[ia0 + 5 * saq], quads[ia1 + 5 * saq], quads[ib0 + 5 * sbq], quads[ib1 + 5 * sbq]);
                acc = Acc64.Fma(acc, quads[ia0 + 6 * saq], quads[ia1 + 6 * saq], quads[ib0 + 6 * sbq], quads[ib1 + 6 * sbq]);
                acc = Acc64.Fma(acc, quads[ia0 + 7 * saq], quads[ia1 + 7 * saq], quads[ib0 + 7 * sbq], quads[ib1 + 7 * sbq]);
                if (more)
                {
                    int next = 1 - stage;
                    GemmStaging.Store(slice, smem, quads, next * stageA, 2 * stageA + next * stageB, sa, sb,
                        aContiguous, bContiguous, tid, threads, bm, bn, qa, qb, false);
                }
                // One barrier per slice: the other buffer was last read before the previous barrier.
                Group.Barrier();
                stage = 1 - stage;
            }
            acc.Store(c, bias, cLayout, shape, batch, m0 + 4 * ty, m0 + 4 * (threadsY + ty), n0 + 4 * tx, n0 + 4 * (threadsX + tx));
        }
    }

    /// <summary>Shared memory of <typeparamref name="TTile"/> in floats: two K slices of A and of B, padded rows.</summary>
    public static int SharedFloats<TTile>() where TTile : struct, ILargeGemmTile
    {
        var tile = default(TTile);
        return 2 * GemmStaging.BK * (8 * tile.ThreadsY + 4 + 8 * tile.ThreadsX + 4);
    }
}
