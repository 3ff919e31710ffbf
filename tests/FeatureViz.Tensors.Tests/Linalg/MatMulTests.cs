using FeatureViz.TestSupport;

namespace FeatureViz.Tensors.Tests.Linalg;

public abstract class MatMulTests<TBackend> : BackendSuite<TBackend> where TBackend : IBackendFactory
{
    public static TheoryData<int[], int[]> Shapes() => new()
    {
        { [3, 4], [4, 5] },
        { [4], [4] },
        { [4], [4, 5] },
        { [3, 4], [4] },
        { [2, 3, 4], [4, 5] },
        { [3, 4], [2, 4, 5] },
        { [2, 1, 3, 4], [3, 4, 5] },
        { [4], [2, 4, 5] },
        { [2, 3, 4], [4] },
        { [7, 13], [13, 5] },
        { [2, 7, 33], [1, 33, 9] },
    };

    /// <summary>NumPy matmul by definition: promote 1-D operands, broadcast batch dims, triple loop per batch entry.</summary>
    private static (double[] Y, int[] Shape) NumPyMatMul(float[] a, int[] sa, float[] b, int[] sb)
    {
        var ad = sa.Length == 1 ? new[] { 1, sa[0] } : sa;
        var bd = sb.Length == 1 ? new[] { sb[0], 1 } : sb;
        int m = ad[^2], k = ad[^1], n = bd[^1];
        var ab = ad[..^2];
        var bb = bd[..^2];
        int r = Math.Max(ab.Length, bb.Length);
        int Dim(int[] s, int i) => i - (r - s.Length) >= 0 ? s[i - (r - s.Length)] : 1;
        var batch = Enumerable.Range(0, r).Select(i => Math.Max(Dim(ab, i), Dim(bb, i))).ToArray();
        int count = batch.Aggregate(1, (x, y) => x * y);
        var y = new List<double>();
        for (int e = 0; e < count; e++)
        {
            var idx = new int[r];
            int rem = e;
            for (int i = r - 1; i >= 0; i--) { idx[i] = rem % batch[i]; rem /= batch[i]; }
            int Off(int[] s)
            {
                int off = 0;
                for (int i = 0; i < s.Length; i++) off = off * s[i] + (s[i] == 1 ? 0 : idx[i + r - s.Length]);
                return off;
            }
            y.AddRange(Reference.MatMul(a, b, m, n, k, aOff: Off(ab) * m * k, bOff: Off(bb) * k * n));
        }
        var shape = batch.ToList();
        if (sa.Length > 1) shape.Add(m);
        if (sb.Length > 1) shape.Add(n);
        return (y.ToArray(), shape.ToArray());
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void ForwardMatchesNumPy(int[] sa, int[] sb)
    {
        var (a, _) = Rand.Of(1, sa);
        var (b, _) = Rand.Of(2, sb);
        using var ta = Tensor.FromArray(Backend, a, sa);
        using var tb = Tensor.FromArray(Backend, b, sb);
        using var y = ta.MatMul(tb);
        var (expected, shape) = NumPyMatMul(a, sa, b, sb);
        Assert.Equal(shape, y.Shape.ToArray());
        Approx.Equal(expected, y.ToArray(), 1e-5, 1e-5, "MatMul");
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    [ChecksGradientOf("MatMul")]
    public void GradientMatchesFiniteDifferences(int[] sa, int[] sb) =>
        GradCheck.Vjp(Backend, xs => xs[0].MatMul(xs[1]), [Rand.Of(3, sa), Rand.Of(4, sb)]);

    [Fact]
    public void GradientOfConstantOperandIsSkipped() =>
        GradCheck.Vjp(Backend, xs => xs[0].MatMul(xs[1]), [Rand.Of(5, 2, 3, 4), Rand.Of(6, 4, 5)], constant: [1]);

    [Fact]
    public void InnerDimensionMismatchNamesShapes()
    {
        using var a = Tensor.Zeros(Backend, 2, 3);
        using var b = Tensor.Zeros(Backend, 4, 5);
        var e = Assert.Throws<ArgumentException>(() => a.MatMul(b));
        Assert.Contains("MatMul", e.Message);
        Assert.Contains("[2, 3]", e.Message);
        Assert.Contains("[4, 5]", e.Message);
        Assert.Equal("other", e.ParamName);
    }

    [Fact]
    public void BatchMismatchAndScalarsAreRejected()
    {
        using var a = Tensor.Zeros(Backend, 2, 3, 4);
        using var b = Tensor.Zeros(Backend, 3, 4, 5);
        using var s = Tensor.Scalar(Backend, 1f);
        Assert.Contains("MatMul", Assert.Throws<ArgumentException>(() => a.MatMul(b)).Message);
        Assert.Contains("rank", Assert.Throws<ArgumentException>(() => s.MatMul(b)).Message);
    }
}
