using System.Globalization;

namespace FeatureViz.Cli.Render;

/// <summary>
/// What one batch of a run is estimated to hold in memory at its peak, in bytes: the model's activations kept for the
/// backward pass (with their gradients), the image-side tensors (parameter, optimizer moments, spectrum,
/// transformations and their gradients), the kept snapshots (<c>--save-every</c>), and a fixed overhead.
/// </summary>
internal sealed record MemoryEstimate(int Images, long Activations, long ImageTensors, long Snapshots, long Overhead)
{
    /// <summary>The estimated peak.</summary>
    public long Total => Activations + ImageTensors + Snapshots + Overhead;

    /// <summary>The bytes each image of the batch adds.</summary>
    public long PerImage => Images == 0 ? 0 : (Activations + ImageTensors + Snapshots) / Images;
}

/// <summary>Refuses, before any optimization starts, a run whose estimated peak memory exceeds the budget.</summary>
internal static class MemoryBudget
{
    /// <summary>The memory a run may use by default: what the GC may use in this process (physical memory or the container's limit).</summary>
    public static long Available() => GC.GetGCMemoryInfo().TotalAvailableMemoryBytes;

    /// <summary>
    /// Throws a <see cref="UsageException"/> (exit 2) when a batch of min(--batch, images) images cannot fit into
    /// <see cref="IRenderEngine.MemoryBudget"/>, with the estimate and the largest --batch that fits.
    /// </summary>
    public static MemoryEstimate Check(IRenderEngine engine, RenderSettings settings, int images)
    {
        int batch = Math.Max(1, Math.Min(settings.BatchSize, images));
        var estimate = engine.EstimateMemory(settings, batch);
        long budget = engine.MemoryBudget;
        if (estimate.Total <= budget) return estimate;
        long fits = estimate.PerImage == 0 ? 0 : (budget - estimate.Overhead) / estimate.PerImage;
        string suggestion = fits >= 1
            ? $"use --batch {Math.Min(fits, batch - 1)} or less, or a smaller --size"
            : "use a smaller --size (even one image of this size does not fit)";
        throw new UsageException(
            $"--batch {settings.BatchSize} --size {settings.Width}x{settings.Height}: the run needs about {Format(estimate.Total)} "
            + $"for a batch of {batch} image(s) (activations kept for the backward pass {Format(estimate.Activations)}, "
            + $"image tensors {Format(estimate.ImageTensors)}, snapshots {Format(estimate.Snapshots)}), but only {Format(budget)} is available; {suggestion}.");
    }

    /// <summary>Bytes in binary units: "1.5 GiB".</summary>
    public static string Format(long bytes)
    {
        string[] units = ["B", "KiB", "MiB", "GiB", "TiB", "PiB"];
        double v = bytes;
        int u = 0;
        while (Math.Abs(v) >= 1024 && u < units.Length - 1)
        {
            v /= 1024;
            u++;
        }
        return u == 0 ? $"{bytes} B" : v.ToString("0.0", CultureInfo.InvariantCulture) + " " + units[u];
    }
}
