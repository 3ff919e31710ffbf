using System.Diagnostics;

namespace FeatureViz.GpuCheck;

/// <summary>
/// The run's wall-clock budget, shared out to sections by weight: a section gets its weight's part of what is left
/// when it starts (time a section leaves unused flows to the later ones).
/// </summary>
public sealed class Budget
{
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private double _weightLeft;

    /// <summary>Creates a budget of <paramref name="seconds"/> for sections whose weights sum to <paramref name="totalWeight"/>.</summary>
    public Budget(double seconds, double totalWeight)
    {
        Seconds = seconds;
        _weightLeft = totalWeight;
    }

    /// <summary>The whole budget.</summary>
    public double Seconds { get; }

    /// <summary>Seconds since the start.</summary>
    public double Elapsed => _clock.Elapsed.TotalSeconds;

    /// <summary>Seconds left of the whole budget.</summary>
    public double Remaining => Math.Max(0, Seconds - Elapsed);

    /// <summary>Starts a section of <paramref name="weight"/>: its deadline is now plus its share of what is left.</summary>
    public SectionClock StartSection(double weight)
    {
        double share = _weightLeft > 0 ? Remaining * Math.Min(1, weight / _weightLeft) : Remaining;
        _weightLeft = Math.Max(0, _weightLeft - weight);
        return new SectionClock(this, Elapsed, share);
    }
}

/// <summary>The time a section has: its allowance from <see cref="Budget.StartSection"/>.</summary>
public sealed class SectionClock(Budget budget, double start, double allowance)
{
    /// <summary>The section's allowance in seconds.</summary>
    public double Allowance => allowance;

    /// <summary>Seconds the section has used.</summary>
    public double Used => budget.Elapsed - start;

    /// <summary>Seconds left of the allowance (never more than the whole budget's remainder).</summary>
    public double Left => Math.Min(budget.Remaining, allowance - Used);

    /// <summary>True when <paramref name="seconds"/> more would still end inside the allowance.</summary>
    public bool Fits(double seconds) => seconds <= Left;
}
