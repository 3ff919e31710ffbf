using Xunit;

namespace FeatureViz.TestSupport;

/// <summary>Array comparisons with informative failures.</summary>
public static class Approx
{
    /// <summary>Asserts |actual - expected| &lt;= atol + rtol * |expected| elementwise.</summary>
    public static void Equal(ReadOnlySpan<double> expected, ReadOnlySpan<float> actual, double rtol = 1e-5, double atol = 1e-6, string what = "")
    {
        Assert.True(expected.Length == actual.Length, $"{what}: length {actual.Length}, expected {expected.Length}.");
        for (int i = 0; i < expected.Length; i++)
        {
            double e = expected[i], a = actual[i];
            if (double.IsNaN(e) && double.IsNaN(a)) continue;
            if (double.IsInfinity(e) && e == a) continue;
            Assert.True(Math.Abs(a - e) <= atol + rtol * Math.Abs(e), $"{what}: element {i} is {a:G9}, expected {e:G9} (rtol {rtol}, atol {atol}).");
        }
    }

    /// <summary>Float overload.</summary>
    public static void Equal(ReadOnlySpan<float> expected, ReadOnlySpan<float> actual, double rtol = 1e-5, double atol = 1e-6, string what = "")
    {
        var e = new double[expected.Length];
        for (int i = 0; i < e.Length; i++) e[i] = expected[i];
        Equal(e, actual, rtol, atol, what);
    }
}
