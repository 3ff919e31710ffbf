using ILGPU;
using ILGPU.Runtime;

namespace FeatureViz.Kernels.Gpu.Gemm;

/// <summary>Launches the SGEMM kernel on a <see cref="GpuAccelerator"/>'s stream.</summary>
public static class GpuGemm
{
    /// <summary>
    /// Strided batched C[b] = alpha * op(A[b]) op(B[b]) + beta * C[b] on dense row-major matrices
    /// (op(A) is M x K, stored K x M when <paramref name="transA"/>; op(B) is K x N, stored N x K when <paramref name="transB"/>).
    /// </summary>
    public static void StridedBatched<TTile>(GpuAccelerator gpu, ArrayView<float> a, bool transA, int aBatchStride,
        ArrayView<float> b, bool transB, int bBatchStride, ArrayView<float> c, int cBatchStride,
        int m, int n, int k, int batch, float alpha = 1f, float beta = 0f) where TTile : struct, IGemmTile
    {
        if (m < 1 || n < 1 || k < 1 || batch < 1)
            throw new ArgumentException($"Gemm: M, N, K and batch must be positive; got M={m} N={n} K={k} batch={batch}.", nameof(m));
        RequireCovers("a", a, aBatchStride, batch, m * k);
        RequireCovers("b", b, bBatchStride, batch, k * n);
        RequireCovers("c", c, cBatchStride, batch, m * n);
        Launch<TTile, StridedMatrix, StridedMatrix>(gpu, "Gemm", a, StridedMatrix.Dense(m, k, transA, aBatchStride),
            b, StridedMatrix.Dense(k, n, transB, bBatchStride), c, StridedMatrix.Dense(m, n, false, cBatchStride),
            new GemmShape { M = m, N = n, K = k, Batch = batch, Alpha = alpha, Beta = beta });
    }

    /// <summary>Launches the generic kernel with any operand readers (the implicit-GEMM convolutions use this).</summary>
    internal static void Launch<TTile, TA, TB>(GpuAccelerator gpu, string op, ArrayView<float> a, TA aOp, ArrayView<float> b, TB bOp,
        ArrayView<float> c, StridedMatrix cLayout, GemmShape shape)
        where TTile : struct, IGemmTile where TA : struct, IGemmOperand where TB : struct, IGemmOperand
    {
        var tile = default(TTile);
        int threads = tile.BM / 4 * (tile.BN / 4);
        if (threads > gpu.Info.MaxGroupSize)
            throw new ArgumentException($"{op}: tile {tile.BM}x{tile.BN} needs {threads} threads per group; {gpu.Info.Moniker} allows {gpu.Info.MaxGroupSize}.", nameof(TTile));
        var kernel = gpu.Kernels.Get($"Gemm<{typeof(TA).Name}, {typeof(TB).Name}>", typeof(TTile),
            acc => acc.LoadKernel<ArrayView<float>, ArrayView<float>, ArrayView<float>, TA, TB, StridedMatrix, GemmShape, TTile>(
                GemmKernels.Gemm<TTile, TA, TB>));
        long tiles = (long)((shape.M + tile.BM - 1) / tile.BM) * ((shape.N + tile.BN - 1) / tile.BN) * shape.Batch;
        int groups = (int)Math.Min(tiles, Math.Max(gpu.Policy.MaxGroups, 1));
        var config = new KernelConfig(new Index1D(groups), new Index1D(threads),
            SharedMemoryConfig.RequestDynamic<float>(tile.BK * (tile.BM + tile.BN)));
        kernel(gpu.Stream, config, a, b, c, aOp, bOp, cLayout, shape, tile);
    }

    private static void RequireCovers(string name, ArrayView<float> view, int batchStride, int batch, int matrix)
    {
        long needed = (long)batchStride * (batch - 1) + matrix;
        if (view.Length < needed)
            throw new ArgumentException($"Gemm: {name} has {view.Length} elements; {batch} matrices of {matrix} at stride {batchStride} need {needed}.", name);
    }
}
