using FeatureViz.Parametrization;
using FeatureViz.TestSupport;

namespace FeatureViz.Tests.Library;

/// <summary>Fourier scale and colour matrix against the reference's published formulas (section 3), computed here.</summary>
public class FourierParametrizationTests
{
    /// <summary>numpy.fft.fftfreq(n) written out.</summary>
    private static double[] FftFreq(int n)
    {
        var f = new double[n];
        int positive = (n - 1) / 2 + 1;
        for (int i = 0; i < positive; i++) f[i] = i / (double)n;
        for (int i = positive; i < n; i++) f[i] = -(n / 2 - (i - positive)) / (double)n;
        return f;
    }

    [Theory]
    [InlineData(512, 512, 0.85f)]
    [InlineData(16, 24, 0.85f)]
    [InlineData(24, 16, 1f)]
    [InlineData(15, 15, 0.85f)]
    [InlineData(7, 10, 1.5f)]
    [InlineData(1, 1, 0.85f)]
    public void Scale_MatchesXpliqueFormula(int h, int w, float decay)
    {
        var fy = FftFreq(h);
        var fx = FftFreq(w);
        int wc = w / 2 + 1;
        var expected = new double[h * wc];
        for (int y = 0; y < h; y++)
            for (int x = 0; x < wc; x++)
            {
                double f = Math.Sqrt(fx[x] * fx[x] + fy[y] * fy[y]);
                expected[y * wc + x] = Math.Sqrt((double)w * h) / Math.Pow(Math.Max(f, 1.0 / Math.Max(w, h)), decay);
            }
        var actual = FourierParametrization.Scale(h, w, decay);
        Assert.Equal(h * wc, actual.Length);
        Approx.Equal(expected, actual, 1e-6, 0, $"scale {h}x{w}");
    }

    [Fact]
    public void Scale_512_SpansThePublishedRange()
    {
        var s = FourierParametrization.Scale(512, 512, 0.85f);
        Assert.InRange(s.Max(), 1.02e5, 1.04e5); // DC
        Assert.InRange(s.Min(), 680, 695);       // highest frequency
    }

    [Fact]
    public void NumpyFftFreq_Sanity()
    {
        Assert.Equal([0, 0.25, -0.5, -0.25], FftFreq(4));
        Assert.Equal([0, 0.2, 0.4, -0.4, -0.2], FftFreq(5));
        for (int i = 0; i < 9; i++) Assert.Equal(FftFreq(9)[i], FourierParametrization.FftFreq(i, 9), 12);
    }

    [Fact]
    public void ColorMatrix_IsLucidSvdSqrtOverMaxColumnNormTransposed()
    {
        double[,] lucid = { { 0.26, 0.09, 0.02 }, { 0.27, 0.00, -0.05 }, { 0.27, -0.09, 0.03 } };
        double maxNorm = 0;
        for (int c = 0; c < 3; c++)
            maxNorm = Math.Max(maxNorm, Math.Sqrt(lucid[0, c] * lucid[0, c] + lucid[1, c] * lucid[1, c] + lucid[2, c] * lucid[2, c]));
        Assert.Equal(0.46195, maxNorm, 4);
        var m = ColorDecorrelation.Matrix;
        for (int j = 0; j < 3; j++)
            for (int c = 0; c < 3; c++)
                Assert.Equal(lucid[c, j] / maxNorm, m[j, c], 6);
        Assert.Equal(0.56282854f, m[0, 0]);
        Assert.Equal(-0.10823626f, m[2, 1]);
    }

    [Fact]
    public void ColorMatrix_IsACopy()
    {
        var m = ColorDecorrelation.Matrix;
        m[0, 0] = 42;
        Assert.NotEqual(42f, ColorDecorrelation.Matrix[0, 0]);
    }
}
