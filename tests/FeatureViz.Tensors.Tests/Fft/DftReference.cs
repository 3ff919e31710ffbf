namespace FeatureViz.Tensors.Tests.Fft;

/// <summary>Float64 DFTs straight from the definitions (numpy.fft conventions), separable over the two axes.</summary>
internal static class DftReference
{
    /// <summary>numpy.fft.rfft2 of [batch, h, w] (unscaled), as [batch, h, w/2+1, 2].</summary>
    public static double[] Rfft2(float[] x, int batch, int h, int w, int[]? onlyColumns = null)
    {
        int wc = w / 2 + 1;
        var (cw, sw) = Table(w);
        var (ch, sh) = Table(h);
        var y = new double[batch * h * wc * 2];
        var rowRe = new double[h * wc];
        var rowIm = new double[h * wc];
        var cols = onlyColumns ?? Enumerable.Range(0, wc).ToArray();
        for (int b = 0; b < batch; b++)
        {
            // R[m, l] = sum_n x[m, n] e^{-2 pi i l n / w}
            foreach (int l in cols)
            {
                for (int m = 0; m < h; m++)
                {
                    double re = 0, im = 0;
                    int o = (b * h + m) * w;
                    for (int n = 0; n < w; n++)
                    {
                        int j = (int)((long)l * n % w);
                        re += x[o + n] * cw[j];
                        im -= x[o + n] * sw[j];
                    }
                    rowRe[m * wc + l] = re;
                    rowIm[m * wc + l] = im;
                }
            }
            // X[k, l] = sum_m R[m, l] e^{-2 pi i k m / h}
            foreach (int l in cols)
            {
                for (int k = 0; k < h; k++)
                {
                    double re = 0, im = 0;
                    for (int m = 0; m < h; m++)
                    {
                        int j = (int)((long)k * m % h);
                        double c = ch[j], s = -sh[j];
                        re += rowRe[m * wc + l] * c - rowIm[m * wc + l] * s;
                        im += rowRe[m * wc + l] * s + rowIm[m * wc + l] * c;
                    }
                    int oy = ((b * h + k) * wc + l) * 2;
                    y[oy] = re;
                    y[oy + 1] = im;
                }
            }
        }
        return y;
    }

    /// <summary>
    /// numpy.fft.irfft2(s = (h, w)) without the 1/(h w): a complex inverse DFT down the columns, then pocketfft's
    /// C2R along each row, which builds the Hermitian spectrum from bins 0..w/2 and so ignores the imaginary parts
    /// of bin 0 and (even w) bin w/2.
    /// </summary>
    public static double[] Irfft2Unscaled(float[] spec, int batch, int h, int w)
    {
        int wc = w / 2 + 1;
        var (cw, sw) = Table(w);
        var (ch, sh) = Table(h);
        var y = new double[batch * h * w];
        var zr = new double[h * wc];
        var zi = new double[h * wc];
        for (int b = 0; b < batch; b++)
        {
            for (int l = 0; l < wc; l++)
            {
                for (int m = 0; m < h; m++)
                {
                    double re = 0, im = 0;
                    for (int k = 0; k < h; k++)
                    {
                        int j = (int)((long)k * m % h);
                        int o = ((b * h + k) * wc + l) * 2;
                        double c = ch[j], s = sh[j];
                        re += spec[o] * c - spec[o + 1] * s;
                        im += spec[o] * s + spec[o + 1] * c;
                    }
                    zr[m * wc + l] = re;
                    zi[m * wc + l] = im;
                }
            }
            for (int m = 0; m < h; m++)
            {
                for (int n = 0; n < w; n++)
                {
                    double acc = zr[m * wc];                                  // DC: real part only
                    for (int l = 1; 2 * l < w; l++)                           // bins l and w - l
                    {
                        int j = (int)((long)l * n % w);
                        acc += 2 * (zr[m * wc + l] * cw[j] - zi[m * wc + l] * sw[j]);
                    }
                    if (w % 2 == 0 && w > 1) acc += zr[m * wc + w / 2] * (n % 2 == 0 ? 1 : -1); // Nyquist: real part only
                    y[(b * h + m) * w + n] = acc;
                }
            }
        }
        return y;
    }

    private static (double[] Cos, double[] Sin) Table(int n)
    {
        var c = new double[n];
        var s = new double[n];
        for (int j = 0; j < n; j++)
        {
            c[j] = Math.Cos(2 * Math.PI * j / n);
            s[j] = Math.Sin(2 * Math.PI * j / n);
        }
        return (c, s);
    }

    /// <summary>The (forward, inverse) scale of numpy's norm.</summary>
    public static (double Forward, double Inverse) Scales(FftNorm norm, int h, int w)
    {
        double n = (double)h * w;
        return norm switch
        {
            FftNorm.Backward => (1, 1 / n),
            FftNorm.Ortho => (1 / Math.Sqrt(n), 1 / Math.Sqrt(n)),
            _ => (1 / n, 1),
        };
    }

    /// <summary>max |a - e| / max |e|: the error relative to the signal's scale (bins near zero have no relative accuracy).</summary>
    public static double RelativeMaxError(double[] expected, float[] actual, int[]? indices = null)
    {
        double err = 0, mag = 0;
        var idx = indices ?? Enumerable.Range(0, expected.Length).ToArray();
        foreach (int i in idx)
        {
            err = Math.Max(err, Math.Abs(actual[i] - expected[i]));
            mag = Math.Max(mag, Math.Abs(expected[i]));
        }
        return mag == 0 ? err : err / mag;
    }
}
