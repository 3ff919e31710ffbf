namespace FeatureViz.Parametrization;

/// <summary>
/// Lucid/Xplique Fourier image parametrization: the image is the inverse real FFT of a learned half spectrum
/// scaled by <c>1 / max(f, 1 / max(W, H))^decay</c>, divided by 4.
/// </summary>
/// <remarks>
/// Xplique multiplies by <c>sqrt(W H)</c> and uses the unnormalised inverse (1 / (H W)); we use the orthonormal inverse
/// (as Lucent) without that factor, which is the same value. Frequencies use the real (H, W) (Xplique swaps them,
/// so its non-square images come out square), and the spectrum has exactly <c>W / 2 + 1</c> columns.
/// </remarks>
public static class FourierParametrization
{
    /// <summary>Lucid's magic constant dividing the inverse FFT.</summary>
    public const float OutputDivisor = 4f;

    /// <summary>Number of spectrum columns for width <paramref name="width"/>: <c>W / 2 + 1</c>.</summary>
    public static int SpectrumWidth(int width) => width / 2 + 1;

    /// <summary>
    /// Frequency magnitudes <c>sqrt(fy^2 + fx^2)</c> of the half spectrum, row-major [H, W/2 + 1], with
    /// <c>fy = fftfreq(H)</c> and <c>fx = |fftfreq(W)|</c> of the first W/2 + 1 bins.
    /// </summary>
    public static double[] Frequencies(int height, int width)
    {
        Check(height, width);
        int wc = SpectrumWidth(width);
        var f = new double[height * wc];
        for (int y = 0; y < height; y++)
        {
            double fy = FftFreq(y, height);
            for (int x = 0; x < wc; x++)
            {
                double fx = FftFreq(x, width);
                f[y * wc + x] = Math.Sqrt(fx * fx + fy * fy);
            }
        }
        return f;
    }

    /// <summary>
    /// Xplique's <c>get_fft_scale</c>: <c>sqrt(W H) / max(freq, 1 / max(W, H))^decay</c>, row-major [H, W/2 + 1].
    /// (The renderer uses this divided by <c>sqrt(W H)</c> with an orthonormal inverse FFT.)
    /// </summary>
    public static float[] Scale(int height, int width, float decayPower)
    {
        var f = Frequencies(height, width);
        double floor = 1.0 / Math.Max(width, height), root = Math.Sqrt((double)width * height);
        var s = new float[f.Length];
        for (int i = 0; i < f.Length; i++) s[i] = (float)(root / Math.Pow(Math.Max(f[i], floor), decayPower));
        return s;
    }

    /// <summary>numpy.fft.fftfreq(n)[i].</summary>
    internal static double FftFreq(int i, int n) => (i <= (n - 1) / 2 ? i : i - n) / (double)n;

    private static void Check(int height, int width)
    {
        if (height < 1 || width < 1) throw new ArgumentOutOfRangeException(nameof(height), $"FourierParametrization: image size {height} x {width} must be at least 1 x 1.");
    }
}
