using FeatureViz.Tensors;
using FeatureViz.TestSupport;

namespace FeatureViz.Tensors.Tests.Elementwise;

public abstract class BinaryOpTests<TBackend> : BackendSuite<TBackend> where TBackend : IBackendFactory
{
    public static TheoryData<string, int[], int[]> Cases()
    {
        var d = new TheoryData<string, int[], int[]>();
        foreach (var op in new[] { "Add", "Sub", "Mul", "Div", "Pow", "Maximum", "Minimum", "PRelu" })
        {
            d.Add(op, [2, 3, 4], [2, 3, 4]);
            d.Add(op, [2, 3, 4], [4]);
            d.Add(op, [1, 3, 1], [5, 1, 7]);
            d.Add(op, [3, 1, 5, 2], [1, 4, 1, 1]);
            d.Add(op, [], [3, 2]);
        }
        return d;
    }

    private static Tensor Apply(string op, Tensor a, Tensor b) => op switch
    {
        "Add" => a + b, "Sub" => a - b, "Mul" => a * b, "Div" => a / b, "Pow" => a.Pow(b),
        "Maximum" => a.Maximum(b), "Minimum" => a.Minimum(b), "PRelu" => a.PRelu(b), _ => throw new ArgumentException(op),
    };

    private static double Reference(string op, double a, double b) => op switch
    {
        "Add" => a + b, "Sub" => a - b, "Mul" => a * b, "Div" => a / b, "Pow" => Math.Pow(a, b),
        "Maximum" => Math.Max(a, b), "Minimum" => Math.Min(a, b), "PRelu" => a >= 0 ? a : a * b, _ => throw new ArgumentException(op),
    };

    private static float[] DataFor(string op, int seed, int n, bool second) =>
        op switch
        {
            "Div" when second => Rand.Positive(seed, n),
            "Pow" when !second => Rand.Positive(seed, n),
            _ => Rand.Uniform(seed, n, -2f, 2f),
        };

    [Theory]
    [MemberData(nameof(Cases))]
    public void ForwardBroadcastsLikeNumPy(string op, int[] sa, int[] sb)
    {
        var a = DataFor(op, 1, sa.Aggregate(1, (x, y) => x * y), false);
        var b = DataFor(op, 2, sb.Aggregate(1, (x, y) => x * y), true);
        using var ta = Tensor.FromArray(Backend, a, sa);
        using var tb = Tensor.FromArray(Backend, b, sb);
        var y = Apply(op, ta, tb);
        // Naive broadcast reference with explicit index arithmetic.
        int r = Math.Max(sa.Length, sb.Length);
        var os = Enumerable.Range(0, r).Select(i =>
        {
            int da = i - (r - sa.Length) >= 0 ? sa[i - (r - sa.Length)] : 1;
            int db = i - (r - sb.Length) >= 0 ? sb[i - (r - sb.Length)] : 1;
            return Math.Max(da, db);
        }).ToArray();
        Assert.Equal(os, y.Shape.ToArray());
        int n = os.Aggregate(1, (x, z) => x * z);
        var expected = new double[n];
        for (int flat = 0; flat < n; flat++)
        {
            var idx = new int[r];
            int rem = flat;
            for (int i = r - 1; i >= 0; i--) { idx[i] = rem % os[i]; rem /= os[i]; }
            expected[flat] = Reference(op, a[Offset(idx, sa)], b[Offset(idx, sb)]);
        }
        Approx.Equal(expected, y.ToArray(), 1e-6, 1e-7, op);
    }

    private static int Offset(int[] idx, int[] shape)
    {
        int off = 0, r = idx.Length;
        for (int i = 0; i < shape.Length; i++)
        {
            int k = idx[i + r - shape.Length];
            off = off * shape[i] + (shape[i] == 1 ? 0 : k);
        }
        return off;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    [ChecksGradientOf("Add", "Sub", "Mul", "Div", "Pow", "Maximum", "Minimum", "PRelu")]
    public void VjpSumsBroadcastGradients(string op, int[] sa, int[] sb)
    {
        var a = DataFor(op, 3, sa.Aggregate(1, (x, y) => x * y), false);
        var b = DataFor(op, 4, sb.Aggregate(1, (x, y) => x * y), true);
        GradCheck.Vjp(Backend, x => Apply(op, x[0], x[1]), [(a, sa), (b, sb)]);
    }

    [Fact]
    [ChecksGradientOf("Where")]
    public void WhereSelectsAndRoutesGradients()
    {
        var cond = new float[] { 1, 0, 1, 0, 0, 1 };
        using var c = Tensor.FromArray(Backend, cond, 2, 3);
        using var a = Tensor.FromArray(Backend, [1, 2, 3, 4, 5, 6], 2, 3);
        using var b = Tensor.FromArray(Backend, [10, 20, 30], 3);
        Assert.Equal([1f, 20, 3, 10, 20, 6], Tensor.Where(c, a, b).ToArray());
        GradCheck.Vjp(Backend, x => Tensor.Where(x[0], x[1], x[2]), [(cond, [2, 3]), Rand.Of(1, 2, 3), Rand.Of(2, 3)], constant: [0]);
    }

    [Fact]
    public void MismatchedShapesNameTheOpAndShapes()
    {
        using var a = Tensor.Zeros(Backend, 2, 3);
        using var b = Tensor.Zeros(Backend, 4);
        var e = Assert.Throws<ArgumentException>(() => a.Mul(b));
        Assert.Contains("Mul", e.Message);
        Assert.Contains("[2, 3]", e.Message);
        Assert.Contains("[4]", e.Message);
    }

    [Fact]
    public void ComparisonsGiveZeroOrOne()
    {
        using var a = Tensor.FromArray(Backend, [1, 2, 3], 3);
        using var b = Tensor.FromArray(Backend, [2, 2, 2], 3);
        Assert.Equal([0f, 1, 0], a.Equal(b).ToArray());
        Assert.Equal([1f, 0, 0], a.Less(b).ToArray());
        Assert.Equal([0f, 0, 1], a.Greater(b).ToArray());
    }
}
