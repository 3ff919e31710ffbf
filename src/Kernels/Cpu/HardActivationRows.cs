using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace FeatureViz.Kernels.Cpu;

/// <summary>
/// Vector rows of HardSwish and HardSigmoid, forward and backward, with the scalar functors' exact arithmetic
/// (<c>HardSwishOp</c>: x / 6 is a division, not a multiplication by 1/6; <c>HardSigmoidOp</c>: a product, then a sum,
/// not an FMA), so vector and scalar results are bit-identical. MobileNet-style models apply HardSwish after almost
/// every convolution.
/// </summary>
internal static class HardActivationRows
{
    /// <summary>y = x * max(0, min(1, x / 6 + 0.5)).</summary>
    public static void HardSwish(ReadOnlySpan<float> x, Span<float> y)
    {
        int n = x.Length, i = 0;
        ref float xr = ref MemoryMarshal.GetReference(x);
        ref float yr = ref MemoryMarshal.GetReference(y);
        if (Vector512.IsHardwareAccelerated)
        {
            Vector512<float> six = Vector512.Create(6f), half = Vector512.Create(0.5f), one = Vector512.Create(1f);
            for (; i <= n - 16; i += 16)
            {
                var v = Vector512.LoadUnsafe(ref xr, (nuint)i);
                var s = Clamp01(v / six + half, one);
                (v * s).StoreUnsafe(ref yr, (nuint)i);
            }
        }
        for (; i < n; i++)
        {
            float v = x[i];
            y[i] = v * MathF.Max(0f, MathF.Min(1f, v / 6f + 0.5f));
        }
    }

    /// <summary>dx = dy * d/dx HardSwish: 0 where x / 6 + 0.5 &lt;= 0, dy where it is &gt;= 1, else dy * (x / 3 + 0.5).</summary>
    public static void HardSwishBackward(ReadOnlySpan<float> x, ReadOnlySpan<float> dy, Span<float> dx)
    {
        int n = x.Length, i = 0;
        ref float xr = ref MemoryMarshal.GetReference(x);
        ref float gr = ref MemoryMarshal.GetReference(dy);
        ref float dr = ref MemoryMarshal.GetReference(dx);
        if (Vector512.IsHardwareAccelerated)
        {
            Vector512<float> six = Vector512.Create(6f), half = Vector512.Create(0.5f), one = Vector512.Create(1f);
            for (; i <= n - 16; i += 16)
            {
                var t = Vector512.LoadUnsafe(ref xr, (nuint)i) / six;
                var v = t + half;
                var g = Vector512.LoadUnsafe(ref gr, (nuint)i);
                var mid = g * (v + t);
                var r = Vector512.ConditionalSelect(Vector512.GreaterThanOrEqual(v, one), g, mid);
                // A NaN input fails both tests and gives dy * NaN, as the scalar code does.
                Vector512.ConditionalSelect(Vector512.LessThanOrEqual(v, Vector512<float>.Zero), Vector512<float>.Zero, r).StoreUnsafe(ref dr, (nuint)i);
            }
        }
        for (; i < n; i++)
        {
            float t = x[i] / 6f, v = t + 0.5f;
            dx[i] = v <= 0f ? 0f : v >= 1f ? dy[i] : dy[i] * (v + t);
        }
    }

    /// <summary>y = max(0, min(1, alpha * x + beta)).</summary>
    public static void HardSigmoid(ReadOnlySpan<float> x, float alpha, float beta, Span<float> y)
    {
        int n = x.Length, i = 0;
        ref float xr = ref MemoryMarshal.GetReference(x);
        ref float yr = ref MemoryMarshal.GetReference(y);
        if (Vector512.IsHardwareAccelerated)
        {
            Vector512<float> a = Vector512.Create(alpha), b = Vector512.Create(beta), one = Vector512.Create(1f);
            for (; i <= n - 16; i += 16)
                Clamp01(Vector512.LoadUnsafe(ref xr, (nuint)i) * a + b, one).StoreUnsafe(ref yr, (nuint)i);
        }
        for (; i < n; i++) y[i] = MathF.Max(0f, MathF.Min(1f, alpha * x[i] + beta));
    }

    /// <summary>dx = dy * alpha where 0 &lt; alpha * x + beta &lt; 1, else 0.</summary>
    public static void HardSigmoidBackward(ReadOnlySpan<float> x, float alpha, float beta, ReadOnlySpan<float> dy, Span<float> dx)
    {
        int n = x.Length, i = 0;
        ref float xr = ref MemoryMarshal.GetReference(x);
        ref float gr = ref MemoryMarshal.GetReference(dy);
        ref float dr = ref MemoryMarshal.GetReference(dx);
        if (Vector512.IsHardwareAccelerated)
        {
            Vector512<float> a = Vector512.Create(alpha), b = Vector512.Create(beta), one = Vector512.Create(1f);
            for (; i <= n - 16; i += 16)
            {
                var v = Vector512.LoadUnsafe(ref xr, (nuint)i) * a + b;
                var inside = Vector512.GreaterThan(v, Vector512<float>.Zero) & Vector512.LessThan(v, one);
                ((Vector512.LoadUnsafe(ref gr, (nuint)i) * a) & inside).StoreUnsafe(ref dr, (nuint)i);
            }
        }
        for (; i < n; i++)
        {
            float v = alpha * x[i] + beta;
            dx[i] = v > 0f && v < 1f ? dy[i] * alpha : 0f;
        }
    }

    /// <summary>max(0, min(1, s)) as MathF does it: a NaN stays NaN (the bound is selected only where the comparison holds).</summary>
    private static Vector512<float> Clamp01(Vector512<float> s, Vector512<float> one)
    {
        var hi = Vector512.ConditionalSelect(Vector512.GreaterThan(s, one), one, s);
        return Vector512.ConditionalSelect(Vector512.LessThan(hi, Vector512<float>.Zero), Vector512<float>.Zero, hi);
    }
}
