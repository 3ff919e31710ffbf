using FeatureViz.Tensors;
using FeatureViz.TestSupport;

namespace FeatureViz.Tensors.Tests.Nn;

public abstract class NormTests<TBackend> : BackendSuite<TBackend> where TBackend : IBackendFactory
{
    private static int Prod(int[] s) => s.Aggregate(1, (a, b) => a * b);

    private static Tensor T(float[] d, params int[] s) => Tensor.FromArray(Backend, d, s);

    public static TheoryData<int[]> BatchNormShapes() => new() { new[] { 2, 3 }, new[] { 1, 5, 7 }, new[] { 2, 3, 5, 3 }, new[] { 1, 2, 3, 2, 3 } };

    [Theory]
    [MemberData(nameof(BatchNormShapes))]
    public void BatchNormMatchesFormula(int[] shape)
    {
        int c = shape[1], n = Prod(shape), inner = n / (shape[0] * c);
        var x = Rand.Uniform(1, n, -3, 3);
        var sc = Rand.Uniform(2, c);
        var b = Rand.Uniform(3, c);
        var m = Rand.Uniform(4, c);
        var v = Rand.Positive(5, c, 0.1f, 2f);
        var y = T(x, shape).BatchNorm(T(sc, c), T(b, c), T(m, c), T(v, c), 1e-3f).ToArray();
        var e = new double[n];
        for (int i = 0; i < n; i++)
        {
            int ch = i / inner % c;
            e[i] = (x[i] - (double)m[ch]) / Math.Sqrt(v[ch] + 1e-3) * sc[ch] + b[ch];
        }
        Approx.Equal(e, y, 1e-5, 1e-5, "BatchNorm");
    }

    [Fact]
    [ChecksGradientOf("BatchNorm")]
    public void BatchNormGradientAllInputs()
    {
        int[] s = [2, 3, 3, 5];
        GradCheck.Vjp(Backend, xs => xs[0].BatchNorm(xs[1], xs[2], xs[3], xs[4], 1e-2f),
            [Rand.Of(1, s), Rand.Of(2, 3), Rand.Of(3, 3), Rand.Of(4, 3), (Rand.Positive(5, 3), [3])]);
        GradCheck.Vjp(Backend, xs => xs[0].BatchNorm(xs[1], xs[2], xs[3], xs[4]),
            [Rand.Of(6, 3, 4), Rand.Of(7, 4), Rand.Of(8, 4), Rand.Of(9, 4), (Rand.Positive(10, 4), [4])], constant: [1, 2, 3, 4]);
    }

    [Fact]
    public void BatchNormRejectsBadShapes()
    {
        using var x = T(new float[24], 2, 3, 4);
        using var p3 = T(new float[3], 3);
        using var p4 = T(new float[4], 4);
        var ex = Assert.Throws<ArgumentException>(() => x.BatchNorm(p3, p3, p4, p3));
        Assert.Contains("BatchNorm", ex.Message);
        Assert.Contains("[4]", ex.Message);
        Assert.Contains("[2, 3, 4]", ex.Message);
        Assert.Equal("mean", ex.ParamName);
        using var v = T(new float[3], 3);
        Assert.Contains("rank", Assert.Throws<ArgumentException>(() => v.BatchNorm(p3, p3, p3, p3)).Message);
    }

    public static TheoryData<int[], int, bool> LayerNormCases() => new()
    {
        { new[] { 3, 5 }, -1, true }, { new[] { 3, 5 }, 0, true }, { new[] { 2, 3, 5 }, 1, false },
        { new[] { 2, 3, 5 }, -2, true }, { new[] { 2, 3, 4, 3 }, 2, true }, { new[] { 7 }, 0, true },
    };

    [Theory]
    [MemberData(nameof(LayerNormCases))]
    public void LayerNormMatchesFormula(int[] shape, int axis, bool affine)
    {
        int n = Prod(shape), a = axis < 0 ? axis + shape.Length : axis;
        int inner = Prod(shape[a..]);
        var x = Rand.Uniform(1, n, -2, 2);
        var sc = Rand.Uniform(2, inner);
        var b = Rand.Uniform(3, inner);
        var y = T(x, shape).LayerNorm(affine ? T(sc, shape[a..]) : null, affine ? T(b, shape[a..]) : null, axis, 1e-4f).ToArray();
        var e = new double[n];
        for (int o = 0; o < n / inner; o++)
        {
            double mean = 0, var = 0;
            for (int i = 0; i < inner; i++) mean += x[o * inner + i];
            mean /= inner;
            for (int i = 0; i < inner; i++) var += Math.Pow(x[o * inner + i] - mean, 2);
            var /= inner;
            for (int i = 0; i < inner; i++)
            {
                double z = (x[o * inner + i] - mean) / Math.Sqrt(var + 1e-4);
                e[o * inner + i] = affine ? z * sc[i] + b[i] : z;
            }
        }
        Approx.Equal(e, y, 1e-4, 1e-5, "LayerNorm");
    }

    [Fact]
    public void LayerNormScaleMayBroadcast()
    {
        var x = Rand.Uniform(1, 12, -2, 2);
        var y = T(x, 3, 4).LayerNorm(T([2f], 1), null).ToArray();
        var z = T(x, 3, 4).LayerNorm(null, null).ToArray();
        Approx.Equal(z.Select(v => 2f * v).ToArray(), y, 1e-6, 1e-6, "LayerNorm scale [1]");
    }

    [Fact]
    [ChecksGradientOf("LayerNorm")]
    public void LayerNormGradient()
    {
        GradCheck.Vjp(Backend, xs => xs[0].LayerNorm(xs[1], xs[2], -2), [Rand.Of(1, 2, 3, 5), Rand.Of(2, 3, 5), Rand.Of(3, 3, 5)]);
        GradCheck.Vjp(Backend, xs => xs[0].LayerNorm(null, null, 0), [Rand.Of(4, 3, 5)]);
    }

    [Fact]
    public void LayerNormRejectsBadScale()
    {
        using var x = T(new float[24], 2, 3, 4);
        using var s = T(new float[3], 3);
        var ex = Assert.Throws<ArgumentException>(() => x.LayerNorm(s, null, -1));
        Assert.Contains("LayerNorm", ex.Message);
        Assert.Contains("[3]", ex.Message);
        Assert.Equal("scale", ex.ParamName);
        Assert.Throws<ArgumentException>(() => x.LayerNorm(null, null, 3));
    }

    internal static double[] LrnReference(float[] x, int[] shape, int size, double alpha, double beta, double bias)
    {
        int c = shape[1], inner = Prod(shape) / (shape[0] * c);
        var e = new double[x.Length];
        for (int n = 0; n < shape[0]; n++)
            for (int ch = 0; ch < c; ch++)
                for (int p = 0; p < inner; p++)
                {
                    double sq = 0;
                    for (int k = ch - (int)Math.Floor((size - 1) / 2.0); k <= ch + (int)Math.Ceiling((size - 1) / 2.0); k++)
                        if (k >= 0 && k < c) sq += Math.Pow(x[(n * c + k) * inner + p], 2);
                    int i = (n * c + ch) * inner + p;
                    e[i] = x[i] / Math.Pow(bias + alpha / size * sq, beta);
                }
        return e;
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(5)]
    [InlineData(9)]
    public void LrnMatchesOnnxFormula(int size)
    {
        int[] shape = [2, 6, 3, 5];
        var x = Rand.Uniform(size, Prod(shape), -3, 3);
        var y = T(x, shape).Lrn(size, 0.3f, 0.75f, 1.5f).ToArray();
        Approx.Equal(LrnReference(x, shape, size, 0.3, 0.75, 1.5), y, 1e-5, 1e-6, $"Lrn size {size}");
        var y3 = T(x, 2, 6, 15).Lrn(size).ToArray();
        Approx.Equal(LrnReference(x, [2, 6, 15], size, 1e-4, 0.75, 1), y3, 1e-5, 1e-6, $"Lrn rank 3 size {size}");
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(5)]
    [ChecksGradientOf("Lrn")]
    public void LrnGradient(int size) =>
        GradCheck.Vjp(Backend, x => x.Lrn(size, 0.8f, 0.75f, 1.2f), Rand.Uniform(size, 2 * 5 * 3 * 3, -1.5f, 1.5f), [2, 5, 3, 3]);

    [Fact]
    public void LrnRejectsBadInput()
    {
        using var x = T(new float[4], 4);
        Assert.Contains("Lrn", Assert.Throws<ArgumentException>(() => x.Lrn(3)).Message);
        using var x4 = T(new float[8], 1, 2, 2, 2);
        var ex = Assert.Throws<ArgumentException>(() => x4.Lrn(0));
        Assert.Equal("size", ex.ParamName);
        Assert.Contains("[1, 2, 2, 2]", ex.Message);
    }
}
