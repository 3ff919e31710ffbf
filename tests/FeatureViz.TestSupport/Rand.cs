namespace FeatureViz.TestSupport;

/// <summary>Deterministic random test data.</summary>
public static class Rand
{
    /// <summary>Uniform values in [lo, hi).</summary>
    public static float[] Uniform(int seed, int n, float lo = -1f, float hi = 1f)
    {
        var r = new Random(seed);
        var a = new float[n];
        for (int i = 0; i < n; i++) a[i] = (float)(lo + (hi - lo) * r.NextDouble());
        return a;
    }

    /// <summary>Uniform values for a shape.</summary>
    public static (float[] Data, int[] Shape) Of(int seed, params int[] shape)
    {
        int n = 1;
        foreach (var d in shape) n *= d;
        return (Uniform(seed, n), shape);
    }

    /// <summary>Values whose magnitude stays away from 0 (for Log, Div, Sqrt...).</summary>
    public static float[] Positive(int seed, int n, float lo = 0.5f, float hi = 2f) => Uniform(seed, n, lo, hi);
}
