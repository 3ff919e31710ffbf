using FeatureViz.Kernels.Gpu.Gemm;
using FeatureViz.TestSupport;

namespace FeatureViz.Gpu.Tests;

/// <summary>The TF32 rounding and the documented error bound, on the host (the tensor cores cannot run here).</summary>
public sealed class Tf32Tests
{
    [Fact]
    public void RoundsToTenMantissaBitsNearestTiesAwayFromZero()
    {
        float ulp = MathF.Pow(2, -10), half = MathF.Pow(2, -11), tiny = MathF.Pow(2, -23);
        Assert.Equal(1f, Tf32.Round(1f + half - tiny));
        Assert.Equal(1f + ulp, Tf32.Round(1f + half));            // tie: away from zero
        Assert.Equal(-(1f + ulp), Tf32.Round(-(1f + half)));
        Assert.Equal(1f + ulp, Tf32.Round(1f + ulp + half - tiny));
        Assert.Equal(2f, Tf32.Round(2f - tiny));                  // carries into the exponent
        Assert.Equal(3.140625f, Tf32.Round(MathF.PI));            // pi = 1.1001001000|0111... x 2^1
        Assert.True(float.IsNaN(Tf32.Round(float.NaN)));
        Assert.Equal(float.PositiveInfinity, Tf32.Round(float.PositiveInfinity));
        Assert.Equal(0f, Tf32.Round(0f));
    }

    /// <summary>
    /// The emulated TF32 product (the kernel's arithmetic: rounded operands, FP32 accumulation in k order) against the
    /// float64 product: every element within Tf32.ErrorBound(K) * sum|a||b|, and the worst element well above the
    /// worst error of the same accumulation on unrounded operands, so the bound is not met vacuously.
    /// </summary>
    [Theory]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(64)]
    [InlineData(1000)]
    public void EmulatedTf32ProductStaysWithinTheDocumentedBound(int k)
    {
        int m = 9, n = 11;
        var a = Rand.Uniform(71 + k, m * k);
        var b = Rand.Uniform(72 + k, k * n, 0.5f, 2f); // one-signed B: the errors of a row do not all cancel
        var c = Tf32.EmulateGemm(a, b, m, n, k);
        double bound = Tf32.ErrorBound(k), worst = 0, worstFp32 = 0;
        for (int i = 0; i < m; i++)
            for (int j = 0; j < n; j++)
            {
                double exact = 0, sumAbs = 0;
                float fp32 = 0f;
                for (int q = 0; q < k; q++)
                {
                    fp32 += a[i * k + q] * b[q * n + j];
                    exact += (double)a[i * k + q] * b[q * n + j];
                    sumAbs += Math.Abs((double)a[i * k + q] * b[q * n + j]);
                }
                double relative = Math.Abs(c[i * n + j] - exact) / sumAbs;
                Assert.True(relative <= bound, $"K={k} ({i}, {j}): error {relative} of sum|a||b| exceeds the bound {bound}");
                worst = Math.Max(worst, relative);
                worstFp32 = Math.Max(worstFp32, Math.Abs(fp32 - exact) / sumAbs);
            }
        Assert.True(worst > 10 * worstFp32, $"K={k}: worst error {worst} is within 10x of FP32's {worstFp32}: operands were not rounded");
    }
}
