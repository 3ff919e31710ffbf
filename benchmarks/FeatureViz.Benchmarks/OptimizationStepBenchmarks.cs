using BenchmarkDotNet.Attributes;
using FeatureViz.Models;
using FeatureViz.Objectives;
using FeatureViz.Backends;
using FeatureViz.Onnx;
using FeatureViz.Rendering;
using FeatureViz.Tensors;
using FeatureViz.Tensors.Autograd;
using FeatureViz.Tensors.Backends;

namespace FeatureViz.Benchmarks;

/// <summary>
/// One full feature-visualization step on the bundled ResNet18 (Fourier parametrization, standard transformations,
/// resize to 224, model to its last layer, channel objective, backward, Adam) against the model's forward+backward
/// alone on a 224 input of the same batch. The difference is the time spent outside the model (target: at most 10%
/// of the step).
/// </summary>
[MemoryDiagnoser]
public class OptimizationStepBenchmarks
{
    private OnnxModel? _onnx;
    private OptimizationSession? _session;
    private CompiledObjective? _compiled;
    private Tensor? _input;
    private Tensor? _cotangent;

    /// <summary>Optimized image side (the model input stays 224).</summary>
    [Params(224, 512)]
    public int Size { get; set; }

    /// <summary>Images per step.</summary>
    [Params(1, 8)]
    public int Batch { get; set; }

    /// <summary>Loads the model and prepares a session and a fixed model input.</summary>
    [GlobalSetup]
    public void Setup()
    {
        _onnx = OnnxModel.LoadResNet18(new OnnxLoadOptions { Backend = FeatureVizBackends.Cpu() });
        VisualizationModel model = _onnx;
        var objective = Objective.Channel(model, -1, Enumerable.Range(0, Batch).ToArray());
        _session = new OptimizationSession(objective, new OptimizationOptions
        {
            CustomShape = new ImageSize(Size, Size),
            ValuesRange = new ValueRange(0, 255),
            Seed = 0,
        });
        _compiled = objective.Compile();
        var rng = new Random(1);
        var data = new float[Batch * 3 * 224 * 224];
        for (int i = 0; i < data.Length; i++) data[i] = (float)(rng.NextDouble() * 255);
        _input = Tensor.FromArray(model.Backend, data, Batch, 3, 224, 224).RequireGrad();
        _cotangent = Tensor.FromArray(model.Backend, data.Select(v => v / 255f - 0.5f).ToArray(), Batch, 3, 224, 224);
    }

    /// <summary>
    /// A whole optimization step, as the optimization loop runs it: the loss stays on the device and is read every
    /// 8 steps; <see cref="IBackend.Synchronize"/> makes the measured time include the step's queued work.
    /// </summary>
    [Benchmark(Baseline = true)]
    public void FullStep()
    {
        _session!.Step(warmup: false);
        if (_session.PendingLosses >= 8) _session.ReadLosses();
        _onnx!.Backend.Synchronize();
    }

    /// <summary>Only the model's forward to the last layer, the objective and the backward to the input.</summary>
    [Benchmark]
    public float ModelForwardBackward()
    {
        using var scope = TensorScope.Begin();
        var acts = _compiled!.Model.Run(_input!, _compiled.OutputNames);
        var loss = _compiled.Evaluate(acts).Sum().Neg();
        var g = Grad.Of(loss, [_input!])[0];
        return loss.Item() + g.Numel;
    }

    /// <summary>
    /// The step without the model: render, transforms, resize, backward from a fixed model-input gradient, optimizer
    /// update. Measured directly, since the difference of two noisy means is not.
    /// </summary>
    [Benchmark]
    public void OutsideModel()
    {
        _session!.StepWithoutModel(_cotangent!);
        _onnx!.Backend.Synchronize();
    }

    /// <summary>Frees everything.</summary>
    [GlobalCleanup]
    public void Cleanup()
    {
        _session?.Dispose();
        _compiled?.Dispose();
        _input?.Dispose();
        _cotangent?.Dispose();
        _onnx?.Dispose();
    }
}
