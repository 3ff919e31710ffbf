using FeatureViz.Tensors;
using FeatureViz.Tensors.Autograd;
using FeatureViz.Tensors.Backends;
using Xunit;

namespace FeatureViz.TestSupport;

/// <summary>
/// JAX-style check_vjp: for a random tangent t (one per input) and a random cotangent c, compares
/// &lt;t, vjp(c)&gt; from our reverse mode with &lt;jvp(t), c&gt; from float64 central differences of the float32 function.
/// Both sides run on the backend under test.
/// </summary>
public static class GradCheck
{
    /// <summary>
    /// Checks the VJP of <paramref name="f"/> at <paramref name="inputs"/> (host arrays with shapes, made into tensors
    /// on <paramref name="backend"/>). Every input is differentiated unless listed in <paramref name="constant"/>.
    /// </summary>
    public static void Vjp(IBackend backend, Func<Tensor[], Tensor> f, (float[] Data, int[] Shape)[] inputs, int seed = 1,
        double eps = 1e-3, double rtol = 2e-2, double atol = 1e-3, int[]? constant = null)
    {
        ArgumentNullException.ThrowIfNull(backend);
        var rng = new Random(seed);
        var diff = Enumerable.Range(0, inputs.Length).Where(i => constant is null || Array.IndexOf(constant, i) < 0).ToArray();
        var tangents = inputs.Select(x => x.Data.Select(_ => (float)(rng.NextDouble() * 2 - 1)).ToArray()).ToArray();

        // Reverse mode.
        double lhs;
        float[] c;
        int[] outShape;
        using (var scope = TensorScope.Begin())
        {
            var xs = inputs.Select((x, i) => Tensor.FromArray(backend, x.Data, x.Shape).RequireGrad(Array.IndexOf(diff, i) >= 0)).ToArray();
            var y = f(xs);
            outShape = y.Shape.ToArray();
            c = Enumerable.Range(0, y.Numel).Select(_ => (float)(rng.NextDouble() * 2 - 1)).ToArray();
            var ct = Tensor.FromArray(backend, c, outShape);
            var gs = Grad.Of(y, diff.Select(i => xs[i]).ToArray(), ct);
            lhs = 0;
            for (int k = 0; k < diff.Length; k++)
            {
                var g = gs[k].ToArray();
                Assert.Equal(inputs[diff[k]].Data.Length, g.Length);
                var t = tangents[diff[k]];
                for (int j = 0; j < g.Length; j++) lhs += (double)t[j] * g[j];
            }
        }

        // Central differences in float64 of the float32 function.
        double Eval(double h)
        {
            using var scope = TensorScope.Begin();
            using var ng = GradMode.NoGrad();
            var xs = inputs.Select((x, i) =>
            {
                var d = (float[])x.Data.Clone();
                if (Array.IndexOf(diff, i) >= 0)
                    for (int j = 0; j < d.Length; j++) d[j] = (float)(x.Data[j] + h * tangents[i][j]);
                return Tensor.FromArray(backend, d, x.Shape);
            }).ToArray();
            var y = f(xs).ToArray();
            double s = 0;
            for (int j = 0; j < y.Length; j++) s += (double)y[j] * c[j];
            return s;
        }
        double rhs = (Eval(eps) - Eval(-eps)) / (2 * eps);
        double err = Math.Abs(lhs - rhs);
        Assert.True(err <= atol + rtol * Math.Max(Math.Abs(lhs), Math.Abs(rhs)),
            $"VJP mismatch for output [{string.Join(", ", outShape)}]: <t, vjp(c)> = {lhs:G9}, finite difference <jvp(t), c> = {rhs:G9}, |diff| = {err:G3}.");
    }

    /// <summary>Single-input convenience overload.</summary>
    public static void Vjp(IBackend backend, Func<Tensor, Tensor> f, float[] data, int[] shape, int seed = 1, double eps = 1e-3, double rtol = 2e-2, double atol = 1e-3) =>
        Vjp(backend, xs => f(xs[0]), [(data, shape)], seed, eps, rtol, atol);
}

/// <summary>Marks a test as the gradient test of one or more ops (checked by the gradient-coverage guard).</summary>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = true)]
public sealed class ChecksGradientOfAttribute(params string[] ops) : Attribute
{
    /// <summary>Names of the <see cref="Tensor"/> methods whose gradient the test checks.</summary>
    public string[] Ops { get; } = ops;
}
