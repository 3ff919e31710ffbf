using System.Buffers;
using System.Numerics;

namespace FeatureViz.Kernels.Cpu.Fft;

/// <summary>
/// The passes of the batched 2-D real FFT. Rows are transformed two at a time: a block of 2 * <see cref="Lanes"/>
/// real rows is loaded as the real (first half) and imaginary (second half) parts of <see cref="Lanes"/> complex
/// sequences, so one complex FFT serves two real rows. Columns are transformed <see cref="Lanes"/> at a time. Between
/// the passes the half spectrum lives in split planes [rows][Wc] (real and imaginary apart).
/// </summary>
internal static unsafe class RealFft2
{
    /// <summary>Sequences transformed together (a multiple of every <see cref="Vector{T}.Count"/>).</summary>
    public const int Lanes = 16;

    /// <summary>Row pass of the R2C transform over row blocks [b0, b1): x [rows][w] to the planes [rows][wc].</summary>
    public static void ForwardRows(float[] x, float[] pRe, float[] pIm, int rows, int w, int wc, int b0, int b1)
    {
        var plan = FftPlan.For(w);
        long plane = (long)w * Lanes;
        var buf = ArrayPool<float>.Shared.Rent((int)(2 * plane + plan.ScratchFloats(Lanes)));
        try
        {
            fixed (float* bp = buf, xp = x, pr = pRe, pi = pIm)
            {
                float* re = bp, im = bp + plane, scratch = bp + 2 * plane;
                for (int b = b0; b < b1; b++)
                {
                    int r0 = b * 2 * Lanes;
                    int na = Math.Clamp(rows - r0, 0, Lanes), nb = Math.Clamp(rows - r0 - Lanes, 0, Lanes);
                    if (nb < Lanes) new Span<float>(bp, (int)(2 * plane)).Clear();
                    for (int r = 0; r < na; r++) Gather(xp + (long)(r0 + r) * w, re + r, w);
                    for (int r = 0; r < nb; r++) Gather(xp + (long)(r0 + Lanes + r) * w, im + r, w);
                    plan.Forward(re, im, scratch, Lanes);
                    // Z = FFT(a + i b): A_k = (Z_k + conj Z_(w-k)) / 2, B_k = (Z_k - conj Z_(w-k)) / 2i.
                    for (int r = 0; r < na; r++)
                    {
                        float* dr = pr + (long)(r0 + r) * wc, di = pi + (long)(r0 + r) * wc;
                        for (int k = 0; k < wc; k++)
                        {
                            int nk = k == 0 ? 0 : w - k;
                            float zr = re[k * Lanes + r], zi = im[k * Lanes + r];
                            float ur = re[nk * Lanes + r], ui = im[nk * Lanes + r];
                            dr[k] = 0.5f * (zr + ur);
                            di[k] = 0.5f * (zi - ui);
                        }
                    }
                    for (int r = 0; r < nb; r++)
                    {
                        float* dr = pr + (long)(r0 + Lanes + r) * wc, di = pi + (long)(r0 + Lanes + r) * wc;
                        for (int k = 0; k < wc; k++)
                        {
                            int nk = k == 0 ? 0 : w - k;
                            float zr = re[k * Lanes + r], zi = im[k * Lanes + r];
                            float ur = re[nk * Lanes + r], ui = im[nk * Lanes + r];
                            dr[k] = 0.5f * (zi + ui);
                            di[k] = 0.5f * (ur - zr);
                        }
                    }
                }
            }
        }
        finally
        {
            ArrayPool<float>.Shared.Return(buf);
        }
    }

    /// <summary>
    /// Column pass of the R2C transform over tasks [t0, t1) (task = image * column blocks + block): forward FFTs
    /// down the columns of the planes, weighted and interleaved into <paramref name="y"/> [batch][h][wc][2].
    /// </summary>
    public static void ForwardColumns(float[] pRe, float[] pIm, float[] y, int h, int wc, float[] weights, int t0, int t1)
    {
        var plan = FftPlan.For(h);
        int blocks = (wc + Lanes - 1) / Lanes;
        long plane = (long)h * Lanes;
        var buf = ArrayPool<float>.Shared.Rent((int)(2 * plane + plan.ScratchFloats(Lanes)));
        try
        {
            fixed (float* bp = buf, yp = y, pr = pRe, pi = pIm, wp = weights)
            {
                float* re = bp, im = bp + plane, scratch = bp + 2 * plane;
                for (int t = t0; t < t1; t++)
                {
                    int img = t / blocks, c0 = t % blocks * Lanes, cw = Math.Min(Lanes, wc - c0);
                    if (cw < Lanes) new Span<float>(bp, (int)(2 * plane)).Clear();
                    long baseOffset = (long)img * h * wc + c0;
                    for (int m = 0; m < h; m++)
                    {
                        long o = baseOffset + (long)m * wc;
                        Buffer.MemoryCopy(pr + o, re + (long)m * Lanes, cw * sizeof(float), cw * sizeof(float));
                        Buffer.MemoryCopy(pi + o, im + (long)m * Lanes, cw * sizeof(float), cw * sizeof(float));
                    }
                    plan.Forward(re, im, scratch, Lanes);
                    for (int m = 0; m < h; m++)
                    {
                        float* dst = yp + 2 * (baseOffset + (long)m * wc);
                        float* sr = re + (long)m * Lanes, si = im + (long)m * Lanes;
                        for (int j = 0; j < cw; j++)
                        {
                            dst[2 * j] = sr[j] * wp[c0 + j];
                            dst[2 * j + 1] = si[j] * wp[c0 + j];
                        }
                    }
                }
            }
        }
        finally
        {
            ArrayPool<float>.Shared.Return(buf);
        }
    }

    /// <summary>
    /// Column pass of the C2R transform over tasks [t0, t1): the weighted spectrum columns of <paramref name="spec"/>
    /// ([batch][h][wc][2]) through inverse FFTs down the columns into the planes.
    /// </summary>
    public static void InverseColumns(float[] spec, float[] pRe, float[] pIm, int h, int wc, float[] weights, int t0, int t1)
    {
        var plan = FftPlan.For(h);
        int blocks = (wc + Lanes - 1) / Lanes;
        long plane = (long)h * Lanes;
        var buf = ArrayPool<float>.Shared.Rent((int)(2 * plane + plan.ScratchFloats(Lanes)));
        try
        {
            fixed (float* bp = buf, sp = spec, pr = pRe, pi = pIm, wp = weights)
            {
                float* re = bp, im = bp + plane, scratch = bp + 2 * plane;
                for (int t = t0; t < t1; t++)
                {
                    int img = t / blocks, c0 = t % blocks * Lanes, cw = Math.Min(Lanes, wc - c0);
                    if (cw < Lanes) new Span<float>(bp, (int)(2 * plane)).Clear();
                    long baseOffset = (long)img * h * wc + c0;
                    for (int m = 0; m < h; m++)
                    {
                        float* src = sp + 2 * (baseOffset + (long)m * wc);
                        float* dr = re + (long)m * Lanes, di = im + (long)m * Lanes;
                        for (int j = 0; j < cw; j++)
                        {
                            dr[j] = src[2 * j] * wp[c0 + j];
                            di[j] = src[2 * j + 1] * wp[c0 + j];
                        }
                    }
                    plan.Forward(im, re, scratch, Lanes); // inverse: planes swapped
                    for (int m = 0; m < h; m++)
                    {
                        long o = baseOffset + (long)m * wc;
                        Buffer.MemoryCopy(re + (long)m * Lanes, pr + o, cw * sizeof(float), cw * sizeof(float));
                        Buffer.MemoryCopy(im + (long)m * Lanes, pi + o, cw * sizeof(float), cw * sizeof(float));
                    }
                }
            }
        }
        finally
        {
            ArrayPool<float>.Shared.Return(buf);
        }
    }

    /// <summary>
    /// Row pass of the C2R transform over row blocks [b0, b1): each plane row is extended Hermitian-symmetrically
    /// (imaginary parts of DC and Nyquist dropped) and inverse transformed; two real rows per complex FFT.
    /// </summary>
    public static void InverseRows(float[] pRe, float[] pIm, float[] y, int rows, int w, int wc, int b0, int b1)
    {
        var plan = FftPlan.For(w);
        long plane = (long)w * Lanes;
        var buf = ArrayPool<float>.Shared.Rent((int)(2 * plane + plan.ScratchFloats(Lanes)));
        try
        {
            fixed (float* bp = buf, yp = y, pr = pRe, pi = pIm)
            {
                float* re = bp, im = bp + plane, scratch = bp + 2 * plane;
                for (int b = b0; b < b1; b++)
                {
                    int r0 = b * 2 * Lanes;
                    int na = Math.Clamp(rows - r0, 0, Lanes), nb = Math.Clamp(rows - r0 - Lanes, 0, Lanes);
                    if (na < Lanes) new Span<float>(bp, (int)(2 * plane)).Clear();
                    // Q = A + i B with A, B the Hermitian extensions of rows a and b: Re Q = Re A - Im B, Im Q = Im A + Re B.
                    for (int r = 0; r < na; r++)
                    {
                        float* ar = pr + (long)(r0 + r) * wc, ai = pi + (long)(r0 + r) * wc;
                        for (int l = 0; l < w; l++)
                        {
                            int k = l < wc ? l : w - l;
                            float vr = ar[k], vi = l == 0 || 2 * l == w ? 0f : l < wc ? ai[k] : -ai[k];
                            re[l * Lanes + r] = vr;
                            im[l * Lanes + r] = vi;
                        }
                    }
                    for (int r = 0; r < nb; r++)
                    {
                        float* br = pr + (long)(r0 + Lanes + r) * wc, bi = pi + (long)(r0 + Lanes + r) * wc;
                        for (int l = 0; l < w; l++)
                        {
                            int k = l < wc ? l : w - l;
                            float vr = br[k], vi = l == 0 || 2 * l == w ? 0f : l < wc ? bi[k] : -bi[k];
                            re[l * Lanes + r] -= vi;
                            im[l * Lanes + r] += vr;
                        }
                    }
                    plan.Forward(im, re, scratch, Lanes); // inverse: planes swapped
                    for (int r = 0; r < na; r++) Scatter(re + r, yp + (long)(r0 + r) * w, w);
                    for (int r = 0; r < nb; r++) Scatter(im + r, yp + (long)(r0 + Lanes + r) * w, w);
                }
            }
        }
        finally
        {
            ArrayPool<float>.Shared.Return(buf);
        }
    }

    private static void Gather(float* src, float* dst, int w)
    {
        for (int n = 0; n < w; n++) dst[n * Lanes] = src[n];
    }

    private static void Scatter(float* src, float* dst, int w)
    {
        for (int n = 0; n < w; n++) dst[n] = src[n * Lanes];
    }
}
