using FeatureViz.Models;
using FeatureViz.Objectives;
using FeatureViz.Tensors;
using FeatureViz.Tensors.Autograd;
using FeatureViz.TestSupport;

namespace FeatureViz.Tests.Library;

/// <summary>
/// Lucid's objectives on fixed activations against Lucid's formulas (lucid/optvis/objectives.py), written here
/// independently in float64 over NCHW arrays: a[n, c, y, x] = a[((n * C + c) * H + y) * W + x].
/// </summary>
public class LucidObjectiveTests
{
    private readonly VisualizationModel _m = TestModels.Shapes(); // mixed4_2: [N, 6, 4, 4]; conv: [N, 4, 3, 3]

    private static Tensor T(float[] d, params int[] s) => Tensor.FromArray(TestModels.Backend, d, s);

    private static float[] Eval(Objective o, string layer, float[] a, params int[] dims)
    {
        using var c = o.Compile();
        return c.Evaluate(new Dictionary<string, Tensor> { [layer] = T(a, dims) }).ToArray();
    }

    /// <summary>Lucid <c>_dot_cossim</c> at one position: dot * max(cos, 0.1)^pow, cos with eps 1e-4 in both denominators.</summary>
    private static double DotCossim(float[] a, int n, int y, int x, float[] v, int c, int h, int w, double pow)
    {
        double dot = 0, aa = 0, vv = 0;
        for (int k = 0; k < c; k++)
        {
            double ak = a[((n * c + k) * h + y) * w + x];
            dot += ak * v[k];
            aa += ak * ak;
            vv += (double)v[k] * v[k];
        }
        if (pow == 0) return dot;
        double cos = dot / (1e-4 + Math.Sqrt(aa)) / (1e-4 + Math.Sqrt(vv));
        return dot * Math.Pow(Math.Max(0.1, cos), pow);
    }

    [Theory]
    [InlineData(0f)]
    [InlineData(1f)]
    [InlineData(2f)]
    public void PerPositionDirection_IsLucidsMeanOverPositionsOfDotCossim(float pow)
    {
        var a = Rand.Uniform(21, 2 * 96);
        float[] v0 = Rand.Uniform(22, 6), v1 = Rand.Uniform(23, 6);
        var s = Eval(Objective.PerPositionDirection(_m, "mixed4_2", [v0, v1], cossimPow: pow), "mixed4_2", a, 2, 6, 4, 4);
        var expected = new double[2];
        for (int n = 0; n < 2; n++)
        {
            double sum = 0;
            for (int y = 0; y < 4; y++)
                for (int x = 0; x < 4; x++) sum += DotCossim(a, n, y, x, n == 0 ? v0 : v1, 6, 4, 4, pow);
            expected[n] = sum / 16;
        }
        Approx.Equal(expected, s, 1e-4, 1e-6);
    }

    [Fact]
    public void PerPositionDirection_DiffersFromTheTiledVectorDirection()
    {
        // A cosine at each position is not the cosine of the whole tensor with the tiled vector.
        var a = Rand.Uniform(24, 96);
        var v = Rand.Uniform(25, 6);
        var perPosition = Eval(Objective.PerPositionDirection(_m, "mixed4_2", v, cossimPow: 2f), "mixed4_2", a, 1, 6, 4, 4)[0];
        var tiled = Eval(Objective.Direction(_m, "mixed4_2", v, cossimPow: 2f), "mixed4_2", a, 1, 6, 4, 4)[0];
        double expected = 0;
        for (int y = 0; y < 4; y++)
            for (int x = 0; x < 4; x++) expected += DotCossim(a, 0, y, x, v, 6, 4, 4, 2) / 16;
        Assert.Equal(expected, perPosition, 1e-4);
        Assert.NotEqual(expected, tiled, 2);
    }

    [Theory]
    [InlineData(null, null, 0f)]
    [InlineData(1, 3, 0f)]
    [InlineData(null, null, 2f)]
    [InlineData(3, 0, 1f)]
    public void DirectionNeuron_IsLucidsDotCossimAtThePosition_CentreByDefault(int? x, int? y, float pow)
    {
        var a = Rand.Uniform(26, 3 * 96);
        var v = Enumerable.Range(0, 3).Select(i => Rand.Uniform(27 + i, 6)).ToArray();
        var s = Eval(Objective.DirectionNeuron(_m, "mixed4_2", v, x, y, cossimPow: pow), "mixed4_2", a, 3, 6, 4, 4);
        int px = x ?? 2, py = y ?? 2;
        Approx.Equal(Enumerable.Range(0, 3).Select(n => DotCossim(a, n, py, px, v[n], 6, 4, 4, pow)).ToArray(), s, 1e-4, 1e-6);
    }

    [Fact]
    public void NeuronAt_DefaultsToTheCentre()
    {
        var a = Rand.Uniform(28, 2 * 36);
        var o = Objective.NeuronAt(_m, "conv", [1, 3]); // 3 x 3: centre (1, 1)
        Assert.Equal(["Neuron#conv_1_1_1", "Neuron#conv_3_1_1"], o.Names);
        var s = Eval(o, "conv", a, 2, 4, 3, 3);
        Approx.Equal(new double[] { a[(1 * 3 + 1) * 3 + 1], a[((4 + 3) * 3 + 1) * 3 + 1] }, s);
        var e = Assert.Throws<ArgumentException>(() => Objective.NeuronAt(_m, "logits", 0));
        Assert.Contains("'logits'", e.Message);
        Assert.Contains("[1, 10]", e.Message);
        Assert.Contains("[N, C, H, W]", e.Message);
    }

    /// <summary>Lucid's diversity, batch total: sum_i sum_{j != i} &lt;G_i/|G_i|, G_j/|G_j|&gt; / N, per image its row.</summary>
    private static double[] Diversity(float[] a, int n, int c, int p)
    {
        var g = new double[n][];
        for (int i = 0; i < n; i++)
        {
            g[i] = new double[c * c];
            for (int k = 0; k < c; k++)
                for (int l = 0; l < c; l++)
                {
                    double s = 0;
                    for (int q = 0; q < p; q++) s += (double)a[(i * c + k) * p + q] * a[(i * c + l) * p + q];
                    g[i][k * c + l] = s;
                }
            double norm = Math.Sqrt(Math.Max(g[i].Sum(x => x * x), 1e-10));
            for (int k = 0; k < c * c; k++) g[i][k] /= norm;
        }
        var r = new double[n];
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++)
                if (j != i) r[i] += g[i].Zip(g[j], (x, y) => x * y).Sum() / n;
        return r;
    }

    [Fact]
    public void Diversity_IsLucidsGramCosineSimilarity_SplitPerImage()
    {
        var a = Rand.Uniform(29, 4 * 96, 0f, 1f);
        var o = Objective.Channel(_m, "mixed4_2", [0, 1, 2, 3]) * 0.0 + Objective.Diversity(_m, "mixed4_2");
        Assert.Equal(4, o.BatchSize);
        Approx.Equal(Diversity(a, 4, 6, 16), Eval(o, "mixed4_2", a, 4, 6, 4, 4), 1e-4, 1e-6);
    }

    [Fact]
    public void Diversity_GradientMatchesFiniteDifferencesOfTheFloat64Formula()
    {
        var a = Rand.Uniform(30, 3 * 36, 0f, 1f);
        using var scope = TensorScope.Begin();
        using var c = (Objective.Channel(_m, "conv", [0, 1, 2]) * 0.0 + Objective.Diversity(_m, "conv")).Compile();
        var t = T(a, 3, 4, 3, 3).RequireGrad();
        var g = Grad.Of(c.Evaluate(new Dictionary<string, Tensor> { ["conv"] = t }).Sum(), [t])[0].ToArray();
        var fd = new double[a.Length];
        var d = a.Select(x => (double)x).ToArray();
        for (int i = 0; i < a.Length; i++)
        {
            const double h = 1e-3;
            var plus = (float[])a.Clone();
            var minus = (float[])a.Clone();
            plus[i] = (float)(d[i] + h);
            minus[i] = (float)(d[i] - h);
            fd[i] = (Diversity(plus, 3, 4, 9).Sum() - Diversity(minus, 3, 4, 9).Sum()) / (plus[i] - (double)minus[i]);
        }
        Approx.Equal(fd, g, 2e-2, 2e-3);
    }

    [Theory]
    [InlineData(1, 2.0)]
    [InlineData(6, 2.0)]
    [InlineData(5, 3.0)]
    public void Alignment_IsMinusLucidsDecayedNeighbourDistance_SplitPerImage(int n, double decay)
    {
        var a = Rand.Uniform(31 + n, n * 36);
        var o = Objective.Channel(_m, "conv", Enumerable.Repeat(0, n)) * 0.0 + Objective.Alignment(_m, "conv", decay);
        var s = Eval(o, "conv", a, n, 4, 3, 3);
        var expected = new double[n];
        for (int d = 1; d <= 4; d++)
            for (int i = 0; i + d < n; i++)
            {
                double m = 0;
                for (int k = 0; k < 36; k++) m += Math.Pow((double)a[i * 36 + k] - a[(i + d) * 36 + k], 2);
                double penalty = m / 36 / Math.Pow(decay, d);
                expected[i] -= penalty / 2;
                expected[i + d] -= penalty / 2;
            }
        Approx.Equal(expected, s, 1e-4, 1e-6);
    }

    [Fact]
    public void ChannelInterpolate_WeightsTheTwoChannelMeansByTheStep()
    {
        var conv = Rand.Uniform(40, 5 * 36);
        var mixed = Rand.Uniform(41, 5 * 96);
        var o = Objective.ChannelInterpolate(_m, "conv", 1, "mixed4_2", 4, steps: 5);
        Assert.Equal(5, o.BatchSize);
        using var c = o.Compile();
        var s = c.Evaluate(new Dictionary<string, Tensor> { ["conv"] = T(conv, 5, 4, 3, 3), ["mixed4_2"] = T(mixed, 5, 6, 4, 4) }).ToArray();
        var expected = new double[5];
        for (int k = 0; k < 5; k++)
        {
            double w = k / 4.0, m1 = 0, m2 = 0;
            for (int q = 0; q < 9; q++) m1 += conv[(k * 4 + 1) * 9 + q] / 9.0;
            for (int q = 0; q < 16; q++) m2 += mixed[(k * 6 + 4) * 16 + q] / 16.0;
            expected[k] = (1 - w) * m1 + w * m2;
        }
        Approx.Equal(expected, s, 1e-5, 1e-6);
    }

    [Fact]
    public void ClassLogit_PicksTheLabelsIndex()
    {
        var labels = ClassLabels.Parse(["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", ""], "digits.txt");
        Assert.Equal(10, labels.Count);
        var logits = Rand.Uniform(42, 20);
        var o = Objective.ClassLogit(_m, ["seven", "Two"], labels, "logits");
        Assert.Equal(["Logit#seven", "Logit#two"], o.Names);
        Approx.Equal(new double[] { logits[7], logits[12] }, Eval(o, "logits", logits, 2, 10));
        var e = Assert.Throws<ArgumentException>(() => Objective.ClassLogit(_m, "ten", labels, "logits"));
        Assert.Contains("'ten'", e.Message);
        var wrong = Assert.Throws<ArgumentException>(() => Objective.ClassLogit(_m, "one", ClassLabels.Parse(["a", "one"]), "logits"));
        Assert.Contains("2 labels", wrong.Message);
    }

    [Fact]
    public void LabelsFile_DuplicatesAndMissingLabels_AreRejectedWithTheLineNumber()
    {
        string path = Path.Combine(Path.GetTempPath(), $"labels-{Guid.NewGuid():N}.txt");
        try
        {
            File.WriteAllLines(path, ["cat", "dog", "bird", "dog"]);
            var dup = Assert.Throws<FormatException>(() => ClassLabels.Load(path));
            Assert.Contains("line 4", dup.Message);
            Assert.Contains("line 2", dup.Message);
            Assert.Contains(path, dup.Message);
            File.WriteAllLines(path, ["cat", "", "bird"]);
            var missing = Assert.Throws<FormatException>(() => ClassLabels.Load(path));
            Assert.Contains("line 2", missing.Message);
            Assert.Contains("class 1", missing.Message);
        }
        finally { File.Delete(path); }
    }
}
