using FeatureViz.Tensors.Backends;

namespace FeatureViz.TestSupport;

/// <summary>
/// Base of the backend conformance suite: an abstract test class derives from it and creates its tensors on
/// <see cref="Backend"/>; each backend runs it through a one-line sealed subclass closing
/// <typeparamref name="TBackend"/> (e.g. <c>public sealed class CpuConvTests : ConvTests&lt;CpuBackendFactory&gt;;</c>).
/// </summary>
/// <typeparam name="TBackend">The factory of the backend the tests run on.</typeparam>
public abstract class BackendSuite<TBackend> where TBackend : IBackendFactory
{
    /// <summary>The backend under test.</summary>
    protected static IBackend Backend => TBackend.Backend;
}
