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

/// <summary>How a group combines its threads' values: a compile-time constant of the kernel.</summary>
internal interface IGroupReduceMode
{
    bool WarpShuffles { get; }
}

/// <summary>Warp shuffles, then per-warp partials in shared memory (CUDA, the CPU accelerator, Intel OpenCL).</summary>
internal readonly struct ShuffleReduceMode : IGroupReduceMode
{
    public bool WarpShuffles => true;
}

/// <summary>A shared-memory tree (OpenCL devices other than Intel's, where ILGPU emits no shuffles).</summary>
internal readonly struct TreeReduceMode : IGroupReduceMode
{
    public bool WarpShuffles => false;
}
