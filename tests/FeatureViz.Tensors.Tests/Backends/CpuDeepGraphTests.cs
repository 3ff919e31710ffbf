using FeatureViz.Kernels.Cpu;

namespace FeatureViz.Tensors.Tests.Backends;

/// <summary>
/// The backward pass walks the graph iteratively: a 100,000-node chain must not overflow the stack. This tests the
/// autograd engine, not a backend's kernels, so it runs on the CPU backend only (on ILGPU's simulator its 200,000
/// one-element launches took minutes).
/// </summary>
public class CpuDeepGraphTests
{
    [Fact]
    public void DeepGraphsDoNotOverflowTheStack()
    {
        using var scope = TensorScope.Begin();
        var x = Tensor.FromArray(CpuBackend.Default, [0.5f], 1).RequireGrad();
        var y = x;
        for (int i = 0; i < 100_000; i++) y = y.Add(0.0f);
        y.Sum().Backward();
        Assert.Equal(1f, x.Grad!.ToArray()[0]);
    }
}
