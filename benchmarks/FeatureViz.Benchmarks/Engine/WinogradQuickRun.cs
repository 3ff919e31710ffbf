using System.Diagnostics;
using FeatureViz.Kernels.Cpu;
using FeatureViz.Tensors.Backends;

namespace FeatureViz.Benchmarks.Engine;

/// <summary>
/// <c>--winograd-quick</c>: the ResNet18 3x3 stride-1 convolutions, direct vs Winograd F(4,3) and F(6,3) and the backend's
/// per-shape choice (Auto), forward and input gradient, batch 1 and 4. The variants and the peak FMA loop run interleaved, round after round, so that the
/// load of a shared machine hits them alike; medians over the rounds are printed, in "effective" GFLOP/s (direct
/// convolution FLOPs / time) and as a multiple of the peak measured in the same rounds.
/// </summary>
public static class WinogradQuickRun
{
    public static void Run(int rounds = 7, int[]? batches = null)
    {
        int threads = FlopsBenchmark.Threads;
        Conv3x3Algorithm[] paths = [Conv3x3Algorithm.Direct, Conv3x3Algorithm.WinogradF4, Conv3x3Algorithm.WinogradF6, Conv3x3Algorithm.Auto];
        var backends = paths.Select(p => new CpuBackend(threads) { Conv3x3 = p }).ToArray();
        Console.WriteLine($"Winograd quick run: {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC, {threads} thread(s), medians of {rounds} interleaved rounds");
        Console.WriteLine($"{"conv",-22} {"peak",6} | {string.Join(" | ", paths.Select(p => $"{p,-10} ms  GF/s  xpeak"))} | F4/direct (wall, CPU time)");
        foreach (var batch in batches ?? [1, 4])
            foreach (var (ch, hw) in new[] { (64, 56), (128, 28), (256, 14), (512, 7) })
            {
                var r = new Random(1);
                var xv = Enumerable.Range(0, batch * ch * hw * hw).Select(_ => (float)r.NextDouble() - 0.5f).ToArray();
                var wv = Enumerable.Range(0, ch * ch * 9).Select(_ => (float)r.NextDouble() - 0.5f).ToArray();
                var g = new Conv2dGeometry(N: batch, C: ch, H: hw, W: hw, O: ch, KH: 3, KW: 3, OH: hw, OW: hw, StrideH: 1, StrideW: 1, PadTop: 1, PadLeft: 1, DilationH: 1, DilationW: 1, Groups: 1);
                double flops = 2.0 * batch * ch * ch * 9 * hw * hw;
                var inputs = backends.Select(b => (X: b.Upload(xv), W: b.Upload(wv))).ToArray();
                foreach (var backward in new[] { false, true })
                {
                    var bodies = backends.Select((b, i) => (Action)(backward
                        ? () => b.Conv2dBackwardInput(inputs[i].X, inputs[i].W, g).Dispose()
                        : () => b.Conv2d(inputs[i].X, inputs[i].W, null, g).Dispose())).ToArray();
                    int reps = Math.Max(2, (int)(0.1e9 / flops));
                    foreach (var body in bodies) { body(); body(); }
                    var times = new List<double>[bodies.Length];
                    var cpuTimes = new List<double>[bodies.Length];
                    for (int i = 0; i < bodies.Length; i++) { times[i] = []; cpuTimes[i] = []; }
                    var peaks = new List<double>();
                    for (int round = 0; round < rounds; round++)
                    {
                        peaks.Add(FlopsBenchmark.PeakFlops / Time(() => FlopsBenchmark.RunPeak(), 1).Wall);
                        for (int i = 0; i < bodies.Length; i++)
                        {
                            var (wall, cpu) = Time(bodies[i], reps);
                            times[i].Add(wall);
                            cpuTimes[i].Add(cpu);
                        }
                    }
                    double peak = Median(peaks);
                    var cells = times.Select(t => Median(t)).Select(t => $"{t * 1e3,10:F3} {flops / t / 1e9,5:F0} {flops / t / peak,6:F2}");
                    string auto = backends[^1].ChooseWinograd(g) is null ? "direct" : "F4";
                    Console.WriteLine($"{$"{ch}@{hw} b{batch} {(backward ? "dx" : "fwd")} [{auto}]",-22} {peak / 1e9,6:F0} | {string.Join(" | ", cells)} | {Median(times[0]) / Median(times[1]),6:F2} {Median(cpuTimes[0]) / Median(cpuTimes[1]),6:F2}");
                }
                foreach (var (x, w) in inputs) { x.Dispose(); w.Dispose(); }
            }
    }

    private static double Median(List<double> v)
    {
        var s = v.Order().ToArray();
        return s.Length % 2 == 1 ? s[s.Length / 2] : (s[s.Length / 2 - 1] + s[s.Length / 2]) / 2;
    }

    /// <summary>Seconds per call by wall clock and by process CPU time (which leaves out time the threads were descheduled).</summary>
    private static (double Wall, double Cpu) Time(Action body, int reps)
    {
        var proc = Process.GetCurrentProcess();
        proc.Refresh();
        var cpu0 = proc.TotalProcessorTime;
        var sw = Stopwatch.StartNew();
        for (int i = 0; i < reps; i++) body();
        double wall = sw.Elapsed.TotalSeconds / reps;
        proc.Refresh();
        return (wall, (proc.TotalProcessorTime - cpu0).TotalSeconds / reps);
    }
}
