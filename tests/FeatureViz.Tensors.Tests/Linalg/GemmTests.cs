using FeatureViz.TestSupport;

namespace FeatureViz.Tensors.Tests.Linalg;

public abstract class GemmTests<TBackend> : BackendSuite<TBackend> where TBackend : IBackendFactory
{
    private const int M = 5, N = 7, K = 3;

    public static TheoryData<bool, bool, float, float, int[]?> Cases()
    {
        var d = new TheoryData<bool, bool, float, float, int[]?>();
        foreach (var ta in new[] { false, true })
            foreach (var tb in new[] { false, true })
                foreach (var (alpha, beta) in new[] { (1f, 1f), (0.5f, -2f) })
                    foreach (var c in new int[]?[] { null, [M, N], [N], [M, 1], [1, N], [], [1] })
                        d.Add(ta, tb, alpha, beta, c);
        return d;
    }

    private static int[] AShape(bool ta) => ta ? [K, M] : [M, K];
    private static int[] BShape(bool tb) => tb ? [N, K] : [K, N];

    [Theory]
    [MemberData(nameof(Cases))]
    public void ForwardMatchesOnnxDefinition(bool ta, bool tb, float alpha, float beta, int[]? cs)
    {
        var (a, sa) = Rand.Of(1, AShape(ta));
        var (b, sb) = Rand.Of(2, BShape(tb));
        using var tA = Tensor.FromArray(Backend, a, sa);
        using var tB = Tensor.FromArray(Backend, b, sb);
        float[]? c = cs is null ? null : Rand.Of(3, cs).Data;
        using var tC = cs is null ? null : Tensor.FromArray(Backend, c!, cs);
        using var y = Tensor.Gemm(tA, tB, tC, new GemmOptions(alpha, beta, ta, tb));
        Assert.Equal(new[] { M, N }, y.Shape.ToArray());
        var ab = Reference.MatMul(a, b, M, N, K, ta, tb);
        var expected = new double[M * N];
        for (int i = 0; i < M; i++)
            for (int j = 0; j < N; j++)
            {
                double cv = 0;
                if (c is not null)
                {
                    int r = cs!.Length == 2 && cs[0] != 1 ? i : 0;
                    int q = cs.Length >= 1 && cs[^1] != 1 ? j : 0;
                    cv = c[cs.Length == 2 ? r * cs[1] + q : q];
                }
                expected[i * N + j] = alpha * ab[i * N + j] + beta * cv;
            }
        Approx.Equal(expected, y.ToArray(), 1e-5, 1e-5, "Gemm");
    }

    [Theory]
    [MemberData(nameof(Cases))]
    [ChecksGradientOf("Gemm")]
    public void GradientMatchesFiniteDifferences(bool ta, bool tb, float alpha, float beta, int[]? cs)
    {
        var inputs = new List<(float[], int[])> { Rand.Of(4, AShape(ta)), Rand.Of(5, BShape(tb)) };
        if (cs is not null) inputs.Add(Rand.Of(6, cs));
        GradCheck.Vjp(Backend, xs => Tensor.Gemm(xs[0], xs[1], xs.Length > 2 ? xs[2] : null, new GemmOptions(alpha, beta, ta, tb)), inputs.ToArray());
    }

    [Fact]
    public void BadShapesAreRejectedWithNames()
    {
        using var a = Tensor.Zeros(Backend, 2, 3);
        using var b = Tensor.Zeros(Backend, 4, 5);
        using var b2 = Tensor.Zeros(Backend, 3, 5);
        using var c = Tensor.Zeros(Backend, 3, 5);
        using var v = Tensor.Zeros(Backend, 3);
        var e = Assert.Throws<ArgumentException>(() => Tensor.Gemm(a, b, null, new GemmOptions()));
        Assert.Contains("Gemm", e.Message);
        Assert.Contains("[4, 5]", e.Message);
        e = Assert.Throws<ArgumentException>(() => Tensor.Gemm(a, b2, c, new GemmOptions()));
        Assert.Equal("c", e.ParamName);
        Assert.Contains("[3, 5]", e.Message);
        e = Assert.Throws<ArgumentException>(() => Tensor.Gemm(v, b2, null, new GemmOptions()));
        Assert.Equal("a", e.ParamName);
    }
}
