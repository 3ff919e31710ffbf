using FeatureViz.Kernels.Cpu.Gemm;
using FeatureViz.Tensors.Tests.Linalg;
using FeatureViz.TestSupport;

namespace FeatureViz.Tensors.Tests.Kernels;

/// <summary>The packed GEMM kernel on sizes that hit every edge path (partial tiles, partial K/M/N blocks, threads).</summary>
public class SgemmKernelTests
{
    public static TheoryData<int, int, int, bool, bool, int> Cases()
    {
        var d = new TheoryData<int, int, int, bool, bool, int>();
        foreach (var (m, n, k) in new[] { (1, 1, 1), (7, 13, 5), (67, 129, 33), (256, 256, 256), (6, 32, 300), (150, 40, 600) })
            foreach (var ta in new[] { false, true })
                foreach (var tb in new[] { false, true })
                    d.Add(m, n, k, ta, tb, (m + n + k) % 2 + 1);
        d.Add(300, 1100, 70, false, false, 2);
        return d;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public unsafe void MatchesTripleLoop(int m, int n, int k, bool ta, bool tb, int threads)
    {
        var a = Rand.Uniform(1, m * k);
        var b = Rand.Uniform(2, k * n);
        var c0 = Rand.Uniform(3, m * n);
        const float alpha = 0.75f;
        var expected = Reference.MatMul(a, b, m, n, k, ta, tb);
        var plain = new float[m * n];
        var acc = (float[])c0.Clone();
        fixed (float* pa = a, pb = b, pc = plain, pacc = acc)
        {
            Sgemm.Multiply(m, n, k, alpha, pa, ta ? m : k, ta, pb, tb ? k : n, tb, pc, n, false, threads);
            Sgemm.Multiply(m, n, k, alpha, pa, ta ? m : k, ta, pb, tb ? k : n, tb, pacc, n, true, threads);
        }
        double tol = 1e-5 * Math.Sqrt(k);
        Approx.Equal(expected.Select(v => alpha * v).ToArray(), plain, tol, tol, $"sgemm {m}x{n}x{k} ta={ta} tb={tb}");
        Approx.Equal(expected.Select((v, i) => alpha * v + c0[i]).ToArray(), acc, tol, tol, $"sgemm+C {m}x{n}x{k} ta={ta} tb={tb}");
    }
}
