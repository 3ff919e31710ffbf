using FeatureViz.TestSupport;

namespace FeatureViz.Tensors.Tests.Fft;

public abstract class Rfft2Tests<TBackend> : BackendSuite<TBackend> where TBackend : IBackendFactory
{
    private const double Tolerance = 1e-6;

    public static TheoryData<int, int, FftNorm> SmallSizes()
    {
        var d = new TheoryData<int, int, FftNorm>();
        var norms = Enum.GetValues<FftNorm>();
        for (int n = 1; n <= 33; n++) d.Add(n, n, norms[n % 3]);
        foreach (var (h, w) in new[] { (5, 8), (8, 5), (7, 12), (1, 9), (9, 1), (2, 3), (3, 2), (13, 31), (37, 74), (3, 257), (257, 4) })
            foreach (var norm in norms)
                d.Add(h, w, norm);
        return d;
    }

    [Theory]
    [MemberData(nameof(SmallSizes))]
    public void MatchesFloat64Dft(int h, int w, FftNorm norm)
    {
        const int batch = 2;
        var x = Rand.Uniform(h * 1000 + w, batch * h * w);
        using var t = Tensor.FromArray(Backend, x, batch, h, w);
        var y = t.Rfft2(norm);
        Assert.Equal(new[] { batch, h, w / 2 + 1, 2 }, y.Shape.ToArray());
        var expected = DftReference.Rfft2(x, batch, h, w);
        double s = DftReference.Scales(norm, h, w).Forward;
        for (int i = 0; i < expected.Length; i++) expected[i] *= s;
        double err = DftReference.RelativeMaxError(expected, y.ToArray());
        Assert.True(err < Tolerance, $"rfft2 {h}x{w} {norm}: relative error {err:G3}");
    }

    [Theory]
    [InlineData(FftNorm.Backward)]
    [InlineData(FftNorm.Ortho)]
    [InlineData(FftNorm.Forward)]
    public void MatchesFloat64DftAt224(FftNorm norm)
    {
        var x = Rand.Uniform(224, 3 * 224 * 224);
        using var t = Tensor.FromArray(Backend, x, 1, 3, 224, 224);
        var y = t.Rfft2(norm);
        Assert.Equal(new[] { 1, 3, 224, 113, 2 }, y.Shape.ToArray());
        var expected = DftReference.Rfft2(x, 3, 224, 224);
        double s = DftReference.Scales(norm, 224, 224).Forward;
        for (int i = 0; i < expected.Length; i++) expected[i] *= s;
        double err = DftReference.RelativeMaxError(expected, y.ToArray());
        Assert.True(err < Tolerance, $"rfft2 224x224 {norm}: relative error {err:G3}");
    }

    [Theory]
    [InlineData(FftNorm.Backward)]
    [InlineData(FftNorm.Ortho)]
    [InlineData(FftNorm.Forward)]
    public void MatchesFloat64DftAt512OnSampledColumns(FftNorm norm)
    {
        const int n = 512, wc = n / 2 + 1;
        var x = Rand.Uniform(512, n * n);
        using var t = Tensor.FromArray(Backend, x, n, n);
        var y = t.Rfft2(norm);
        Assert.Equal(new[] { n, wc, 2 }, y.Shape.ToArray());
        int[] cols = [0, 1, 7, 100, 255, 256];
        var expected = DftReference.Rfft2(x, 1, n, n, cols);
        double s = DftReference.Scales(norm, n, n).Forward;
        var idx = new List<int>();
        foreach (int l in cols)
            for (int k = 0; k < n; k++) { idx.Add((k * wc + l) * 2); idx.Add((k * wc + l) * 2 + 1); }
        foreach (int i in idx) expected[i] *= s;
        double err = DftReference.RelativeMaxError(expected, y.ToArray(), idx.ToArray());
        Assert.True(err < Tolerance, $"rfft2 512x512 {norm}: relative error {err:G3}");
    }

    [Theory]
    [InlineData(2, 1009)]  // prime width: Bluestein with a 2048-point inner FFT
    [InlineData(1031, 3)]  // prime height
    [InlineData(6, 998)]   // 2 * 499: Bluestein over the whole length
    public void MatchesFloat64DftForLargePrimeFactors(int h, int w)
    {
        var x = Rand.Uniform(h + w, h * w);
        using var t = Tensor.FromArray(Backend, x, h, w);
        var expected = DftReference.Rfft2(x, 1, h, w);
        double err = DftReference.RelativeMaxError(expected, t.Rfft2().ToArray());
        Assert.True(err < Tolerance, $"rfft2 {h}x{w}: relative error {err:G3}");
        var back = t.Rfft2(FftNorm.Ortho).Irfft2(w, FftNorm.Ortho).ToArray();
        Approx.Equal(x, back, 0, 2e-6, $"round trip {h}x{w}");
    }

    [Fact]
    public void KnownValues()
    {
        // numpy.fft.rfft2([[1, 2, 3], [4, 5, 6]]) = [[21, -3+1.7320508j], [-9, 0]]
        using var t = Tensor.FromArray(Backend, [1, 2, 3, 4, 5, 6], 2, 3);
        Approx.Equal(new double[] { 21, 0, -3, Math.Sqrt(3), -9, 0, 0, 0 }, t.Rfft2().ToArray(), 1e-6, 1e-5, "rfft2");
    }

    [Theory]
    [InlineData(1, 1)]
    [InlineData(5, 7)]
    [InlineData(8, 6)]
    [InlineData(7, 13)]
    [InlineData(31, 10)]
    [InlineData(6, 37)]
    public void VjpMatchesFiniteDifferences(int h, int w)
    {
        foreach (var norm in Enum.GetValues<FftNorm>())
            CheckVjp(h, w, norm);
    }

    [ChecksGradientOf(nameof(Tensor.Rfft2))]
    [Fact]
    public void VjpOnBatchedInput() => GradCheck.Vjp(Backend, x => x.Rfft2(FftNorm.Ortho), Rand.Uniform(3, 2 * 3 * 4 * 5), [2, 3, 4, 5]);

    private static void CheckVjp(int h, int w, FftNorm norm) =>
        GradCheck.Vjp(Backend, x => x.Rfft2(norm), Rand.Uniform(h + 31 * w, 2 * h * w), [2, h, w], seed: h * w + (int)norm);

    [Fact]
    public void BadInputNamesOpShapeAndArgument()
    {
        using var v = Tensor.Zeros(Backend, 5);
        var e = Assert.Throws<ArgumentException>(() => v.Rfft2());
        Assert.Contains("Rfft2", e.Message);
        Assert.Contains("[5]", e.Message);
        Assert.Equal("input", e.ParamName);
        using var empty = Tensor.Zeros(Backend, 3, 0);
        e = Assert.Throws<ArgumentException>(() => empty.Rfft2());
        Assert.Contains("Rfft2", e.Message);
        Assert.Contains("[3, 0]", e.Message);
    }

    [Fact]
    public void EmptyBatchGivesEmptySpectrum()
    {
        using var x = Tensor.Zeros(Backend, 0, 4, 6);
        Assert.Equal(new[] { 0, 4, 4, 2 }, x.Rfft2().Shape.ToArray());
    }
}
