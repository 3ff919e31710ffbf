namespace FeatureViz.Gpu.Tests;

/// <summary>Naive float64 references, written independently of the kernels and of the CPU backend.</summary>
internal static class Float64Reference
{
    public static double Erf(double x)
    {
        // Maclaurin series, enough terms for |x| <= 3 to 1e-13.
        double sum = 0, term = x;
        for (int n = 0; n < 100; n++)
        {
            sum += term / (2 * n + 1);
            term *= -x * x / (n + 1);
        }
        return 2 / Math.Sqrt(Math.PI) * sum;
    }

    /// <summary>Element offsets of output element <paramref name="index"/> into an operand broadcast from <paramref name="shape"/>.</summary>
    public static int BroadcastOffset(int index, int[] shape, int[] outShape)
    {
        int offset = 0, stride = 1, rank = outShape.Length, shift = rank - shape.Length;
        var coords = new int[rank];
        for (int k = rank - 1; k >= 0; k--)
        {
            coords[k] = index % outShape[k];
            index /= outShape[k];
        }
        for (int k = shape.Length - 1; k >= 0; k--)
        {
            if (shape[k] != 1) offset += coords[k + shift] * stride;
            stride *= shape[k];
        }
        return offset;
    }

    public static int Numel(int[] shape) => shape.Aggregate(1, (a, b) => a * b);

    /// <summary>
    /// C[p] = alpha op(A[p]) op(B[p]) + beta C0[p] for dense matrices <paramref name="sa"/>, <paramref name="sb"/>,
    /// <paramref name="sc"/> elements apart (op(A) stored K x M when transposed, op(B) stored N x K); elements of C0
    /// between the matrices are kept.
    /// </summary>
    public static double[] StridedGemm(float[] a, int sa, bool transA, float[] b, int sb, bool transB, float[] c0, int sc,
        int m, int n, int k, int batch, double alpha, double beta)
    {
        var expected = c0.Select(v => (double)v).ToArray();
        for (int p = 0; p < batch; p++)
            for (int i = 0; i < m; i++)
                for (int j = 0; j < n; j++)
                {
                    double acc = 0;
                    for (int q = 0; q < k; q++)
                        acc += (double)a[p * sa + (transA ? q * m + i : i * k + q)] * b[p * sb + (transB ? j * k + q : q * n + j)];
                    expected[p * sc + i * n + j] = alpha * acc + (beta == 0 ? 0 : beta * c0[p * sc + i * n + j]);
                }
        return expected;
    }
}
