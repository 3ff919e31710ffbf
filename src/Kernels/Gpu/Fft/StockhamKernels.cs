using ILGPU;

namespace FeatureViz.Kernels.Gpu.Fft;

/// <summary>
/// Device code of the Stockham auto-sort passes (one kernel per radix, grid-stride over every butterfly of every
/// sequence): butterfly j of a sequence reads elements j + t N/R, twiddles them from the plan's table of N roots of
/// unity, transforms them and writes them sorted to (j / Span) Span R + j mod Span + t Span, so no bit reversal is needed.
/// </summary>
internal static class StockhamKernels
{
    public static void Radix2(ArrayView<Complex32> src, ArrayView<Complex32> dst, ArrayView<Complex32> twiddles, StockhamPass p)
    {
        int q = p.Length / 2, total = p.Sequences * q;
        for (int i = Grid.GlobalIndex.X; i < total; i += Grid.DimX * Group.DimX)
        {
            int s = i / q, j = i - s * q, k = j % p.Span, step = k * p.TwiddleStride;
            int inBase = s * p.Length + j, outBase = s * p.Length + (j - k) * 2 + k;
            var x0 = src[inBase];
            var x1 = src[inBase + q] * twiddles[step];
            Butterflies.Radix2(ref x0, ref x1);
            dst[outBase] = x0;
            dst[outBase + p.Span] = x1;
        }
    }

    public static void Radix3(ArrayView<Complex32> src, ArrayView<Complex32> dst, ArrayView<Complex32> twiddles, StockhamPass p)
    {
        int q = p.Length / 3, total = p.Sequences * q;
        for (int i = Grid.GlobalIndex.X; i < total; i += Grid.DimX * Group.DimX)
        {
            int s = i / q, j = i - s * q, k = j % p.Span, step = k * p.TwiddleStride;
            int inBase = s * p.Length + j, outBase = s * p.Length + (j - k) * 3 + k;
            var x0 = src[inBase];
            var x1 = src[inBase + q] * twiddles[step];
            var x2 = src[inBase + 2 * q] * twiddles[2 * step];
            Butterflies.Radix3(ref x0, ref x1, ref x2);
            dst[outBase] = x0;
            dst[outBase + p.Span] = x1;
            dst[outBase + 2 * p.Span] = x2;
        }
    }

    public static void Radix4(ArrayView<Complex32> src, ArrayView<Complex32> dst, ArrayView<Complex32> twiddles, StockhamPass p)
    {
        int q = p.Length / 4, total = p.Sequences * q;
        for (int i = Grid.GlobalIndex.X; i < total; i += Grid.DimX * Group.DimX)
        {
            int s = i / q, j = i - s * q, k = j % p.Span, step = k * p.TwiddleStride;
            int inBase = s * p.Length + j, outBase = s * p.Length + (j - k) * 4 + k;
            var x0 = src[inBase];
            var x1 = src[inBase + q] * twiddles[step];
            var x2 = src[inBase + 2 * q] * twiddles[2 * step];
            var x3 = src[inBase + 3 * q] * twiddles[3 * step];
            Butterflies.Radix4(ref x0, ref x1, ref x2, ref x3);
            dst[outBase] = x0;
            dst[outBase + p.Span] = x1;
            dst[outBase + 2 * p.Span] = x2;
            dst[outBase + 3 * p.Span] = x3;
        }
    }

    public static void Radix5(ArrayView<Complex32> src, ArrayView<Complex32> dst, ArrayView<Complex32> twiddles, StockhamPass p)
    {
        int q = p.Length / 5, total = p.Sequences * q;
        for (int i = Grid.GlobalIndex.X; i < total; i += Grid.DimX * Group.DimX)
        {
            int s = i / q, j = i - s * q, k = j % p.Span, step = k * p.TwiddleStride;
            int inBase = s * p.Length + j, outBase = s * p.Length + (j - k) * 5 + k;
            var x0 = src[inBase];
            var x1 = src[inBase + q] * twiddles[step];
            var x2 = src[inBase + 2 * q] * twiddles[2 * step];
            var x3 = src[inBase + 3 * q] * twiddles[3 * step];
            var x4 = src[inBase + 4 * q] * twiddles[4 * step];
            Butterflies.Radix5(ref x0, ref x1, ref x2, ref x3, ref x4);
            dst[outBase] = x0;
            dst[outBase + p.Span] = x1;
            dst[outBase + 2 * p.Span] = x2;
            dst[outBase + 3 * p.Span] = x3;
            dst[outBase + 4 * p.Span] = x4;
        }
    }

    public static void Radix7(ArrayView<Complex32> src, ArrayView<Complex32> dst, ArrayView<Complex32> twiddles, StockhamPass p)
    {
        int q = p.Length / 7, total = p.Sequences * q;
        for (int i = Grid.GlobalIndex.X; i < total; i += Grid.DimX * Group.DimX)
        {
            int s = i / q, j = i - s * q, k = j % p.Span, step = k * p.TwiddleStride;
            int inBase = s * p.Length + j, outBase = s * p.Length + (j - k) * 7 + k;
            var x0 = src[inBase];
            var x1 = src[inBase + q] * twiddles[step];
            var x2 = src[inBase + 2 * q] * twiddles[2 * step];
            var x3 = src[inBase + 3 * q] * twiddles[3 * step];
            var x4 = src[inBase + 4 * q] * twiddles[4 * step];
            var x5 = src[inBase + 5 * q] * twiddles[5 * step];
            var x6 = src[inBase + 6 * q] * twiddles[6 * step];
            Butterflies.Radix7(ref x0, ref x1, ref x2, ref x3, ref x4, ref x5, ref x6);
            dst[outBase] = x0;
            dst[outBase + p.Span] = x1;
            dst[outBase + 2 * p.Span] = x2;
            dst[outBase + 3 * p.Span] = x3;
            dst[outBase + 4 * p.Span] = x4;
            dst[outBase + 5 * p.Span] = x5;
            dst[outBase + 6 * p.Span] = x6;
        }
    }

    public static void Radix8(ArrayView<Complex32> src, ArrayView<Complex32> dst, ArrayView<Complex32> twiddles, StockhamPass p)
    {
        int q = p.Length / 8, total = p.Sequences * q;
        for (int i = Grid.GlobalIndex.X; i < total; i += Grid.DimX * Group.DimX)
        {
            int s = i / q, j = i - s * q, k = j % p.Span, step = k * p.TwiddleStride;
            int inBase = s * p.Length + j, outBase = s * p.Length + (j - k) * 8 + k;
            var x0 = src[inBase];
            var x1 = src[inBase + q] * twiddles[step];
            var x2 = src[inBase + 2 * q] * twiddles[2 * step];
            var x3 = src[inBase + 3 * q] * twiddles[3 * step];
            var x4 = src[inBase + 4 * q] * twiddles[4 * step];
            var x5 = src[inBase + 5 * q] * twiddles[5 * step];
            var x6 = src[inBase + 6 * q] * twiddles[6 * step];
            var x7 = src[inBase + 7 * q] * twiddles[7 * step];
            Butterflies.Radix8(ref x0, ref x1, ref x2, ref x3, ref x4, ref x5, ref x6, ref x7);
            dst[outBase] = x0;
            dst[outBase + p.Span] = x1;
            dst[outBase + 2 * p.Span] = x2;
            dst[outBase + 3 * p.Span] = x3;
            dst[outBase + 4 * p.Span] = x4;
            dst[outBase + 5 * p.Span] = x5;
            dst[outBase + 6 * p.Span] = x6;
            dst[outBase + 7 * p.Span] = x7;
        }
    }

}
