using System.Runtime.Intrinsics;

namespace FeatureViz.Kernels.Cpu;

/// <summary>
/// The machine's measured floating-point peak: a register-only FMA loop (10 independent chains of the widest
/// accelerated vector, no memory traffic) on a given number of threads. On a shared machine the figure moves with
/// the load, so measure it in the same run as the figure it is compared with.
/// </summary>
public static class FmaPeak
{
    private const int Chains = 10;

    /// <summary>Floating-point operations per loop iteration and thread: 10 chains x lanes x 2 (320 with Vector512).</summary>
    public static int FlopsPerIteration => Chains * 2 * (Vector512.IsHardwareAccelerated ? Vector512<float>.Count : Vector256<float>.Count);

    /// <summary>Runs the loop for <paramref name="iterations"/> iterations on each of <paramref name="threads"/> threads; returns a sum that keeps the work alive.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="threads"/> or <paramref name="iterations"/> is below 1.</exception>
    public static float Run(int threads, long iterations)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(threads, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(iterations, 1L);
        var sums = new float[threads];
        Parallel.For(0, threads, new ParallelOptions { MaxDegreeOfParallelism = threads }, t => sums[t] = Loop(iterations));
        float total = 0;
        foreach (var s in sums) total += s;
        return total;
    }

    /// <summary>
    /// The peak in GFLOP/s on <paramref name="threads"/> threads: the best of <paramref name="repeats"/> timed runs of
    /// <paramref name="iterations"/> iterations per thread (after one untimed run that compiles and warms the loop).
    /// </summary>
    public static double MeasureGflops(int threads, long iterations = 4_000_000, int repeats = 3)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(repeats, 1);
        Run(threads, Math.Min(iterations, 100_000));
        double best = double.PositiveInfinity;
        for (int r = 0; r < repeats; r++)
        {
            long start = System.Diagnostics.Stopwatch.GetTimestamp();
            Run(threads, iterations);
            best = Math.Min(best, System.Diagnostics.Stopwatch.GetElapsedTime(start).TotalSeconds);
        }
        return (double)threads * iterations * FlopsPerIteration / best / 1e9;
    }

    private static float Loop(long iterations) =>
        Vector512.IsHardwareAccelerated ? Loop512(iterations) : Loop256(iterations);

    private static float Loop512(long iterations)
    {
        var x = Vector512.Create(1.0001f);
        var y = Vector512.Create(0.9999f);
        Vector512<float> a0 = default, a1 = default, a2 = default, a3 = default, a4 = default,
            a5 = default, a6 = default, a7 = default, a8 = default, a9 = default;
        for (long i = 0; i < iterations; i++)
        {
            a0 = Vector512.FusedMultiplyAdd(x, y, a0);
            a1 = Vector512.FusedMultiplyAdd(x, y, a1);
            a2 = Vector512.FusedMultiplyAdd(x, y, a2);
            a3 = Vector512.FusedMultiplyAdd(x, y, a3);
            a4 = Vector512.FusedMultiplyAdd(x, y, a4);
            a5 = Vector512.FusedMultiplyAdd(x, y, a5);
            a6 = Vector512.FusedMultiplyAdd(x, y, a6);
            a7 = Vector512.FusedMultiplyAdd(x, y, a7);
            a8 = Vector512.FusedMultiplyAdd(x, y, a8);
            a9 = Vector512.FusedMultiplyAdd(x, y, a9);
        }
        return Vector512.Sum(a0 + a1 + a2 + a3 + a4 + a5 + a6 + a7 + a8 + a9);
    }

    private static float Loop256(long iterations)
    {
        var x = Vector256.Create(1.0001f);
        var y = Vector256.Create(0.9999f);
        Vector256<float> a0 = default, a1 = default, a2 = default, a3 = default, a4 = default,
            a5 = default, a6 = default, a7 = default, a8 = default, a9 = default;
        for (long i = 0; i < iterations; i++)
        {
            a0 = Vector256.FusedMultiplyAdd(x, y, a0);
            a1 = Vector256.FusedMultiplyAdd(x, y, a1);
            a2 = Vector256.FusedMultiplyAdd(x, y, a2);
            a3 = Vector256.FusedMultiplyAdd(x, y, a3);
            a4 = Vector256.FusedMultiplyAdd(x, y, a4);
            a5 = Vector256.FusedMultiplyAdd(x, y, a5);
            a6 = Vector256.FusedMultiplyAdd(x, y, a6);
            a7 = Vector256.FusedMultiplyAdd(x, y, a7);
            a8 = Vector256.FusedMultiplyAdd(x, y, a8);
            a9 = Vector256.FusedMultiplyAdd(x, y, a9);
        }
        return Vector256.Sum(a0 + a1 + a2 + a3 + a4 + a5 + a6 + a7 + a8 + a9);
    }
}
