namespace FeatureViz.Tensors.Tests.Movement;

/// <summary>Plain row-major index arithmetic for the naive references.</summary>
internal static class Nd
{
    public static int Numel(int[] shape) => shape.Aggregate(1, (a, b) => a * b);

    public static int[] Unravel(int flat, int[] shape)
    {
        var idx = new int[shape.Length];
        for (int i = shape.Length - 1; i >= 0; i--)
        {
            idx[i] = flat % shape[i];
            flat /= shape[i];
        }
        return idx;
    }

    public static int Ravel(int[] idx, int[] shape)
    {
        int flat = 0;
        for (int i = 0; i < shape.Length; i++) flat = flat * shape[i] + idx[i];
        return flat;
    }

    /// <summary>Distinct values (gaps of 0.01) in a seeded random order: no ties for max pooling.</summary>
    public static float[] Distinct(int seed, int n)
    {
        var r = new Random(seed);
        var v = Enumerable.Range(0, n).Select(i => (float)(i * 0.01 - n * 0.005)).ToArray();
        r.Shuffle(v);
        return v;
    }
}
