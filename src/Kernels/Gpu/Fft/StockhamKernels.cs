using ILGPU;

namespace FeatureViz.Kernels.Gpu.Fft;

/// <summary>
/// Device code of the Stockham auto-sort passes. Butterfly i (sequence i / (N/R), index j within it) reads elements
/// j + t N/R, twiddles them from the plan's table of N roots of unity, transforms them and writes them sorted to
/// (j / Span) Span R + j mod Span + t Span, so no bit reversal is needed. Each radix's butterfly is one function, used
/// by the one-pass-per-launch kernels on global memory and by <see cref="SharedFft"/>, which runs every pass of a few
/// whole sequences in shared memory in one launch.
/// </summary>
internal static class StockhamKernels
{
    public static void Butterfly2(ArrayView<Complex32> src, ArrayView<Complex32> dst, ArrayView<Complex32> twiddles, StockhamPass p, int i)
    {
        int q = p.Length / 2, s = i / q, j = i - s * q, k = j % p.Span, step = k * p.TwiddleStride;
        int inBase = s * p.Length + j, outBase = s * p.Length + (j - k) * 2 + k;
        var x0 = src[inBase];
        var x1 = src[inBase + q] * twiddles[step];
        Butterflies.Radix2(ref x0, ref x1);
        dst[outBase] = x0;
        dst[outBase + p.Span] = x1;
    }

    public static void Radix2(ArrayView<Complex32> src, ArrayView<Complex32> dst, ArrayView<Complex32> twiddles, StockhamPass p)
    {
        int total = p.Sequences * (p.Length / 2);
        for (int i = Grid.GlobalIndex.X; i < total; i += Grid.DimX * Group.DimX)
            Butterfly2(src, dst, twiddles, p, i);
    }

    public static void Butterfly3(ArrayView<Complex32> src, ArrayView<Complex32> dst, ArrayView<Complex32> twiddles, StockhamPass p, int i)
    {
        int q = p.Length / 3, s = i / q, j = i - s * q, k = j % p.Span, step = k * p.TwiddleStride;
        int inBase = s * p.Length + j, outBase = s * p.Length + (j - k) * 3 + k;
        var x0 = src[inBase];
        var x1 = src[inBase + q] * twiddles[step];
        var x2 = src[inBase + 2 * q] * twiddles[2 * step];
        Butterflies.Radix3(ref x0, ref x1, ref x2);
        dst[outBase] = x0;
        dst[outBase + p.Span] = x1;
        dst[outBase + 2 * p.Span] = x2;
    }

    public static void Radix3(ArrayView<Complex32> src, ArrayView<Complex32> dst, ArrayView<Complex32> twiddles, StockhamPass p)
    {
        int total = p.Sequences * (p.Length / 3);
        for (int i = Grid.GlobalIndex.X; i < total; i += Grid.DimX * Group.DimX)
            Butterfly3(src, dst, twiddles, p, i);
    }

    public static void Butterfly4(ArrayView<Complex32> src, ArrayView<Complex32> dst, ArrayView<Complex32> twiddles, StockhamPass p, int i)
    {
        int q = p.Length / 4, s = i / q, j = i - s * q, k = j % p.Span, step = k * p.TwiddleStride;
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

    public static void Radix4(ArrayView<Complex32> src, ArrayView<Complex32> dst, ArrayView<Complex32> twiddles, StockhamPass p)
    {
        int total = p.Sequences * (p.Length / 4);
        for (int i = Grid.GlobalIndex.X; i < total; i += Grid.DimX * Group.DimX)
            Butterfly4(src, dst, twiddles, p, i);
    }

    public static void Butterfly5(ArrayView<Complex32> src, ArrayView<Complex32> dst, ArrayView<Complex32> twiddles, StockhamPass p, int i)
    {
        int q = p.Length / 5, s = i / q, j = i - s * q, k = j % p.Span, step = k * p.TwiddleStride;
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

    public static void Radix5(ArrayView<Complex32> src, ArrayView<Complex32> dst, ArrayView<Complex32> twiddles, StockhamPass p)
    {
        int total = p.Sequences * (p.Length / 5);
        for (int i = Grid.GlobalIndex.X; i < total; i += Grid.DimX * Group.DimX)
            Butterfly5(src, dst, twiddles, p, i);
    }

    public static void Butterfly7(ArrayView<Complex32> src, ArrayView<Complex32> dst, ArrayView<Complex32> twiddles, StockhamPass p, int i)
    {
        int q = p.Length / 7, s = i / q, j = i - s * q, k = j % p.Span, step = k * p.TwiddleStride;
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

    public static void Radix7(ArrayView<Complex32> src, ArrayView<Complex32> dst, ArrayView<Complex32> twiddles, StockhamPass p)
    {
        int total = p.Sequences * (p.Length / 7);
        for (int i = Grid.GlobalIndex.X; i < total; i += Grid.DimX * Group.DimX)
            Butterfly7(src, dst, twiddles, p, i);
    }

    public static void Butterfly8(ArrayView<Complex32> src, ArrayView<Complex32> dst, ArrayView<Complex32> twiddles, StockhamPass p, int i)
    {
        int q = p.Length / 8, s = i / q, j = i - s * q, k = j % p.Span, step = k * p.TwiddleStride;
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

    public static void Radix8(ArrayView<Complex32> src, ArrayView<Complex32> dst, ArrayView<Complex32> twiddles, StockhamPass p)
    {
        int total = p.Sequences * (p.Length / 8);
        for (int i = Grid.GlobalIndex.X; i < total; i += Grid.DimX * Group.DimX)
            Butterfly8(src, dst, twiddles, p, i);
    }

    /// <summary>
    /// Whole FFTs in shared memory: each group loads <see cref="SharedFftShape.PerGroup"/> contiguous sequences, runs
    /// every pass between two shared buffers (a barrier after each) and writes the result back, grid-stride over the
    /// batch. PerGroup * N is at most <see cref="SharedFftShape.Elements"/>.
    /// </summary>
    public static void SharedFft(ArrayView<Complex32> src, ArrayView<Complex32> dst, ArrayView<Complex32> twiddles, SharedFftShape f)
    {
        // A fixed allocation: ILGPU 1.5.3's OpenCL backend emits invalid C for dynamic shared memory of a struct type.
        var shared = SharedMemory.Allocate<Complex32>(2 * SharedFftShape.Elements);
        int n = f.Length, chunk = f.PerGroup * n;
        var a = shared.SubView(0, chunk);
        var b = shared.SubView(chunk, chunk);
        for (int s0 = Grid.IdxX * f.PerGroup; s0 < f.Sequences; s0 += Grid.DimX * f.PerGroup)
        {
            int count = f.Sequences - s0 < f.PerGroup ? f.Sequences - s0 : f.PerGroup, elements = count * n;
            for (int e = Group.IdxX; e < elements; e += Group.DimX) a[e] = src[s0 * n + e];
            Group.Barrier();
            int span = 1;
            for (int pass = 0; pass < f.Passes; pass++)
            {
                int r = f.Radix(pass);
                var p = new StockhamPass { Length = n, Span = span, Sequences = count, TwiddleStride = n / (span * r) };
                var from = (pass & 1) == 0 ? a : b;
                var to = (pass & 1) == 0 ? b : a;
                int butterflies = count * (n / r);
                for (int i = Group.IdxX; i < butterflies; i += Group.DimX)
                {
                    if (r == 8) Butterfly8(from, to, twiddles, p, i);
                    else if (r == 4) Butterfly4(from, to, twiddles, p, i);
                    else if (r == 2) Butterfly2(from, to, twiddles, p, i);
                    else if (r == 7) Butterfly7(from, to, twiddles, p, i);
                    else if (r == 5) Butterfly5(from, to, twiddles, p, i);
                    else Butterfly3(from, to, twiddles, p, i);
                }
                span *= r;
                Group.Barrier();
            }
            var result = (f.Passes & 1) == 0 ? a : b;
            for (int e = Group.IdxX; e < elements; e += Group.DimX) dst[s0 * n + e] = result[e];
            Group.Barrier();
        }
    }

}
