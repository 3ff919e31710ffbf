using System.Diagnostics;
using FeatureViz.Tensors.Backends;

namespace FeatureViz.GpuCheck;

/// <summary>
/// Times one repetition of a workload the way torch_baseline.py does: the device is synchronized before the clock
/// starts and before it stops, so the span holds all the queued work. One warm-up repetition (kernel compilation,
/// allocator warm-up) is not counted; the number of timed repetitions shrinks to what the section's time allows.
/// </summary>
public static class Stopwatches
{
    /// <summary>
    /// Runs <paramref name="work"/> once to warm up (unless <paramref name="warmUp"/> is false), then up to <paramref name="maxReps"/> times (at least
    /// <paramref name="minReps"/> when the first timed run fits), and returns the timing, or null with the reason
    /// when even one timed repetition would not fit in <paramref name="timeLeft"/> seconds.
    /// </summary>
    public static (Timing? Timing, string? Skipped) Measure(IBackend backend, string key, string section, string description,
        Action work, Func<double> timeLeft, int maxReps, int minReps = 3, double flops = 0, bool warmUp = true)
    {
        var sw = Stopwatch.StartNew();
        double warm = 0;
        if (warmUp)
        {
            backend.Synchronize();
            work();
            backend.Synchronize();
            warm = sw.Elapsed.TotalSeconds;
        }
        if (timeLeft() < warm)
            return (null, $"the warm-up took {warm:0.###} s and {timeLeft():0.###} s are left");
        var times = new List<double>();
        while (times.Count < maxReps)
        {
            double last = times.Count == 0 ? warm : times[^1] / 1000;
            if (times.Count >= minReps && timeLeft() < last * 1.5) break;
            if (times.Count > 0 && timeLeft() < last) break;
            backend.Synchronize();
            sw.Restart();
            work();
            backend.Synchronize();
            times.Add(sw.Elapsed.TotalMilliseconds);
        }
        if (times.Count == 0) return (null, "no repetition fitted after the warm-up");
        times.Sort();
        double median = times.Count % 2 == 1 ? times[times.Count / 2] : (times[times.Count / 2 - 1] + times[times.Count / 2]) / 2;
        return (new Timing(key, section, description, median, times[0], times.Count, flops), null);
    }
}
