using FeatureViz.Kernels.Cpu;
using FeatureViz.Tensors.Backends;

namespace FeatureViz.Tensors.Tests.Backends;

/// <summary>The CPU backend runs its own kernel for every fused method (none falls back to the composition).</summary>
public class CpuFusedOverridesTests
{
    [Fact]
    public void CpuBackendOverridesEveryFusedMethod()
    {
        // A signature that drifts from the interface would silently fall back to the (slower) composition.
        var map = typeof(CpuBackend).GetInterfaceMap(typeof(IBackend));
        var fallbacks = map.TargetMethods.Where(m => m.DeclaringType != typeof(CpuBackend)).Select(m => m.Name).ToArray();
        Assert.Empty(fallbacks);
        var fused = typeof(IBackend).GetMethods().Where(m => !m.IsAbstract).Select(m => m.Name).Order().ToArray();
        Assert.Equal(["BroadcastTo", "ChannelAffine", "Concat", "Conv2dActivation", "ConvTranspose2d", "Gather", "GatherBackward", "Lrn", "LrnBackward",
            "MomentUpdate", "PadBackward", "Resize", "ResizeBackward", "Split"], fused);
    }
}
