using FeatureViz.Tensors;
using FeatureViz.TestSupport;

namespace FeatureViz.Tensors.Tests.Reduce;

public abstract class ReduceTests<TBackend> : BackendSuite<TBackend> where TBackend : IBackendFactory
{
    public static TheoryData<string, int[], int[]?, bool> Cases()
    {
        var d = new TheoryData<string, int[], int[]?, bool>();
        foreach (var op in new[] { "Sum", "Mean", "Max", "Min" })
        {
            d.Add(op, [3, 4, 5], null, false);
            d.Add(op, [3, 4, 5], [1], true);
            d.Add(op, [3, 4, 5], [-1], false);
            d.Add(op, [3, 4, 5], [0, 2], true);
            d.Add(op, [2, 3, 1, 7], [0, 3], false);
            d.Add(op, [5], [0], false);
        }
        return d;
    }

    private static Tensor Apply(string op, Tensor x, int[]? axes, bool keep) => op switch
    {
        "Sum" => x.Sum(axes, keep), "Mean" => x.Mean(axes, keep), "Max" => x.Max(axes, keep), "Min" => x.Min(axes, keep),
        _ => throw new ArgumentException(op),
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void ForwardMatchesNaiveLoop(string op, int[] shape, int[]? axes, bool keep)
    {
        int n = shape.Aggregate(1, (a, b) => a * b);
        var data = Rand.Uniform(7, n, -3, 3);
        using var x = Tensor.FromArray(Backend, data, shape);
        var y = Apply(op, x, axes, keep);
        var ax = (axes ?? Enumerable.Range(0, shape.Length).ToArray()).Select(a => a < 0 ? a + shape.Length : a).ToHashSet();
        var keepShape = shape.Select((d, i) => ax.Contains(i) ? 1 : d).ToArray();
        var expectedShape = keep ? keepShape : shape.Where((_, i) => !ax.Contains(i)).ToArray();
        Assert.Equal(expectedShape, y.Shape.ToArray());
        int m = keepShape.Aggregate(1, (a, b) => a * b);
        var acc = new List<double>[m];
        for (int i = 0; i < m; i++) acc[i] = [];
        for (int flat = 0; flat < n; flat++)
        {
            int rem = flat, o = 0, mul = 1;
            for (int i = shape.Length - 1; i >= 0; i--)
            {
                int k = rem % shape[i];
                rem /= shape[i];
                if (!ax.Contains(i)) { o += k * mul; mul *= shape[i]; }
            }
            acc[o].Add(data[flat]);
        }
        var expected = acc.Select(l => op switch { "Sum" => l.Sum(), "Mean" => l.Average(), "Max" => l.Max(), _ => l.Min() }).ToArray();
        Approx.Equal(expected, y.ToArray(), 1e-5, 1e-5, op);
    }

    [Theory]
    [MemberData(nameof(Cases))]
    [ChecksGradientOf("Sum", "Mean", "Max", "Min")]
    public void Vjp(string op, int[] shape, int[]? axes, bool keep) =>
        GradCheck.Vjp(Backend, x => Apply(op, x[0], axes, keep), [Rand.Of(11, shape)]);

    [Fact]
    public void MaxTiesShareTheGradient()
    {
        using var x = Tensor.FromArray(Backend, [1f, 3f, 3f, 2f], 4).RequireGrad();
        x.Max().Backward();
        Assert.Equal([0f, 0.5f, 0.5f, 0f], x.Grad!.ToArray());
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(1)]
    [InlineData(0)]
    [ChecksGradientOf("Softmax", "LogSoftmax")]
    public void SoftmaxAndLogSoftmax(int axis)
    {
        var (data, shape) = Rand.Of(3, 3, 4);
        using var x = Tensor.FromArray(Backend, data, shape);
        var s = x.Softmax(axis).ToArray();
        var ls = x.LogSoftmax(axis).ToArray();
        int a = axis < 0 ? axis + 2 : axis;
        var expected = new double[12];
        for (int i = 0; i < 3; i++)
            for (int j = 0; j < 4; j++)
            {
                double den = 0;
                for (int k = 0; k < (a == 0 ? 3 : 4); k++) den += Math.Exp(a == 0 ? data[k * 4 + j] : data[i * 4 + k]);
                expected[i * 4 + j] = Math.Exp(data[i * 4 + j]) / den;
            }
        Approx.Equal(expected, s, 1e-6, 1e-7, "Softmax");
        Approx.Equal(expected.Select(v => Math.Log(v)).ToArray(), ls, 1e-5, 1e-6, "LogSoftmax");
        GradCheck.Vjp(Backend, t => t[0].Softmax(axis), [(data, shape)]);
        GradCheck.Vjp(Backend, t => t[0].LogSoftmax(axis), [(data, shape)]);
    }

    [Fact]
    [ChecksGradientOf("Reshape")]
    public void ReshapeInfersMinusOneAndRejectsMismatch()
    {
        using var x = Tensor.Zeros(Backend, 2, 3, 4);
        Assert.Equal([6, 4], x.Reshape(-1, 4).Shape.ToArray());
        var e = Assert.Throws<ArgumentException>(() => x.Reshape(5, -1));
        Assert.Contains("Reshape", e.Message);
        Assert.Contains("[2, 3, 4]", e.Message);
        GradCheck.Vjp(Backend, t => t[0].Reshape(4, 6).Mul(t[0].Reshape(4, 6)), [Rand.Of(2, 2, 3, 4)]);
    }

    [Fact]
    public void InvalidAxisIsReported()
    {
        using var x = Tensor.Zeros(Backend, 2, 3);
        var e = Assert.Throws<ArgumentException>(() => x.Sum([2]));
        Assert.Contains("Sum", e.Message);
        Assert.Contains("axis 2", e.Message);
    }
}
