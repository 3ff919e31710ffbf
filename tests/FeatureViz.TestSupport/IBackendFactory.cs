using FeatureViz.Tensors.Backends;

namespace FeatureViz.TestSupport;

/// <summary>
/// Names the backend a conformance-suite class runs on: each backend has one factory, listed in
/// <see cref="BackendFactories.All"/>, and one one-line subclass per suite class (see <see cref="BackendSuite{TBackend}"/>).
/// </summary>
public interface IBackendFactory
{
    /// <summary>The backend instance shared by every test of the suite on this backend.</summary>
    static abstract IBackend Backend { get; }
}
