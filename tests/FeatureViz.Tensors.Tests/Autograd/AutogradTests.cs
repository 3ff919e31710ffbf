using FeatureViz.Tensors;
using FeatureViz.Tensors.Autograd;
using FeatureViz.TestSupport;

namespace FeatureViz.Tensors.Tests.Autograd;

public abstract class AutogradTests<TBackend> : BackendSuite<TBackend> where TBackend : IBackendFactory
{
    [Fact]
    public void ConstantsRecordNoGraph()
    {
        using var w = Tensor.FromArray(Backend, [1f, 2f], 2);
        var y = w.Mul(w).Exp();
        Assert.False(y.RequiresGrad);
        Assert.Null(y.GradFn);
        Assert.Throws<InvalidOperationException>(() => y.Sum().Backward());
    }

    [Fact]
    public void NoGradScopeRecordsNothing()
    {
        using var x = Tensor.FromArray(Backend, [1f, 2f], 2).RequireGrad();
        Tensor y;
        using (GradMode.NoGrad()) y = x.Mul(x);
        Assert.False(y.RequiresGrad);
        Assert.True(x.Mul(x).RequiresGrad);
    }

    [Fact]
    public void GradientsAccumulateOverReuse()
    {
        // y = x*x + x (a residual-style reuse): dy/dx = 2x + 1.
        using var x = Tensor.FromArray(Backend, [1f, -2f, 3f], 3).RequireGrad();
        var y = x.Mul(x).Add(x).Sum();
        y.Backward();
        Assert.Equal([3f, -3f, 7f], x.Grad!.ToArray());
        // A second backward accumulates into Grad.
        x.Mul(x).Sum().Backward();
        Assert.Equal([5f, -7f, 13f], x.Grad!.ToArray());
    }

    [Fact]
    public void NonScalarBackwardNeedsACotangent()
    {
        using var x = Tensor.FromArray(Backend, [1f, 2f], 2).RequireGrad();
        var e = Assert.Throws<ArgumentException>(() => x.Mul(x).Backward());
        Assert.Contains("[2]", e.Message);
    }

    [Fact]
    public void ScopeDisposesTemporariesButKeepsKeptOnes()
    {
        Tensor kept, temp;
        using (var scope = TensorScope.Begin())
        {
            temp = Tensor.Zeros(Backend, 3);
            kept = scope.Keep(Tensor.Zeros(Backend, 3));
        }
        Assert.True(temp.IsDisposed);
        Assert.False(kept.IsDisposed);
        Assert.Throws<ObjectDisposedException>(() => temp.ToArray());
        kept.Dispose();
    }

    [Fact]
    public void SuspendedScopeLeavesTensorsUntrackedAndThenResumes()
    {
        Tensor untracked, inner, after;
        using (var scope = TensorScope.Begin())
        {
            using (TensorScope.Suspend())
            {
                Assert.Null(TensorScope.Current);
                untracked = Tensor.Zeros(Backend, 3);
                using (TensorScope.Begin()) inner = Tensor.Zeros(Backend, 3);
            }
            Assert.Same(scope, TensorScope.Current);
            after = Tensor.Zeros(Backend, 3);
        }
        Assert.False(untracked.IsDisposed);
        Assert.True(inner.IsDisposed);
        Assert.True(after.IsDisposed);
        untracked.Dispose();
    }

    [Fact]
    public void GradOfReturnsZerosForUnusedInputs()
    {
        using var a = Tensor.FromArray(Backend, [1f, 2f], 2).RequireGrad();
        using var b = Tensor.FromArray(Backend, [3f, 4f], 2).RequireGrad();
        var g = Grad.Of(a.Mul(a).Sum(), [a, b]);
        Assert.Equal([2f, 4f], g[0].ToArray());
        Assert.Equal([0f, 0f], g[1].ToArray());
    }

    [Fact]
    public void PassThroughGradientsSurviveEarlyFreeing()
    {
        // An op whose VJP hands the incoming gradient through unchanged, used on two paths that meet again.
        static Tensor Id(Tensor x) => Tensor.Record("Identity", x.Backend.Copy(x.Storage), x.Shape, [x], (g, _) => [g]);
        using var scope = TensorScope.Begin();
        var x = Tensor.FromArray(Backend, [1f, 2f, 3f], 3).RequireGrad();
        var a = Id(x);
        var b = Id(Id(a));
        var y = a.Mul(b).Add(Id(b)).Sum(); // y = x^2 + x: dy/dx = 2x + 1
        y.Backward();
        Assert.Equal([3f, 5f, 7f], x.Grad!.ToArray());
    }

    [Fact]
    public void ScaleGradientIsTheIdentityForward()
    {
        var data = Rand.Uniform(41, 24, -3f, 3f);
        using var x = Tensor.FromArray(Backend, data, 2, 3, 4);
        using var s = Tensor.FromArray(Backend, [2f, -0.5f, 7f], 3, 1);
        Assert.Equal(data, x.ScaleGradient(s).ToArray());
    }

    [Fact]
    [ChecksGradientOf(nameof(Tensor.ScaleGradient))]
    public void ScaleGradientMultipliesTheFiniteDifferenceGradientByTheScale()
    {
        // f(x) = sum(c * sin(x)); the gradient through ScaleGradient must be scale * (central differences of f in
        // float64), the scale broadcast over the first and last axes.
        int[] shape = [2, 3, 4];
        var data = Rand.Uniform(42, 24, -2f, 2f);
        var c = Rand.Uniform(43, 24);
        float[] scale = [2f, -0.5f, 7f];
        using var ct = Tensor.FromArray(Backend, c, shape);
        using var st = Tensor.FromArray(Backend, scale, 3, 1);
        using var x = Tensor.FromArray(Backend, data, shape).RequireGrad();
        var g = Grad.Of(x.ScaleGradient(st).Sin().Mul(ct).Sum(), [x])[0].ToArray();

        double F(float[] v)
        {
            using var t = Tensor.FromArray(Backend, v, shape);
            return t.Sin().Mul(ct).Sum().ToArray()[0];
        }
        const float eps = 1e-2f;
        var expected = new double[data.Length];
        for (int i = 0; i < data.Length; i++)
        {
            var plus = (float[])data.Clone();
            var minus = (float[])data.Clone();
            plus[i] += eps;
            minus[i] -= eps;
            double fd = (F(plus) - F(minus)) / ((double)plus[i] - minus[i]);
            expected[i] = scale[i / 4 % 3] * fd;
        }
        Approx.Equal(expected, g, rtol: 1e-3, atol: 1e-3, what: "ScaleGradient");
    }

    [Fact]
    public void ScaleGradientRejectsAScaleThatDoesNotBroadcastToTheInput()
    {
        using var x = Tensor.FromArray(Backend, new float[6], 2, 3);
        using var s = Tensor.FromArray(Backend, new float[4], 2, 2);
        var e = Assert.Throws<ArgumentException>(() => x.ScaleGradient(s));
        Assert.Contains("ScaleGradient", e.Message);
    }
}
