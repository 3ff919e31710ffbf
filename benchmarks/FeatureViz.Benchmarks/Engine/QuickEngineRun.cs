using System.Diagnostics;
using FeatureViz.Kernels.Cpu;
using FeatureViz.Tensors.Backends;

namespace FeatureViz.Benchmarks.Engine;

/// <summary>
/// <c>--engine-quick</c>: a fast, load-tolerant companion to the BenchmarkDotNet runs. Each figure is measured right
/// between two runs of the peak FMA loop, by wall-clock time and by process CPU time (which leaves out the time
/// the threads were descheduled on a busy shared machine); both are printed as a fraction of the matching peak.
/// </summary>
public static unsafe class QuickEngineRun
{
    public static void Run()
    {
        int threads = FlopsBenchmark.Threads;
        var cpu = new CpuBackend(threads);
        Console.WriteLine($"FeatureViz engine quick run: {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC, {Environment.ProcessorCount} processors, {threads} thread(s), Vector512: {System.Runtime.Intrinsics.Vector512.IsHardwareAccelerated}");
        Console.WriteLine($"{"benchmark",-26} {"ms (wall)",10} {"GFLOP/s",8} {"% peak",7} {"% peak (CPU time)",18}");
        foreach (var n in new[] { 256, 512, 1024, 2048 })
        {
            var r = new Random(1);
            var a = Enumerable.Range(0, n * n).Select(_ => (float)r.NextDouble() - 0.5f).ToArray();
            var b = Enumerable.Range(0, n * n).Select(_ => (float)r.NextDouble() - 0.5f).ToArray();
            var c = new float[n * n];
            Measure($"Sgemm {n}", 2.0 * n * n * n, () =>
            {
                fixed (float* pa = a, pb = b, pc = c)
                    Kernels.Cpu.Gemm.Sgemm.Multiply(n, n, n, 1f, pa, n, false, pb, n, false, pc, n, false, threads);
            });
        }
        foreach (var (ch, hw) in new[] { (64, 56), (128, 28), (256, 14), (512, 7) })
        {
            var r = new Random(1);
            var x = cpu.Upload(Enumerable.Range(0, ch * hw * hw).Select(_ => (float)r.NextDouble() - 0.5f).ToArray());
            var w = cpu.Upload(Enumerable.Range(0, ch * ch * 9).Select(_ => (float)r.NextDouble() - 0.5f).ToArray());
            var g = new Conv2dGeometry(N: 1, C: ch, H: hw, W: hw, O: ch, KH: 3, KW: 3, OH: hw, OW: hw, StrideH: 1, StrideW: 1, PadTop: 1, PadLeft: 1, DilationH: 1, DilationW: 1, Groups: 1);
            double flops = 2.0 * ch * ch * 9 * hw * hw;
            Measure($"Conv3x3 {ch}@{hw} fwd", flops, () => cpu.Conv2d(x, w, null, g).Dispose());
            Measure($"Conv3x3 {ch}@{hw} dx", flops, () => cpu.Conv2dBackwardInput(x, w, g).Dispose());
        }
    }

    private static void Measure(string name, double flops, Action body)
    {
        body();
        var (wall, cpuTime) = Time(body, Math.Max(2, (int)(0.4e9 / flops)));
        var (pw1, pc1) = Time(() => FlopsBenchmark.RunPeak(), 1);
        var (pw2, pc2) = Time(() => FlopsBenchmark.RunPeak(), 1);
        double pWall = FlopsBenchmark.PeakFlops / Math.Min(pw1, pw2), pCpu = FlopsBenchmark.PeakFlops / Math.Min(pc1, pc2);
        double gWall = flops / wall, gCpu = flops / cpuTime;
        Console.WriteLine($"{name,-26} {wall * 1e3,10:F2} {gWall / 1e9,8:F1} {100 * gWall / pWall,6:F0}% {100 * gCpu / pCpu,17:F0}%   (peak {pWall / 1e9:F0} GFLOP/s wall)");
    }

    /// <summary>Best of five batches: seconds per call by wall clock and by process CPU time divided by the thread count.</summary>
    private static (double Wall, double Cpu) Time(Action body, int reps)
    {
        var proc = Process.GetCurrentProcess();
        double bestWall = double.MaxValue, bestCpu = double.MaxValue;
        for (int i = 0; i < 5; i++)
        {
            proc.Refresh();
            var c0 = proc.TotalProcessorTime;
            var sw = Stopwatch.StartNew();
            for (int k = 0; k < reps; k++) body();
            double wall = sw.Elapsed.TotalSeconds / reps;
            proc.Refresh();
            double cpu = (proc.TotalProcessorTime - c0).TotalSeconds / reps / FlopsBenchmark.Threads;
            bestWall = Math.Min(bestWall, wall);
            bestCpu = Math.Min(bestCpu, cpu);
        }
        return (bestWall, bestCpu);
    }
}
