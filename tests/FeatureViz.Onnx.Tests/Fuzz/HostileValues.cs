namespace FeatureViz.Onnx.Tests.Fuzz;

/// <summary>Values that break careless arithmetic: negatives, zero, int/long limits and their neighbours, sizes that overflow when multiplied.</summary>
internal static class HostileValues
{
    public static readonly long[] Longs =
    [
        -1, -2, 0, 1, 3, int.MaxValue, (long)int.MaxValue + 1, int.MinValue, long.MaxValue, long.MinValue,
        1L << 31, 1L << 32, 1L << 40, 1L << 62, long.MaxValue - 10, 100_000, 20_000, 65_537, 46_341, 1 << 20,
    ];

    public static readonly float[] Floats =
    [
        float.NaN, float.PositiveInfinity, float.NegativeInfinity, 1e38f, -1e38f, 0f, -0f, float.Epsilon, 1e-38f, 2.5f, -7f,
    ];

    /// <summary>Strides, pads and dilations of the sizes in issue 9's crashes (10,000-100,000), limits, and zero/negatives.</summary>
    public static readonly long[] GeometryValues = [10_000, 20_000, 65_537, 100_000, 1 << 20, int.MaxValue, 1L << 40, -1, 0, 46_341];

    public static long Geometry(Random r) => GeometryValues[r.Next(GeometryValues.Length)];

    public static long Long(Random r) => r.Next(4) == 0 ? r.Next(-10, 11) : Longs[r.Next(Longs.Length)];

    public static float Float(Random r) => Floats[r.Next(Floats.Length)];

    /// <summary>A value that fits an int dimension but is huge, negative or zero.</summary>
    public static long Dim(Random r) => r.Next(3) == 0 ? r.Next(-3, 8) : Longs[r.Next(Longs.Length)];
}
