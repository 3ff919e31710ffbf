using FeatureViz.Onnx.Graph;
using FeatureViz.Tensors;
using FeatureViz.TestSupport;
using Onnx;
using Xunit.Abstractions;

namespace FeatureViz.Onnx.Tests.Models;

/// <summary>The bundled ResNet18 (with preprocessing) against ONNX Runtime, layer by layer.</summary>
public abstract class ResNet18Tests<TBackend>(ITestOutputHelper output) : BackendSuite<TBackend> where TBackend : IBackendFactory
{
    private static readonly Lazy<OnnxModel> Model = new(() => OnnxModel.LoadResNet18(new OnnxLoadOptions { Backend = Backend }));

    internal static ModelProto MergedProto() => ResNet18Bundle.Merge(
        ModelProto.Parser.ParseFrom(File.ReadAllBytes(OnnxModel.BundledFile("ResNetPrepOnnx", "ResNetPreprocess.onnx"))),
        ModelProto.Parser.ParseFrom(File.ReadAllBytes(OnnxModel.BundledFile("ResNet18Onnx", "ResNet18.onnx"))));

    [Fact]
    public void DescribesInputsOutputsAndLayers()
    {
        var m = Model.Value;
        Assert.Equal("input", Assert.Single(m.Inputs).Name);
        Assert.Equal([-1, 3, 224, 224], m.Inputs[0].Shape);
        Assert.Equal(["features"], m.Outputs);
        var last = m.GetLayer(-1);
        Assert.Equal("features", last.OutputName);
        Assert.Equal([1, 512], last.Shape);
        Assert.Equal([1, 512, 1, 1], m.GetLayer("Pooling395").Shape);
        Assert.Equal("ReLU393_Output_0", m.GetLayer("ReLU393").OutputName);
        Assert.Equal([1, 64, 56, 56], m.GetLayer("Pooling255_Output_0").Shape);
        Assert.Equal(m.Layers.Count - 1, m.GetLayer(-1).Index);
        Assert.Equal("Preprocess/Split", m.GetLayer(0).NodeName);
        Assert.Equal("ReLU393_Output_0", m.GetLayer("relu393_OUTPUT_0").OutputName); // case is the last resort
        var ex = Assert.Throws<ArgumentException>(() => m.GetLayer("ReLU39"));
        Assert.Contains("ReLU393", ex.Message);
        output.WriteLine(string.Join("\n", m.Layers.Select(l => $"{l.Index} {l.NodeName} {l.OutputName} {l.OpType} [{string.Join(",", l.Shape)}]")));
    }

    [Fact]
    public void MatchesOnnxRuntimeOnEveryLayer()
    {
        var m = Model.Value;
        var data = Rand.Uniform(7, 3 * 224 * 224, 0f, 255f);
        var names = m.Layers.Select(l => l.OutputName).ToList();
        var ort = OrtOracle.Run(MergedProto(), "input", data, [1, 3, 224, 224], names);
        var ours = m.Run(new Dictionary<string, Tensor> { ["input"] = Tensor.FromArray(m.Backend, data, 1, 3, 224, 224) }, names);
        double worst = 0;
        foreach (var n in names)
        {
            var err = OrtOracle.RelativeMaxError(ours[n].ToArray(), ort[n]);
            worst = Math.Max(worst, err);
            Assert.True(err <= 1e-4, $"layer {n}: max|ours-ORT|/max|ORT| = {err:G3}");
        }
        output.WriteLine($"{names.Count} layers, worst relative error {worst:G3}");
    }

    [Fact]
    public void RunsOtherBatchSizesAndOnlyTheNeededSubgraph()
    {
        var m = Model.Value;
        var data = Rand.Uniform(3, 2 * 3 * 224 * 224, 0f, 255f);
        var x = Tensor.FromArray(m.Backend, data, 2, 3, 224, 224);
        var y = m.Run(new Dictionary<string, Tensor> { ["input"] = x }, ["Pooling255_Output_0", "features"]);
        Assert.Equal([2, 64, 56, 56], y["Pooling255_Output_0"].Shape.ToArray());
        Assert.Equal([2, 512], y["features"].Shape.ToArray());
        // The second image alone gives the same features (batch items are independent).
        var single = m.Run(Tensor.FromArray(m.Backend, data.AsSpan(3 * 224 * 224).ToArray(), 1, 3, 224, 224));
        var both = y["features"].ToArray();
        Approx.Equal(both.AsSpan(512).ToArray(), single.ToArray(), rtol: 1e-4, atol: 1e-4, what: "batch item 1");
    }
}
