using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace FeatureViz.Kernels.Cpu.Conv;

/// <summary>
/// The F(4 x 4, 3 x 3) transforms written out (points 0, ±1, ±2, ∞, as <see cref="WinogradTransform.F4"/>), on
/// blocks of 32 tiles = two Vector512 per value: the generic row-by-row combination spends most of its time on
/// loop and term bookkeeping. Only used when Vector512 is accelerated (the GEMM block is then 32 tiles wide).
/// </summary>
internal static unsafe class WinogradF4Kernels
{
    private const int Nr = 32;

    /// <summary>
    /// One channel: d (6 x 6 patches, [(i * 6 + j) * 32 + lane]) to V[(r * 6 + s) * plane + lane] = (Bᵀ d B)[r, s],
    /// through t (6 x 6 x 32 scratch).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Input(float* d, float* t, float* v, long plane)
    {
        for (int j = 0; j < 6; j++)
            for (int h = 0; h < Nr; h += 16)
            {
                float* src = d + j * Nr + h;
                float* dst = t + j * Nr + h;
                InputRow(Vector512.Load(src), Vector512.Load(src + 6 * Nr), Vector512.Load(src + 12 * Nr),
                    Vector512.Load(src + 18 * Nr), Vector512.Load(src + 24 * Nr), Vector512.Load(src + 30 * Nr), dst, 6 * Nr);
            }
        for (int r = 0; r < 6; r++)
            for (int h = 0; h < Nr; h += 16)
            {
                float* src = t + r * 6 * Nr + h;
                InputRow(Vector512.Load(src), Vector512.Load(src + Nr), Vector512.Load(src + 2 * Nr),
                    Vector512.Load(src + 3 * Nr), Vector512.Load(src + 4 * Nr), Vector512.Load(src + 5 * Nr), v + r * 6 * plane + h, (nint)plane);
            }
    }

    /// <summary>Bᵀ applied to six values: dst[k * stride] = (Bᵀ d)[k].</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void InputRow(Vector512<float> d0, Vector512<float> d1, Vector512<float> d2, Vector512<float> d3,
        Vector512<float> d4, Vector512<float> d5, float* dst, nint stride)
    {
        var four = Vector512.Create(4f);
        var minusFour = Vector512.Create(-4f);
        var minusFive = Vector512.Create(-5f);
        var t0 = Vector512.FusedMultiplyAdd(minusFour, d2, d4);   // d4 - 4 d2
        var t1 = Vector512.FusedMultiplyAdd(minusFour, d1, d3);   // d3 - 4 d1
        var t2 = d4 - d2;
        var t3 = (d3 - d1) * 2f;
        Vector512.FusedMultiplyAdd(four, d0, Vector512.FusedMultiplyAdd(minusFive, d2, d4)).Store(dst);
        (t0 + t1).Store(dst + stride);
        (t0 - t1).Store(dst + 2 * stride);
        (t2 + t3).Store(dst + 3 * stride);
        (t2 - t3).Store(dst + 4 * stride);
        Vector512.FusedMultiplyAdd(four, d1, Vector512.FusedMultiplyAdd(minusFive, d3, d5)).Store(dst + 5 * stride);
    }

    /// <summary>
    /// One output channel: M[(r * 6 + s) * plane + lane] to tile[(a * 4 + b) * 32 + lane] = (Aᵀ M A)[a, b], through u
    /// (4 x 6 x 32 scratch).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Output(float* m, long plane, float* u, float* tile)
    {
        nint p = (nint)plane;
        for (int s = 0; s < 6; s++)
            for (int h = 0; h < Nr; h += 16)
            {
                float* src = m + s * p + h;
                OutputRow(Vector512.Load(src), Vector512.Load(src + 6 * p), Vector512.Load(src + 12 * p),
                    Vector512.Load(src + 18 * p), Vector512.Load(src + 24 * p), Vector512.Load(src + 30 * p), u + s * Nr + h, 6 * Nr);
            }
        for (int a = 0; a < 4; a++)
            for (int h = 0; h < Nr; h += 16)
            {
                float* src = u + a * 6 * Nr + h;
                OutputRow(Vector512.Load(src), Vector512.Load(src + Nr), Vector512.Load(src + 2 * Nr),
                    Vector512.Load(src + 3 * Nr), Vector512.Load(src + 4 * Nr), Vector512.Load(src + 5 * Nr), tile + a * 4 * Nr + h, Nr);
            }
    }

    /// <summary>Aᵀ applied to six values: dst[k * stride] = (Aᵀ m)[k], k &lt; 4.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void OutputRow(Vector512<float> m0, Vector512<float> m1, Vector512<float> m2, Vector512<float> m3,
        Vector512<float> m4, Vector512<float> m5, float* dst, nint stride)
    {
        var a = m1 + m2;
        var b = m1 - m2;
        var c = m3 + m4;
        var d = m3 - m4;
        (m0 + a + c).Store(dst);
        Vector512.FusedMultiplyAdd(Vector512.Create(2f), d, b).Store(dst + stride);
        Vector512.FusedMultiplyAdd(Vector512.Create(4f), c, a).Store(dst + 2 * stride);
        (Vector512.FusedMultiplyAdd(Vector512.Create(8f), d, b) + m5).Store(dst + 3 * stride);
    }
}
