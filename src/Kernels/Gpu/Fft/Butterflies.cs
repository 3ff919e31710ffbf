namespace FeatureViz.Kernels.Gpu.Fft;

/// <summary>
/// Forward (e^{-2 pi i / R}) DFTs of radix 2, 3, 4, 5, 7 and 8 on named locals, written out by hand since ILGPU 1.5.3
/// does not unroll loops. The odd radices use y_k = m_k - i n_k, y_(R-k) = m_k + i n_k with
/// m_k = x_0 + sum_j cos(2 pi jk/R) (x_j + x_(R-j)) and n_k = sum_j sin(2 pi jk/R) (x_j - x_(R-j)).
/// </summary>
internal static class Butterflies
{
    private const float C3 = -0.5f, S3 = 8.660254038e-01f;
    private const float C51 = 3.090169944e-01f, S51 = 9.510565163e-01f, C52 = -8.090169944e-01f, S52 = 5.877852523e-01f;
    private const float C71 = 6.234898019e-01f, S71 = 7.818314825e-01f, C72 = -2.225209340e-01f, S72 = 9.749279122e-01f;
    private const float C73 = -9.009688679e-01f, S73 = 4.338837391e-01f;
    private const float Sqrt1_2 = 0.70710678118654752f;

    public static void Radix2(ref Complex32 x0, ref Complex32 x1)
    {
        var a = x0;
        x0 = a + x1;
        x1 = a - x1;
    }

    public static void Radix3(ref Complex32 x0, ref Complex32 x1, ref Complex32 x2)
    {
        Complex32 t = x1 + x2, d = x1 - x2;
        Complex32 m = x0 + C3 * t, n = (S3 * d).TimesMinusI();
        x0 = x0 + t;
        x1 = m + n;
        x2 = m - n;
    }

    public static void Radix4(ref Complex32 x0, ref Complex32 x1, ref Complex32 x2, ref Complex32 x3)
    {
        Complex32 a0 = x0 + x2, a1 = x0 - x2, a2 = x1 + x3, a3 = (x1 - x3).TimesMinusI();
        x0 = a0 + a2;
        x2 = a0 - a2;
        x1 = a1 + a3;
        x3 = a1 - a3;
    }

    public static void Radix5(ref Complex32 x0, ref Complex32 x1, ref Complex32 x2, ref Complex32 x3, ref Complex32 x4)
    {
        Complex32 a1 = x1 + x4, b1 = x1 - x4, a2 = x2 + x3, b2 = x2 - x3;
        Complex32 m1 = x0 + C51 * a1 + C52 * a2, n1 = (S51 * b1 + S52 * b2).TimesMinusI();
        Complex32 m2 = x0 + C52 * a1 + C51 * a2, n2 = (S52 * b1 - S51 * b2).TimesMinusI();
        x0 = x0 + a1 + a2;
        x1 = m1 + n1;
        x4 = m1 - n1;
        x2 = m2 + n2;
        x3 = m2 - n2;
    }

    public static void Radix7(ref Complex32 x0, ref Complex32 x1, ref Complex32 x2, ref Complex32 x3, ref Complex32 x4,
        ref Complex32 x5, ref Complex32 x6)
    {
        Complex32 a1 = x1 + x6, b1 = x1 - x6, a2 = x2 + x5, b2 = x2 - x5, a3 = x3 + x4, b3 = x3 - x4;
        Complex32 m1 = x0 + C71 * a1 + C72 * a2 + C73 * a3, n1 = (S71 * b1 + S72 * b2 + S73 * b3).TimesMinusI();
        Complex32 m2 = x0 + C72 * a1 + C73 * a2 + C71 * a3, n2 = (S72 * b1 - S73 * b2 - S71 * b3).TimesMinusI();
        Complex32 m3 = x0 + C73 * a1 + C71 * a2 + C72 * a3, n3 = (S73 * b1 - S71 * b2 + S72 * b3).TimesMinusI();
        x0 = x0 + a1 + a2 + a3;
        x1 = m1 + n1;
        x6 = m1 - n1;
        x2 = m2 + n2;
        x5 = m2 - n2;
        x3 = m3 + n3;
        x4 = m3 - n3;
    }

    /// <summary>Radix 8 as two radix-4 DFTs (even and odd inputs) joined by the twiddles e^{-2 pi i k / 8}.</summary>
    public static void Radix8(ref Complex32 x0, ref Complex32 x1, ref Complex32 x2, ref Complex32 x3, ref Complex32 x4,
        ref Complex32 x5, ref Complex32 x6, ref Complex32 x7)
    {
        Complex32 e0 = x0, e1 = x2, e2 = x4, e3 = x6, o0 = x1, o1 = x3, o2 = x5, o3 = x7;
        Radix4(ref e0, ref e1, ref e2, ref e3);
        Radix4(ref o0, ref o1, ref o2, ref o3);
        o1 = new Complex32(Sqrt1_2 * (o1.Re + o1.Im), Sqrt1_2 * (o1.Im - o1.Re));
        o2 = o2.TimesMinusI();
        o3 = new Complex32(Sqrt1_2 * (o3.Im - o3.Re), -Sqrt1_2 * (o3.Re + o3.Im));
        x0 = e0 + o0;
        x4 = e0 - o0;
        x1 = e1 + o1;
        x5 = e1 - o1;
        x2 = e2 + o2;
        x6 = e2 - o2;
        x3 = e3 + o3;
        x7 = e3 - o3;
    }
}
