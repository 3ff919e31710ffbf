using ILGPU;

namespace FeatureViz.Kernels.Gpu.Gemm;

/// <summary>The 64 accumulators of one lane of the TF32 SGEMM: 4x4 m16n8 tiles of its warp, one quad (d0..d3) each.</summary>
internal struct MmaAcc
{
#pragma warning disable CS0649 // written through the by-value updates below
    public Quad T00, T01, T02, T03;
    public Quad T10, T11, T12, T13;
    public Quad T20, T21, T22, T23;
    public Quad T30, T31, T32, T33;
#pragma warning restore CS0649
}

/// <summary>
/// Device code of the TF32 tensor-core SGEMM (opt-in; see <see cref="Tf32"/> for its error bound): the large-tile
/// kernel's staging and double buffering (operands rounded to TF32 as they are stored to shared memory, rows padded by
/// 8 floats so that the fragment reads of a warp hit 32 distinct banks), each warp computing 64x32 of C as 4x4
/// <c>mma.sync.m16n8k8</c> tiles per K slice of 8, fragments read from shared memory with scalar loads (ILGPU cannot
/// pass shared addresses to <c>ldmatrix</c>). Needs warp size 32; on the CPU simulator the mma is emulated with
/// shuffles in the same accumulation order (the TMma struct), so the fragment layout is checked there.
/// </summary>
internal static class Tf32GemmKernels
{
    public static void Gemm<TTile, TMma, TA, TB>(ArrayView<float> a, ArrayView<float> b, ArrayView<float> c, ArrayView<float> bias,
        TA aOp, TB bOp, StridedMatrix cLayout, GemmShape shape, TTile tile, TMma mma)
        where TTile : struct, ITf32GemmTile where TMma : struct, IMmaTf32 where TA : struct, IGemmOperand where TB : struct, IGemmOperand
    {
        int warpsN = tile.WarpsN, threads = 32 * tile.WarpsM * warpsN;
        int bm = 64 * tile.WarpsM, bn = 32 * warpsN, qa = 2 * bm / threads, qb = 2 * bn / threads;
        int sa = bm + 8, sb = bn + 8, stageA = GemmStaging.BK * sa, stageB = GemmStaging.BK * sb;
        var smem = SharedMemory.GetDynamic<float>();
        var quads = smem.Cast<Quad>();
        int tid = Group.IdxX, warp = tid >> 5, lane = tid & 31, gid = lane >> 2, tig = lane & 3;
        int mBase = 64 * (warp / warpsN), nBase = 32 * (warp % warpsN);
        bool aContiguous = aOp.ColumnsContiguous, bContiguous = bOp.ColumnsContiguous;
        int m = shape.M, n = shape.N, k = shape.K;
        int tilesM = (m + bm - 1) / bm, tilesN = (n + bn - 1) / bn, perBatch = tilesM * tilesN;
        int total = perBatch * shape.Batch;
        int aOff = tig * sa + mBase + gid, bOff = 2 * stageA + tig * sb + nBase + gid, sa4 = 4 * sa, sb4 = 4 * sb;
        for (int t = Grid.IdxX; t < total; t += Grid.DimX)
        {
            int batch = t / perBatch, rest = t - batch * perBatch;
            int tm = rest / tilesN;
            int m0 = tm * bm, n0 = (rest - tm * tilesN) * bn;
            var acc = default(MmaAcc);
            var slice = GemmStaging.Load(a, b, aOp, bOp, shape, batch, m0, n0, 0, tid, threads, bm, bn, qa, qb);
            GemmStaging.Store(slice, smem, quads, 0, 2 * stageA, sa, sb, aContiguous, bContiguous, tid, threads, bm, bn, qa, qb, true);
            Group.Barrier();
            int stage = 0;
            for (int k0 = 0; k0 < k; k0 += GemmStaging.BK)
            {
                bool more = k0 + GemmStaging.BK < k;
                if (more) slice = GemmStaging.Load(a, b, aOp, bOp, shape, batch, m0, n0, k0 + GemmStaging.BK, tid, threads, bm, bn, qa, qb);
                int ia = aOff + stage * stageA, ib = bOff + stage * stageB;
                float a00 = smem[ia + 0], a01 = smem[ia + 8], a02 = smem[ia + sa4 + 0], a03 = smem[ia + sa4 + 8];
                float a10 = smem[ia + 16], a11 = smem[ia + 24], a12 = smem[ia + sa4 + 16], a13 = smem[ia + sa4 + 24];
                float a20 = smem[ia + 32], a21 = smem[ia + 40], a22 = smem[ia + sa4 + 32], a23 = smem[ia + sa4 + 40];
                float a30 = smem[ia + 48], a31 = smem[ia + 56], a32 = smem[ia + sa4 + 48], a33 = smem[ia + sa4 + 56];
                float b00 = smem[ib + 0], b01 = smem[ib + sb4 + 0];
                float b10 = smem[ib + 8], b11 = smem[ib + sb4 + 8];
                float b20 = smem[ib + 16], b21 = smem[ib + sb4 + 16];
                float b30 = smem[ib + 24], b31 = smem[ib + sb4 + 24];
                acc.T00 = mma.Mma(acc.T00, a00, a01, a02, a03, b00, b01);
                acc.T01 = mma.Mma(acc.T01, a00, a01, a02, a03, b10, b11);
                acc.T02 = mma.Mma(acc.T02, a00, a01, a02, a03, b20, b21);
                acc.T03 = mma.Mma(acc.T03, a00, a01, a02, a03, b30, b31);
                acc.T10 = mma.Mma(acc.T10, a10, a11, a12, a13, b00, b01);
                acc.T11 = mma.Mma(acc.T11, a10, a11, a12, a13, b10, b11);
                acc.T12 = mma.Mma(acc.T12, a10, a11, a12, a13, b20, b21);
                acc.T13 = mma.Mma(acc.T13, a10, a11, a12, a13, b30, b31);
                acc.T20 = mma.Mma(acc.T20, a20, a21, a22, a23, b00, b01);
                acc.T21 = mma.Mma(acc.T21, a20, a21, a22, a23, b10, b11);
                acc.T22 = mma.Mma(acc.T22, a20, a21, a22, a23, b20, b21);
                acc.T23 = mma.Mma(acc.T23, a20, a21, a22, a23, b30, b31);
                acc.T30 = mma.Mma(acc.T30, a30, a31, a32, a33, b00, b01);
                acc.T31 = mma.Mma(acc.T31, a30, a31, a32, a33, b10, b11);
                acc.T32 = mma.Mma(acc.T32, a30, a31, a32, a33, b20, b21);
                acc.T33 = mma.Mma(acc.T33, a30, a31, a32, a33, b30, b31);
                if (more)
                {
                    int next = 1 - stage;
                    GemmStaging.Store(slice, smem, quads, next * stageA, 2 * stageA + next * stageB, sa, sb,
                        aContiguous, bContiguous, tid, threads, bm, bn, qa, qb, true);
                }
                Group.Barrier();
                stage = 1 - stage;
            }
            int row = m0 + mBase + gid, col = n0 + nBase + 2 * tig;
            GemmEpilogue.StorePair(c, bias, cLayout, shape, batch, row + 0, col + 0, acc.T00.X, acc.T00.Y);
            GemmEpilogue.StorePair(c, bias, cLayout, shape, batch, row + 8, col + 0, acc.T00.Z, acc.T00.W);
            GemmEpilogue.StorePair(c, bias, cLayout, shape, batch, row + 0, col + 8, acc.T01.X, acc.T01.Y);
            GemmEpilogue.StorePair(c, bias, cLayout, shape, batch, row + 8, col + 8, acc.T01.Z, acc.T01.W);
            GemmEpilogue.StorePair(c, bias, cLayout, shape, batch, row + 0, col + 16, acc.T02.X, acc.T02.Y);
            GemmEpilogue.StorePair(c, bias, cLayout, shape, batch, row + 8, col + 16, acc.T02.Z, acc.T02.W);
            GemmEpilogue.StorePair(c, bias, cLayout, shape, batch, row + 0, col + 24, acc.T03.X, acc.T03.Y);
            GemmEpilogue.StorePair(c, bias, cLayout, shape, batch, row + 8, col + 24, acc.T03.Z, acc.T03.W);
            GemmEpilogue.StorePair(c, bias, cLayout, shape, batch, row + 16, col + 0, acc.T10.X, acc.T10.Y);
            GemmEpilogue.StorePair(c, bias, cLayout, shape, batch, row + 24, col + 0, acc.T10.Z, acc.T10.W);
            GemmEpilogue.StorePair(c, bias, cLayout, shape, batch, row + 16, col + 8, acc.T11.X, acc.T11.Y);
            GemmEpilogue.StorePair(c, bias, cLayout, shape, batch, row + 24, col + 8, acc.T11.Z, acc.T11.W);
            GemmEpilogue.StorePair(c, bias, cLayout, shape, batch, row + 16, col + 16, acc.T12.X, acc.T12.Y);
            GemmEpilogue.StorePair(c, bias, cLayout, shape, batch, row + 24, col + 16, acc.T12.Z, acc.T12.W);
            GemmEpilogue.StorePair(c, bias, cLayout, shape, batch, row + 16, col + 24, acc.T13.X, acc.T13.Y);
            GemmEpilogue.StorePair(c, bias, cLayout, shape, batch, row + 24, col + 24, acc.T13.Z, acc.T13.W);
            GemmEpilogue.StorePair(c, bias, cLayout, shape, batch, row + 32, col + 0, acc.T20.X, acc.T20.Y);
            GemmEpilogue.StorePair(c, bias, cLayout, shape, batch, row + 40, col + 0, acc.T20.Z, acc.T20.W);
            GemmEpilogue.StorePair(c, bias, cLayout, shape, batch, row + 32, col + 8, acc.T21.X, acc.T21.Y);
            GemmEpilogue.StorePair(c, bias, cLayout, shape, batch, row + 40, col + 8, acc.T21.Z, acc.T21.W);
            GemmEpilogue.StorePair(c, bias, cLayout, shape, batch, row + 32, col + 16, acc.T22.X, acc.T22.Y);
            GemmEpilogue.StorePair(c, bias, cLayout, shape, batch, row + 40, col + 16, acc.T22.Z, acc.T22.W);
            GemmEpilogue.StorePair(c, bias, cLayout, shape, batch, row + 32, col + 24, acc.T23.X, acc.T23.Y);
            GemmEpilogue.StorePair(c, bias, cLayout, shape, batch, row + 40, col + 24, acc.T23.Z, acc.T23.W);
            GemmEpilogue.StorePair(c, bias, cLayout, shape, batch, row + 48, col + 0, acc.T30.X, acc.T30.Y);
            GemmEpilogue.StorePair(c, bias, cLayout, shape, batch, row + 56, col + 0, acc.T30.Z, acc.T30.W);
            GemmEpilogue.StorePair(c, bias, cLayout, shape, batch, row + 48, col + 8, acc.T31.X, acc.T31.Y);
            GemmEpilogue.StorePair(c, bias, cLayout, shape, batch, row + 56, col + 8, acc.T31.Z, acc.T31.W);
            GemmEpilogue.StorePair(c, bias, cLayout, shape, batch, row + 48, col + 16, acc.T32.X, acc.T32.Y);
            GemmEpilogue.StorePair(c, bias, cLayout, shape, batch, row + 56, col + 16, acc.T32.Z, acc.T32.W);
            GemmEpilogue.StorePair(c, bias, cLayout, shape, batch, row + 48, col + 24, acc.T33.X, acc.T33.Y);
            GemmEpilogue.StorePair(c, bias, cLayout, shape, batch, row + 56, col + 24, acc.T33.Z, acc.T33.W);
        }
    }

    /// <summary>Shared memory of <typeparamref name="TTile"/> in floats: two K slices of A and of B, padded rows.</summary>
    public static int SharedFloats<TTile>() where TTile : struct, ITf32GemmTile
    {
        var tile = default(TTile);
        return 2 * GemmStaging.BK * (64 * tile.WarpsM + 8 + 32 * tile.WarpsN + 8);
    }
}
