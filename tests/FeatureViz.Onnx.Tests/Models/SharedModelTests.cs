using FeatureViz.Kernels.Cpu;
using FeatureViz.Onnx.Graph;
using FeatureViz.Tensors;
using FeatureViz.TestSupport;
using Onnx;
using Xunit.Abstractions;

namespace FeatureViz.Onnx.Tests.Models;

/// <summary>Real model files from ../shared/data/models: mnist-8 against ONNX Runtime, light_* against stored outputs.</summary>
public abstract class SharedModelTests<TBackend>(ITestOutputHelper output) : BackendSuite<TBackend> where TBackend : IBackendFactory
{
    internal static string ModelPath(string file) => SharedData.PathOf("data", "models", file);

    [SharedDataFact("data/models/mnist-8.onnx")]
    public void Mnist8MatchesOnnxRuntimeOnEveryLayer()
    {
        using var m = OnnxModel.Load(ModelPath("mnist-8.onnx"), new OnnxLoadOptions { Backend = Backend });
        var input = Assert.Single(m.Inputs);
        Assert.Equal([1, 1, 28, 28], input.Shape);
        var data = Rand.Uniform(5, 28 * 28, 0f, 255f);
        var names = m.Layers.Select(l => l.OutputName).ToList();
        var ort = OrtOracle.Run(ModelProto.Parser.ParseFrom(File.ReadAllBytes(ModelPath("mnist-8.onnx"))), input.Name, data, [1, 1, 28, 28], names);
        var ours = m.Run(new Dictionary<string, Tensor> { [input.Name] = Tensor.FromArray(m.Backend, data, 1, 1, 28, 28) }, names);
        foreach (var n in names)
        {
            var err = OrtOracle.RelativeMaxError(ours[n].ToArray(), ort[n]);
            output.WriteLine($"{n}: {err:G3}");
            Assert.True(err <= 1e-4, $"layer {n}: max|ours-ORT|/max|ORT| = {err:G3}");
        }
    }

    public static IEnumerable<object[]> LightModels() =>
        new[] { "bvlc_alexnet", "densenet121", "inception_v1", "inception_v2", "resnet50", "shufflenet", "squeezenet", "vgg19", "zfnet512" }
            .Select(n => new object[] { n });

    [SharedDataTheory("data/models")]
    [MemberData(nameof(LightModels))]
    public void LightModelMatchesStoredOutput(string name)
    {
        var path = ModelPath($"light_{name}.onnx");
        using var m = OnnxModel.Load(path, new OnnxLoadOptions { Backend = Backend });
        var input = Assert.Single(m.Inputs);
        var dims = input.Shape.Select(d => d < 0 ? 1 : d).ToArray();
        int n = dims.Aggregate(1, (p, q) => p * q);
        var data = new float[n];
        for (int i = 0; i < n; i++) data[i] = (float)i / n;
        var expectedProto = TensorProto.Parser.ParseFrom(File.ReadAllBytes(ModelPath($"light_{name}_output_0.pb")));
        var expected = ((TensorValue)TensorProtoReader.Read(expectedProto, CpuBackend.Default, null, 1L << 28, "expected")).Tensor;
        var y = m.Run(Tensor.FromArray(m.Backend, data, dims));
        Assert.Equal(expected.Shape, y.Shape);
        var err = OrtOracle.RelativeMaxError(y.ToArray(), expected.ToArray());
        output.WriteLine($"light_{name}: output {y.Shape}, max|ours-ref|/max|ref| = {err:G3}");
        Assert.True(err <= 1e-4, $"light_{name}: max|ours-ref|/max|ref| = {err:G3}");
    }
}
