namespace FeatureViz.Cli.Bench;

/// <summary>
/// Summary of repeated timings, in milliseconds: median, minimum, maximum, and the spread, the interquartile range
/// relative to the median (robust to the odd descheduled run on a shared machine).
/// </summary>
internal sealed record TimingStats(double MedianMs, double MinMs, double MaxMs, double SpreadPercent)
{
    /// <summary>The statistics of <paramref name="milliseconds"/> (at least one value).</summary>
    public static TimingStats Of(IReadOnlyList<double> milliseconds)
    {
        if (milliseconds.Count == 0) throw new ArgumentException("no timings.", nameof(milliseconds));
        var sorted = milliseconds.Order().ToArray();
        double median = Quantile(sorted, 0.5);
        double iqr = Quantile(sorted, 0.75) - Quantile(sorted, 0.25);
        return new TimingStats(median, sorted[0], sorted[^1], median > 0 ? 100 * iqr / median : 0);
    }

    /// <summary>These statistics divided by <paramref name="divisor"/> (per image of a batch); the spread is relative and stays.</summary>
    public TimingStats Per(int divisor) => new(MedianMs / divisor, MinMs / divisor, MaxMs / divisor, SpreadPercent);

    /// <summary>Linear interpolation between the closest ranks (the usual "type 7" quantile).</summary>
    private static double Quantile(double[] sorted, double q)
    {
        double pos = q * (sorted.Length - 1);
        int lo = (int)Math.Floor(pos);
        int hi = Math.Min(lo + 1, sorted.Length - 1);
        return sorted[lo] + (pos - lo) * (sorted[hi] - sorted[lo]);
    }
}
