using FeatureViz.Kernels.Gpu;
using ILGPU;
using ILGPU.Runtime;

namespace FeatureViz.Gpu.Tests;

[Collection(SimulatorCollection.Name)]
public sealed class GpuAcceleratorTests(SimulatorFixture sim)
{
    [Theory]
    [InlineData(32)]
    [InlineData(4)]
    public void CpuAcceleratorHasTheChosenWarpSize(int warp)
    {
        var info = sim[warp].Info;
        Assert.Equal(GpuDeviceKind.IlgpuCpu, info.Kind);
        Assert.Equal(warp, info.WarpSize);
        Assert.Equal(warp * (warp == 32 ? 2 : 8), info.MaxGroupSize);
        Assert.True(info.MemoryBytes > 0);
        Assert.Equal("ilgpu-cpu", info.Moniker);
    }

    [Fact]
    public void DeviceListingWorksWithoutAGpu()
    {
        // This machine has no CUDA driver and no OpenCL 2.0 device with generic address space: the list is
        // whatever is present, and never throws.
        var devices = GpuAccelerator.ListDevices();
        Assert.All(devices, d => Assert.NotEqual(GpuDeviceKind.IlgpuCpu, d.Kind));
    }

    [Fact]
    public void AskingForAnAbsentDeviceNamesItAndListsTheDevicesFound()
    {
        var e = Assert.Throws<ArgumentException>(() => GpuAccelerator.Create(GpuDeviceKind.Cuda, 99));
        Assert.Contains("Cuda device 99", e.Message);
        Assert.Contains("devices found", e.Message);
    }

    [Fact]
    public void KernelCacheLoadsEachKernelOnce()
    {
        var cache = sim.Warp32.Kernels;
        int loads = 0;
        Action<AcceleratorStream, KernelConfig, ArrayView<float>> Load(Accelerator a)
        {
            loads++;
            return a.LoadKernel<ArrayView<float>>(Fill);
        }
        var first = cache.Get("test.Fill", null, Load);
        var second = cache.Get("test.Fill", null, Load);
        Assert.Same(first, second);
        Assert.Equal(1, loads);

        using var buffer = sim.Warp32.Accelerator.Allocate1D<float>(100);
        first(sim.Warp32.Stream, sim.Warp32.Policy.For(100), buffer.View);
        var host = buffer.GetAsArray1D();
        for (int i = 0; i < host.Length; i++) Assert.Equal(i, host[i]);
    }

    [Fact]
    public void KernelLoadFailureNamesTheKernel()
    {
        var e = Assert.Throws<InvalidOperationException>(() =>
            sim.Warp32.Kernels.Get<Action<int>>("test.Broken", typeof(float), _ => throw new NotSupportedException("no")));
        Assert.Contains("test.Broken<Single>", e.Message);
        Assert.Contains("no", e.Message);
    }

    private static void Fill(ArrayView<float> y)
    {
        for (int i = Grid.GlobalIndex.X; i < y.Length; i += Grid.DimX * Group.DimX) y[i] = i;
    }
}
