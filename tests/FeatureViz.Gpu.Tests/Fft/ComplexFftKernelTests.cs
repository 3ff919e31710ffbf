using FeatureViz.Kernels.Gpu;
using FeatureViz.Kernels.Gpu.Fft;
using FeatureViz.TestSupport;
using ILGPU;
using ILGPU.Runtime;

namespace FeatureViz.Gpu.Tests.Fft;

/// <summary>
/// The batched complex 1-D FFT plans (shared-memory single launch, one launch per pass, Bluestein) on the CPU simulator
/// against a float64 naive DFT, every length 1..64 and a few beyond.
/// </summary>
[Collection(SimulatorCollection.Name)]
public sealed class ComplexFftKernelTests(SimulatorFixture sim)
{
    public static TheoryData<int, bool> Lengths()
    {
        var data = new TheoryData<int, bool>();
        foreach (int n in Enumerable.Range(1, 64).Concat([98, 112, 224, 512, 97]))
        {
            data.Add(n, true);
            data.Add(n, false);
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(Lengths))]
    public void ForwardMatchesFloat64Dft(int n, bool sharedMemory)
    {
        var gpu = sim[n % 2 == 0 ? 32 : 4];
        const int sequences = 3;
        var plan = FftPlan.Create(gpu, n, sharedMemory);
        Assert.Equal(sharedMemory && !plan.IsBluestein && n > 1, plan.UsesSharedMemory);
        var x = Rand.Uniform(n, 2 * sequences * n);
        var scratch = new float[2 * sequences * plan.ScratchLength];
        x.CopyTo(scratch, 0);
        using var a = gpu.Accelerator.Allocate1D(scratch);
        using var b = gpu.Accelerator.Allocate1D<float>(scratch.Length);
        ArrayView<float> av = a.View, bv = b.View;
        bool inB = plan.Forward(av.Cast<Complex32>(), bv.Cast<Complex32>(), sequences);
        gpu.Synchronize();
        var result = (inB ? b : a).GetAsArray1D()[..(2 * sequences * n)];

        var expected = new double[x.Length];
        for (int s = 0; s < sequences; s++)
            for (int k = 0; k < n; k++)
            {
                double re = 0, im = 0;
                for (int t = 0; t < n; t++)
                {
                    double angle = -2 * Math.PI * ((long)k * t % n) / n, xr = x[2 * (s * n + t)], xi = x[2 * (s * n + t) + 1];
                    re += xr * Math.Cos(angle) - xi * Math.Sin(angle);
                    im += xr * Math.Sin(angle) + xi * Math.Cos(angle);
                }
                expected[2 * (s * n + k)] = re;
                expected[2 * (s * n + k) + 1] = im;
            }
        double atol = 2e-6 * Math.Log2(2 * n) * Math.Max(1, expected.Max(Math.Abs));
        Approx.Equal(expected, result, rtol: 1e-4, atol: atol, what: $"FFT {n} ({(plan.IsBluestein ? "Bluestein" : string.Join("x", plan.Radices))}, shared {plan.UsesSharedMemory})");
    }

    [Theory]
    [InlineData(224, new[] { 8, 4, 7 })]
    [InlineData(512, new[] { 8, 8, 8 })]
    [InlineData(112, new[] { 8, 2, 7 })]
    [InlineData(1280, new[] { 8, 8, 4, 5 })]
    [InlineData(105, new[] { 7, 5, 3 })]
    public void FactorsIntoStockhamRadices(int n, int[] radices)
    {
        Assert.Equal(radices, FftPlan.Factor(n, out int rest));
        Assert.Equal(1, rest);
        Assert.Empty(FftPlan.Factor(11 * 13, out rest));
        Assert.Equal(143, rest);
    }
}
