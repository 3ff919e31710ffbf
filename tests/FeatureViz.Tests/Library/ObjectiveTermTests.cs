using FeatureViz.Models;
using FeatureViz.Objectives;
using FeatureViz.Onnx;
using FeatureViz.Tensors;
using FeatureViz.Tensors.Autograd;
using FeatureViz.TestSupport;

namespace FeatureViz.Tests.Library;

/// <summary>
/// Objectives as composable terms (issue 11): user terms, objective x objective, constants, numeric multipliers,
/// Xplique's Direction argument order, IEnumerable indices, Deconstruct, and the first-step checks of user terms.
/// Expected values are computed here in float64 from the activations.
/// </summary>
public class ObjectiveTermTests
{
    private readonly VisualizationModel _m = TestModels.Shapes();

    private static Tensor T(float[] d, params int[] s) => Tensor.FromArray(TestModels.Backend, d, s);

    private static double ChannelMean(float[] a, int image, int channel, int c, int spatial)
    {
        double s = 0;
        for (int i = 0; i < spatial; i++) s += a[(image * c + channel) * spatial + i];
        return s / spatial;
    }

    [Fact]
    public void MultipliersOfAnyNumericType_ScaleTheScore()
    {
        var a = Rand.Uniform(1, 36);
        var act = new Dictionary<string, Tensor> { ["conv"] = T(a, 1, 4, 3, 3) };
        var ch = Objective.Channel(_m, "conv", 2);
        double m = ChannelMean(a, 0, 2, 4, 9);
        using (var c = (ch * 1.0).Compile()) Approx.Equal(new[] { m }, c.Evaluate(act).ToArray());
        using (var c = (0.25 * ch).Compile()) Approx.Equal(new[] { 0.25 * m }, c.Evaluate(act).ToArray());
        using (var c = (ch * 3).Compile()) Approx.Equal(new[] { 3 * m }, c.Evaluate(act).ToArray());
        using (var c = (ch / 2.0).Compile()) Approx.Equal(new[] { m / 2 }, c.Evaluate(act).ToArray());
        using (var c = Objective.Channel(_m, "conv", 2, multiplier: 1.5).Compile()) Approx.Equal(new[] { 1.5 * m }, c.Evaluate(act).ToArray());
    }

    [Fact]
    public void ObjectiveTimesObjective_IsThePerImageProduct_OverTheCartesianBatch()
    {
        var conv = Rand.Uniform(2, 6 * 36);
        var logits = Rand.Uniform(3, 6 * 10);
        var obj = 2.0 * Objective.Channel(_m, "conv", [0, 3]) * Objective.Neuron(_m, "logits", [1, 4, 7]);
        Assert.Equal(6, obj.BatchSize);
        Assert.Equal("Channel#conv_3 & Neuron#logits_4", obj.Names[4]);
        using var c = obj.Compile();
        var s = c.Evaluate(new Dictionary<string, Tensor> { ["conv"] = T(conv, 6, 4, 3, 3), ["logits"] = T(logits, 6, 10) }).ToArray();
        int[] ch = [0, 3], ne = [1, 4, 7];
        var expected = new double[6];
        for (int n = 0; n < 6; n++) expected[n] = 2 * ChannelMean(conv, n, ch[n / 3], 4, 9) * logits[n * 10 + ne[n % 3]];
        Approx.Equal(expected, s, 1e-5, 1e-6);
    }

    [Fact]
    public void ConstantsAddToEveryImage_AndScaleWithTheObjective()
    {
        var logits = Rand.Uniform(4, 20);
        var act = new Dictionary<string, Tensor> { ["logits"] = T(logits, 2, 10) };
        var n = Objective.Neuron(_m, "logits", [2, 5]);
        using (var c = (n + 3.0).Compile()) Approx.Equal(new[] { logits[2] + 3.0, logits[15] + 3.0 }, c.Evaluate(act).ToArray());
        using (var c = (1 - n).Compile()) Approx.Equal(new[] { 1.0 - logits[2], 1.0 - logits[15] }, c.Evaluate(act).ToArray());
        using (var c = ((n - 0.5) * 2).Compile()) Approx.Equal(new[] { 2 * (logits[2] - 0.5), 2 * (logits[15] - 0.5) }, c.Evaluate(act).ToArray());
        Assert.Equal(2, (n + 1).BatchSize);
    }

    [Fact]
    public void Direction_TakesXpliquesArgumentOrder_MultiplierThenCossimPow()
    {
        var v = Rand.Uniform(5, 36);
        var a = Rand.Uniform(6, 36);
        using var c = Objective.Direction(_m, "conv", v, 2f, 3f).Compile();
        var s = c.Evaluate(new Dictionary<string, Tensor> { ["conv"] = T(a, 1, 4, 3, 3) }).ToArray();
        double dot = 0, na = 0, nv = 0;
        for (int i = 0; i < 36; i++) { dot += (double)a[i] * v[i]; na += (double)a[i] * a[i]; nv += (double)v[i] * v[i]; }
        double cos = Math.Max(dot / Math.Sqrt(na) / Math.Sqrt(nv), 0.1);
        Approx.Equal(new[] { 2 * dot * Math.Pow(cos, 3) }, s, 1e-4, 1e-6);
    }

    [Fact]
    public void IndicesAcceptAnyEnumerable()
    {
        Assert.Equal(10, Objective.Neuron(_m, "logits", Enumerable.Range(0, 10)).BatchSize);
        Assert.Equal(4, Objective.Channel(_m, "conv", Enumerable.Range(0, 4)).BatchSize);
        Assert.Equal(["Channel#conv_1", "Channel#conv_3"], Objective.Channel(_m, "conv", new HashSet<int> { 1, 3 }).Names);
    }

    [Fact]
    public void CompiledObjective_Deconstructs()
    {
        using var compiled = (Objective.Channel(_m, "conv", [0, 1]) + Objective.Neuron(_m, "logits", [4, 5, 6])).Compile();
        var (names, inputShape) = compiled;
        Assert.Equal(6, names.Count);
        Assert.Equal([6, 3, 8, 8], inputShape);
        var (model, score, names2, shape2) = compiled;
        Assert.Same(_m, model);
        Assert.Equal(names, names2);
        Assert.Equal(inputShape, shape2);
        var logits = Rand.Uniform(7, 60);
        var conv = Rand.Uniform(8, 6 * 36);
        var s = score(new Dictionary<string, Tensor> { ["conv"] = T(conv, 6, 4, 3, 3), ["logits"] = T(logits, 6, 10) }).ToArray();
        Approx.Equal(new[] { ChannelMean(conv, 5, 1, 4, 9) + logits[56] }, s.AsSpan(5, 1), 1e-5, 1e-6);
    }

    [Fact]
    public void UserTerm_TopLeftQuadrantMean_MatchesFloat64_AndCombines()
    {
        var obj = Objective.FromFunction(_m, "mixed4_2", a => a.Slice([0, 3, 0, 0], [a.Shape[0], 4, 2, 2]).Mean([1, 2, 3]), "quadrant") * 2.0
                  + Objective.Channel(_m, "mixed4_2", [0, 5]);
        Assert.Equal(["quadrant & Channel#mixed4_2_0", "quadrant & Channel#mixed4_2_5"], obj.Names);
        var a = Rand.Uniform(9, 2 * 96);
        using var c = obj.Compile();
        var s = c.Evaluate(new Dictionary<string, Tensor> { ["mixed4_2"] = T(a, 2, 6, 4, 4) }).ToArray();
        var expected = new double[2];
        for (int n = 0; n < 2; n++)
        {
            double q = 0;
            for (int y = 0; y < 2; y++)
                for (int x = 0; x < 2; x++) q += a[((n * 6 + 3) * 4 + y) * 4 + x];
            expected[n] = 2 * q / 4 + ChannelMean(a, n, n == 0 ? 0 : 5, 6, 16);
        }
        Approx.Equal(expected, s, 1e-5, 1e-6);
    }

    [Fact]
    public void UserTerm_OfSeveralLayers_ReceivesThemInOrder()
    {
        var obj = Objective.FromFunction(_m, ["logits", "features"], a => a[0].Sum([1]).Mul(a[1].Mean([1, 2, 3])), "mix");
        var l = Rand.Uniform(10, 10);
        var f = Rand.Uniform(11, 20);
        using var c = obj.Compile();
        var s = c.Evaluate(new Dictionary<string, Tensor> { ["logits"] = T(l, 1, 10), ["features"] = T(f, 1, 5, 2, 2) }).ToArray();
        Approx.Equal(new[] { l.Sum(x => (double)x) * f.Average(x => (double)x) }, s, 1e-5, 1e-6);
    }

    [Fact]
    public void UserTerm_WrongShape_FailsNamingTheTerm()
    {
        using var c = Objective.FromFunction(_m, "conv", a => a.Mean([2, 3]), "my-term").Compile();
        var e = Assert.Throws<InvalidOperationException>(() => c.Evaluate(new Dictionary<string, Tensor> { ["conv"] = T(new float[36], 1, 4, 3, 3) }));
        Assert.Contains("'my-term'", e.Message);
        Assert.Contains("[1, 4]", e.Message);
    }

    [Fact]
    public void UserTerm_NaN_FailsNamingTheTerm()
    {
        using var c = Objective.FromFunction(_m, "conv", a => a.Mean([1, 2, 3]).Log(), "log-term").Compile();
        var a = new float[36];
        Array.Fill(a, -1f);
        var e = Assert.Throws<InvalidOperationException>(() => c.Evaluate(new Dictionary<string, Tensor> { ["conv"] = T(a, 1, 4, 3, 3) }));
        Assert.Contains("'log-term'", e.Message);
        Assert.Contains("NaN", e.Message);
    }

    [Fact]
    public void UserTerm_WithoutGradientPath_FailsNamingTheTerm()
    {
        using var scope = TensorScope.Begin();
        using var c = Objective.FromFunction(_m, "conv", a => T(a.ToArray(), a.Shape[0], 36).Mean([1]), "host-copy").Compile();
        var act = T(Rand.Uniform(12, 36), 1, 4, 3, 3).RequireGrad();
        var e = Assert.Throws<InvalidOperationException>(() => c.Evaluate(new Dictionary<string, Tensor> { ["conv"] = act }));
        Assert.Contains("'host-copy'", e.Message);
        Assert.Contains("no gradient path", e.Message);
    }

    [Fact]
    public void UserTerm_BadInput_FailsAtTheFirstOptimizationStep()
    {
        var model = TestModels.DotProduct(Rand.Uniform(13, 3 * 8 * 8), 3, 8, 8);
        var obj = Objective.FromFunction(model, "dot", a => a.Mean([0, 1]), "collapsed");
        var e = Assert.Throws<InvalidOperationException>(() => Rendering.FeatureVisualizer.Optimize(obj, new Rendering.OptimizationOptions { Steps = 3, CustomShape = null, Transformations = null, Seed = 1 }));
        Assert.Contains("'collapsed'", e.Message);
    }

    [Fact]
    public void LayerWhoseFirstAxisIsNotTheBatch_FailsWhenTheObjectiveIsBuilt()
    {
        var model = VisualizationModel.FromFunction(new ModelInput("x", [1, 1, 28, 28]),
            [new LayerInfo(0, "Parameter193_reshape1", "Parameter193_reshape1", "Reshape", [256, 10])],
            (_, _) => throw new InvalidOperationException("not runnable"), TestModels.Backend);
        var e = Assert.Throws<ArgumentException>(() => Objective.Neuron(model, 0, 3));
        Assert.Contains("'Parameter193_reshape1'", e.Message);
        Assert.Contains("[256, 10]", e.Message);
        Assert.Contains("[N, C, ...]", e.Message);
        Assert.Equal("layer", e.ParamName);
    }

    [Fact]
    public void LayerErrors_NameThePublicArgumentOnly()
    {
        var e = Assert.Throws<ArgumentException>(() => Objective.Channel(_m, "mixed4_3", 0));
        Assert.Equal("layer", e.ParamName);
        Assert.DoesNotContain("'name'", e.Message);
        Assert.Single(System.Text.RegularExpressions.Regex.Matches(e.Message, @"\(Parameter '"));
        var r = Assert.Throws<ArgumentOutOfRangeException>(() => Objective.Channel(_m, 9, 0));
        Assert.Equal("layer", r.ParamName);
        Assert.DoesNotContain("'index'", r.Message);
        var m = Assert.Throws<ArgumentOutOfRangeException>(() => Objective.Channel(_m, "conv", 0) * double.NaN);
        Assert.Equal("k", m.ParamName);
        var p = Assert.Throws<ArgumentOutOfRangeException>(() => Objective.Channel(_m, "conv", 0, multiplier: double.PositiveInfinity));
        Assert.Equal("multiplier", p.ParamName);
    }

    [SharedDataFact("data/models/mnist-8.onnx")]
    public void Mnist8_LayerTable_ListsOnlyTensorsComputedFromTheImage()
    {
        using var onnx = OnnxModel.Load(SharedData.PathOf("data", "models", "mnist-8.onnx"));
        Assert.DoesNotContain(onnx.Layers, l => l.OutputName.StartsWith("Parameter", StringComparison.Ordinal));
        Assert.All(onnx.Layers, l => Assert.Equal(1, l.Shape[0]));
        Assert.Equal("Convolution28_Output_0", onnx.GetLayer(0).OutputName);
        Assert.Equal("Plus214_Output_0", onnx.GetLayer(-1).OutputName);
        Assert.Equal(Enumerable.Range(0, onnx.Layers.Count), onnx.Layers.Select(l => l.Index));
    }

    [SharedDataFact("data/models/mnist-8.onnx")]
    public void DisposedModel_IsNamedByItsPublicType()
    {
        var onnx = OnnxModel.Load(SharedData.PathOf("data", "models", "mnist-8.onnx"));
        onnx.Dispose();
        var e = Assert.Throws<ObjectDisposedException>(() => onnx.Run(Tensor.Zeros(TestModels.Backend, 1, 1, 28, 28)));
        Assert.DoesNotContain("OnnxGraph", e.Message);
        Assert.Contains("OnnxModel", e.Message);
    }
}
