using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using FeatureViz.Tensors.Backends;

namespace FeatureViz.Kernels.Cpu.Conv;

/// <summary>
/// A depthwise plane through a zero-padded, stride-phase-split copy of its input (forward) or of its input gradient
/// (adjoint), so that every tap of every output row is a contiguous, bounds-free vector access, whatever the stride,
/// padding or dilation: padded column j = k * S + q is element k of phase plane q (S = horizontal stride), and tap kw
/// of output column ow reads phase (kw * dilation) % S at index ow + (kw * dilation) / S.
/// </summary>
/// <remarks>
/// The forward keeps 16 outputs in a register across all taps (one load and one FMA per tap and vector), where the
/// plain kernel did a load-FMA-store pass per tap and a scalar loop for strided convolutions: MobileNet-style models
/// spent most of their depthwise time in those scalar strided loops. Stride 2 splits rows with AVX-512 permutes.
/// </remarks>
internal static unsafe class DepthwisePlane
{
    /// <summary>Reused per thread: the padded phase planes, one padded row and a vector of spare lanes.</summary>
    [ThreadStatic] private static float[]? _scratch;

    /// <summary>Whether this path runs the geometry: 512-bit vectors, one input channel per group, a stride of at most 4.</summary>
    public static bool Supports(Conv2dGeometry g) =>
        Vector512.IsHardwareAccelerated && g.GroupInputChannels == 1 && g.StrideW is >= 1 and <= 4 && g.OW > 0 && g.OH > 0
        && g.PadLeft >= 0 && g.PadTop >= 0 && Layout.FloatsOf(g) <= MaxScratchFloats;

    /// <summary>Planes whose padded copy would take more (huge dilations or padding) take the plain kernel.</summary>
    private const long MaxScratchFloats = 1L << 24;

    private readonly struct Layout
    {
        public readonly int S, Rows, Pitch, Plane, RowLength;

        public Layout(Conv2dGeometry g)
        {
            S = g.StrideW;
            int ow16 = (g.OW + 15) & ~15;
            Pitch = (ow16 + (g.KW - 1) * g.DilationW / S + 1 + 15) & ~15;
            Rows = (g.OH - 1) * g.StrideH + (g.KH - 1) * g.DilationH + 1;
            Plane = Rows * Pitch;
            RowLength = S * Pitch;
        }

        public long Floats => (long)S * Plane + RowLength + 16;

        /// <summary>The scratch a geometry needs, in long arithmetic (huge dilations or padding must not wrap around).</summary>
        public static long FloatsOf(Conv2dGeometry g)
        {
            long s = g.StrideW, ow16 = ((long)g.OW + 15) & ~15L;
            long pitch = (ow16 + (long)(g.KW - 1) * g.DilationW / s + 1 + 15) & ~15L;
            long rows = (long)(g.OH - 1) * g.StrideH + (long)(g.KH - 1) * g.DilationH + 1;
            return s * rows * pitch + s * pitch + 16;
        }
    }

    private static float[] Scratch(long floats)
    {
        var s = _scratch;
        if (s is null || s.Length < floats) _scratch = s = GC.AllocateUninitializedArray<float>((int)Math.Max(floats, 4096), pinned: true);
        return s;
    }

    /// <summary>y (one output plane, holding the bias or zeros) += the depthwise convolution of input plane x with the taps wo.</summary>
    public static void Forward(float* x, float* wo, float* y, Conv2dGeometry g)
    {
        var l = new Layout(g);
        var scratch = Scratch(l.Floats);
        fixed (float* ps = scratch)
        {
            float* row = ps + (long)l.S * l.Plane, spare = row + l.RowLength;
            for (int r = 0; r < l.Rows; r++)
            {
                int ih = r - g.PadTop;
                float* target = l.S == 1 ? ps + (long)r * l.Pitch : row;
                new Span<float>(target, l.RowLength).Clear();
                if ((uint)ih < (uint)g.H)
                {
                    int j0 = Math.Max(0, g.PadLeft), c0 = j0 - g.PadLeft, c1 = Math.Min(g.W, l.RowLength - g.PadLeft);
                    if (c1 > c0) new ReadOnlySpan<float>(x + (long)ih * g.W + c0, c1 - c0).CopyTo(new Span<float>(target + j0, c1 - c0));
                }
                if (l.S > 1) Split(row, ps + (long)r * l.Pitch, l);
            }
            int taps = g.KH * g.KW;
            // Each tap's offset from an output row's first read (the division and remainder by the stride hoisted).
            long* offset = stackalloc long[taps];
            for (int kh = 0; kh < g.KH; kh++)
                for (int kw = 0; kw < g.KW; kw++)
                {
                    int t = kw * g.DilationW;
                    offset[kh * g.KW + kw] = (long)kh * g.DilationH * l.Pitch + (long)(t % l.S) * l.Plane + t / l.S;
                }
            for (int oh = 0; oh < g.OH; oh++)
            {
                float* yrow = y + (long)oh * g.OW, prow = ps + (long)oh * g.StrideH * l.Pitch;
                for (int c = 0; c < g.OW; c += 16)
                {
                    bool full = c + 16 <= g.OW;
                    if (!full)
                    {
                        new Span<float>(spare, 16).Clear();
                        new ReadOnlySpan<float>(yrow + c, g.OW - c).CopyTo(new Span<float>(spare, 16));
                    }
                    var acc = Vector512.Load(full ? yrow + c : spare);
                    float* pc = prow + c;
                    for (int k = 0; k < taps; k++) acc = Vector512.FusedMultiplyAdd(Vector512.Load(pc + offset[k]), Vector512.Create(wo[k]), acc);
                    if (full) acc.Store(yrow + c);
                    else
                    {
                        acc.Store(spare);
                        new ReadOnlySpan<float>(spare, g.OW - c).CopyTo(new Span<float>(yrow + c, g.OW - c));
                    }
                }
            }
        }
    }

    /// <summary>
    /// dx (one input plane, overwritten) = the adjoint of the depthwise convolution, summed over the channel's
    /// <paramref name="outputs"/> output planes dy[k * OH * OW] with taps wo[k * KH * KW].
    /// </summary>
    public static void Adjoint(float* dy, float* wo, int outputs, float* dx, Conv2dGeometry g)
    {
        // Stride 1: the adjoint is a forward correlation of dy with the flipped taps (padding (K - 1) * dilation - pad),
        // which keeps its sums in registers.
        var t = g with
        {
            H = g.OH, W = g.OW, OH = g.H, OW = g.W,
            PadTop = (g.KH - 1) * g.DilationH - g.PadTop, PadLeft = (g.KW - 1) * g.DilationW - g.PadLeft,
        };
        if (g.StrideH == 1 && g.StrideW == 1 && Supports(t))
        {
            new Span<float>(dx, g.H * g.W).Clear();
            int taps = g.KH * g.KW;
            float* flipped = stackalloc float[taps];
            for (int k = 0; k < outputs; k++)
            {
                for (int i = 0; i < taps; i++) flipped[i] = wo[(long)k * taps + taps - 1 - i];
                Forward(dy + (long)k * g.OH * g.OW, flipped, dx, t);
            }
            return;
        }
        var l = new Layout(g);
        var scratch = Scratch(l.Floats);
        fixed (float* ps = scratch)
        {
            new Span<float>(ps, l.S * l.Plane).Clear();
            long ohw = (long)g.OH * g.OW;
            int ow16 = (g.OW + 15) & ~15;
            // dy rows are copied into a zero-tailed row so that every tap is whole vectors (the extra lanes add zeros).
            float* dyrow = ps + (long)l.S * l.Plane;
            new Span<float>(dyrow + g.OW, ow16 - g.OW).Clear();
            for (int k = 0; k < outputs; k++)
            {
                float* dyk = dy + k * ohw, wk = wo + (long)k * g.KH * g.KW;
                for (int oh = 0; oh < g.OH; oh++)
                {
                    new ReadOnlySpan<float>(dyk + (long)oh * g.OW, g.OW).CopyTo(new Span<float>(dyrow, g.OW));
                    for (int kh = 0; kh < g.KH; kh++)
                    {
                        float* prow = ps + (long)(oh * g.StrideH + kh * g.DilationH) * l.Pitch;
                        for (int kw = 0; kw < g.KW; kw++)
                        {
                            int tap = kw * g.DilationW;
                            VectorMath.Axpy(dyrow, wk[kh * g.KW + kw], prow + (long)(tap % l.S) * l.Plane + tap / l.S, ow16);
                        }
                    }
                }
            }
            float* row = ps + (long)l.S * l.Plane;
            new Span<float>(dx, g.H * g.W).Clear();
            for (int r = 0; r < l.Rows; r++)
            {
                int ih = r - g.PadTop;
                if ((uint)ih >= (uint)g.H) continue;
                float* source = l.S == 1 ? ps + (long)r * l.Pitch : row;
                if (l.S > 1) Merge(ps + (long)r * l.Pitch, row, l);
                int j0 = Math.Max(0, g.PadLeft), c0 = j0 - g.PadLeft, c1 = Math.Min(g.W, l.RowLength - g.PadLeft);
                if (c1 > c0) new ReadOnlySpan<float>(source + j0, c1 - c0).CopyTo(new Span<float>(dx + (long)ih * g.W + c0, c1 - c0));
            }
        }
    }

    /// <summary>Padded row -> its S phase rows (phase q, index k = row[k * S + q]); <paramref name="phases"/> is row r of phase 0.</summary>
    private static void Split(float* row, float* phases, Layout l)
    {
        if (l.S == 2 && Avx512F.IsSupported)
        {
            var even = Vector512.Create(0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30);
            var odd = even + Vector512<int>.One;
            float* p1 = phases + l.Plane;
            for (int k = 0; k < l.Pitch; k += 16)
            {
                var a = Vector512.Load(row + 2 * k);
                var b = Vector512.Load(row + 2 * k + 16);
                Avx512F.PermuteVar16x32x2(a, even, b).Store(phases + k);
                Avx512F.PermuteVar16x32x2(a, odd, b).Store(p1 + k);
            }
            return;
        }
        for (int q = 0; q < l.S; q++)
        {
            float* pq = phases + (long)q * l.Plane;
            for (int k = 0; k < l.Pitch; k++) pq[k] = row[k * l.S + q];
        }
    }

    /// <summary>The inverse of <see cref="Split"/>: S phase rows -> one padded row.</summary>
    private static void Merge(float* phases, float* row, Layout l)
    {
        if (l.S == 2 && Avx512F.IsSupported)
        {
            var lo = Vector512.Create(0, 16, 1, 17, 2, 18, 3, 19, 4, 20, 5, 21, 6, 22, 7, 23);
            var hi = lo + Vector512.Create(8);
            float* p1 = phases + l.Plane;
            for (int k = 0; k < l.Pitch; k += 16)
            {
                var a = Vector512.Load(phases + k);
                var b = Vector512.Load(p1 + k);
                Avx512F.PermuteVar16x32x2(a, lo, b).Store(row + 2 * k);
                Avx512F.PermuteVar16x32x2(a, hi, b).Store(row + 2 * k + 16);
            }
            return;
        }
        for (int q = 0; q < l.S; q++)
        {
            float* pq = phases + (long)q * l.Plane;
            for (int k = 0; k < l.Pitch; k++) row[k * l.S + q] = pq[k];
        }
    }
}
