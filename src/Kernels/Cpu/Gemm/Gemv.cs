using System.Numerics.Tensors;

namespace FeatureViz.Kernels.Cpu.Gemm;

/// <summary>
/// A matrix product with one row of A (a fully connected layer at batch 1, e.g. a classifier head or a
/// squeeze-excite FC): straight dot products or row updates on B as stored. The packed GEMM would copy all of B into
/// panels on every call to use each element once, which cost several times the arithmetic.
/// </summary>
internal static unsafe class Gemv
{
    /// <summary>c[0..n) = alpha * a[0..k) op(B) (+ c when <paramref name="accumulate"/>), op(B) as in <see cref="Sgemm.Multiply(int, int, int, float, float*, int, bool, float*, int, bool, float*, int, bool, int)"/>.</summary>
    public static void Multiply(int n, int k, float alpha, float* a, float* b, int ldb, bool transB, float* c, bool accumulate, int threads)
    {
        if (n <= 0) return;
        if (!accumulate) new Span<float>(c, n).Clear();
        if (k <= 0) return;
        nint na = (nint)a, nb = (nint)b, nc = (nint)c;
        // Column slices of at least 64 outputs and ~64K multiply-adds per task.
        int tasks = (int)Math.Clamp(Math.Min((long)n * k / 65536, n / 64), 1, threads);
        ForkJoin.For(tasks, tasks, t =>
        {
            int j0 = (int)((long)n * t / tasks), j1 = (int)((long)n * (t + 1) / tasks);
            float* pa = (float*)na, pb = (float*)nb, pc = (float*)nc;
            var av = new ReadOnlySpan<float>(pa, k);
            if (transB)
            {
                for (int j = j0; j < j1; j++) pc[j] += alpha * TensorPrimitives.Dot(av, new ReadOnlySpan<float>(pb + (long)j * ldb, k));
                return;
            }
            for (int p = 0; p < k; p++)
                VectorMath.Axpy(pb + (long)p * ldb + j0, alpha * pa[p], pc + j0, j1 - j0);
        });
    }
}
