namespace FeatureViz.Kernels.Gpu.Reductions;

/// <summary>An associative, commutative reduction with its identity, as a kernel type argument.</summary>
internal interface IReduceOp
{
    float Identity { get; }

    float Combine(float a, float b);
}

internal readonly struct SumReduce : IReduceOp
{
    public float Identity => 0f;

    public float Combine(float a, float b) => a + b;
}

internal readonly struct MaxReduce : IReduceOp
{
    public float Identity => float.NegativeInfinity;

    public float Combine(float a, float b) => MathF.Max(a, b);
}

internal readonly struct MinReduce : IReduceOp
{
    public float Identity => float.PositiveInfinity;

    public float Combine(float a, float b) => MathF.Min(a, b);
}
