using FeatureViz.Kernels.Cpu;
using FeatureViz.Tensors.Backends;

namespace FeatureViz.TestSupport;

/// <summary>The managed SIMD CPU backend (<see cref="CpuBackend.Default"/>).</summary>
public sealed class CpuBackendFactory : IBackendFactory
{
    /// <inheritdoc/>
    public static IBackend Backend => CpuBackend.Default;
}

/// <summary>
/// The CPU backend behind a <see cref="CountingBackend"/>: a stand-in for an added backend, proving that a backend
/// which only implements <see cref="IBackend"/> inherits the whole suite.
/// </summary>
public sealed class DelegatingCpuBackendFactory : IBackendFactory
{
    /// <summary>The wrapper, with the calls the suite made through it.</summary>
    public static CountingBackend Wrapper { get; } = new(CpuBackend.Default);

    /// <inheritdoc/>
    public static IBackend Backend => Wrapper;
}

/// <summary>The registered backends: every suite class must have a subclass for each (a guard test checks it).</summary>
public static class BackendFactories
{
    /// <summary>The factory types, one per backend the suite runs on.</summary>
    public static IReadOnlyList<Type> All { get; } =
        [typeof(CpuBackendFactory), typeof(DelegatingCpuBackendFactory), typeof(IlgpuCpuBackendFactory), typeof(IlgpuCpuWarp4BackendFactory)];
}
