using System.Numerics;

namespace FeatureViz.Kernels.Cpu.Fft;

/// <summary>
/// Stockham butterflies on split planes. Element e of a plane starts at float offset e * sv (sv = stride * lanes),
/// so for a fixed (pp, r) the lanes and stride positions form one contiguous run of sv floats.
/// </summary>
internal static unsafe class Butterflies
{
    public static void Radix2(float* xr, float* xi, float* yr, float* yi, int m, int sv, float* twr, float* twi)
    {
        int vc = Vector<float>.Count;
        for (int pp = 0; pp < m; pp++)
        {
            var wr = new Vector<float>(twr[pp]);
            var wi = new Vector<float>(twi[pp]);
            float* ar = xr + (long)pp * sv, ai = xi + (long)pp * sv;
            float* br = xr + (long)(pp + m) * sv, bi = xi + (long)(pp + m) * sv;
            float* y0r = yr + (long)(2 * pp) * sv, y0i = yi + (long)(2 * pp) * sv;
            float* y1r = y0r + sv, y1i = y0i + sv;
            for (int i = 0; i < sv; i += vc)
            {
                var a_r = Vector.Load(ar + i); var a_i = Vector.Load(ai + i);
                var b_r = Vector.Load(br + i); var b_i = Vector.Load(bi + i);
                (a_r + b_r).Store(y0r + i);
                (a_i + b_i).Store(y0i + i);
                var dr = a_r - b_r; var di = a_i - b_i;
                (dr * wr - di * wi).Store(y1r + i);
                (dr * wi + di * wr).Store(y1i + i);
            }
        }
    }

    public static void Radix3(float* xr, float* xi, float* yr, float* yi, int m, int sv, float* twr, float* twi)
    {
        int vc = Vector<float>.Count;
        var half = new Vector<float>(0.5f);
        var s3 = new Vector<float>(0.8660254037844386f);
        for (int pp = 0; pp < m; pp++)
        {
            var w1r = new Vector<float>(twr[2 * pp]); var w1i = new Vector<float>(twi[2 * pp]);
            var w2r = new Vector<float>(twr[2 * pp + 1]); var w2i = new Vector<float>(twi[2 * pp + 1]);
            float* a0r = xr + (long)pp * sv, a0i = xi + (long)pp * sv;
            float* a1r = xr + (long)(pp + m) * sv, a1i = xi + (long)(pp + m) * sv;
            float* a2r = xr + (long)(pp + 2 * m) * sv, a2i = xi + (long)(pp + 2 * m) * sv;
            float* y0r = yr + (long)(3 * pp) * sv, y0i = yi + (long)(3 * pp) * sv;
            float* y1r = y0r + sv, y1i = y0i + sv, y2r = y1r + sv, y2i = y1i + sv;
            for (int i = 0; i < sv; i += vc)
            {
                var x0r = Vector.Load(a0r + i); var x0i = Vector.Load(a0i + i);
                var x1r = Vector.Load(a1r + i); var x1i = Vector.Load(a1i + i);
                var x2r = Vector.Load(a2r + i); var x2i = Vector.Load(a2i + i);
                var t1r = x1r + x2r; var t1i = x1i + x2i;
                var t2r = (x1r - x2r) * s3; var t2i = (x1i - x2i) * s3;
                (x0r + t1r).Store(y0r + i);
                (x0i + t1i).Store(y0i + i);
                var cr = x0r - half * t1r; var ci = x0i - half * t1i;
                // b1 = c - i (sqrt3/2) t2, b2 = c + i (sqrt3/2) t2
                var b1r = cr + t2i; var b1i = ci - t2r;
                var b2r = cr - t2i; var b2i = ci + t2r;
                (b1r * w1r - b1i * w1i).Store(y1r + i);
                (b1r * w1i + b1i * w1r).Store(y1i + i);
                (b2r * w2r - b2i * w2i).Store(y2r + i);
                (b2r * w2i + b2i * w2r).Store(y2i + i);
            }
        }
    }

    public static void Radix4(float* xr, float* xi, float* yr, float* yi, int m, int sv, float* twr, float* twi)
    {
        int vc = Vector<float>.Count;
        for (int pp = 0; pp < m; pp++)
        {
            var w1r = new Vector<float>(twr[3 * pp]); var w1i = new Vector<float>(twi[3 * pp]);
            var w2r = new Vector<float>(twr[3 * pp + 1]); var w2i = new Vector<float>(twi[3 * pp + 1]);
            var w3r = new Vector<float>(twr[3 * pp + 2]); var w3i = new Vector<float>(twi[3 * pp + 2]);
            float* a0r = xr + (long)pp * sv, a0i = xi + (long)pp * sv;
            float* a1r = xr + (long)(pp + m) * sv, a1i = xi + (long)(pp + m) * sv;
            float* a2r = xr + (long)(pp + 2 * m) * sv, a2i = xi + (long)(pp + 2 * m) * sv;
            float* a3r = xr + (long)(pp + 3 * m) * sv, a3i = xi + (long)(pp + 3 * m) * sv;
            float* y0r = yr + (long)(4 * pp) * sv, y0i = yi + (long)(4 * pp) * sv;
            float* y1r = y0r + sv, y1i = y0i + sv, y2r = y1r + sv, y2i = y1i + sv, y3r = y2r + sv, y3i = y2i + sv;
            if (pp == 0)
            {
                for (int i = 0; i < sv; i += vc)
                {
                    var x0r = Vector.Load(a0r + i); var x0i = Vector.Load(a0i + i);
                    var x1r = Vector.Load(a1r + i); var x1i = Vector.Load(a1i + i);
                    var x2r = Vector.Load(a2r + i); var x2i = Vector.Load(a2i + i);
                    var x3r = Vector.Load(a3r + i); var x3i = Vector.Load(a3i + i);
                    var t0r = x0r + x2r; var t0i = x0i + x2i;
                    var t1r = x0r - x2r; var t1i = x0i - x2i;
                    var t2r = x1r + x3r; var t2i = x1i + x3i;
                    var t3r = x1r - x3r; var t3i = x1i - x3i;
                    (t0r + t2r).Store(y0r + i);
                    (t0i + t2i).Store(y0i + i);
                    (t1r + t3i).Store(y1r + i);
                    (t1i - t3r).Store(y1i + i);
                    (t0r - t2r).Store(y2r + i);
                    (t0i - t2i).Store(y2i + i);
                    (t1r - t3i).Store(y3r + i);
                    (t1i + t3r).Store(y3i + i);
                }
                continue;
            }
            for (int i = 0; i < sv; i += vc)
            {
                var x0r = Vector.Load(a0r + i); var x0i = Vector.Load(a0i + i);
                var x1r = Vector.Load(a1r + i); var x1i = Vector.Load(a1i + i);
                var x2r = Vector.Load(a2r + i); var x2i = Vector.Load(a2i + i);
                var x3r = Vector.Load(a3r + i); var x3i = Vector.Load(a3i + i);
                var t0r = x0r + x2r; var t0i = x0i + x2i;
                var t1r = x0r - x2r; var t1i = x0i - x2i;
                var t2r = x1r + x3r; var t2i = x1i + x3i;
                var t3r = x1r - x3r; var t3i = x1i - x3i;
                (t0r + t2r).Store(y0r + i);
                (t0i + t2i).Store(y0i + i);
                // b1 = t1 - i t3, b2 = t0 - t2, b3 = t1 + i t3
                var b1r = t1r + t3i; var b1i = t1i - t3r;
                var b2r = t0r - t2r; var b2i = t0i - t2i;
                var b3r = t1r - t3i; var b3i = t1i + t3r;
                (b1r * w1r - b1i * w1i).Store(y1r + i);
                (b1r * w1i + b1i * w1r).Store(y1i + i);
                (b2r * w2r - b2i * w2i).Store(y2r + i);
                (b2r * w2i + b2i * w2r).Store(y2i + i);
                (b3r * w3r - b3i * w3i).Store(y3r + i);
                (b3r * w3i + b3i * w3r).Store(y3i + i);
            }
        }
    }

    /// <summary>
    /// Direct odd-radix DFT using the pair symmetry: b_t = a_0 + sum_j cos(2 pi j t / p) (a_j + a_(p-j))
    /// - i sin(2 pi j t / p) (a_j - a_(p-j)), j = 1..(p-1)/2.
    /// </summary>
    public static void OddRadix(int p, float* xr, float* xi, float* yr, float* yi, int m, int sv, float* twr, float* twi,
        float* cos, float* sin)
    {
        int vc = Vector<float>.Count;
        int h = (p - 1) / 2;
        var sumR = stackalloc Vector<float>[h];
        var sumI = stackalloc Vector<float>[h];
        var difR = stackalloc Vector<float>[h];
        var difI = stackalloc Vector<float>[h];
        for (int pp = 0; pp < m; pp++)
        {
            float* tr = twr + pp * (p - 1), ti = twi + pp * (p - 1);
            long inBase = (long)pp * sv, inStep = (long)m * sv;
            float* y0r = yr + (long)(p * pp) * sv, y0i = yi + (long)(p * pp) * sv;
            for (int i = 0; i < sv; i += vc)
            {
                var a0r = Vector.Load(xr + inBase + i);
                var a0i = Vector.Load(xi + inBase + i);
                var s0r = a0r; var s0i = a0i;
                for (int j = 1; j <= h; j++)
                {
                    long oj = inBase + j * inStep + i, ok = inBase + (p - j) * inStep + i;
                    var ajr = Vector.Load(xr + oj); var aji = Vector.Load(xi + oj);
                    var akr = Vector.Load(xr + ok); var aki = Vector.Load(xi + ok);
                    sumR[j - 1] = ajr + akr; sumI[j - 1] = aji + aki;
                    difR[j - 1] = ajr - akr; difI[j - 1] = aji - aki;
                    s0r += sumR[j - 1]; s0i += sumI[j - 1];
                }
                s0r.Store(y0r + i);
                s0i.Store(y0i + i);
                for (int t = 1; t <= h; t++)
                {
                    var accR = a0r; var accI = a0i;
                    var rotR = Vector<float>.Zero; var rotI = Vector<float>.Zero;
                    int k = 0;
                    for (int j = 1; j <= h; j++)
                    {
                        k += t;
                        if (k >= p) k -= p;
                        var c = new Vector<float>(cos[k]);
                        var s = new Vector<float>(sin[k]);
                        accR += c * sumR[j - 1]; accI += c * sumI[j - 1];
                        rotR += s * difI[j - 1]; rotI -= s * difR[j - 1];
                    }
                    var btr = accR + rotR; var bti = accI + rotI;
                    var bur = accR - rotR; var bui = accI - rotI;
                    int u = p - t;
                    var wtr = new Vector<float>(tr[t - 1]); var wti = new Vector<float>(ti[t - 1]);
                    var wur = new Vector<float>(tr[u - 1]); var wui = new Vector<float>(ti[u - 1]);
                    (btr * wtr - bti * wti).Store(y0r + (long)t * sv + i);
                    (btr * wti + bti * wtr).Store(y0i + (long)t * sv + i);
                    (bur * wur - bui * wui).Store(y0r + (long)u * sv + i);
                    (bur * wui + bui * wur).Store(y0i + (long)u * sv + i);
                }
            }
        }
    }
}
