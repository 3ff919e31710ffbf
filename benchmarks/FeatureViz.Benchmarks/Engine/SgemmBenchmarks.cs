using BenchmarkDotNet.Attributes;
using FeatureViz.Kernels.Cpu.Gemm;

namespace FeatureViz.Benchmarks.Engine;

/// <summary>The packed SGEMM kernel, C = A * B for square row-major matrices.</summary>
public unsafe class SgemmBenchmarks : FlopsBenchmark
{
    private float[] _a = [], _b = [], _c = [];

    [Params(256, 512, 1024, 2048)]
    public int N { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var r = new Random(1);
        _a = Enumerable.Range(0, N * N).Select(_ => (float)r.NextDouble() - 0.5f).ToArray();
        _b = Enumerable.Range(0, N * N).Select(_ => (float)r.NextDouble() - 0.5f).ToArray();
        _c = new float[N * N];
    }

    [Benchmark]
    public void Sgemm()
    {
        fixed (float* a = _a, b = _b, c = _c)
            Kernels.Cpu.Gemm.Sgemm.Multiply(N, N, N, 1f, a, N, false, b, N, false, c, N, false, Threads);
    }

    public override double Flops(string method) => 2.0 * N * N * N;
}
