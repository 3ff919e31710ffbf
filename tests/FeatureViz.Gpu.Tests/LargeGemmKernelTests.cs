using FeatureViz.Kernels.Gpu;
using FeatureViz.Kernels.Gpu.Gemm;
using FeatureViz.TestSupport;
using ILGPU;
using ILGPU.Runtime;

namespace FeatureViz.Gpu.Tests;

/// <summary>
/// The large-tile SIMT SGEMM and the TF32 SGEMM on the simulator, with their small configurations (32x32 tiles of 16
/// threads; 64x64 tiles of 2 warps): odd sizes, K not a multiple of the K slice, edge tiles, transposed operands,
/// batches, padded (scalar path) and 16-byte aligned (vector path) layouts.
/// </summary>
[Collection(SimulatorCollection.Name)]
public sealed class LargeGemmKernelTests(SimulatorFixture sim)
{
    [Theory]
    [InlineData(32, false, false, 70, 45, 21, 2, false)]
    [InlineData(32, false, false, 64, 36, 24, 2, true)]
    [InlineData(4, true, false, 33, 40, 13, 1, true)]
    [InlineData(4, false, true, 40, 33, 17, 3, false)]
    [InlineData(32, true, true, 37, 70, 9, 1, true)]
    [InlineData(4, true, true, 36, 44, 20, 2, true)]
    [InlineData(32, false, false, 1, 1, 1, 1, false)]
    [InlineData(4, false, false, 32, 32, 8, 1, true)]
    public void LargeTileMatchesFloat64(int warp, bool transA, bool transB, int m, int n, int k, int batch, bool aligned)
    {
        var (expected, actual) = Run(sim[warp], GemmKernel.Large<GemmTile32>(), transA, transB, m, n, k, batch, aligned, 0.75f, -0.5f);
        Approx.Equal(expected, actual, rtol: 1e-5, atol: 1e-5, what: $"large gemm {m}x{n}x{k} batch {batch} tA={transA} tB={transB} aligned={aligned}");
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void LargeTileBetaZeroOverwritesNaN(bool aligned)
    {
        var gpu = sim.Warp32;
        int m = 36, n = 40, k = 12;
        var a = Rand.Uniform(61, m * k + (aligned ? 0 : 1));
        var b = Rand.Uniform(62, k * n);
        var c = Enumerable.Repeat(float.NaN, m * n + 1).ToArray();
        using var av = gpu.Accelerator.Allocate1D(a);
        using var bv = gpu.Accelerator.Allocate1D(b);
        using var cv = gpu.Accelerator.Allocate1D(c);
        // Unaligned: C starts one element into its buffer, so no 16-byte access is allowed.
        var cView = aligned ? cv.View.SubView(0, m * n) : cv.View.SubView(1, m * n);
        GpuGemm.StridedBatched(gpu, GemmKernel.Large<GemmTile32>(), av.View, false, 0, bv.View, false, 0, cView, 0, m, n, k, 1);
        var expected = Float64Reference.StridedGemm(a, 0, false, b, 0, false, new float[m * n], 0, m, n, k, 1, 1, 0);
        var all = cv.GetAsArray1D();
        Approx.Equal(expected, aligned ? all[..(m * n)] : all[1..], rtol: 1e-5, atol: 1e-5, what: "beta 0 over NaN");
    }

    /// <summary>
    /// The TF32 kernel's fragment layout, staging and epilogue on the simulator (the mma emulated with warp shuffles):
    /// it must equal the host emulation of the same TF32 arithmetic and stay within the documented bound of the
    /// float64 product.
    /// </summary>
    [Theory]
    // Small: the simulator pays a warp barrier per emulated shuffle (32 per mma).
    [InlineData(false, false, 65, 10, 11, false)]
    [InlineData(true, false, 16, 64, 8, true)]
    [InlineData(false, true, 7, 70, 9, true)]
    [InlineData(true, true, 20, 6, 17, false)]
    public void Tf32MatchesHostEmulationAndItsErrorBound(bool transA, bool transB, int m, int n, int k, bool aligned)
    {
        var gpu = sim.Warp32;
        var kernel = GemmKernel.Tf32<Tf32Tile64, ShuffleMma>();
        var (exact, actual, a, b) = RunWithOperands(gpu, kernel, transA, transB, m, n, k, 1, aligned, 1f, 0f);
        var logicalA = new float[m * k];
        var logicalB = new float[k * n];
        for (int i = 0; i < m; i++)
            for (int q = 0; q < k; q++)
                logicalA[i * k + q] = a[transA ? q * m + i : i * k + q];
        for (int q = 0; q < k; q++)
            for (int j = 0; j < n; j++)
                logicalB[q * n + j] = b[transB ? j * k + q : q * n + j];
        var emulated = Tf32.EmulateGemm(logicalA, logicalB, m, n, k);
        double bound = Tf32.ErrorBound(k);
        double worst = 0;
        for (int i = 0; i < m; i++)
            for (int j = 0; j < n; j++)
            {
                double sumAbs = 0;
                for (int q = 0; q < k; q++) sumAbs += Math.Abs((double)logicalA[i * k + q] * logicalB[q * n + j]);
                int e = i * n + j;
                Assert.True(Math.Abs(actual[e] - emulated[e]) <= 1e-6 * sumAbs,
                    $"({i}, {j}): kernel {actual[e]}, host TF32 emulation {emulated[e]}");
                Assert.True(Math.Abs(actual[e] - exact[e]) <= bound * sumAbs,
                    $"({i}, {j}): kernel {actual[e]}, exact {exact[e]}, bound {bound * sumAbs}");
                worst = Math.Max(worst, Math.Abs(actual[e] - exact[e]) / sumAbs);
            }
        // TF32 really rounds: the FP32 kernels stay within K 2^-24 of sum |a||b|, TF32 does not.
        Assert.True(worst > k * Math.Pow(2, -24), $"worst relative error {worst} is FP32-like; operands were not rounded to TF32");
    }

    [Fact]
    public void Tf32KernelRefusesWarpsOtherThan32()
    {
        var gpu = sim.Warp4;
        using var v = gpu.Accelerator.Allocate1D<float>(64);
        var e = Assert.Throws<ArgumentException>(() =>
            GpuGemm.StridedBatched(gpu, GemmKernel.Tf32<Tf32Tile64, ShuffleMma>(), v.View, false, 0, v.View, false, 0, v.View, 0, 4, 4, 4, 1));
        Assert.Contains("32-lane warps", e.Message);
    }

    private static (double[] Expected, float[] Actual) Run(GpuAccelerator gpu, GemmKernel kernel, bool transA, bool transB,
        int m, int n, int k, int batch, bool aligned, float alpha, float beta)
    {
        var (expected, actual, _, _) = RunWithOperands(gpu, kernel, transA, transB, m, n, k, batch, aligned, alpha, beta);
        return (expected, actual);
    }

    private static (double[] Expected, float[] Actual, float[] A, float[] B) RunWithOperands(GpuAccelerator gpu, GemmKernel kernel,
        bool transA, bool transB, int m, int n, int k, int batch, bool aligned, float alpha, float beta)
    {
        // Padded batch strides make most rows start off a 16-byte boundary (the scalar staging path).
        int sa = Stride(m * k, aligned, 3), sb = Stride(k * n, aligned, 5), sc = Stride(m * n, aligned, 2);
        var a = Rand.Uniform(41, sa * batch);
        var b = Rand.Uniform(42, sb * batch);
        var c0 = Rand.Uniform(43, sc * batch);
        using var av = gpu.Accelerator.Allocate1D(a);
        using var bv = gpu.Accelerator.Allocate1D(b);
        using var cv = gpu.Accelerator.Allocate1D(c0);
        GpuGemm.StridedBatched(gpu, kernel, av.View, transA, sa, bv.View, transB, sb, cv.View, sc, m, n, k, batch, alpha, beta);
        var expected = Float64Reference.StridedGemm(a, sa, transA, b, sb, transB, c0, sc, m, n, k, batch, alpha, beta);
        return (expected, cv.GetAsArray1D(), a, b);
    }

    private static int Stride(int size, bool aligned, int pad) => aligned ? (size + 3) / 4 * 4 : size + pad;
}
