using System.Buffers;
using System.Numerics;

namespace FeatureViz.Kernels.Cpu.Fft;

/// <summary>
/// The passes of the batched 2-D real FFT. Rows are transformed two at a time: a block of 2 * <see cref="Lanes"/>
/// real rows of one image is loaded as the real (first half) and imaginary (second half) parts of
/// <see cref="Lanes"/> complex sequences, so one complex FFT serves two real rows. Columns are transformed
/// <see cref="Lanes"/> at a time. Between the passes the half spectrum lives in split planes laid out
/// [batch][Wc][H] (each spectrum column contiguous, padded to PlaneStride), so the row pass reads and writes whole lane vectors and the
/// column pass reads and writes whole interleaved spectrum rows; the only transposes are the lane loads/stores.
/// </summary>
internal static unsafe class RealFft2
{
    /// <summary>Sequences transformed together (a multiple of every <see cref="Vector{T}.Count"/>).</summary>
    public const int Lanes = 16;

    /// <summary>
    /// Extra floats to rent for a buffer that is then aligned with <see cref="Gemm.PackBuffer.Align64"/> (a 512-point
    /// FFT on vectors that straddle cache lines measured 1.5x slower).
    /// </summary>
    public const int AlignSlack = 16;


    /// <summary>Row blocks per image.</summary>
    public static int RowBlocks(int h) => (h + 2 * Lanes - 1) / (2 * Lanes);

    /// <summary>
    /// Floats between consecutive spectrum columns in the planes: H rounded up to whole cache lines, and kept off
    /// multiples of 256 bytes so the 16 columns a lane transpose touches do not share cache sets.
    /// </summary>
    public static int PlaneStride(int h)
    {
        int ld = (h + 15) & ~15;
        return ld % 64 == 0 ? ld + 16 : ld;
    }

    /// <summary>Floats in one split plane: [batch][Wc][PlaneStride(H)].</summary>
    public static int PlaneLength(int batch, int h, int w) => batch * (w / 2 + 1) * PlaneStride(h);

    /// <summary>Column blocks per image.</summary>
    public static int ColumnBlocks(int wc) => (wc + Lanes - 1) / Lanes;

    /// <summary>Row pass of the R2C transform over tasks [t0, t1) (image * RowBlocks + block): x [batch][h][w] to the planes.</summary>
    public static void ForwardRows(float[] x, float[] pRe, float[] pIm, int h, int w, int t0, int t1)
    {
        int wc = w / 2 + 1, blocks = RowBlocks(h), ld = PlaneStride(h);
        var plan = FftPlan.For(w);
        long plane = (long)w * Lanes;
        var buf = ArrayPool<float>.Shared.Rent((int)(2 * plane + plan.ScratchFloats(Lanes)) + AlignSlack);
        try
        {
            fixed (float* bp = buf, xp = x, prRaw = pRe, piRaw = pIm)
            {
                float* re = Gemm.PackBuffer.Align64(bp), im = re + plane, scratch = re + 2 * plane;
                float* pr = Gemm.PackBuffer.Align64(prRaw), pi = Gemm.PackBuffer.Align64(piRaw);
                var half = new Vector<float>(0.5f);
                int vc = Vector<float>.Count;
                for (int t = t0; t < t1; t++)
                {
                    int img = t / blocks, m0 = t % blocks * 2 * Lanes;
                    int na = Math.Min(Lanes, h - m0), nb = Math.Clamp(h - m0 - Lanes, 0, Lanes);
                    float* rows = xp + ((long)img * h + m0) * w;
                    LaneTranspose.Load(rows, w, na, re, w);
                    LaneTranspose.Load(rows + (long)Lanes * w, w, nb, im, w);
                    plan.Forward(re, im, scratch, Lanes, out var fr, out var fi);
                    // Z = FFT(a + i b): A_k = (Z_k + conj Z_(w-k)) / 2, B_k = (Z_k - conj Z_(w-k)) / 2i.
                    for (int k = 0; k < wc; k++)
                    {
                        int nk = k == 0 ? 0 : w - k;
                        float* zr = fr + k * Lanes, zi = fi + k * Lanes, ur = fr + nk * Lanes, ui = fi + nk * Lanes;
                        long o = ((long)img * wc + k) * ld + m0;
                        float* ar = pr + o, ai = pi + o, br = ar + Lanes, bi = ai + Lanes;
                        if (na == Lanes && nb == Lanes)
                        {
                            for (int j = 0; j < Lanes; j += vc)
                            {
                                var vzr = Vector.Load(zr + j); var vzi = Vector.Load(zi + j);
                                var vur = Vector.Load(ur + j); var vui = Vector.Load(ui + j);
                                (half * (vzr + vur)).Store(ar + j);
                                (half * (vzi - vui)).Store(ai + j);
                                (half * (vzi + vui)).Store(br + j);
                                (half * (vur - vzr)).Store(bi + j);
                            }
                        }
                        else
                        {
                            for (int j = 0; j < na; j++)
                            {
                                ar[j] = 0.5f * (zr[j] + ur[j]);
                                ai[j] = 0.5f * (zi[j] - ui[j]);
                            }
                            for (int j = 0; j < nb; j++)
                            {
                                br[j] = 0.5f * (zi[j] + ui[j]);
                                bi[j] = 0.5f * (ur[j] - zr[j]);
                            }
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
    /// Column pass of the R2C transform over tasks [t0, t1) (image * ColumnBlocks + block): forward FFTs down the
    /// spectrum columns, weighted and interleaved into <paramref name="y"/> [batch][h][wc][2]: bin (m, c) is multiplied
    /// by <paramref name="weights"/>[c] and, when given, <paramref name="bins"/>[m * wc + c].
    /// </summary>
    public static void ForwardColumns(float[] pRe, float[] pIm, float[] y, int h, int wc, float[] weights, float[]? bins, int t0, int t1)
    {
        var plan = FftPlan.For(h);
        int blocks = ColumnBlocks(wc), ld = PlaneStride(h);
        long plane = (long)h * Lanes;
        var buf = ArrayPool<float>.Shared.Rent((int)(2 * plane + plan.ScratchFloats(Lanes)) + AlignSlack);
        try
        {
            fixed (float* bp = buf, yp = y, prRaw = pRe, piRaw = pIm, wp = weights, bw = bins)
            {
                float* re = Gemm.PackBuffer.Align64(bp), im = re + plane, scratch = re + 2 * plane;
                float* pr = Gemm.PackBuffer.Align64(prRaw), pi = Gemm.PackBuffer.Align64(piRaw);
                for (int t = t0; t < t1; t++)
                {
                    int img = t / blocks, c0 = t % blocks * Lanes, cw = Math.Min(Lanes, wc - c0);
                    long o = ((long)img * wc + c0) * ld;
                    LaneTranspose.Load(pr + o, ld, cw, re, h);
                    LaneTranspose.Load(pi + o, ld, cw, im, h);
                    plan.Forward(re, im, scratch, Lanes, out var fr, out var fi);
                    float* dst = yp + 2 * ((long)img * h * wc + c0);
                    for (int m = 0; m < h; m++)
                        LaneTranspose.Interleave(fr + (long)m * Lanes, fi + (long)m * Lanes, wp + c0, bw == null ? null : bw + (long)m * wc + c0, dst + 2L * m * wc, cw);
                }
            }
        }
        finally
        {
            ArrayPool<float>.Shared.Return(buf);
        }
    }

    /// <summary>
    /// Column pass of the C2R transform over tasks [t0, t1): the weighted columns of <paramref name="spec"/>
    /// ([batch][h][wc][2]) through inverse FFTs into the planes; weights as in <see cref="ForwardColumns"/>.
    /// </summary>
    public static void InverseColumns(float[] spec, float[] pRe, float[] pIm, int h, int wc, float[] weights, float[]? bins, int t0, int t1)
    {
        var plan = FftPlan.For(h);
        int blocks = ColumnBlocks(wc), ld = PlaneStride(h);
        long plane = (long)h * Lanes;
        var buf = ArrayPool<float>.Shared.Rent((int)(2 * plane + plan.ScratchFloats(Lanes)) + AlignSlack);
        try
        {
            fixed (float* bp = buf, sp = spec, prRaw = pRe, piRaw = pIm, wp = weights, bw = bins)
            {
                float* re = Gemm.PackBuffer.Align64(bp), im = re + plane, scratch = re + 2 * plane;
                float* pr = Gemm.PackBuffer.Align64(prRaw), pi = Gemm.PackBuffer.Align64(piRaw);
                for (int t = t0; t < t1; t++)
                {
                    int img = t / blocks, c0 = t % blocks * Lanes, cw = Math.Min(Lanes, wc - c0);
                    if (cw < Lanes) new Span<float>(re, (int)(2 * plane)).Clear();
                    float* src = sp + 2 * ((long)img * h * wc + c0);
                    for (int m = 0; m < h; m++)
                        LaneTranspose.Deinterleave(src + 2L * m * wc, wp + c0, bw == null ? null : bw + (long)m * wc + c0, re + (long)m * Lanes, im + (long)m * Lanes, cw);
                    plan.Forward(im, re, scratch, Lanes, out var fi, out var fr); // inverse: planes swapped
                    long o = ((long)img * wc + c0) * ld;
                    LaneTranspose.Store(fr, pr + o, ld, cw, h);
                    LaneTranspose.Store(fi, pi + o, ld, cw, h);
                }
            }
        }
        finally
        {
            ArrayPool<float>.Shared.Return(buf);
        }
    }

    /// <summary>
    /// Row pass of the C2R transform over tasks [t0, t1): each plane row is extended Hermitian-symmetrically
    /// (imaginary parts of DC and Nyquist dropped) and inverse transformed, two real rows per complex FFT.
    /// </summary>
    public static void InverseRows(float[] pRe, float[] pIm, float[] y, int h, int w, int t0, int t1)
    {
        int wc = w / 2 + 1, blocks = RowBlocks(h), ld = PlaneStride(h);
        var plan = FftPlan.For(w);
        long plane = (long)w * Lanes;
        var buf = ArrayPool<float>.Shared.Rent((int)(2 * plane + plan.ScratchFloats(Lanes) + 4 * Lanes) + AlignSlack);
        try
        {
            fixed (float* bp = buf, yp = y, prRaw = pRe, piRaw = pIm)
            {
                float* re = Gemm.PackBuffer.Align64(bp), im = re + plane, scratch = re + 2 * plane;
                float* pr = Gemm.PackBuffer.Align64(prRaw), pi = Gemm.PackBuffer.Align64(piRaw);
                float* tmp = scratch + plan.ScratchFloats(Lanes);
                int vc = Vector<float>.Count;
                for (int t = t0; t < t1; t++)
                {
                    int img = t / blocks, m0 = t % blocks * 2 * Lanes;
                    int na = Math.Min(Lanes, h - m0), nb = Math.Clamp(h - m0 - Lanes, 0, Lanes);
                    bool full = na == Lanes && nb == Lanes;
                    if (!full) new Span<float>(tmp, 4 * Lanes).Clear();
                    // Q = A + i B with A, B the Hermitian extensions of rows a and b: Re Q = Re A - Im B, Im Q = Im A + Re B.
                    for (int l = 0; l < w; l++)
                    {
                        int k = l < wc ? l : w - l;
                        long o = ((long)img * wc + k) * ld + m0;
                        float* ar = pr + o, ai = pi + o, br = ar + Lanes, bi = ai + Lanes;
                        if (!full)
                        {
                            for (int j = 0; j < na; j++) { tmp[j] = ar[j]; tmp[Lanes + j] = ai[j]; }
                            for (int j = 0; j < nb; j++) { tmp[2 * Lanes + j] = br[j]; tmp[3 * Lanes + j] = bi[j]; }
                            ar = tmp; ai = tmp + Lanes; br = tmp + 2 * Lanes; bi = tmp + 3 * Lanes;
                        }
                        float* qr = re + (long)l * Lanes, qi = im + (long)l * Lanes;
                        if (l == 0 || 2 * l == w)
                        {
                            for (int j = 0; j < Lanes; j += vc)
                            {
                                Vector.Load(ar + j).Store(qr + j);
                                Vector.Load(br + j).Store(qi + j);
                            }
                        }
                        else if (l < wc)
                        {
                            for (int j = 0; j < Lanes; j += vc)
                            {
                                (Vector.Load(ar + j) - Vector.Load(bi + j)).Store(qr + j);
                                (Vector.Load(ai + j) + Vector.Load(br + j)).Store(qi + j);
                            }
                        }
                        else
                        {
                            for (int j = 0; j < Lanes; j += vc)
                            {
                                (Vector.Load(ar + j) + Vector.Load(bi + j)).Store(qr + j);
                                (Vector.Load(br + j) - Vector.Load(ai + j)).Store(qi + j);
                            }
                        }
                    }
                    plan.Forward(im, re, scratch, Lanes, out var fi, out var fr); // inverse: planes swapped
                    float* rows = yp + ((long)img * h + m0) * w;
                    LaneTranspose.Store(fr, rows, w, na, w);
                    LaneTranspose.Store(fi, rows + (long)Lanes * w, w, nb, w);
                }
            }
        }
        finally
        {
            ArrayPool<float>.Shared.Return(buf);
        }
    }
}
