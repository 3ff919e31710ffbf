namespace FeatureViz.Maco;

/// <summary>
/// A value per optimization step (MaCo's box size and noise intensity): constant, a linear or logarithmic ramp over
/// the run (Xplique's <c>linspace</c> / <c>logspace</c>), or any function of (step, total steps).
/// </summary>
public sealed class MacoSchedule
{
    private readonly Func<int, int, double> _value;
    private readonly string _text;

    private MacoSchedule(Func<int, int, double> value, string text)
    {
        _value = value;
        _text = text;
    }

    /// <summary>The same value at every step.</summary>
    public static MacoSchedule Constant(double value) => new((_, _) => value, $"constant {value}");

    /// <summary><c>linspace(from, to, steps)[step]</c>: <paramref name="from"/> at the first step, <paramref name="to"/> at the last.</summary>
    public static MacoSchedule Linear(double from, double to) =>
        new((step, total) => total <= 1 ? from : from + (to - from) * step / (total - 1), $"linear {from} -> {to}");

    /// <summary><c>logspace(fromExponent, toExponent, steps)[step]</c> (base 10), as Xplique's noise schedule <c>logspace(0, -4)</c>.</summary>
    public static MacoSchedule LogSpace(double fromExponent, double toExponent) =>
        new((step, total) => Math.Pow(10, total <= 1 ? fromExponent : fromExponent + (toExponent - fromExponent) * step / (total - 1)),
            $"logspace 1e{fromExponent} -> 1e{toExponent}");

    /// <summary>Any function of the 0-based step and the number of steps.</summary>
    public static MacoSchedule Custom(Func<int, int, double> value, string description = "custom")
    {
        ArgumentNullException.ThrowIfNull(value);
        return new(value, description);
    }

    /// <summary>The value at 0-based <paramref name="step"/> of <paramref name="totalSteps"/>.</summary>
    public double At(int step, int totalSteps) => _value(step, totalSteps);

    /// <inheritdoc/>
    public override string ToString() => _text;
}
