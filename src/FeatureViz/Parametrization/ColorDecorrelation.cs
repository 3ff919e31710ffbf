namespace FeatureViz.Parametrization;

/// <summary>
/// Colour decorrelation (Lucid's <c>color_correlation_svd_sqrt</c> normalised by its largest column norm, as
/// Xplique's <c>recorrelate_colors</c>): an RGB pixel is the row vector of decorrelated values times
/// <see cref="Matrix"/>, i.e. <c>rgb[c] = sum_j m[j] * Matrix[j, c]</c>.
/// </summary>
public static class ColorDecorrelation
{
    private static readonly float[,] Values =
    {
        { 0.56282854f, 0.58447580f, 0.58447580f },
        { 0.19482528f, 0.0f, -0.19482528f },
        { 0.04329450f, -0.10823626f, 0.06494176f },
    };

    /// <summary>The 3 x 3 matrix (a copy), Xplique's constant.</summary>
    public static float[,] Matrix => (float[,])Values.Clone();

    /// <summary>Weights of a 1 x 1 convolution [out c, in j, 1, 1] applying the recorrelation to NCHW images.</summary>
    internal static float[] ConvWeights()
    {
        var w = new float[9];
        for (int c = 0; c < 3; c++)
            for (int j = 0; j < 3; j++) w[c * 3 + j] = Values[j, c];
        return w;
    }
}
