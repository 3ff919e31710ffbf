namespace FeatureViz.Gpu.Tests.Fft;

/// <summary>
/// Float64 references of the real 2-D transforms, written from the DFT's definition (separable naive sums, no FFT),
/// independently of the kernels and of the CPU backend's FFT.
/// </summary>
internal static class NaiveDft2
{
    /// <summary>The weight of bin (m, c): scale, interior weight off DC and Nyquist, bin weight if any.</summary>
    public static double Weight(int h, int w, int m, int c, double scale, double interior, float[]? bins) =>
        scale * (c > 0 && 2 * c != w ? interior : 1) * (bins is null ? 1 : bins[m * (w / 2 + 1) + c]);

    /// <summary>Weighted half spectrum [batch, h, w/2 + 1, 2] of x [batch, h, w].</summary>
    public static double[] Rfft2(float[] x, int batch, int h, int w, double scale, double interior, float[]? bins)
    {
        int wc = w / 2 + 1;
        var y = new double[2 * batch * h * wc];
        var rowRe = new double[h * wc];
        var rowIm = new double[h * wc];
        for (int b = 0; b < batch; b++)
        {
            for (int r = 0; r < h; r++)
                for (int c = 0; c < wc; c++)
                {
                    double re = 0, im = 0;
                    for (int n = 0; n < w; n++)
                    {
                        double a = -2 * Math.PI * ((long)c * n % w) / w, v = x[(b * h + r) * w + n];
                        re += v * Math.Cos(a);
                        im += v * Math.Sin(a);
                    }
                    rowRe[r * wc + c] = re;
                    rowIm[r * wc + c] = im;
                }
            for (int m = 0; m < h; m++)
                for (int c = 0; c < wc; c++)
                {
                    double re = 0, im = 0;
                    for (int r = 0; r < h; r++)
                    {
                        double a = -2 * Math.PI * ((long)m * r % h) / h, cs = Math.Cos(a), sn = Math.Sin(a);
                        re += rowRe[r * wc + c] * cs - rowIm[r * wc + c] * sn;
                        im += rowRe[r * wc + c] * sn + rowIm[r * wc + c] * cs;
                    }
                    double wt = Weight(h, w, m, c, scale, interior, bins);
                    int o = 2 * ((b * h + m) * wc + c);
                    y[o] = wt * re;
                    y[o + 1] = wt * im;
                }
        }
        return y;
    }

    /// <summary>
    /// x [batch, h, w] from the weighted half spectrum: G = inverse DFT over h (unnormalised), then
    /// x_n = sum_c k_c Re(G_c e^{2 pi i cn / w}) with k_c = 2 for interior columns and 1 for DC and Nyquist.
    /// </summary>
    public static double[] Irfft2(float[] spectrum, int batch, int h, int w, double scale, double interior, float[]? bins)
    {
        int wc = w / 2 + 1;
        var x = new double[batch * h * w];
        var gRe = new double[h * wc];
        var gIm = new double[h * wc];
        for (int b = 0; b < batch; b++)
        {
            for (int r = 0; r < h; r++)
                for (int c = 0; c < wc; c++)
                {
                    double re = 0, im = 0;
                    for (int m = 0; m < h; m++)
                    {
                        int i = 2 * ((b * h + m) * wc + c);
                        double wt = Weight(h, w, m, c, scale, interior, bins), sr = wt * spectrum[i], si = wt * spectrum[i + 1];
                        double a = 2 * Math.PI * ((long)m * r % h) / h, cs = Math.Cos(a), sn = Math.Sin(a);
                        re += sr * cs - si * sn;
                        im += sr * sn + si * cs;
                    }
                    gRe[r * wc + c] = re;
                    gIm[r * wc + c] = im;
                }
            for (int r = 0; r < h; r++)
                for (int n = 0; n < w; n++)
                {
                    double sum = 0;
                    for (int c = 0; c < wc; c++)
                    {
                        double a = 2 * Math.PI * ((long)c * n % w) / w;
                        double k = c > 0 && 2 * c != w ? 2 : 1;
                        sum += k * (gRe[r * wc + c] * Math.Cos(a) - gIm[r * wc + c] * Math.Sin(a));
                    }
                    x[(b * h + r) * w + n] = sum;
                }
        }
        return x;
    }
}
