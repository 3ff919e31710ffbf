using BenchmarkDotNet.Attributes;
using FeatureViz.Kernels.Cpu;
using FeatureViz.Backends;
using FeatureViz.Onnx;
using FeatureViz.Onnx.Graph;
using FeatureViz.Tensors;
using FeatureViz.Tensors.Autograd;
using Google.Protobuf;
using Microsoft.ML.OnnxRuntime;
using DenseTensor = Microsoft.ML.OnnxRuntime.Tensors.DenseTensor<float>;
using Tensor = FeatureViz.Tensors.Tensor;
using Onnx;

namespace FeatureViz.Benchmarks;

/// <summary>
/// The bundled ResNet18 (preprocessing + trunk) forward at 224x224, batch 1: ours on 1 and all threads, against
/// ONNX Runtime's CPU provider with 1 and 2 intra-op threads on the same merged graph; plus our forward+backward
/// to the input (the feature-visualization step).
/// </summary>
[MemoryDiagnoser]
public class ResNet18Benchmarks
{
    private OnnxModel _ours = null!;
    private OnnxModel _ours1 = null!;
    private float[] _data = null!;
    private Tensor _input = null!;
    private Tensor _input1 = null!;
    private InferenceSession _ort1 = null!;
    private InferenceSession _ort2 = null!;
    private NamedOnnxValue[] _ortInputs = null!;
    private string _path = "";

    /// <summary>Conv + BatchNormalization + ReLU chains fused at load (<see cref="OnnxLoadOptions.FuseConvolutions"/>), or every node run as it is.</summary>
    [Params(true, false)]
    public bool Fused { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _ours = OnnxModel.LoadResNet18(new OnnxLoadOptions { Backend = FeatureVizBackends.Cpu(), FuseConvolutions = Fused });
        var single = new CpuBackend(threads: 1);
        _ours1 = OnnxModel.LoadResNet18(new OnnxLoadOptions { Backend = single, FuseConvolutions = Fused });
        var rng = new Random(1);
        _data = Enumerable.Range(0, 3 * 224 * 224).Select(_ => (float)(rng.NextDouble() * 255)).ToArray();
        _input = Tensor.FromArray(_ours.Backend, _data, 1, 3, 224, 224);
        _input1 = Tensor.FromArray(single, _data, 1, 3, 224, 224);

        var merged = ResNet18Bundle.Merge(
            ModelProto.Parser.ParseFrom(File.ReadAllBytes(OnnxModel.BundledFile("ResNetPrepOnnx", "ResNetPreprocess.onnx"))),
            ModelProto.Parser.ParseFrom(File.ReadAllBytes(OnnxModel.BundledFile("ResNet18Onnx", "ResNet18.onnx"))));
        _path = Path.Combine(Path.GetTempPath(), $"featureviz-resnet18-bench-{Environment.ProcessId}.onnx");
        File.WriteAllBytes(_path, merged.ToByteArray());
        _ort1 = new InferenceSession(_path, new SessionOptions { IntraOpNumThreads = 1, InterOpNumThreads = 1 });
        _ort2 = new InferenceSession(_path, new SessionOptions { IntraOpNumThreads = 2, InterOpNumThreads = 1 });
        _ortInputs = [NamedOnnxValue.CreateFromTensor("input", new DenseTensor(_data, [1, 3, 224, 224]))];
        // Warm the plan caches (shape folding happens once per input shape).
        Ours();
        OursOneThread();
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _ort1.Dispose();
        _ort2.Dispose();
        File.Delete(_path);
    }

    [Benchmark(Description = "FeatureViz forward, all threads")]
    public float Ours()
    {
        using var scope = TensorScope.Begin();
        using var ng = GradMode.NoGrad();
        return _ours.Run(_input).ToArray()[0];
    }

    [Benchmark(Description = "FeatureViz forward, 1 thread")]
    public float OursOneThread()
    {
        using var scope = TensorScope.Begin();
        using var ng = GradMode.NoGrad();
        return _ours1.Run(_input1).ToArray()[0];
    }

    [Benchmark(Description = "FeatureViz forward+backward to the input (layer ReLU393 mean), all threads")]
    public float OursForwardBackward()
    {
        using var scope = TensorScope.Begin();
        var x = Tensor.FromArray(_ours.Backend, _data, 1, 3, 224, 224).RequireGrad();
        var loss = _ours.Run(x, "ReLU393_Output_0").Mean();
        return Grad.Of(loss, [x])[0].ToArray()[0];
    }

    [Benchmark(Baseline = true, Description = "ONNX Runtime forward, 1 thread")]
    public float OrtOneThread()
    {
        using var r = _ort1.Run(_ortInputs);
        return r.First().AsTensor<float>()[0, 0];
    }

    [Benchmark(Description = "ONNX Runtime forward, 2 threads")]
    public float OrtTwoThreads()
    {
        using var r = _ort2.Run(_ortInputs);
        return r.First().AsTensor<float>()[0, 0];
    }
}
