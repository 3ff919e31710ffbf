using BenchmarkDotNet.Attributes;
using FeatureViz.Kernels.Cpu;
using FeatureViz.Tensors.Backends;

namespace FeatureViz.Benchmarks.Engine;

/// <summary>
/// The ResNet18 3x3 convolutions (batch 1, stride 1, pad 1, C in = C out) on the CPU backend: forward and gradient
/// with respect to the input (what a feature-visualization step runs; the weights are frozen). Results are
/// allocated per call, as in the engine.
/// </summary>
public class ConvBenchmarks : FlopsBenchmark
{
    private CpuBackend _cpu = null!;
    private TensorStorage _x = null!, _w = null!;
    private Conv2dGeometry _g;

    /// <summary>Layer: channels@spatial size.</summary>
    [Params("64@56", "128@28", "256@14", "512@7")]
    public string Layer { get; set; } = "64@56";

    private (int C, int HW) Dims => (int.Parse(Layer.Split('@')[0]), int.Parse(Layer.Split('@')[1]));

    [GlobalSetup]
    public void Setup()
    {
        var (c, hw) = Dims;
        _cpu = new CpuBackend(Threads);
        var r = new Random(1);
        _x = _cpu.Upload(Enumerable.Range(0, c * hw * hw).Select(_ => (float)r.NextDouble() - 0.5f).ToArray());
        _w = _cpu.Upload(Enumerable.Range(0, c * c * 9).Select(_ => (float)r.NextDouble() - 0.5f).ToArray());
        _g = new Conv2dGeometry(N: 1, C: c, H: hw, W: hw, O: c, KH: 3, KW: 3, OH: hw, OW: hw, StrideH: 1, StrideW: 1, PadTop: 1, PadLeft: 1, DilationH: 1, DilationW: 1, Groups: 1);
    }

    [Benchmark]
    public void Forward() => _cpu.Conv2d(_x, _w, null, _g).Dispose();

    [Benchmark]
    public void InputGradient() => _cpu.Conv2dBackwardInput(_x, _w, _g).Dispose();

    public override double Flops(string method)
    {
        var (c, hw) = Dims;
        return 2.0 * c * c * 9 * hw * hw;
    }
}
