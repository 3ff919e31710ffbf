using FeatureViz.Objectives;
using FeatureViz.Tensors;
using FeatureViz.TestSupport;

namespace FeatureViz.Tests.Library;

/// <summary>Per-image scores on fixed activations against the formulas computed here in float64.</summary>
public class ObjectiveScoreTests
{
    private readonly Models.VisualizationModel _m = TestModels.Shapes();

    private static Tensor T(float[] d, params int[] s) => Tensor.FromArray(TestModels.Backend, d, s);

    [Fact]
    public void Neuron_IsTheActivationAtTheFlatIndex()
    {
        var obj = Objective.Neuron(_m, "conv", [0, 13, 35]);
        using var c = obj.Compile();
        var a = Rand.Uniform(1, 3 * 36);
        var s = c.Evaluate(new Dictionary<string, Tensor> { ["conv"] = T(a, 3, 4, 3, 3) }).ToArray();
        Approx.Equal(new double[] { a[0], a[36 + 13], a[72 + 35] }, s);
    }

    [Fact]
    public void NeuronXY_IsChannelRowColumn()
    {
        var obj = Objective.Neuron(_m, "conv", channel: 2, x: 1, y: 0);
        using var c = obj.Compile();
        var a = Rand.Uniform(2, 36);
        var s = c.Evaluate(new Dictionary<string, Tensor> { ["conv"] = T(a, 1, 4, 3, 3) }).ToArray();
        Approx.Equal(new double[] { a[(2 * 3 + 0) * 3 + 1] }, s);
    }

    [Fact]
    public void Channel_IsTheChannelMeanOverSpace_NotDividedByC()
    {
        var obj = Objective.Channel(_m, "conv", [1, 3]);
        using var c = obj.Compile();
        var a = Rand.Uniform(3, 2 * 36);
        var s = c.Evaluate(new Dictionary<string, Tensor> { ["conv"] = T(a, 2, 4, 3, 3) }).ToArray();
        double m1 = 0, m3 = 0;
        for (int i = 0; i < 9; i++) { m1 += a[9 + i]; m3 += a[36 + 27 + i]; }
        Approx.Equal(new[] { m1 / 9, m3 / 9 }, s, 1e-5, 1e-6);
    }

    [Fact]
    public void Layer_MagnitudeIsMeanOfSquares_MeanIsMean()
    {
        var a = Rand.Uniform(4, 20);
        using var mag = Objective.Layer(_m, "features").Compile();
        using var mean = Objective.Layer(_m, "features", LayerReducer.Mean).Compile();
        var act = new Dictionary<string, Tensor> { ["features"] = T(a, 1, 5, 2, 2) };
        Approx.Equal(new[] { a.Average(x => (double)x * x) }, mag.Evaluate(act).ToArray());
        Approx.Equal(new[] { a.Average(x => (double)x) }, mean.Evaluate(act).ToArray(), 1e-5, 1e-6);
    }

    [Theory]
    [InlineData(2f)]
    [InlineData(0f)]
    [InlineData(1f)]
    public void Direction_DotTimesFlooredCosinePow_PerImage(float pow)
    {
        var v0 = Rand.Uniform(5, 36);
        var v1 = Rand.Uniform(6, 4); // per-channel vector, repeated over the 3 x 3 positions
        using var c = Objective.Direction(_m, "conv", [v0, v1], cossimPow: pow).Compile();
        var a = Rand.Uniform(7, 2 * 36);
        var s = c.Evaluate(new Dictionary<string, Tensor> { ["conv"] = T(a, 2, 4, 3, 3) }).ToArray();
        var full1 = Enumerable.Range(0, 36).Select(i => v1[i / 9]).ToArray();
        double Expected(int n, float[] v)
        {
            double dot = 0, na = 0, nv = 0;
            for (int i = 0; i < 36; i++) { dot += a[n * 36 + i] * v[i]; na += a[n * 36 + i] * (double)a[n * 36 + i]; nv += v[i] * (double)v[i]; }
            double cos = Math.Max(dot / Math.Sqrt(na) / Math.Sqrt(nv), 0.1);
            return dot * Math.Pow(cos, pow);
        }
        Approx.Equal(new[] { Expected(0, v0), Expected(1, full1) }, s, 1e-4, 1e-5);
    }

    [Fact]
    public void Difference_MinimisesTheSecondTerm_AndWeightsApplyToTheirOwnTerm()
    {
        var a = Objective.Neuron(_m, "logits", 2);
        var b = Objective.Neuron(_m, "logits", 5);
        var l = Rand.Uniform(8, 10);
        var act = new Dictionary<string, Tensor> { ["logits"] = T(l, 1, 10), ["features"] = T(Rand.Uniform(9, 20), 1, 5, 2, 2) };
        using (var c = (a - b).Compile())
            Approx.Equal(new double[] { l[2] - l[5] }, c.Evaluate(act).ToArray());
        // Xplique's doc example 1*l + 3*L - 5*c, evaluated term by term (Xplique's cumulative bug would give -15l -15L -5c).
        var layer = Objective.Layer(_m, "features", LayerReducer.Mean);
        using (var c = (a * 1f + layer * 3f - b * 5f).Compile())
        {
            double meanF = act["features"].ToArray().Average(x => (double)x);
            Approx.Equal(new[] { l[2] + 3 * meanF - 5.0 * l[5] }, c.Evaluate(act).ToArray(), 1e-5, 1e-5);
        }
    }

    [Fact]
    public void Combination_EachImageGetsItsOwnVariants()
    {
        var obj = Objective.Neuron(_m, "logits", [1, 4]) + Objective.Channel(_m, "features", [0, 2, 3]);
        using var c = obj.Compile();
        var l = Rand.Uniform(10, 60);
        var f = Rand.Uniform(11, 6 * 20);
        var s = c.Evaluate(new Dictionary<string, Tensor> { ["logits"] = T(l, 6, 10), ["features"] = T(f, 6, 5, 2, 2) }).ToArray();
        int[] ids = [1, 4], ch = [0, 2, 3];
        var expected = new double[6];
        for (int n = 0; n < 6; n++)
        {
            int i = n / 3, j = n % 3;
            double mean = 0;
            for (int p = 0; p < 4; p++) mean += f[n * 20 + ch[j] * 4 + p];
            expected[n] = l[n * 10 + ids[i]] + mean / 4;
        }
        Approx.Equal(expected, s, 1e-5, 1e-6);
    }

    [Fact]
    public void Evaluate_RejectsWrongActivationShape()
    {
        using var c = Objective.Channel(_m, "conv", 0).Compile();
        var e = Assert.Throws<ArgumentException>(() => c.Evaluate(new Dictionary<string, Tensor> { ["conv"] = T(new float[72], 2, 4, 3, 3) }));
        Assert.Contains("conv", e.Message);
    }
}
