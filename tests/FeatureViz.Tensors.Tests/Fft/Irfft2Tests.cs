using FeatureViz.TestSupport;

namespace FeatureViz.Tensors.Tests.Fft;

public abstract class Irfft2Tests<TBackend> : BackendSuite<TBackend> where TBackend : IBackendFactory
{
    private const double Tolerance = 1e-6;

    public static TheoryData<int, int, FftNorm> Sizes()
    {
        var d = new TheoryData<int, int, FftNorm>();
        var norms = Enum.GetValues<FftNorm>();
        for (int n = 1; n <= 33; n++) d.Add(n, n, norms[(n + 1) % 3]);
        foreach (var (h, w) in new[] { (5, 8), (8, 5), (7, 12), (1, 9), (9, 1), (1, 2), (2, 1), (13, 31), (37, 74), (3, 257), (257, 4), (64, 64) })
            foreach (var norm in norms)
                d.Add(h, w, norm);
        return d;
    }

    [Theory]
    [MemberData(nameof(Sizes))]
    public void MatchesC2RDefinitionOnArbitrarySpectra(int h, int w, FftNorm norm)
    {
        // Random spectra are not Hermitian: DC/Nyquist columns carry imaginary parts that C2R must treat as numpy does.
        const int batch = 2;
        int wc = w / 2 + 1;
        var spec = Rand.Uniform(h * 777 + w, batch * h * wc * 2);
        using var t = Tensor.FromArray(Backend, spec, batch, h, wc, 2);
        var y = t.Irfft2(w, norm);
        Assert.Equal(new[] { batch, h, w }, y.Shape.ToArray());
        var expected = DftReference.Irfft2Unscaled(spec, batch, h, w);
        double s = DftReference.Scales(norm, h, w).Inverse;
        for (int i = 0; i < expected.Length; i++) expected[i] *= s;
        double err = DftReference.RelativeMaxError(expected, y.ToArray());
        Assert.True(err < Tolerance, $"irfft2 {h}x{w} {norm}: relative error {err:G3}");
    }

    [Theory]
    [InlineData(5, 8, FftNorm.Backward)]
    [InlineData(7, 7, FftNorm.Ortho)]
    [InlineData(37, 74, FftNorm.Forward)]
    [InlineData(64, 33, FftNorm.Ortho)]
    public void BinWeightsScaleTheSpectrumBeforeTheTransform(int h, int w, FftNorm norm)
    {
        const int batch = 3;
        int wc = w / 2 + 1;
        var spec = Rand.Uniform(h * 31 + w, batch * h * wc * 2);
        var weights = Rand.Uniform(h + 7 * w, h * wc, -2f, 3f);
        using var t = Tensor.FromArray(Backend, spec, batch, h, wc, 2);
        using var wt = Tensor.FromArray(Backend, weights, h, wc);
        var y = t.Irfft2(w, norm, wt);
        // Reference: the float64 C2R of the spectrum multiplied bin by bin.
        var weighted = new float[spec.Length];
        for (int b = 0; b < batch; b++)
            for (int i = 0; i < h * wc; i++)
                for (int part = 0; part < 2; part++)
                    weighted[(b * h * wc + i) * 2 + part] = (float)((double)spec[(b * h * wc + i) * 2 + part] * weights[i]);
        var expected = DftReference.Irfft2Unscaled(weighted, batch, h, w);
        double s = DftReference.Scales(norm, h, w).Inverse;
        for (int i = 0; i < expected.Length; i++) expected[i] *= s;
        double err = DftReference.RelativeMaxError(expected, y.ToArray());
        Assert.True(err < Tolerance, $"weighted irfft2 {h}x{w} {norm}: relative error {err:G3}");
    }

    [Theory]
    [InlineData(4, 6)]
    [InlineData(5, 5)]
    [InlineData(8, 40)] // 21 columns: full 16-column blocks run the vector interleave of the VJP
    public void VjpWithBinWeightsMatchesFiniteDifferences(int h, int w)
    {
        int wc = w / 2 + 1;
        using var wt = Tensor.FromArray(Backend, Rand.Uniform(h * w, h * wc, -2f, 2f), h, wc);
        GradCheck.Vjp(Backend, x => x.Irfft2(w, FftNorm.Ortho, wt), Rand.Uniform(h + w, 2 * h * wc * 2), [2, h, wc, 2]);
    }

    [Fact]
    public void BinWeightsMustMatchTheSpectrumAndBeConstant()
    {
        using var t = Tensor.Zeros(Backend, 2, 4, 3, 2);
        using var bad = Tensor.Zeros(Backend, 4, 4);
        var e = Assert.Throws<ArgumentException>(() => t.Irfft2(4, FftNorm.Ortho, bad));
        Assert.Contains("Irfft2", e.Message);
        Assert.Contains("[4, 3]", e.Message);
        using var tracked = Tensor.Zeros(Backend, 4, 3).RequireGrad();
        Assert.Throws<ArgumentException>(() => t.Irfft2(4, FftNorm.Ortho, tracked));
    }

    [Fact]
    public void IgnoresImaginaryPartsOfDcAndNyquistLikeNumpy()
    {
        // numpy.fft.irfft2([[1+5j, 0, 2+7j]]) = irfft([1+5j, 0, 2+7j], 4) = [0.75, -0.25, 0.75, -0.25]
        using var a = Tensor.FromArray(Backend, [1, 5, 0, 0, 2, 7], 1, 3, 2);
        Approx.Equal(new double[] { 0.75, -0.25, 0.75, -0.25 }, a.Irfft2(4).ToArray(), 1e-6, 1e-7, "1x4");
        // Odd width: only DC is self-conjugate. irfft([1+5j, 2+3j], 3) = [(1 + 4)/3, (1 + 2 Re((2+3j) w))/3, ...]
        // with w = e^{2 pi i n / 3}: n=1: 2 Re((2+3j)(-1/2 + i sqrt3/2)) = -2 - 3 sqrt3.
        using var b = Tensor.FromArray(Backend, [1, 5, 2, 3], 1, 2, 2);
        double s3 = Math.Sqrt(3);
        Approx.Equal(new double[] { 5.0 / 3, (1 - 2 - 3 * s3) / 3, (1 - 2 + 3 * s3) / 3 }, b.Irfft2(3).ToArray(), 1e-6, 1e-6, "1x3");
        // The DC imaginary part of a row k != 0 does reach the output through the column inverse DFT (only the
        // imaginary parts after it are dropped): irfft2([[0], [1j], [0]], s=(3, 1)) = Re(1j e^{2 pi i m / 3}) / 3.
        using var c = Tensor.FromArray(Backend, [0, 0, 0, 1, 0, 0], 3, 1, 2);
        Approx.Equal(new double[] { 0, -s3 / 6, s3 / 6 }, c.Irfft2(1).ToArray(), 1e-6, 1e-7, "3x1");
        // With two rows e^{i pi m} is real, so there it vanishes: irfft2([[0, 0], [1j, 0]], s=(2, 2)) = 0.
        using var d = Tensor.FromArray(Backend, [0, 0, 0, 0, 0, 1, 0, 0], 2, 2, 2);
        Approx.Equal(new double[] { 0, 0, 0, 0 }, d.Irfft2(2).ToArray(), 1e-6, 1e-7, "2x2");
    }

    [Theory]
    [InlineData(1, 1)]
    [InlineData(4, 6)]
    [InlineData(7, 7)]
    [InlineData(9, 10)]
    [InlineData(224, 224)]
    [InlineData(31, 257)]
    public void RoundTripRestoresTheSignal(int h, int w)
    {
        var x = Rand.Uniform(h + w, 3 * h * w);
        using var t = Tensor.FromArray(Backend, x, 3, h, w);
        foreach (var norm in Enum.GetValues<FftNorm>())
        {
            var back = t.Rfft2(norm).Irfft2(w, norm).ToArray();
            Approx.Equal(x, back, 0, 2e-6, $"round trip {h}x{w} {norm}");
        }
    }

    [Theory]
    [InlineData(1, 1)]
    [InlineData(1, 2)]
    [InlineData(3, 4)]
    [InlineData(4, 5)]
    [InlineData(5, 6)]
    [InlineData(6, 7)]
    [InlineData(13, 9)]
    [InlineData(8, 37)]
    public void VjpMatchesFiniteDifferences(int h, int w)
    {
        foreach (var norm in Enum.GetValues<FftNorm>())
            GradCheck.Vjp(Backend, x => x.Irfft2(w, norm), Rand.Uniform(h * 13 + w, 2 * h * (w / 2 + 1) * 2), [2, h, w / 2 + 1, 2], seed: h + w);
    }

    [ChecksGradientOf(nameof(Tensor.Irfft2))]
    [Fact]
    public void VjpOnBatchedSpectrum() => GradCheck.Vjp(Backend, x => x.Irfft2(6, FftNorm.Ortho), Rand.Uniform(5, 2 * 3 * 5 * 4 * 2), [2, 3, 5, 4, 2]);

    [Fact]
    public void VjpOfRfft2ThenIrfft2IsIdentityLike()
    {
        // irfft2(rfft2(x)) = x, so its VJP must return the cotangent itself, for odd and even widths.
        foreach (var (h, w) in new[] { (5, 7), (6, 8) })
        {
            var x = Rand.Uniform(h * w, h * w);
            var c = Rand.Uniform(h * w + 1, h * w);
            using var t = Tensor.FromArray(Backend, x, h, w).RequireGrad();
            using var ct = Tensor.FromArray(Backend, c, h, w);
            var y = t.Rfft2(FftNorm.Ortho).Irfft2(w, FftNorm.Ortho);
            var g = FeatureViz.Tensors.Autograd.Grad.Of(y, [t], ct)[0].ToArray();
            Approx.Equal(c, g, 0, 2e-6, $"{h}x{w}");
        }
    }

    [Theory]
    [InlineData(224, 224)]
    [InlineData(97, 130)]
    [InlineData(64, 75)]
    public void VjpsAreAdjointsAtImageSizes(int h, int w)
    {
        // <irfft2(Y), x> = <Y, irfft2^T(x)> and <rfft2(x), Y> = <x, rfft2^T(Y)> in float64 sums; with the forwards
        // checked against the DFT this pins the VJPs at sizes that span many row and column blocks.
        int wc = w / 2 + 1;
        var xs = Rand.Uniform(h, 2 * h * w);
        var ys = Rand.Uniform(w, 2 * h * wc * 2);
        foreach (var norm in Enum.GetValues<FftNorm>())
        {
            using var scope = TensorScope.Begin();
            var x = Tensor.FromArray(Backend, xs, 2, h, w).RequireGrad();
            var y = Tensor.FromArray(Backend, ys, 2, h, wc, 2).RequireGrad();
            var inv = y.Irfft2(w, norm);
            var invT = FeatureViz.Tensors.Autograd.Grad.Of(inv, [y], Tensor.FromArray(Backend, xs, 2, h, w))[0].ToArray();
            var fwd = x.Rfft2(norm);
            var fwdT = FeatureViz.Tensors.Autograd.Grad.Of(fwd, [x], Tensor.FromArray(Backend, ys, 2, h, wc, 2))[0].ToArray();
            AssertDotEqual(inv.ToArray(), xs, ys, invT, $"irfft2 {h}x{w} {norm}");
            AssertDotEqual(fwd.ToArray(), ys, xs, fwdT, $"rfft2 {h}x{w} {norm}");
        }
    }

    private static void AssertDotEqual(float[] a, float[] b, float[] c, float[] d, string what)
    {
        double ab = 0, cd = 0, scale = 0;
        for (int i = 0; i < a.Length; i++) { ab += (double)a[i] * b[i]; scale += Math.Abs((double)a[i] * b[i]); }
        for (int i = 0; i < c.Length; i++) cd += (double)c[i] * d[i];
        Assert.True(Math.Abs(ab - cd) <= 1e-5 * scale, $"{what}: <f(u), v> = {ab:G9}, <u, f^T(v)> = {cd:G9}");
    }

    [Fact]
    public void GradientOfSelfConjugateImaginaryPartsFollowsTheC2RDefinition()
    {
        // With one row, Im of the DC and Nyquist bins never reach the output: their gradient is exactly zero.
        var spec = Rand.Uniform(11, 4 * 2);
        using (var t = Tensor.FromArray(Backend, spec, 1, 4, 2).RequireGrad())
        using (var c = Tensor.FromArray(Backend, Rand.Uniform(12, 6), 1, 6))
        {
            var g = FeatureViz.Tensors.Autograd.Grad.Of(t.Irfft2(6), [t], c)[0].ToArray();
            Assert.Equal(0f, g[1]);
            Assert.Equal(0f, g[7]);
            Assert.NotEqual(0f, g[3]);
        }
        // With three rows, Im of row 1's DC bin moves the output (through the column inverse DFT) and so has a
        // gradient: d/dIm Y[1,0] of sum_m c_m Re(i Y e^{2 pi i m / 3}) / 3 = -sum_m c_m sin(2 pi m / 3) / 3.
        using (var t = Tensor.FromArray(Backend, new float[6], 3, 1, 2).RequireGrad())
        using (var c = Tensor.FromArray(Backend, [0.5f, 1f, -2f], 3, 1))
        {
            var g = FeatureViz.Tensors.Autograd.Grad.Of(t.Irfft2(1), [t], c)[0].ToArray();
            double expected = -(1 * Math.Sin(2 * Math.PI / 3) - 2 * Math.Sin(4 * Math.PI / 3)) / 3;
            Assert.Equal(expected, g[3], 1e-6);
        }
    }

    [Fact]
    public void BadInputNamesOpShapeAndArgument()
    {
        using var s = Tensor.Zeros(Backend, 4, 5, 2);
        var e = Assert.Throws<ArgumentException>(() => s.Irfft2(10));
        Assert.Contains("Irfft2", e.Message);
        Assert.Contains("[4, 5, 2]", e.Message);
        Assert.Equal("width", e.ParamName);
        e = Assert.Throws<ArgumentException>(() => s.Irfft2(0));
        Assert.Contains("Irfft2", e.Message);
        Assert.Equal("width", e.ParamName);
        using var noPair = Tensor.Zeros(Backend, 4, 5, 3);
        e = Assert.Throws<ArgumentException>(() => noPair.Irfft2(8));
        Assert.Contains("[4, 5, 3]", e.Message);
        Assert.Equal("spectrum", e.ParamName);
        using var flat = Tensor.Zeros(Backend, 5, 2);
        e = Assert.Throws<ArgumentException>(() => flat.Irfft2(8));
        Assert.Contains("Irfft2", e.Message);
        Assert.Contains("[5, 2]", e.Message);
        Assert.Equal("spectrum", e.ParamName);
    }
}
