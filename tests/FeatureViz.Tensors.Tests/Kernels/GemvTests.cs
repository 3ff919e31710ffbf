using FeatureViz.Kernels.Cpu;
using FeatureViz.Tensors.Autograd;
using FeatureViz.Tensors.Tests.Linalg;
using FeatureViz.TestSupport;
using Xunit;

namespace FeatureViz.Tensors.Tests.Kernels;

/// <summary>
/// Matrix products with a single row of A (batch-1 fully connected layers, which the CPU backend runs as dot products
/// or row updates instead of the packed GEMM): forward and input gradient against float64 loops, on one and two
/// threads, with every transposition, alpha, beta and a bias row; sizes from a few columns to a 1000-way classifier.
/// </summary>
public class GemvTests
{
    public static TheoryData<int, int, bool, bool, int> Cases()
    {
        var d = new TheoryData<int, int, bool, bool, int>();
        foreach (var (n, k) in new[] { (7, 3), (1000, 960), (130, 17) })
            foreach (var ta in new[] { false, true })
                foreach (var tb in new[] { false, true })
                    d.Add(n, k, ta, tb, n == 7 ? 1 : 2);
        return d;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void OneRowProductAndItsInputGradientMatchFloat64(int n, int k, bool ta, bool tb, int threads)
    {
        using var backend = new CpuBackend(threads);
        using var scope = TensorScope.Begin();
        var a = Rand.Uniform(1, k);
        var b = Rand.Uniform(2, n * k);
        var c = Rand.Uniform(3, n);
        const float alpha = 0.75f, beta = -1.5f;
        var tA = Tensor.FromArray(backend, a, ta ? [k, 1] : [1, k]).RequireGrad();
        var tB = Tensor.FromArray(backend, b, tb ? [n, k] : [k, n]);
        var y = Tensor.Gemm(tA, tB, Tensor.FromArray(backend, c, n), new GemmOptions(alpha, beta, ta, tb));
        var ab = Reference.MatMul(a, b, 1, n, k, false, tb);
        Approx.Equal(ab.Select((v, j) => alpha * v + beta * c[j]).ToArray(), y.ToArray(), 1e-5, 1e-5, "one-row Gemm");

        var dy = Rand.Uniform(4, n);
        // dA[p] = alpha * sum_j dy[j] op(B)[p, j].
        var expected = new double[k];
        for (int p = 0; p < k; p++)
            for (int j = 0; j < n; j++)
                expected[p] += alpha * (double)dy[j] * b[tb ? j * k + p : p * n + j];
        var da = Grad.Of(y, [tA], Tensor.FromArray(backend, dy, 1, n))[0];
        Approx.Equal(expected, da.ToArray(), 1e-5, 1e-5, "one-row Gemm input gradient");
    }

    [Fact]
    public void BatchedOneRowMatMulMatchesFloat64()
    {
        // [3, 1, K] x [3, K, N]: every product of the batch has one row.
        const int batch = 3, k = 40, n = 90;
        using var backend = new CpuBackend(2);
        var a = Rand.Uniform(5, batch * k);
        var b = Rand.Uniform(6, batch * k * n);
        using var tA = Tensor.FromArray(backend, a, batch, 1, k);
        using var tB = Tensor.FromArray(backend, b, batch, k, n);
        using var y = tA.MatMul(tB);
        var expected = new double[batch * n];
        for (int i = 0; i < batch; i++)
            Reference.MatMul(a, b, 1, n, k, aOff: i * k, bOff: i * k * n).CopyTo(expected, i * n);
        Approx.Equal(expected, y.ToArray(), 1e-5, 1e-5, "batched one-row MatMul");
    }
}
