using FeatureViz.Tensors.Ops;
using FeatureViz.TestSupport;
using static FeatureViz.TestSupport.GradCheck;

namespace FeatureViz.Tensors.Tests.Elementwise;

/// <summary>
/// The piecewise-constant unary ops, the logical/comparison masks and ArgMax/ArgMin that keep ONNX graphs on the
/// device: forward against float64 references, gradients against finite differences (zero away from the jumps).
/// </summary>
public abstract class DiscreteOpsTests<TBackend> : BackendSuite<TBackend> where TBackend : IBackendFactory
{
    // Points at least 0.2 from every integer and half-integer, so a finite difference never crosses a jump.
    private static readonly float[] Smooth = [-2.7f, -1.3f, -0.3f, 0.2f, 0.7f, 1.3f, 2.8f, -3.3f];

    private static float[] Apply<TOp>(TOp op, float[] x) where TOp : struct, IUnaryOp =>
        Tensor.FromArray(Backend, x, x.Length).Map(op).ToArray();

    [Fact]
    public void FloorCeilRoundSign_MatchMathOnDoubles()
    {
        float[] x = [-2.5f, -1.5f, -0.5f, -0f, 0f, 0.5f, 1.5f, 2.5f, 2.49f, -2.51f, 3.7f, float.NaN, float.PositiveInfinity, float.NegativeInfinity];
        Approx.Equal(x.Select(v => Math.Floor((double)v)).ToArray(), Apply(new FloorOp(), x), 0, 0, "Floor");
        Approx.Equal(x.Select(v => Math.Ceiling((double)v)).ToArray(), Apply(new CeilOp(), x), 0, 0, "Ceil");
        // Half to even: -2.5 -> -2, -1.5 -> -2, 0.5 -> 0, 1.5 -> 2, 2.5 -> 2.
        Approx.Equal(x.Select(v => Math.Round((double)v, MidpointRounding.ToEven)).ToArray(), Apply(new RoundOp(), x), 0, 0, "Round");
        var sign = Apply(new SignOp(), x);
        for (int i = 0; i < x.Length; i++)
            Assert.Equal(float.IsNaN(x[i]) ? double.NaN : Math.Sign((double)x[i]), (double)sign[i]);
    }

    [Fact]
    public void NotAndIsFinite_AreMasks()
    {
        float[] x = [0f, -0f, 1f, -2f, 0.5f, float.NaN, float.PositiveInfinity];
        Assert.Equal([1f, 1f, 0f, 0f, 0f, 0f, 0f], Apply(new NotOp(), x));
        Assert.Equal([1f, 1f, 1f, 1f, 1f, 0f, 0f], Apply(new IsFiniteOp(), x));
    }

    [Fact]
    public void LogicalAndComparisonMasks_BroadcastLikeNumPy()
    {
        float[] a = [0f, 1f, 2f, 0f, -1f, 3f];
        float[] b = [0f, 2f, 0f];
        var ta = Tensor.FromArray(Backend, a, 2, 3);
        var tb = Tensor.FromArray(Backend, b, 3);
        float[] Expect(Func<double, double, bool> f) => Enumerable.Range(0, 6).Select(i => f(a[i], b[i % 3]) ? 1f : 0f).ToArray();
        Assert.Equal(Expect((p, q) => p <= q), ta.Zip(new LessOrEqualOp(), tb).ToArray());
        Assert.Equal(Expect((p, q) => p >= q), ta.Zip(new GreaterOrEqualOp(), tb).ToArray());
        Assert.Equal(Expect((p, q) => p != 0 && q != 0), ta.Zip(new AndOp(), tb).ToArray());
        Assert.Equal(Expect((p, q) => p != 0 || q != 0), ta.Zip(new OrOp(), tb).ToArray());
        Assert.Equal(Expect((p, q) => (p != 0) ^ (q != 0)), ta.Zip(new XorOp(), tb).ToArray());
        // NaN compares false both ways (the old LessOrEqual = not Greater gave true).
        var nan = Tensor.FromArray(Backend, [float.NaN], 1);
        Assert.Equal([0f], nan.Zip(new LessOrEqualOp(), nan).ToArray());
        Assert.Equal([0f], nan.Zip(new GreaterOrEqualOp(), nan).ToArray());
    }

    [Fact]
    public void PiecewiseConstantOps_HaveZeroGradient_AsFiniteDifferencesSay()
    {
        int[] shape = [Smooth.Length];
        Vjp(Backend, x => x.Map(new FloorOp()).Add(x.Mul(0.5f)), Smooth, shape);
        Vjp(Backend, x => x.Map(new CeilOp()).Add(x.Mul(0.5f)), Smooth, shape);
        Vjp(Backend, x => x.Map(new RoundOp()).Add(x.Mul(0.5f)), Smooth, shape);
        Vjp(Backend, x => x.Map(new SignOp()).Add(x.Mul(0.5f)), Smooth, shape);
        // Only the linear term carries a gradient: 0.5 everywhere, nothing from the piecewise-constant part.
        using var scope = TensorScope.Begin();
        var t = Tensor.FromArray(Backend, Smooth, shape).RequireGrad();
        var g = FeatureViz.Tensors.Autograd.Grad.Of(t.Map(new FloorOp()).Sum(), [t])[0].ToArray();
        Assert.All(g, v => Assert.Equal(0f, v));
    }

    /// <summary>float64 reference: first (or last) extreme index along an axis of a [outer, n, inner] array.</summary>
    private static float[] ArgReference(float[] x, int outer, int n, int inner, bool max, bool last)
    {
        var r = new float[outer * inner];
        for (int o = 0; o < outer; o++)
            for (int i = 0; i < inner; i++)
            {
                var run = Enumerable.Range(0, n).Select(k => (double)x[(o * n + k) * inner + i]).ToArray();
                double best = max ? run.Max() : run.Min();
                var hits = Enumerable.Range(0, n).Where(k => run[k] == best).ToArray();
                r[o * inner + i] = last ? hits[^1] : hits[0];
            }
        return r;
    }

    [Theory]
    [InlineData(0, true)]
    [InlineData(1, false)]
    [InlineData(2, true)]
    [InlineData(-1, false)]
    public void ArgMaxArgMin_MatchTheReference_WithTies(int axis, bool keepDims)
    {
        int[] shape = [3, 4, 5];
        // Values from a small set so that ties are common.
        var x = Rand.Uniform(7, 60).Select(v => MathF.Round(v * 2)).ToArray();
        int ax = axis < 0 ? axis + 3 : axis;
        int outer = shape.Take(ax).Aggregate(1, (p, q) => p * q), n = shape[ax], inner = shape.Skip(ax + 1).Aggregate(1, (p, q) => p * q);
        var t = Tensor.FromArray(Backend, x, shape);
        foreach (bool max in new[] { true, false })
            foreach (bool last in new[] { false, true })
            {
                var y = max ? t.ArgMax(axis, keepDims, last) : t.ArgMin(axis, keepDims, last);
                var expectedShape = keepDims ? shape.Select((d, i) => i == ax ? 1 : d).ToArray() : shape.Where((_, i) => i != ax).ToArray();
                Assert.Equal(expectedShape, y.Shape.ToArray());
                Assert.Equal(ArgReference(x, outer, n, inner, max, last), y.ToArray());
            }
    }

    [Fact]
    [ChecksGradientOf(nameof(Tensor.ArgMax), nameof(Tensor.ArgMin))]
    public void ArgMaxArgMin_HaveNoGradient_AndRejectAnEmptyAxis()
    {
        var x = Tensor.FromArray(Backend, Rand.Uniform(3, 6), 2, 3).RequireGrad();
        Assert.False(x.ArgMax(1).RequiresGrad);
        Assert.False(x.ArgMin(0).RequiresGrad);
        var empty = Tensor.Zeros(Backend, 2, 0);
        var e = Assert.Throws<ArgumentException>(() => empty.ArgMax(1));
        Assert.Contains("ArgMax", e.Message);
        Assert.Contains("[2, 0]", e.Message);
        Assert.Throws<ArgumentException>(() => x.ArgMin(2));
    }
}
