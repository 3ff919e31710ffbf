using FeatureViz.Kernels.Gpu.Backend;
using FeatureViz.Tensors;
using FeatureViz.Tensors.Backends;
using FeatureViz.TestSupport;
using Xunit.Abstractions;

namespace FeatureViz.Gpu.Tests;

/// <summary>Kernel launches of convolutions and of a small residual block's step on the ILGPU backend (simulator).</summary>
[Collection(SimulatorCollection.Name)]
public sealed class LaunchCountTests(SimulatorFixture sim, ITestOutputHelper output)
{
    [Theory]
    [InlineData(4, 3, false)]   // implicit GEMM
    [InlineData(4, 1, false)]   // 1x1: plain GEMM
    [InlineData(1, 3, false)]   // depthwise (groups = C)
    [InlineData(4, 3, true)]    // the same with a fused activation (Conv2dActivation, ReLU6)
    [InlineData(4, 1, true)]
    [InlineData(1, 3, true)]
    public void ConvolutionWithBiasIsOneLaunch(int groupsDivisor, int kernel, bool activation)
    {
        using var backend = new IlgpuBackend(sim.Warp32);
        int c = 4, groups = groupsDivisor == 1 ? c : 1;
        var x = Tensor.FromArray(backend, Rand.Uniform(81, 2 * c * 6 * 6), 2, c, 6, 6);
        var w = Tensor.FromArray(backend, Rand.Uniform(82, 8 * (c / groups) * kernel * kernel), 8, c / groups, kernel, kernel);
        var b = Tensor.FromArray(backend, Rand.Uniform(83, 8), 8);
        long before = backend.Gpu.Kernels.Requests;
        var options = new Conv2dOptions(PadTop: kernel / 2, PadLeft: kernel / 2, PadBottom: kernel / 2, PadRight: kernel / 2, Groups: groups);
        using var y = activation ? x.Conv2dActivation(w, b, options, ConvEpilogue.Clip(0f, 6f)) : x.Conv2d(w, b, options);
        Assert.Equal(1, backend.Gpu.Kernels.Requests - before); // bias (and activation) in the GEMM (or depthwise) epilogue
    }

    /// <summary>Launches of one forward and backward pass of a residual block (conv-relu-conv + 1x1 shortcut, biased).</summary>
    [Fact]
    public void ResidualBlockStepLaunchCount()
    {
        using var backend = new IlgpuBackend(sim.Warp32);
        var pad = new Conv2dOptions(PadTop: 1, PadLeft: 1, PadBottom: 1, PadRight: 1);
        var x = Tensor.FromArray(backend, Rand.Uniform(91, 4 * 8 * 8), 1, 4, 8, 8).RequireGrad();
        var w1 = Tensor.FromArray(backend, Rand.Uniform(92, 8 * 4 * 9), 8, 4, 3, 3);
        var b1 = Tensor.FromArray(backend, Rand.Uniform(93, 8), 8);
        var w2 = Tensor.FromArray(backend, Rand.Uniform(94, 8 * 8 * 9), 8, 8, 3, 3);
        var b2 = Tensor.FromArray(backend, Rand.Uniform(95, 8), 8);
        var w3 = Tensor.FromArray(backend, Rand.Uniform(96, 8 * 4), 8, 4, 1, 1);
        var b3 = Tensor.FromArray(backend, Rand.Uniform(97, 8), 8);
        long start = backend.Gpu.Kernels.Requests;
        var h = x.Conv2d(w1, b1, pad).Relu();
        var y = (h.Conv2d(w2, b2, pad) + x.Conv2d(w3, b3, new Conv2dOptions())).Relu();
        var loss = y.Mean();
        long forward = backend.Gpu.Kernels.Requests - start;
        loss.Backward();
        long step = backend.Gpu.Kernels.Requests - start;
        output.WriteLine($"residual block: forward {forward} launches, forward + backward {step}");
        Assert.NotNull(x.Grad);
        // Forward: 3 convolutions (bias fused), 2 relu, 1 add, the mean's reduction (one or two passes).
        Assert.InRange(forward, 7, 8);
    }
}
