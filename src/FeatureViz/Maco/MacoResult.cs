using FeatureViz.Rendering;

namespace FeatureViz.Maco;

/// <summary>The images of a MaCo run and their transparency maps.</summary>
public sealed class MacoResult
{
    private readonly float[] _transparency;

    internal MacoResult(OptimizationResult result, float[] transparency)
    {
        Result = result;
        _transparency = transparency;
    }

    /// <summary>The images, names, losses and objective values (as <see cref="FeatureVisualizer.Optimize"/> returns them).</summary>
    public OptimizationResult Result { get; }

    /// <summary>The final images [N, C, H, W].</summary>
    public ImageBatch Images => Result.Images;

    /// <summary>One name per image.</summary>
    public IReadOnlyList<string> Names => Result.Names;

    /// <summary>Number of images.</summary>
    public int Count => Result.Count;

    /// <summary>True when the run was cancelled (images and maps are those so far).</summary>
    public bool Cancelled => Result.Cancelled;

    /// <summary>
    /// Image <paramref name="index"/>'s transparency: the sum over steps of <c>|d loss / d image|</c>, [C, H, W]
    /// (the image's shape), non-negative.
    /// </summary>
    public ReadOnlySpan<float> Transparency(int index)
    {
        var b = Images;
        if ((uint)index >= (uint)b.Count) throw new ArgumentOutOfRangeException(nameof(index), $"MacoResult: image {index} of {b.Count}.");
        int size = b.Channels * b.Height * b.Width;
        return _transparency.AsSpan(index * size, size);
    }

    /// <summary>
    /// The displayed transparency of image <paramref name="index"/>, [H, W] in [0, 1], as Xplique's <c>plot_maco</c>
    /// computes its alpha: the channel mean, clipped at its <paramref name="percentile"/>-th percentile (linear
    /// interpolation, as numpy), divided by its maximum (all zeros when the map is zero).
    /// </summary>
    public float[] AlphaMap(int index, double percentile = 80)
    {
        if (!(percentile is >= 0 and <= 100)) throw new ArgumentOutOfRangeException(nameof(percentile), percentile, "MacoResult.AlphaMap: percentile must be in [0, 100].");
        var t = Transparency(index);
        var b = Images;
        int plane = b.Height * b.Width;
        var mean = new float[plane];
        for (int c = 0; c < b.Channels; c++)
            for (int i = 0; i < plane; i++) mean[i] += t[c * plane + i];
        for (int i = 0; i < plane; i++) mean[i] /= b.Channels;
        var sorted = (float[])mean.Clone();
        Array.Sort(sorted);
        double rank = percentile / 100 * (plane - 1);
        int lo = (int)Math.Floor(rank), hi = Math.Min(lo + 1, plane - 1);
        float clip = (float)(sorted[lo] + (sorted[hi] - sorted[lo]) * (rank - lo));
        float max = 0;
        for (int i = 0; i < plane; i++)
        {
            mean[i] = Math.Min(mean[i], clip);
            max = Math.Max(max, mean[i]);
        }
        if (max > 0) for (int i = 0; i < plane; i++) mean[i] /= max;
        return mean;
    }
}
