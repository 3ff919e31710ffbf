using FeatureViz.Tensors;
using FeatureViz.TestSupport;

namespace FeatureViz.Tensors.Tests.Elementwise;

/// <summary>The fused optimizer update against its defining formulas evaluated in float64.</summary>
public abstract class MomentUpdateTests<TBackend> : BackendSuite<TBackend> where TBackend : IBackendFactory
{
    private const int N = 1037; // vector lanes and a scalar tail

    private static double[] D(float[] x) => x.Select(v => (double)v).ToArray();

    [Theory]
    [InlineData(false, 0.9f, 0.999f, 0.05f, 0f, 1f)]
    [InlineData(true, 0.9f, 0.999f, 0.05f, 0f, 1f)]
    [InlineData(true, 0.8f, 0.99f, 0.02f, 0.003f, 3.2f)]
    [InlineData(true, 0f, 0f, 1f, 1f, 1f)]
    public void MatchesFloat64Formula(bool withMoments, float b1, float b2, float ms, float gs, float vs)
    {
        var p = Rand.Uniform(1, N, -2f, 2f);
        var g = Rand.Uniform(2, N, -3f, 3f);
        var m = Rand.Uniform(3, N, -1f, 1f);
        var v = Rand.Positive(4, N);
        var rule = new MomentUpdateRule(b1, b2, ms, gs, vs, 1e-7f);
        var be = Backend;
        using var pt = Tensor.FromArray(be, p, N);
        using var gt = Tensor.FromArray(be, g, N);
        using var mt = Tensor.FromArray(be, m, N);
        using var vt = Tensor.FromArray(be, v, N);
        var (p2, m2, v2) = Tensor.MomentUpdate(pt, gt, withMoments ? mt : null, withMoments ? vt : null, rule);
        var em = new double[N];
        var ev = new double[N];
        var ep = new double[N];
        for (int i = 0; i < N; i++)
        {
            double m0 = withMoments ? m[i] : 0, v0 = withMoments ? v[i] : 0;
            em[i] = b1 * m0 + (1 - (double)b1) * g[i];
            ev[i] = b2 * v0 + (1 - (double)b2) * g[i] * g[i];
            ep[i] = p[i] - (ms * em[i] + gs * g[i]) / (vs * Math.Sqrt(ev[i]) + 1e-7);
        }
        Approx.Equal(em, m2.ToArray(), 1e-6, 1e-7, "m");
        Approx.Equal(ev, v2.ToArray(), 1e-6, 1e-7, "v");
        Approx.Equal(ep, p2.ToArray(), 1e-5, 1e-6, "parameter");
        Assert.Equal(p, pt.ToArray());
        Assert.Equal(m, mt.ToArray());
        Assert.False(p2.RequiresGrad);
        p2.Dispose();
        m2.Dispose();
        v2.Dispose();
    }

    [Fact]
    public void RejectsMismatchedShapesAndBadCoefficients()
    {
        var be = Backend;
        using var p = Tensor.Zeros(be, 4, 3);
        using var g = Tensor.Zeros(be, 12);
        using var ok = Tensor.Zeros(be, 4, 3);
        var rule = new MomentUpdateRule(0.9f, 0.999f, 0.1f, 0f, 1f, 1e-7f);
        var e = Assert.Throws<ArgumentException>(() => Tensor.MomentUpdate(p, g, null, null, rule));
        Assert.Contains("MomentUpdate", e.Message);
        Assert.Contains("[12]", e.Message);
        Assert.Throws<ArgumentException>(() => Tensor.MomentUpdate(p, ok, ok, g, rule));
        Assert.Contains("both moments", Assert.Throws<ArgumentException>(() => Tensor.MomentUpdate(p, ok, ok, null, rule)).Message);
        Assert.Throws<ArgumentException>(() => Tensor.MomentUpdate(p, ok, null, ok, rule));
        Assert.Throws<ArgumentException>(() => Tensor.MomentUpdate(p, ok, null, null, rule with { Beta1 = 1f }));
        Assert.Throws<ArgumentException>(() => Tensor.MomentUpdate(p, ok, null, null, rule with { Epsilon = 0f }));
        Assert.Throws<ArgumentException>(() => Tensor.MomentUpdate(p, ok, null, null, rule with { MomentScale = float.NaN }));
    }
}
