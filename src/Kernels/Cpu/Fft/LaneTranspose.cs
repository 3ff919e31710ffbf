using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace FeatureViz.Kernels.Cpu.Fft;

/// <summary>
/// Moves up to <see cref="RealFft2.Lanes"/> contiguous sequences into and out of the lane-major layout
/// [n][Lanes] the FFT kernels work on, with 8x8 AVX transposes where available.
/// </summary>
internal static unsafe class LaneTranspose
{
    private const int Lanes = RealFft2.Lanes;

    /// <summary>dst[i * Lanes + r] = src[r * stride + i] for r &lt; count, i &lt; n; lanes r &gt;= count become zero.</summary>
    public static void Load(float* src, long stride, int count, float* dst, int n)
    {
        int i = 0;
        if (Avx.IsSupported && count == Lanes)
        {
            // Whole cache lines of every source row first, then the remainder.
            for (; i + 16 <= n; i += 16)
                for (int half = 0; half < 16; half += 8)
                    for (int r = 0; r < Lanes; r += 8)
                        Transpose8(src + r * stride + i + half, stride, dst + (long)(i + half) * Lanes + r, Lanes);
            for (; i + 8 <= n; i += 8)
                for (int r = 0; r < Lanes; r += 8)
                    Transpose8(src + r * stride + i, stride, dst + (long)i * Lanes + r, Lanes);
        }
        for (; i < n; i++)
        {
            float* d = dst + (long)i * Lanes;
            int r = 0;
            for (; r < count; r++) d[r] = src[r * stride + i];
            for (; r < Lanes; r++) d[r] = 0f;
        }
    }

    /// <summary>dst[r * stride + i] = src[i * Lanes + r] for r &lt; count, i &lt; n.</summary>
    public static void Store(float* src, float* dst, long stride, int count, int n)
    {
        int i = 0;
        if (Avx.IsSupported && count == Lanes)
        {
            for (; i + 16 <= n; i += 16)
                for (int half = 0; half < 16; half += 8)
                    for (int r = 0; r < Lanes; r += 8)
                        Transpose8(src + (long)(i + half) * Lanes + r, Lanes, dst + r * stride + i + half, stride);
            for (; i + 8 <= n; i += 8)
                for (int r = 0; r < Lanes; r += 8)
                    Transpose8(src + (long)i * Lanes + r, Lanes, dst + r * stride + i, stride);
        }
        for (; i < n; i++)
        {
            float* s = src + (long)i * Lanes;
            for (int r = 0; r < count; r++) dst[r * stride + i] = s[r];
        }
    }

    /// <summary>Writes the transpose of the 8x8 block at src (row stride srcStride) to dst (row stride dstStride).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Transpose8(float* src, long srcStride, float* dst, long dstStride)
    {
        var r0 = Avx.LoadVector256(src);
        var r1 = Avx.LoadVector256(src + srcStride);
        var r2 = Avx.LoadVector256(src + 2 * srcStride);
        var r3 = Avx.LoadVector256(src + 3 * srcStride);
        var r4 = Avx.LoadVector256(src + 4 * srcStride);
        var r5 = Avx.LoadVector256(src + 5 * srcStride);
        var r6 = Avx.LoadVector256(src + 6 * srcStride);
        var r7 = Avx.LoadVector256(src + 7 * srcStride);
        var t0 = Avx.UnpackLow(r0, r1);
        var t1 = Avx.UnpackHigh(r0, r1);
        var t2 = Avx.UnpackLow(r2, r3);
        var t3 = Avx.UnpackHigh(r2, r3);
        var t4 = Avx.UnpackLow(r4, r5);
        var t5 = Avx.UnpackHigh(r4, r5);
        var t6 = Avx.UnpackLow(r6, r7);
        var t7 = Avx.UnpackHigh(r6, r7);
        var u0 = Avx.Shuffle(t0, t2, 0x44);
        var u1 = Avx.Shuffle(t0, t2, 0xEE);
        var u2 = Avx.Shuffle(t1, t3, 0x44);
        var u3 = Avx.Shuffle(t1, t3, 0xEE);
        var u4 = Avx.Shuffle(t4, t6, 0x44);
        var u5 = Avx.Shuffle(t4, t6, 0xEE);
        var u6 = Avx.Shuffle(t5, t7, 0x44);
        var u7 = Avx.Shuffle(t5, t7, 0xEE);
        Avx.Store(dst, Avx.Permute2x128(u0, u4, 0x20));
        Avx.Store(dst + dstStride, Avx.Permute2x128(u1, u5, 0x20));
        Avx.Store(dst + 2 * dstStride, Avx.Permute2x128(u2, u6, 0x20));
        Avx.Store(dst + 3 * dstStride, Avx.Permute2x128(u3, u7, 0x20));
        Avx.Store(dst + 4 * dstStride, Avx.Permute2x128(u0, u4, 0x31));
        Avx.Store(dst + 5 * dstStride, Avx.Permute2x128(u1, u5, 0x31));
        Avx.Store(dst + 6 * dstStride, Avx.Permute2x128(u2, u6, 0x31));
        Avx.Store(dst + 7 * dstStride, Avx.Permute2x128(u3, u7, 0x31));
    }

    /// <summary>dst[2j] = re[j] * w[j], dst[2j + 1] = im[j] * w[j] for j &lt; count; w[j] times bins[j] when bins is not null.</summary>
    public static void Interleave(float* re, float* im, float* w, float* bins, float* dst, int count)
    {
        int j = 0;
        if (Avx.IsSupported)
        {
            for (; j + 8 <= count; j += 8)
            {
                var wv = Avx.LoadVector256(w + j);
                if (bins != null) wv = Avx.Multiply(wv, Avx.LoadVector256(bins + j));
                var a = Avx.Multiply(Avx.LoadVector256(re + j), wv);
                var b = Avx.Multiply(Avx.LoadVector256(im + j), wv);
                var lo = Avx.UnpackLow(a, b);
                var hi = Avx.UnpackHigh(a, b);
                Avx.Store(dst + 2 * j, Avx.Permute2x128(lo, hi, 0x20));
                Avx.Store(dst + 2 * j + 8, Avx.Permute2x128(lo, hi, 0x31));
            }
        }
        for (; j < count; j++)
        {
            float wj = bins == null ? w[j] : w[j] * bins[j];
            dst[2 * j] = re[j] * wj;
            dst[2 * j + 1] = im[j] * wj;
        }
    }

    /// <summary>re[j] = src[2j] * w[j], im[j] = src[2j + 1] * w[j] for j &lt; count; w[j] times bins[j] when bins is not null.</summary>
    public static void Deinterleave(float* src, float* w, float* bins, float* re, float* im, int count)
    {
        int j = 0;
        if (Avx.IsSupported)
        {
            for (; j + 8 <= count; j += 8)
            {
                var a = Avx.LoadVector256(src + 2 * j);
                var b = Avx.LoadVector256(src + 2 * j + 8);
                var t0 = Avx.Permute2x128(a, b, 0x20);
                var t1 = Avx.Permute2x128(a, b, 0x31);
                var wv = Avx.LoadVector256(w + j);
                if (bins != null) wv = Avx.Multiply(wv, Avx.LoadVector256(bins + j));
                Avx.Store(re + j, Avx.Multiply(Avx.Shuffle(t0, t1, 0x88), wv));
                Avx.Store(im + j, Avx.Multiply(Avx.Shuffle(t0, t1, 0xDD), wv));
            }
        }
        for (; j < count; j++)
        {
            float wj = bins == null ? w[j] : w[j] * bins[j];
            re[j] = src[2 * j] * wj;
            im[j] = src[2 * j + 1] * wj;
        }
    }
}
