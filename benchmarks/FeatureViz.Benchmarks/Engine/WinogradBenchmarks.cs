using BenchmarkDotNet.Attributes;
using FeatureViz.Kernels.Cpu;
using FeatureViz.Tensors.Backends;

namespace FeatureViz.Benchmarks.Engine;

/// <summary>The 3 x 3 stride-1 convolution paths of the CPU backend, as selectable benchmark parameters.</summary>
public enum ConvPath
{
    /// <summary>im2col + packed SGEMM.</summary>
    Direct,

    /// <summary>Winograd F(4 x 4, 3 x 3).</summary>
    WinogradF4,

    /// <summary>Winograd F(6 x 6, 3 x 3).</summary>
    WinogradF6,

    /// <summary>The backend's per-shape choice.</summary>
    Auto,
}

/// <summary>
/// The ResNet18 3x3 stride-1 convolutions (pad 1, C in = C out) at 56, 28, 14 and 7, batch 1 and 4: direct vs
/// Winograd, forward and input gradient. <see cref="Flops"/> counts the direct convolution's FLOPs for every path,
/// so the GFLOP/s column is the "effective" rate and "% of peak" can exceed 100 % when fewer multiplications run.
/// PeakFma is measured in the same run, per parameter set.
/// </summary>
public class WinogradBenchmarks : FlopsBenchmark
{
    private CpuBackend _cpu = null!;
    private TensorStorage _x = null!, _w = null!;
    private Conv2dGeometry _g;

    /// <summary>Layer: channels@spatial size.</summary>
    [Params("64@56", "128@28", "256@14", "512@7")]
    public string Layer { get; set; } = "64@56";

    /// <summary>Images per call.</summary>
    [Params(1, 4)]
    public int Batch { get; set; } = 1;

    /// <summary>The convolution path (F6 and Auto are compared by <c>--winograd-quick</c>; add them here when needed).</summary>
    [Params(ConvPath.Direct, ConvPath.WinogradF4)]
    public ConvPath Path { get; set; } = ConvPath.Direct;

    private (int C, int HW) Dims => (int.Parse(Layer.Split('@')[0]), int.Parse(Layer.Split('@')[1]));

    [GlobalSetup]
    public void Setup()
    {
        var (c, hw) = Dims;
        _cpu = new CpuBackend(Threads)
        {
            Conv3x3 = Path switch
            {
                ConvPath.Direct => Conv3x3Algorithm.Direct,
                ConvPath.WinogradF4 => Conv3x3Algorithm.WinogradF4,
                ConvPath.WinogradF6 => Conv3x3Algorithm.WinogradF6,
                _ => Conv3x3Algorithm.Auto,
            },
        };
        var r = new Random(1);
        _x = _cpu.Upload(Enumerable.Range(0, Batch * c * hw * hw).Select(_ => (float)r.NextDouble() - 0.5f).ToArray());
        _w = _cpu.Upload(Enumerable.Range(0, c * c * 9).Select(_ => (float)r.NextDouble() - 0.5f).ToArray());
        _g = new Conv2dGeometry(N: Batch, C: c, H: hw, W: hw, O: c, KH: 3, KW: 3, OH: hw, OW: hw, StrideH: 1, StrideW: 1, PadTop: 1, PadLeft: 1, DilationH: 1, DilationW: 1, Groups: 1);
    }

    [Benchmark]
    public void Forward() => _cpu.Conv2d(_x, _w, null, _g).Dispose();

    [Benchmark]
    public void InputGradient() => _cpu.Conv2dBackwardInput(_x, _w, _g).Dispose();

    public override double Flops(string method)
    {
        var (c, hw) = Dims;
        return 2.0 * Batch * c * c * 9 * hw * hw;
    }
}
