using FeatureViz.Kernels.Gpu.Backend;
using ILGPU;
using ILGPU.Runtime;

namespace FeatureViz.Gpu.Tests;

/// <summary>
/// A kernel that ILGPU refuses to launch (or compile) is reported with the op, its shapes and the device, even where
/// ILGPU's own exception is an ArgumentException or NotSupportedException (types the backend otherwise lets through
/// for its own argument checks).
/// </summary>
[Collection(SimulatorCollection.Name)]
public sealed class LaunchFailureTests(SimulatorFixture sim)
{
    [Fact]
    public void ALaunchIlgpuRejectsNamesTheOpTheShapesAndTheDevice()
    {
        using var backend = new IlgpuBackend(sim.Warp32);
        using var buffer = sim.Warp32.Accelerator.Allocate1D<float>(16);
        var kernel = sim.Warp32.Accelerator.LoadKernel<ArrayView<float>>(Touch);
        // A group far larger than the accelerator's largest (64 lanes here): ILGPU throws before anything runs.
        var e = Assert.Throws<InvalidOperationException>(() =>
            backend.Launch("Conv2dBackwardInput", () => "dy [1, 8, 28, 28], w [8, 1, 5, 5]",
                () => kernel(sim.Warp32.Stream, new KernelConfig(1, 100_000), buffer.View)));
        Assert.Contains("Conv2dBackwardInput (dy [1, 8, 28, 28], w [8, 1, 5, 5]) failed on ilgpu-cpu", e.Message);
        Assert.NotNull(e.InnerException);
    }

    [Fact]
    public void TheBackendsOwnArgumentChecksStayArgumentExceptions()
    {
        using var backend = new IlgpuBackend(sim.Warp32);
        Assert.Throws<ArgumentException>(() => backend.Launch("Op", () => "", () => throw new ArgumentException("Op: bad geometry.")));
    }

    private static void Touch(ArrayView<float> data)
    {
        if (Grid.GlobalIndex.X < data.Length) data[Grid.GlobalIndex.X] = 1f;
    }
}
