using System.Numerics;

namespace FeatureViz.Kernels.Cpu.Fft;

/// <summary>
/// Bluestein's chirp-z DFT for lengths with a large prime factor: with b_n = exp(i pi n^2 / N),
/// X_k = conj(b_k) sum_n (x_n conj(b_n)) b_(k-n), a cyclic convolution done by power-of-two FFTs of length
/// M &gt;= 2N - 1. The chirp and the transformed kernel are computed in float64 once per length.
/// </summary>
internal sealed unsafe class BluesteinPlan
{
    private readonly int _n;
    private readonly FftPlan _inner;
    private readonly float[] _chirpRe, _chirpIm;     // conj(b_n), n < N
    private readonly float[] _kernelRe, _kernelIm;   // FFT_M(b) / M

    public BluesteinPlan(int n)
    {
        _n = n;
        int m = 1;
        while (m < 2 * n - 1) m <<= 1;
        _inner = FftPlan.For(m);
        _chirpRe = new float[n];
        _chirpIm = new float[n];
        var br = new double[m];
        var bi = new double[m];
        for (int k = 0; k < n; k++)
        {
            // n^2 mod 2N keeps the angle exact for large n.
            long q = (long)k * k % (2L * n);
            double a = Math.PI * q / n;
            double c = Math.Cos(a), s = Math.Sin(a);
            _chirpRe[k] = (float)c;
            _chirpIm[k] = (float)-s;
            br[k] = c; bi[k] = s;
            if (k > 0) { br[m - k] = c; bi[m - k] = s; }
        }
        DoubleFft(br, bi);
        _kernelRe = new float[m];
        _kernelIm = new float[m];
        for (int k = 0; k < m; k++)
        {
            _kernelRe[k] = (float)(br[k] / m);
            _kernelIm[k] = (float)(bi[k] / m);
        }
    }

    private int M => _inner.Length;

    public long ScratchFloats(int lanes) => 2L * M * lanes + _inner.ScratchFloats(lanes);

    public void Forward(float* re, float* im, float* scratch, int lanes)
    {
        long plane = (long)M * lanes;
        float* ar = scratch, ai = scratch + plane, inner = scratch + 2 * plane;
        fixed (float* cr = _chirpRe, ci = _chirpIm, kr = _kernelRe, ki = _kernelIm)
        {
            ScaleRows(re, im, cr, ci, ar, ai, _n, lanes);
            long used = (long)_n * lanes;
            new Span<float>(ar + used, (int)(plane - used)).Clear();
            new Span<float>(ai + used, (int)(plane - used)).Clear();
            _inner.Forward(ar, ai, inner, lanes);
            ScaleRows(ar, ai, kr, ki, ar, ai, M, lanes);
            _inner.Forward(ai, ar, inner, lanes); // inverse (planes swapped)
            ScaleRows(ar, ai, cr, ci, re, im, _n, lanes);
        }
    }

    /// <summary>Row k of the (x) planes times the complex factor w[k], into the (y) planes (which may be the x planes).</summary>
    private static void ScaleRows(float* xr, float* xi, float* wRe, float* wIm, float* yr, float* yi, int rows, int lanes)
    {
        int vc = Vector<float>.Count;
        for (int k = 0; k < rows; k++)
        {
            var wr = new Vector<float>(wRe[k]); var wi = new Vector<float>(wIm[k]);
            long o = (long)k * lanes;
            for (int i = 0; i < lanes; i += vc)
            {
                var a = Vector.Load(xr + o + i); var b = Vector.Load(xi + o + i);
                (a * wr - b * wi).Store(yr + o + i);
                (a * wi + b * wr).Store(yi + o + i);
            }
        }
    }

    /// <summary>In-place iterative radix-2 forward DFT in float64 (length a power of two), for the precomputation.</summary>
    private static void DoubleFft(double[] re, double[] im)
    {
        int n = re.Length;
        for (int i = 1, j = 0; i < n; i++)
        {
            int bit = n >> 1;
            for (; (j & bit) != 0; bit >>= 1) j ^= bit;
            j ^= bit;
            if (i < j) { (re[i], re[j]) = (re[j], re[i]); (im[i], im[j]) = (im[j], im[i]); }
        }
        for (int len = 2; len <= n; len <<= 1)
        {
            int half = len >> 1;
            for (int k = 0; k < half; k++)
            {
                double a = -2 * Math.PI * k / len;
                double wr = Math.Cos(a), wi = Math.Sin(a);
                for (int s = 0; s < n; s += len)
                {
                    int p = s + k, q = p + half;
                    double tr = re[q] * wr - im[q] * wi, ti = re[q] * wi + im[q] * wr;
                    re[q] = re[p] - tr; im[q] = im[p] - ti;
                    re[p] += tr; im[p] += ti;
                }
            }
        }
    }
}
