using FeatureViz.Kernels.Cpu;
using FeatureViz.Kernels.Gpu.Backend;

namespace FeatureViz.Gpu.Tests;

/// <summary>The ILGPU backend's memory handling and error reporting (its ops are checked by the conformance suite on ilgpu-cpu).</summary>
[Collection(SimulatorCollection.Name)]
public sealed class IlgpuBackendTests(SimulatorFixture sim)
{
    [Fact]
    public void FreedStorageIsReusedAndReallocatedStorageIsZero()
    {
        using var backend = new IlgpuBackend(sim.Warp32);
        var data = Enumerable.Range(1, 1000).Select(i => (float)i).ToArray();
        backend.Upload(data).Dispose();
        long driver = backend.DriverAllocations;
        // 900 floats fall in the same size class as 1000: the freed buffer serves it, and Allocate zeroes it.
        using var again = backend.Allocate(900);
        Assert.Equal(driver, backend.DriverAllocations);
        var back = new float[900];
        backend.Download(again, back);
        Assert.All(back, v => Assert.Equal(0f, v));
    }

    [Fact]
    public void SizeClassesCoverTheRequestWithBoundedWaste()
    {
        for (long n = 1; n < 200_000; n = n * 3 / 2 + 1)
        {
            long c = DeviceAllocator.SizeClass(n);
            Assert.True(c >= n, $"class {c} < request {n}");
            Assert.True(n <= 256 || c <= n + n / 3 + 1, $"class {c} wastes more than a third of request {n}");
        }
    }

    [Fact]
    public void OutOfDeviceMemoryNamesTheOpTheSizeAndTheFreeMemoryAndTheBackendGoesOn()
    {
        using var backend = new IlgpuBackend(sim.Warp32);
        var allocator = backend.Allocator;
        var real = allocator.DriverAllocate;
        int calls = 0;
        allocator.DriverAllocate = _ => { calls++; throw new OutOfMemoryException("simulated device exhaustion"); };
        var e = Assert.Throws<GpuOutOfMemoryException>(() => backend.Fill(3_000_000, 1f));
        allocator.DriverAllocate = real;
        Assert.Equal(2, calls); // one retry after the cache was handed back
        Assert.Equal("Fill", e.Op);
        Assert.Equal(DeviceAllocator.SizeClass(3_000_000) * 4, e.RequestedBytes);
        Assert.Contains("Fill: out of device memory on ilgpu-cpu", e.Message);
        Assert.Contains("MiB", e.Message);
        Assert.Contains("device free memory", e.Message);
        Assert.Contains("Reduce the batch size", e.Message);
        Assert.IsType<OutOfMemoryException>(e.InnerException);
        using var s = backend.Upload([1f, 2f, 3f]);
        var back = new float[3];
        backend.Download(s, back);
        Assert.Equal([1f, 2f, 3f], back);
    }

    [Fact]
    public void AFailedAllocationRetriesAfterFreeingTheCache()
    {
        using var backend = new IlgpuBackend(sim.Warp32);
        backend.Allocate(5000).Dispose();
        Assert.True(backend.Allocator.CachedBytes > 0);
        var real = backend.Allocator.DriverAllocate;
        int calls = 0;
        backend.Allocator.DriverAllocate = n => ++calls == 1 ? throw new OutOfMemoryException("simulated") : real(n);
        using var s = backend.Allocate(100_000);
        backend.Allocator.DriverAllocate = real;
        Assert.Equal(2, calls);
        Assert.Equal(0, backend.Allocator.CachedBytes);
    }

    [Fact]
    public void KernelFailuresNameTheOpTheShapesAndTheDevice()
    {
        using var backend = new IlgpuBackend(sim.Warp32);
        var e = Assert.Throws<InvalidOperationException>(() =>
            backend.Launch("Conv2d", () => "x [1, 3, 8, 8]", () => throw new InvalidCastException("launch failed")));
        Assert.Contains("Conv2d (x [1, 3, 8, 8]) failed on ilgpu-cpu", e.Message);
        Assert.Contains("launch failed", e.Message);
    }

    [Fact]
    public void StorageOfAnotherBackendIsRejectedByName()
    {
        using var backend = new IlgpuBackend(sim.Warp32);
        using var cpu = CpuBackend.Default.Upload([1f]);
        var e = Assert.Throws<ArgumentException>(() => backend.Copy(cpu));
        Assert.Contains("Copy: source belongs to backend 'cpu'", e.Message);
    }
}
