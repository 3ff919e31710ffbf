using FeatureViz.Optimizers;
using FeatureViz.Tensors;
using FeatureViz.TestSupport;

namespace FeatureViz.Tests.Library;

/// <summary>Optimizer updates against the Keras update rules written here in float64.</summary>
public class OptimizerTests
{
    private static double[][] Grads(int steps, int n) => Enumerable.Range(0, steps).Select(s => Rand.Uniform(100 + s, n, -3f, 3f).Select(x => (double)x).ToArray()).ToArray();

    private static float[] Run(Optimizer o, float[] p0, double[][] grads)
    {
        var be = TestModels.Backend;
        var p = Tensor.FromArray(be, p0, p0.Length);
        using var state = o.CreateState(p);
        foreach (var g in grads)
        {
            using var scope = TensorScope.Begin();
            var gt = Tensor.FromArray(be, g.Select(x => (float)x).ToArray(), g.Length);
            var next = state.Update(p, gt);
            scope.Keep(next);
            p = next;
        }
        return p.ToArray();
    }

    [Fact]
    public void Adam_MatchesKerasRule()
    {
        var p0 = Rand.Uniform(1, 37);
        var grads = Grads(5, 37);
        double lr = 0.05, b1 = 0.9, b2 = 0.999, eps = 1e-7;
        var p = p0.Select(x => (double)x).ToArray();
        var m = new double[37];
        var v = new double[37];
        for (int t = 1; t <= grads.Length; t++)
        {
            double alpha = lr * Math.Sqrt(1 - Math.Pow(b2, t)) / (1 - Math.Pow(b1, t));
            for (int i = 0; i < 37; i++)
            {
                var g = grads[t - 1][i];
                m[i] += (g - m[i]) * (1 - b1);
                v[i] += (g * g - v[i]) * (1 - b2);
                p[i] -= alpha * m[i] / (Math.Sqrt(v[i]) + eps);
            }
        }
        Approx.Equal(p, Run(Optimizer.Adam(0.05f), p0, grads), 1e-5, 1e-6);
    }

    [Theory]
    [InlineData(0f, false)]
    [InlineData(0.9f, false)]
    [InlineData(0.9f, true)]
    public void Sgd_MatchesKerasRule(float momentum, bool nesterov)
    {
        var p0 = Rand.Uniform(2, 5);
        var grads = Grads(4, 5);
        double lr = 0.1;
        var p = p0.Select(x => (double)x).ToArray();
        var vel = new double[5];
        foreach (var g in grads)
            for (int i = 0; i < 5; i++)
            {
                vel[i] = momentum * vel[i] - lr * g[i];
                p[i] += nesterov ? momentum * vel[i] - lr * g[i] : vel[i];
            }
        Approx.Equal(p, Run(Optimizer.Sgd(0.1f, momentum, nesterov), p0, grads), 1e-5, 1e-6);
    }

    [Fact]
    public void NAdam_MatchesKerasRule()
    {
        var p0 = Rand.Uniform(3, 35);
        var grads = Grads(6, 35);
        double lr = 0.01, b1 = 0.9, b2 = 0.999, eps = 1e-7, u = 1;
        var p = p0.Select(x => (double)x).ToArray();
        var m = new double[35];
        var v = new double[35];
        for (int t = 1; t <= grads.Length; t++)
        {
            double bt = b1 * (1 - 0.5 * Math.Pow(0.96, 0.004 * t)), bt1 = b1 * (1 - 0.5 * Math.Pow(0.96, 0.004 * (t + 1)));
            double ut = u * bt, ut1 = ut * bt1;
            u = ut;
            for (int i = 0; i < 35; i++)
            {
                var g = grads[t - 1][i];
                m[i] += (g - m[i]) * (1 - b1);
                v[i] += (g * g - v[i]) * (1 - b2);
                double mh = bt1 * m[i] / (1 - ut1) + (1 - bt) * g / (1 - ut);
                double vh = v[i] / (1 - Math.Pow(b2, t));
                p[i] -= lr * mh / (Math.Sqrt(vh) + eps);
            }
        }
        Approx.Equal(p, Run(Optimizer.NAdam(0.01f), p0, grads), 1e-5, 1e-6);
    }

    [Fact]
    public void BadSettings_Throw()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => Optimizer.Adam(0f));
        Assert.Throws<ArgumentOutOfRangeException>(() => Optimizer.Adam(0.1f, beta1: 1f));
        Assert.Throws<ArgumentOutOfRangeException>(() => Optimizer.Sgd(-1f));
    }
}
