using FeatureViz.Tensors.Backends;
using ILGPU;

namespace FeatureViz.Kernels.Gpu.Gemm;

/// <summary>Sizes and scalars of one (batched) product C = alpha * op(A) op(B) + beta * C.</summary>
public struct GemmShape
{
#pragma warning disable CS1591 // M x K times K x N, Batch products; beta 0 ignores C's previous content (NaN included)
    public int M, N, K, Batch;
    public float Alpha, Beta;
#pragma warning restore CS1591

    /// <summary>Nonzero: add bias[(batch % C's BatchDiv) * M + row] to every element of row <c>row</c> (a convolution's bias per output channel).</summary>
    public int HasBias;

    /// <summary>
    /// The activation applied to each result element after alpha, beta and the bias (a fused convolution's epilogue,
    /// <see cref="ConvEpilogue.Apply"/>: the same definition the CPU backend uses); None for a plain product.
    /// </summary>
    public ConvEpilogue Epilogue;
}

/// <summary>
/// Device code of the SGEMM: shared-memory tiles of A (stored transposed, k-major) and B, 4x4 register blocking per
/// thread with the 16 multiply-adds written out (ILGPU 1.5.3 does not unroll), grid-stride over (batch, tile) so that
/// any number of groups works. The operands are generic readers, so implicit-GEMM convolutions use the same kernel.
/// </summary>
internal static class GemmKernels
{
    public static void Gemm<TTile, TA, TB>(ArrayView<float> a, ArrayView<float> b, ArrayView<float> c, ArrayView<float> bias, TA aOp, TB bOp,
        StridedMatrix cLayout, GemmShape shape, TTile tile)
        where TTile : struct, IGemmTile where TA : struct, IGemmOperand where TB : struct, IGemmOperand
    {
        int bm = tile.BM, bn = tile.BN, bk = tile.BK;
        var shared = SharedMemory.GetDynamic<float>();
        var aTile = shared.SubView(0, bk * bm);
        var bTile = shared.SubView(bk * bm, bk * bn);
        int threads = Group.DimX, tid = Group.IdxX;
        int threadCols = bn / 4;
        int tx = tid % threadCols, ty = tid / threadCols;
        int m = shape.M, n = shape.N, k = shape.K;
        int tilesM = (m + bm - 1) / bm, tilesN = (n + bn - 1) / bn, perBatch = tilesM * tilesN;
        int total = perBatch * shape.Batch;
        for (int t = Grid.IdxX; t < total; t += Grid.DimX)
        {
            int batch = t / perBatch, rest = t - batch * perBatch;
            int tm = rest / tilesN;
            int m0 = tm * bm, n0 = (rest - tm * tilesN) * bn;
            float c00 = 0, c01 = 0, c02 = 0, c03 = 0, c10 = 0, c11 = 0, c12 = 0, c13 = 0;
            float c20 = 0, c21 = 0, c22 = 0, c23 = 0, c30 = 0, c31 = 0, c32 = 0, c33 = 0;
            for (int k0 = 0; k0 < k; k0 += bk)
            {
                for (int e = tid; e < bm * bk; e += threads)
                {
                    int kk = e / bm, mm = e - kk * bm;
                    int gm = m0 + mm, gk = k0 + kk;
                    aTile[e] = gm < m && gk < k ? aOp.Load(a, batch, gm, gk) : 0f;
                }
                for (int e = tid; e < bn * bk; e += threads)
                {
                    int kk = e / bn, nn = e - kk * bn;
                    int gn = n0 + nn, gk = k0 + kk;
                    bTile[e] = gn < n && gk < k ? bOp.Load(b, batch, gk, gn) : 0f;
                }
                Group.Barrier();
                // 16-byte fragment reads (ld.shared.v4): BM, BN and the B tile's offset are multiples of 4 floats.
                var aQuads = aTile.Cast<Quad>();
                var bQuads = bTile.Cast<Quad>();
                int aq = ty, bq = tx, aRow = bm / 4, bRow = bn / 4;
                for (int kk = 0; kk < bk; kk++, aq += aRow, bq += bRow)
                {
                    var fa = aQuads[aq];
                    var fb = bQuads[bq];
                    float a0 = fa.X, a1 = fa.Y, a2 = fa.Z, a3 = fa.W;
                    float b0 = fb.X, b1 = fb.Y, b2 = fb.Z, b3 = fb.W;
                    c00 += a0 * b0; c01 += a0 * b1; c02 += a0 * b2; c03 += a0 * b3;
                    c10 += a1 * b0; c11 += a1 * b1; c12 += a1 * b2; c13 += a1 * b3;
                    c20 += a2 * b0; c21 += a2 * b1; c22 += a2 * b2; c23 += a2 * b3;
                    c30 += a3 * b0; c31 += a3 * b1; c32 += a3 * b2; c33 += a3 * b3;
                }
                Group.Barrier();
            }
            int row = m0 + ty * 4, col = n0 + tx * 4;
            GemmEpilogue.StoreQuad(c, bias, cLayout, shape, batch, row, col, new Quad(c00, c01, c02, c03));
            GemmEpilogue.StoreQuad(c, bias, cLayout, shape, batch, row + 1, col, new Quad(c10, c11, c12, c13));
            GemmEpilogue.StoreQuad(c, bias, cLayout, shape, batch, row + 2, col, new Quad(c20, c21, c22, c23));
            GemmEpilogue.StoreQuad(c, bias, cLayout, shape, batch, row + 3, col, new Quad(c30, c31, c32, c33));
        }
    }
}
