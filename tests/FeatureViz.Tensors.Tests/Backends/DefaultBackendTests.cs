using FeatureViz.Kernels.Cpu;
using FeatureViz.Tensors.Backends;

namespace FeatureViz.Tensors.Tests.Backends;

public class DefaultBackendTests
{
    [Fact]
    public void UnregisteredDefaultNamesTheCallerThenTheRegisteredOneIsCreatedOnce()
    {
        // Nothing in this test assembly registers a default backend before this test.
        Assert.False(DefaultBackend.IsRegistered);
        var e = Assert.Throws<InvalidOperationException>(() => DefaultBackend.Resolve("SomeLoader.Load"));
        Assert.Contains("SomeLoader.Load", e.Message);
        Assert.Contains("DefaultBackend.Register", e.Message);

        int created = 0;
        DefaultBackend.Register(() => { created++; return CpuBackend.Default; });
        Assert.Same(CpuBackend.Default, DefaultBackend.Resolve("a"));
        Assert.Same(CpuBackend.Default, DefaultBackend.Resolve("b"));
        Assert.Equal(1, created);
    }
}
