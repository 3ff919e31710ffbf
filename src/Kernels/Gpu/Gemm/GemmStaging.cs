using ILGPU;

namespace FeatureViz.Kernels.Gpu.Gemm;

/// <summary>One thread's share of a K slice of 8 in registers: 1, 2 or 4 quads of A and of B.</summary>
internal struct StagedSlice
{
    public Quad A0, A1, A2, A3, B0, B1, B2, B3;
}

/// <summary>
/// Global-to-shared staging of the large-tile kernels, split in two halves so that the next slice's global loads are
/// issued before the math on the current one and stored to the other shared buffer after it (double buffering without
/// cp.async). The A slice is stored transposed (k-major, rows padded by <c>sa - bm</c> floats against bank conflicts),
/// the B slice k-major; quad q of a slice is element block <c>tid + q * threads</c>.
/// </summary>
internal static class GemmStaging
{
    public const int BK = 8;

    public static StagedSlice Load<TA, TB>(ArrayView<float> a, ArrayView<float> b, TA aOp, TB bOp, GemmShape shape,
        int batch, int m0, int n0, int k0, int tid, int threads, int bm, int bn, int qa, int qb)
        where TA : struct, IGemmOperand where TB : struct, IGemmOperand
    {
        var s = default(StagedSlice);
        s.A0 = LoadA(a, aOp, shape, batch, m0, k0, tid, bm);
        if (qa > 1) s.A1 = LoadA(a, aOp, shape, batch, m0, k0, tid + threads, bm);
        if (qa > 2)
        {
            s.A2 = LoadA(a, aOp, shape, batch, m0, k0, tid + 2 * threads, bm);
            s.A3 = LoadA(a, aOp, shape, batch, m0, k0, tid + 3 * threads, bm);
        }
        s.B0 = LoadB(b, bOp, shape, batch, n0, k0, tid, bn);
        if (qb > 1) s.B1 = LoadB(b, bOp, shape, batch, n0, k0, tid + threads, bn);
        if (qb > 2)
        {
            s.B2 = LoadB(b, bOp, shape, batch, n0, k0, tid + 2 * threads, bn);
            s.B3 = LoadB(b, bOp, shape, batch, n0, k0, tid + 3 * threads, bn);
        }
        return s;
    }

    /// <summary>Stores <paramref name="s"/> at float offsets <paramref name="aBase"/> and <paramref name="bBase"/> (multiples of 4), rounded to TF32 if asked.</summary>
    public static void Store(StagedSlice s, ArrayView<float> smem, ArrayView<Quad> quads, int aBase, int bBase, int sa, int sb,
        bool aColumnsContiguous, bool bColumnsContiguous, int tid, int threads, int bm, int bn, int qa, int qb, bool tf32)
    {
        StoreA(smem, quads, aBase, sa, aColumnsContiguous, tid, bm, s.A0, tf32);
        if (qa > 1) StoreA(smem, quads, aBase, sa, aColumnsContiguous, tid + threads, bm, s.A1, tf32);
        if (qa > 2)
        {
            StoreA(smem, quads, aBase, sa, aColumnsContiguous, tid + 2 * threads, bm, s.A2, tf32);
            StoreA(smem, quads, aBase, sa, aColumnsContiguous, tid + 3 * threads, bm, s.A3, tf32);
        }
        StoreB(smem, quads, bBase, sb, bColumnsContiguous, tid, bn, s.B0, tf32);
        if (qb > 1) StoreB(smem, quads, bBase, sb, bColumnsContiguous, tid + threads, bn, s.B1, tf32);
        if (qb > 2)
        {
            StoreB(smem, quads, bBase, sb, bColumnsContiguous, tid + 2 * threads, bn, s.B2, tf32);
            StoreB(smem, quads, bBase, sb, bColumnsContiguous, tid + 3 * threads, bn, s.B3, tf32);
        }
    }

    // A is M x K. Along K (row-major A): block e is row e / 2, columns (e % 2) * 4 + 0..3; else column e / (bm / 4), rows 4 (e % (bm / 4)) + 0..3.
    private static Quad LoadA<TA>(ArrayView<float> a, TA aOp, GemmShape shape, int batch, int m0, int k0, int e, int bm)
        where TA : struct, IGemmOperand
    {
        if (aOp.ColumnsContiguous) return aOp.Load4(a, batch, m0 + (e >> 1), k0 + (e & 1) * 4, shape.M, shape.K);
        int perK = bm / 4, k = e / perK;
        return aOp.Load4(a, batch, m0 + (e - k * perK) * 4, k0 + k, shape.M, shape.K);
    }

    private static void StoreA(ArrayView<float> smem, ArrayView<Quad> quads, int aBase, int sa, bool columnsContiguous, int e, int bm, Quad v, bool tf32)
    {
        if (tf32) v = Tf32.Round(v);
        if (columnsContiguous)
        {
            int m = e >> 1, i = aBase + (e & 1) * 4 * sa + m;
            smem[i] = v.X;
            smem[i + sa] = v.Y;
            smem[i + 2 * sa] = v.Z;
            smem[i + 3 * sa] = v.W;
        }
        else
        {
            int perK = bm / 4, k = e / perK;
            quads[(aBase + k * sa + (e - k * perK) * 4) >> 2] = v;
        }
    }

    // B is K x N. Along N (row-major B): block e is row e / (bn / 4), columns 4 (e % (bn / 4)) + 0..3; else column e / 2, rows (e % 2) * 4 + 0..3.
    private static Quad LoadB<TB>(ArrayView<float> b, TB bOp, GemmShape shape, int batch, int n0, int k0, int e, int bn)
        where TB : struct, IGemmOperand
    {
        if (!bOp.ColumnsContiguous) return bOp.Load4(b, batch, k0 + (e & 1) * 4, n0 + (e >> 1), shape.K, shape.N);
        int perK = bn / 4, k = e / perK;
        return bOp.Load4(b, batch, k0 + k, n0 + (e - k * perK) * 4, shape.K, shape.N);
    }

    private static void StoreB(ArrayView<float> smem, ArrayView<Quad> quads, int bBase, int sb, bool columnsContiguous, int e, int bn, Quad v, bool tf32)
    {
        if (tf32) v = Tf32.Round(v);
        if (!columnsContiguous)
        {
            int n = e >> 1, i = bBase + (e & 1) * 4 * sb + n;
            smem[i] = v.X;
            smem[i + sb] = v.Y;
            smem[i + 2 * sb] = v.Z;
            smem[i + 3 * sb] = v.W;
        }
        else
        {
            int perK = bn / 4, k = e / perK;
            quads[(bBase + k * sb + (e - k * perK) * 4) >> 2] = v;
        }
    }
}
