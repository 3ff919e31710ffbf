using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace FeatureViz.Kernels.Cpu;

/// <summary>
/// Vectorised exp and logistic sigmoid over float32 rows (Vector512, Vector256, scalar tail). exp uses the Cephes
/// single-precision scheme: n = round(x log2 e), r = x - n ln 2 in two parts (Cody-Waite), a degree-7 polynomial for
/// e^r on |r| &lt;= ln2/2, then a multiplication by 2^n split in two halves so that results down to the subnormal
/// range come out right. Error is about 1 ulp; inf, -inf and NaN give inf, 0 and NaN.
/// </summary>
internal static class VectorMath
{
    private const float Log2E = 1.44269504088896341f;
    private const float Ln2Hi = 0.693359375f;
    private const float Ln2Lo = -2.12194440e-4f;
    private const float MaxArg = 88.72283905206835f;   // ln(float.MaxValue)
    private const float MinArg = -103.97208f;         // below ln of the smallest subnormal: the result is 0
    private const float P0 = 1.9875691500e-4f, P1 = 1.3981999507e-3f, P2 = 8.3334519073e-3f;
    private const float P3 = 4.1665795894e-2f, P4 = 1.6666665459e-1f, P5 = 5.0000001201e-1f;

    /// <summary>y[i] = exp(x[i]).</summary>
    public static void ExpRow(ReadOnlySpan<float> x, Span<float> y)
    {
        int n = x.Length, i = 0;
        ref float xr = ref MemoryMarshal.GetReference(x);
        ref float yr = ref MemoryMarshal.GetReference(y);
        if (Vector512.IsHardwareAccelerated)
            for (; i <= n - 16; i += 16) Exp(Vector512.LoadUnsafe(ref xr, (nuint)i)).StoreUnsafe(ref yr, (nuint)i);
        else if (Vector256.IsHardwareAccelerated)
            for (; i <= n - 8; i += 8) Exp(Vector256.LoadUnsafe(ref xr, (nuint)i)).StoreUnsafe(ref yr, (nuint)i);
        for (; i < n; i++) y[i] = Exp(x[i]);
    }

    /// <summary>y[i] = 1 / (1 + exp(-x[i])), computed from exp(-|x|) so that neither tail overflows.</summary>
    public static void SigmoidRow(ReadOnlySpan<float> x, Span<float> y)
    {
        int n = x.Length, i = 0;
        ref float xr = ref MemoryMarshal.GetReference(x);
        ref float yr = ref MemoryMarshal.GetReference(y);
        if (Vector512.IsHardwareAccelerated)
            for (; i <= n - 16; i += 16)
            {
                var v = Vector512.LoadUnsafe(ref xr, (nuint)i);
                var e = Exp(-Vector512.Abs(v));
                var r = Vector512<float>.One / (Vector512<float>.One + e);
                var s = Vector512.ConditionalSelect(Vector512.GreaterThanOrEqual(v, Vector512<float>.Zero), r, e * r);
                Vector512.ConditionalSelect(Vector512.Equals(v, v), s, v).StoreUnsafe(ref yr, (nuint)i);
            }
        else if (Vector256.IsHardwareAccelerated)
            for (; i <= n - 8; i += 8)
            {
                var v = Vector256.LoadUnsafe(ref xr, (nuint)i);
                var e = Exp(-Vector256.Abs(v));
                var r = Vector256<float>.One / (Vector256<float>.One + e);
                var s = Vector256.ConditionalSelect(Vector256.GreaterThanOrEqual(v, Vector256<float>.Zero), r, e * r);
                Vector256.ConditionalSelect(Vector256.Equals(v, v), s, v).StoreUnsafe(ref yr, (nuint)i);
            }
        for (; i < n; i++)
        {
            float v = x[i], e = Exp(-MathF.Abs(v)), r = 1f / (1f + e);
            y[i] = v >= 0 ? r : float.IsNaN(v) ? v : e * r;
        }
    }

    /// <summary>dx[i] = dy[i] y[i] (1 - y[i]): the sigmoid's gradient from its output.</summary>
    public static void SigmoidBackwardRow(ReadOnlySpan<float> y, ReadOnlySpan<float> dy, Span<float> dx)
    {
        int n = y.Length, i = 0;
        ref float yr = ref MemoryMarshal.GetReference(y);
        ref float gr = ref MemoryMarshal.GetReference(dy);
        ref float dr = ref MemoryMarshal.GetReference(dx);
        if (Vector512.IsHardwareAccelerated)
            for (; i <= n - 16; i += 16)
            {
                var v = Vector512.LoadUnsafe(ref yr, (nuint)i);
                (Vector512.LoadUnsafe(ref gr, (nuint)i) * v * (Vector512<float>.One - v)).StoreUnsafe(ref dr, (nuint)i);
            }
        else if (Vector256.IsHardwareAccelerated)
            for (; i <= n - 8; i += 8)
            {
                var v = Vector256.LoadUnsafe(ref yr, (nuint)i);
                (Vector256.LoadUnsafe(ref gr, (nuint)i) * v * (Vector256<float>.One - v)).StoreUnsafe(ref dr, (nuint)i);
            }
        for (; i < n; i++) dx[i] = dy[i] * y[i] * (1f - y[i]);
    }

    /// <summary>
    /// The vector exp's arithmetic on one value, step for step, so that an element gives the same bits whether it
    /// falls in a vector or in a row's tail (row splits depend on the thread count).
    /// </summary>
    internal static float Exp(float x)
    {
        if (float.IsNaN(x)) return x;
        if (x > MaxArg) return float.PositiveInfinity;
        if (x < MinArg) return 0f;
        float k = MathF.Floor(x * Log2E + 0.5f);
        float r = x - k * Ln2Hi - k * Ln2Lo;
        float p = MathF.FusedMultiplyAdd(P0, r, P1);
        p = MathF.FusedMultiplyAdd(p, r, P2);
        p = MathF.FusedMultiplyAdd(p, r, P3);
        p = MathF.FusedMultiplyAdd(p, r, P4);
        p = MathF.FusedMultiplyAdd(p, r, P5);
        p = MathF.FusedMultiplyAdd(p, r * r, r + 1f);
        int ki = (int)k, k1 = ki >> 1, k2 = ki - k1;
        return p * BitConverter.Int32BitsToSingle((k1 + 127) << 23) * BitConverter.Int32BitsToSingle((k2 + 127) << 23);
    }

    /// <summary>y[i] += a * x[i]. Written out because TensorPrimitives.MultiplyAdd measured ~8x slower on these short rows.</summary>
    public static unsafe void Axpy(float* x, float a, float* y, int n)
    {
        int i = 0;
        if (Vector512.IsHardwareAccelerated)
        {
            var va = Vector512.Create(a);
            for (; i <= n - 16; i += 16) Vector512.Store(Vector512.FusedMultiplyAdd(Vector512.Load(x + i), va, Vector512.Load(y + i)), y + i);
        }
        else if (Vector256.IsHardwareAccelerated)
        {
            var va = Vector256.Create(a);
            for (; i <= n - 8; i += 8) Vector256.Store(Vector256.FusedMultiplyAdd(Vector256.Load(x + i), va, Vector256.Load(y + i)), y + i);
        }
        for (; i < n; i++) y[i] += a * x[i];
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> Exp(Vector512<float> x)
    {
        var c = Vector512.Min(Vector512.Max(x, Vector512.Create(MinArg)), Vector512.Create(MaxArg));
        var k = Vector512.Floor(c * Vector512.Create(Log2E) + Vector512.Create(0.5f));
        var r = c - k * Vector512.Create(Ln2Hi) - k * Vector512.Create(Ln2Lo);
        var p = Vector512.FusedMultiplyAdd(Vector512.Create(P0), r, Vector512.Create(P1));
        p = Vector512.FusedMultiplyAdd(p, r, Vector512.Create(P2));
        p = Vector512.FusedMultiplyAdd(p, r, Vector512.Create(P3));
        p = Vector512.FusedMultiplyAdd(p, r, Vector512.Create(P4));
        p = Vector512.FusedMultiplyAdd(p, r, Vector512.Create(P5));
        p = Vector512.FusedMultiplyAdd(p, r * r, r + Vector512<float>.One);
        // 2^k as two factors 2^(k/2) and 2^(k - k/2): each stays a normal float for k in [-150, 128].
        var ki = Vector512.ConvertToInt32(k);
        var k1 = Vector512.ShiftRightArithmetic(ki, 1);
        var k2 = ki - k1;
        var s1 = Vector512.ShiftLeft(k1 + Vector512.Create(127), 23).AsSingle();
        var s2 = Vector512.ShiftLeft(k2 + Vector512.Create(127), 23).AsSingle();
        var y = p * s1 * s2;
        y = Vector512.ConditionalSelect(Vector512.GreaterThan(x, Vector512.Create(MaxArg)), Vector512.Create(float.PositiveInfinity), y);
        y = Vector512.ConditionalSelect(Vector512.LessThan(x, Vector512.Create(MinArg)), Vector512<float>.Zero, y);
        return Vector512.ConditionalSelect(Vector512.Equals(x, x), y, x);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> Exp(Vector256<float> x)
    {
        var c = Vector256.Min(Vector256.Max(x, Vector256.Create(MinArg)), Vector256.Create(MaxArg));
        var k = Vector256.Floor(c * Vector256.Create(Log2E) + Vector256.Create(0.5f));
        var r = c - k * Vector256.Create(Ln2Hi) - k * Vector256.Create(Ln2Lo);
        var p = Vector256.FusedMultiplyAdd(Vector256.Create(P0), r, Vector256.Create(P1));
        p = Vector256.FusedMultiplyAdd(p, r, Vector256.Create(P2));
        p = Vector256.FusedMultiplyAdd(p, r, Vector256.Create(P3));
        p = Vector256.FusedMultiplyAdd(p, r, Vector256.Create(P4));
        p = Vector256.FusedMultiplyAdd(p, r, Vector256.Create(P5));
        p = Vector256.FusedMultiplyAdd(p, r * r, r + Vector256<float>.One);
        var ki = Vector256.ConvertToInt32(k);
        var k1 = Vector256.ShiftRightArithmetic(ki, 1);
        var k2 = ki - k1;
        var s1 = Vector256.ShiftLeft(k1 + Vector256.Create(127), 23).AsSingle();
        var s2 = Vector256.ShiftLeft(k2 + Vector256.Create(127), 23).AsSingle();
        var y = p * s1 * s2;
        y = Vector256.ConditionalSelect(Vector256.GreaterThan(x, Vector256.Create(MaxArg)), Vector256.Create(float.PositiveInfinity), y);
        y = Vector256.ConditionalSelect(Vector256.LessThan(x, Vector256.Create(MinArg)), Vector256<float>.Zero, y);
        return Vector256.ConditionalSelect(Vector256.Equals(x, x), y, x);
    }
}
