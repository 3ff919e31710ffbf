using System.Runtime.CompilerServices;
using FeatureViz.Kernels.Gpu.Elementwise;
using FeatureViz.Tensors.Backends;
using ILGPU;

namespace FeatureViz.Kernels.Gpu.Fft;

/// <summary>
/// The real 2-D FFTs of <see cref="IBackend.Rfft2"/> and <see cref="IBackend.Irfft2"/> on a <see cref="GpuAccelerator"/>,
/// with our own kernels: Stockham mixed radix 2, 3, 4, 5, 7, 8 and Bluestein for lengths with other prime factors.
/// Rows are full complex FFTs of the real rows, then the columns of the kept half spectrum; plans (tables and work
/// buffers) are cached per accelerator and geometry. Launches are asynchronous on the accelerator's stream.
/// </summary>
public static class GpuFft
{
    private static readonly ConditionalWeakTable<GpuAccelerator, PlanCache> Caches = new();

    /// <summary>
    /// y [Batch, H, W/2 + 1, 2] = the half spectrum of each image of x [Batch, H, W], each bin multiplied by
    /// <paramref name="scale"/>, interior columns also by <paramref name="interiorWeight"/>, and by
    /// <paramref name="binWeights"/> [H, W/2 + 1] when given (as <see cref="IBackend.Rfft2"/>).
    /// </summary>
    /// <exception cref="ArgumentException">A view's length does not match the geometry; the message names it.</exception>
    public static void Rfft2(GpuAccelerator gpu, ArrayView<float> x, ArrayView<float> y, Fft2Geometry geometry, float scale,
        float interiorWeight, ArrayView<float>? binWeights = null)
    {
        ArgumentNullException.ThrowIfNull(gpu);
        Check("Rfft2", geometry, ("x", x, (long)geometry.Batch * geometry.Height * geometry.Width),
            ("y", y, 2L * geometry.Batch * geometry.Height * geometry.HalfWidth));
        if (binWeights is { } bins) GpuElementwise.RequireLength("Rfft2", "binWeights", bins, (long)geometry.Height * geometry.HalfWidth);
        Plan(gpu, geometry).Forward(x, y.Cast<Complex32>(), binWeights, scale, interiorWeight);
    }

    /// <summary>
    /// x [Batch, H, W] = the unnormalised inverse of the half spectrum [Batch, H, W/2 + 1, 2] (numpy's irfft2 times
    /// H * W), the input bins weighted as in <see cref="Rfft2"/> (as <see cref="IBackend.Irfft2"/>).
    /// </summary>
    /// <exception cref="ArgumentException">A view's length does not match the geometry; the message names it.</exception>
    public static void Irfft2(GpuAccelerator gpu, ArrayView<float> spectrum, ArrayView<float> x, Fft2Geometry geometry, float scale,
        float interiorWeight, ArrayView<float>? binWeights = null)
    {
        ArgumentNullException.ThrowIfNull(gpu);
        Check("Irfft2", geometry, ("spectrum", spectrum, 2L * geometry.Batch * geometry.Height * geometry.HalfWidth),
            ("x", x, (long)geometry.Batch * geometry.Height * geometry.Width));
        if (binWeights is { } bins) GpuElementwise.RequireLength("Irfft2", "binWeights", bins, (long)geometry.Height * geometry.HalfWidth);
        Plan(gpu, geometry).Inverse(spectrum.Cast<Complex32>(), x, binWeights, scale, interiorWeight);
    }

    /// <summary>The plan of one FFT length on <paramref name="gpu"/> (cached).</summary>
    internal static FftPlan Plan(GpuAccelerator gpu, int length)
    {
        var cache = Caches.GetValue(gpu, _ => new PlanCache());
        lock (cache)
        {
            if (!cache.Lengths.TryGetValue(length, out var plan))
                cache.Lengths[length] = plan = FftPlan.Create(gpu, length);
            return plan;
        }
    }

    private static RealFft2Plan Plan(GpuAccelerator gpu, Fft2Geometry geometry)
    {
        var cache = Caches.GetValue(gpu, _ => new PlanCache());
        lock (cache)
        {
            if (cache.Geometries.TryGetValue(geometry, out var plan)) return plan;
        }
        var rows = Plan(gpu, geometry.Width);
        var columns = Plan(gpu, geometry.Height);
        lock (cache)
        {
            if (!cache.Geometries.TryGetValue(geometry, out var plan))
                cache.Geometries[geometry] = plan = new RealFft2Plan(gpu, geometry, rows, columns);
            return plan;
        }
    }

    private static void Check(string op, Fft2Geometry g, params (string Name, ArrayView<float> View, long Length)[] args)
    {
        if (g.Batch < 1 || g.Height < 1 || g.Width < 1)
            throw new ArgumentException($"{op}: geometry {g} must have positive batch, height and width.", nameof(g));
        foreach (var (name, view, length) in args) GpuElementwise.RequireLength(op, name, view, length);
    }

    private sealed class PlanCache
    {
        public Dictionary<int, FftPlan> Lengths { get; } = [];

        public Dictionary<Fft2Geometry, RealFft2Plan> Geometries { get; } = [];
    }
}
