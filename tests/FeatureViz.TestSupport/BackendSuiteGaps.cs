namespace FeatureViz.TestSupport;

/// <summary>
/// Suite classes a registered backend knowingly does not run yet, each with its reason. The suite guard accepts a
/// missing subclass only when this names a reason for it, and fails when a backend runs a class listed as a gap
/// (a stale entry), so a gap is always explicit and visible rather than a silent skip.
/// </summary>
public static class BackendSuiteGaps
{
    private const string Warp4Subset = "the warp-4 simulator runs only the suite classes whose kernels use groups and warps (reductions, GEMM, convolution, pooling, discrete ops), to keep CI time low";

    /// <summary>Suite classes (names without arity) that the warp-4 ILGPU simulator runs.</summary>
    public static IReadOnlyList<string> Warp4Runs { get; } = ["ReduceTests", "GemmTests", "ConvTests", "PoolTests", "DiscreteOpsTests"];

    /// <summary>Why <paramref name="factory"/> does not run suite class <paramref name="suite"/> (name without arity), or null when it must.</summary>
    public static string? Reason(string suite, Type factory)
    {
        if (factory == typeof(IlgpuCpuWarp4BackendFactory) && !Warp4Runs.Contains(suite)) return Warp4Subset;
        return null;
    }
}
