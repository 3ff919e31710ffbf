using ILGPU;

namespace FeatureViz.Kernels.Gpu.Gemm;

/// <summary>Launches the SGEMM kernels on a <see cref="GpuAccelerator"/>'s stream.</summary>
public static class GpuGemm
{
    /// <summary>
    /// Strided batched C[b] = alpha * op(A[b]) op(B[b]) + beta * C[b] on dense row-major matrices with the small-tile
    /// kernel <typeparamref name="TTile"/> (op(A) is M x K, stored K x M when <paramref name="transA"/>; op(B) is K x N,
    /// stored N x K when <paramref name="transB"/>).
    /// </summary>
    public static void StridedBatched<TTile>(GpuAccelerator gpu, ArrayView<float> a, bool transA, int aBatchStride,
        ArrayView<float> b, bool transB, int bBatchStride, ArrayView<float> c, int cBatchStride,
        int m, int n, int k, int batch, float alpha = 1f, float beta = 0f) where TTile : struct, IGemmTile =>
        StridedBatched(gpu, GemmKernel.Small<TTile>(), a, transA, aBatchStride, b, transB, bBatchStride, c, cBatchStride, m, n, k, batch, alpha, beta);

    /// <summary>As <see cref="StridedBatched{TTile}"/>, with the kernel <paramref name="kernel"/>.</summary>
    public static void StridedBatched(GpuAccelerator gpu, GemmKernel kernel, ArrayView<float> a, bool transA, int aBatchStride,
        ArrayView<float> b, bool transB, int bBatchStride, ArrayView<float> c, int cBatchStride,
        int m, int n, int k, int batch, float alpha = 1f, float beta = 0f)
    {
        ArgumentNullException.ThrowIfNull(kernel);
        if (m < 1 || n < 1 || k < 1 || batch < 1)
            throw new ArgumentException($"Gemm: M, N, K and batch must be positive; got M={m} N={n} K={k} batch={batch}.", nameof(m));
        RequireCovers("a", a, aBatchStride, batch, m * k);
        RequireCovers("b", b, bBatchStride, batch, k * n);
        RequireCovers("c", c, cBatchStride, batch, m * n);
        kernel.Launch(gpu, "Gemm", a, StridedMatrix.Dense(m, k, transA, aBatchStride).WithVectorAccessFor(a),
            b, StridedMatrix.Dense(k, n, transB, bBatchStride).WithVectorAccessFor(b), c, StridedMatrix.Dense(m, n, false, cBatchStride),
            new GemmShape { M = m, N = n, K = k, Batch = batch, Alpha = alpha, Beta = beta }, default);
    }

    private static void RequireCovers(string name, ArrayView<float> view, int batchStride, int batch, int matrix)
    {
        long needed = (long)batchStride * (batch - 1) + matrix;
        if (view.Length < needed)
            throw new ArgumentException($"Gemm: {name} has {view.Length} elements; {batch} matrices of {matrix} at stride {batchStride} need {needed}.", name);
    }
}
