using FeatureViz.Kernels.Gpu;
using FeatureViz.Kernels.Gpu.Gemm;
using FeatureViz.TestSupport;
using ILGPU;
using ILGPU.Runtime;

namespace FeatureViz.Gpu.Tests;

[Collection(SimulatorCollection.Name)]
public sealed class GemmKernelTests(SimulatorFixture sim)
{
    [Theory]
    [InlineData(32, false, false, 19, 23, 13, 1)]
    [InlineData(32, true, false, 17, 5, 9, 2)]
    [InlineData(4, false, true, 33, 18, 7, 3)]
    [InlineData(4, true, true, 6, 21, 20, 2)]
    [InlineData(32, false, false, 1, 1, 1, 1)]
    [InlineData(4, false, false, 16, 16, 4, 1)]
    public void StridedBatchedGemmMatchesFloat64(int warp, bool transA, bool transB, int m, int n, int k, int batch)
    {
        var gpu = sim[warp];
        // Batch strides larger than a matrix (padding between entries) to check they are honoured.
        int sa = m * k + 3, sb = k * n + 5, sc = m * n + 2;
        var a = Rand.Uniform(41, sa * batch);
        var b = Rand.Uniform(42, sb * batch);
        var c0 = Rand.Uniform(43, sc * batch);
        const float alpha = 0.75f, beta = -0.5f;
        using var av = gpu.Accelerator.Allocate1D(a);
        using var bv = gpu.Accelerator.Allocate1D(b);
        using var cv = gpu.Accelerator.Allocate1D(c0);
        GpuGemm.StridedBatched<GemmTile16>(gpu, av.View, transA, sa, bv.View, transB, sb, cv.View, sc, m, n, k, batch, alpha, beta);
        var c = cv.GetAsArray1D();
        var expected = Float64Reference.StridedGemm(a, sa, transA, b, sb, transB, c0, sc, m, n, k, batch, alpha, beta);
        Approx.Equal(expected, c, rtol: 1e-5, atol: 1e-5, what: $"gemm {m}x{n}x{k} batch {batch} tA={transA} tB={transB}");
    }

    [Fact]
    public void BetaZeroOverwritesNaN()
    {
        var gpu = sim.Warp32;
        using var av = gpu.Accelerator.Allocate1D(new float[] { 1, 2, 3, 4 });
        using var bv = gpu.Accelerator.Allocate1D(new float[] { 1, 0, 0, 1 });
        using var cv = gpu.Accelerator.Allocate1D(new float[] { float.NaN, float.NaN, float.NaN, float.NaN });
        GpuGemm.StridedBatched<GemmTile16>(gpu, av.View, false, 4, bv.View, false, 4, cv.View, 4, 2, 2, 2, 1);
        Assert.Equal(new float[] { 1, 2, 3, 4 }, cv.GetAsArray1D());
    }

    [Fact]
    public void TileNeedingMoreThreadsThanTheDeviceAllowsIsRejected()
    {
        var gpu = sim.Warp4; // 32 threads per group at most; the 64x64 tile needs 256
        using var v = gpu.Accelerator.Allocate1D<float>(4);
        var e = Assert.Throws<ArgumentException>(() =>
            GpuGemm.StridedBatched<GemmTile64>(gpu, v.View, false, 0, v.View, false, 0, v.View, 0, 2, 2, 1, 1));
        Assert.Contains("256 threads", e.Message);
    }

    [Fact]
    public void TooShortOperandIsRejectedWithItsName()
    {
        var gpu = sim.Warp32;
        using var a = gpu.Accelerator.Allocate1D<float>(5);
        using var b = gpu.Accelerator.Allocate1D<float>(6);
        using var c = gpu.Accelerator.Allocate1D<float>(4);
        var e = Assert.Throws<ArgumentException>(() =>
            GpuGemm.StridedBatched<GemmTile16>(gpu, a.View, false, 6, b.View, false, 6, c.View, 4, 2, 2, 3, 1));
        Assert.Contains("a has 5 elements", e.Message);
    }
}
