using FeatureViz.Kernels.Gpu.Fft;
using FeatureViz.Tensors.Backends;
using FeatureViz.TestSupport;
using ILGPU;
using ILGPU.Runtime;

namespace FeatureViz.Gpu.Tests.Fft;

/// <summary>The GPU real 2-D FFTs on the CPU simulator against the float64 naive DFT, forward and inverse, with weights.</summary>
[Collection(SimulatorCollection.Name)]
public sealed class RealFft2KernelTests(SimulatorFixture sim)
{
    // Batch, H, W: powers of two, radices 3, 5, 7 alone and mixed, primes (Bluestein) on either axis, odd and even W.
    public static TheoryData<int, int, int, int> Cases()
    {
        var data = new TheoryData<int, int, int, int>();
        int[][] cases =
        [
            [2, 1, 1], [1, 1, 2], [2, 3, 4], [1, 5, 7], [2, 7, 8], [1, 11, 12], [2, 13, 14], [1, 12, 13], [1, 14, 11],
            [1, 28, 16], [1, 56, 28], [1, 64, 56], [2, 8, 64], [1, 17, 22], [1, 9, 10], [1, 25, 6], [1, 49, 3], [3, 2, 15],
        ];
        foreach (var c in cases) data.Add(32, c[0], c[1], c[2]);
        foreach (var c in cases[..6]) data.Add(4, c[0], c[1], c[2]);
        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void ForwardMatchesFloat64Dft(int warp, int batch, int h, int w)
    {
        var g = new Fft2Geometry(batch, h, w);
        var x = Rand.Uniform(h * 100 + w, batch * h * w);
        Check(warp, g, inverse: false, x, 1f, 1f, null);
        Check(warp, g, inverse: false, x, 0.25f, 2f, Rand.Positive(7, h * g.HalfWidth));
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void InverseMatchesFloat64Dft(int warp, int batch, int h, int w)
    {
        var g = new Fft2Geometry(batch, h, w);
        var spectrum = Rand.Uniform(h * 100 + w + 1, 2 * batch * h * g.HalfWidth);
        Check(warp, g, inverse: true, spectrum, 1f, 1f, null);
        Check(warp, g, inverse: true, spectrum, 0.5f, 0.5f, Rand.Positive(8, h * g.HalfWidth));
    }

    [Fact]
    public void Size224RoundTripsAndMatchesFloat64Dft()
    {
        var gpu = sim.Warp32;
        const int h = 224, w = 224;
        var g = new Fft2Geometry(1, h, w);
        var x = Rand.Uniform(224, h * w);
        using var xv = gpu.Accelerator.Allocate1D(x);
        using var yv = gpu.Accelerator.Allocate1D<float>(2 * h * g.HalfWidth);
        using var back = gpu.Accelerator.Allocate1D<float>(h * w);
        GpuFft.Rfft2(gpu, xv.View, yv.View, g, 1f, 1f);
        // Scale 1 / (H W) with interior weight 1 makes Irfft2 numpy's irfft2, the inverse of rfft2.
        GpuFft.Irfft2(gpu, yv.View, back.View, g, 1f / (h * w), 1f);
        gpu.Synchronize();
        var expected = NaiveDft2.Rfft2(x, 1, h, w, 1, 1, null);
        Approx.Equal(expected, yv.GetAsArray1D(), rtol: 1e-4, atol: Tolerance(expected, h, w), what: "rfft2 224x224");
        Approx.Equal(x, back.GetAsArray1D(), rtol: 1e-4, atol: 1e-5, what: "irfft2(rfft2(x)) 224x224");
    }

    [Fact]
    public void MismatchedLengthsNameTheOpAndArgument()
    {
        var gpu = sim.Warp32;
        using var xv = gpu.Accelerator.Allocate1D<float>(12);
        using var yv = gpu.Accelerator.Allocate1D<float>(16);
        var e = Assert.Throws<ArgumentException>(() => GpuFft.Rfft2(gpu, xv.View, yv.View, new Fft2Geometry(1, 3, 4), 1f, 1f));
        Assert.Contains("Rfft2", e.Message);
        Assert.Contains("y", e.Message);
        var bins = Assert.Throws<ArgumentException>(() => GpuFft.Irfft2(gpu, yv.View.SubView(0, 12), xv.View.SubView(0, 9), new Fft2Geometry(1, 3, 3), 1f, 1f, yv.View));
        Assert.Contains("binWeights", bins.Message);
    }

    private void Check(int warp, Fft2Geometry g, bool inverse, float[] input, float scale, float interior, float[]? bins)
    {
        var gpu = sim[warp];
        int outLength = inverse ? g.Batch * g.Height * g.Width : 2 * g.Batch * g.Height * g.HalfWidth;
        using var iv = gpu.Accelerator.Allocate1D(input);
        using var ov = gpu.Accelerator.Allocate1D<float>(outLength);
        using var bv = gpu.Accelerator.Allocate1D(bins ?? [0f]);
        ArrayView<float>? binView = bins is null ? null : bv.View;
        if (inverse) GpuFft.Irfft2(gpu, iv.View, ov.View, g, scale, interior, binView);
        else GpuFft.Rfft2(gpu, iv.View, ov.View, g, scale, interior, binView);
        gpu.Synchronize();
        var expected = inverse
            ? NaiveDft2.Irfft2(input, g.Batch, g.Height, g.Width, scale, interior, bins)
            : NaiveDft2.Rfft2(input, g.Batch, g.Height, g.Width, scale, interior, bins);
        Approx.Equal(expected, ov.GetAsArray1D(), rtol: 1e-4, atol: Tolerance(expected, g.Height, g.Width),
            what: $"{(inverse ? "irfft2" : "rfft2")} {g} scale {scale} interior {interior} bins {bins is not null}");
    }

    // Float32 FFT error grows like log N times the typical magnitude; the naive sums' magnitude is sqrt(H W) for unit inputs.
    private static double Tolerance(double[] expected, int h, int w) =>
        2e-6 * Math.Log2(2 * h * w) * Math.Max(1, expected.Select(Math.Abs).Max());
}
