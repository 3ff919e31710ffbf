using FeatureViz.Parametrization;

namespace FeatureViz.Accentuation;

/// <summary>
/// The inverse of feature accentuation's preconditioner (Horama's <c>inverse_image_spectrum</c>): min-max normalise
/// the seed over all its pixels to [0, 1], take <c>log((x + eps) / (1 - x + eps))</c> (the logit, kept finite at 0
/// and 1 by <see cref="LogitEpsilon"/>), undo the colour recorrelation (3 channels), then the real FFT (unnormalised,
/// numpy's rfft2). Rendering that spectrum (inverse FFT, recorrelation, sigmoid) gives back
/// <c>(x + eps) / (1 + 2 eps)</c>: the min-max normalised seed to within <see cref="LogitEpsilon"/>.
/// </summary>
public static class SeedSpectrum
{
    /// <summary>Horama's eps of the logit: the rendered seed differs from the normalised seed by at most this much (of the value range).</summary>
    public const float LogitEpsilon = 1e-3f;

    /// <summary>
    /// The values before the FFT: the seed's logits, decorrelated when it has 3 channels, [C, H, W]. A constant seed
    /// (nothing to min-max normalise) is taken as mid-grey, 0.5 everywhere.
    /// </summary>
    public static float[] SpatialLogits(SeedImage seed)
    {
        ArgumentNullException.ThrowIfNull(seed);
        var p = seed.Pixels;
        float min = p.Min(), max = p.Max();
        double width = (double)max - min;
        const double eps = LogitEpsilon;
        var logits = new double[p.Length];
        for (int i = 0; i < p.Length; i++)
        {
            double x = width > 0 ? (p[i] - (double)min) / width : 0.5;
            logits[i] = Math.Log((x + eps) / (1 - x + eps));
        }
        var result = new float[p.Length];
        if (seed.Channels != 3)
        {
            for (int i = 0; i < p.Length; i++) result[i] = (float)logits[i];
            return result;
        }
        // rgb = d M (row vector times the recorrelation matrix), so d = rgb M^-1.
        var inv = InverseColorMatrix();
        int hw = seed.Height * seed.Width;
        for (int k = 0; k < hw; k++)
            for (int j = 0; j < 3; j++)
            {
                double d = 0;
                for (int c = 0; c < 3; c++) d += logits[c * hw + k] * inv[c, j];
                result[j * hw + k] = (float)d;
            }
        return result;
    }

    /// <summary>The inverse of <see cref="ColorDecorrelation.Matrix"/> in float64 (the matrix is invertible, so this is Horama's pinv).</summary>
    public static double[,] InverseColorMatrix()
    {
        var m = ColorDecorrelation.Matrix;
        double a = m[0, 0], b = m[0, 1], c = m[0, 2], d = m[1, 0], e = m[1, 1], f = m[1, 2], g = m[2, 0], h = m[2, 1], k = m[2, 2];
        double det = a * (e * k - f * h) - b * (d * k - f * g) + c * (d * h - e * g);
        return new double[,]
        {
            { (e * k - f * h) / det, (c * h - b * k) / det, (b * f - c * e) / det },
            { (f * g - d * k) / det, (a * k - c * g) / det, (c * d - a * f) / det },
            { (d * h - e * g) / det, (b * g - a * h) / det, (a * e - b * d) / det },
        };
    }
}
