using FeatureViz.Tensors;
using FeatureViz.TestSupport;

namespace FeatureViz.Tensors.Tests.Nn;

public abstract class AffineWarpTests<TBackend> : BackendSuite<TBackend> where TBackend : IBackendFactory
{
    private static Tensor T(float[] d, params int[] s) => Tensor.FromArray(Backend, d, s);

    // Written after PyTorch's affine_grid (align_corners=False: base coordinates linspace(-1, 1, n) * (n - 1) / n)
    // and grid_sampler_2d (bilinear; unnormalise ((g + 1) * size - 1) / 2, border clips, zeros drops outside corners).
    private static double[] Reference(float[] x, int n, int c, int h, int w, float[] theta, int outH, int outW, WarpPadding pad)
    {
        var e = new double[n * c * outH * outW];
        int tb = theta.Length / 6;
        for (int b = 0; b < n; b++)
        {
            var t = theta.AsSpan((tb == 1 ? 0 : b) * 6, 6).ToArray().Select(v => (double)v).ToArray();
            for (int i = 0; i < outH; i++)
                for (int j = 0; j < outW; j++)
                {
                    double bx = outW == 1 ? 0 : (-1 + 2.0 * j / (outW - 1)) * (outW - 1) / outW;
                    double by = outH == 1 ? 0 : (-1 + 2.0 * i / (outH - 1)) * (outH - 1) / outH;
                    double gx = t[0] * bx + t[1] * by + t[2], gy = t[3] * bx + t[4] * by + t[5];
                    double ix = ((gx + 1) * w - 1) / 2, iy = ((gy + 1) * h - 1) / 2;
                    if (pad == WarpPadding.Border)
                    {
                        ix = Math.Min(w - 1, Math.Max(0, ix));
                        iy = Math.Min(h - 1, Math.Max(0, iy));
                    }
                    int xw = (int)Math.Floor(ix), yn = (int)Math.Floor(iy), xe = xw + 1, ys = yn + 1;
                    double nw = (xe - ix) * (ys - iy), ne = (ix - xw) * (ys - iy), sw = (xe - ix) * (iy - yn), se = (ix - xw) * (iy - yn);
                    for (int ch = 0; ch < c; ch++)
                    {
                        double At(int yy, int xx) => yy >= 0 && yy < h && xx >= 0 && xx < w ? x[((b * c + ch) * h + yy) * w + xx] : 0;
                        e[((b * c + ch) * outH + i) * outW + j] = nw * At(yn, xw) + ne * At(yn, xe) + sw * At(ys, xw) + se * At(ys, xe);
                    }
                }
        }
        return e;
    }

    private static float[] RandomTheta(int seed, int count)
    {
        var r = new Random(seed);
        var th = new float[count * 6];
        for (int k = 0; k < count; k++)
        {
            double angle = (r.NextDouble() * 2 - 1) * Math.PI, s = 0.5 + r.NextDouble();
            th[k * 6] = (float)(s * Math.Cos(angle));
            th[k * 6 + 1] = (float)(-s * Math.Sin(angle));
            th[k * 6 + 2] = (float)(r.NextDouble() - 0.5);
            th[k * 6 + 3] = (float)(s * Math.Sin(angle) * 1.2);
            th[k * 6 + 4] = (float)(s * Math.Cos(angle));
            th[k * 6 + 5] = (float)(r.NextDouble() - 0.5);
        }
        return th;
    }

    [Theory]
    [InlineData(WarpPadding.Zeros)]
    [InlineData(WarpPadding.Border)]
    public void IdentityReproducesTheImage(WarpPadding pad)
    {
        var x = Rand.Uniform(1, 2 * 3 * 7 * 5);
        float[] id = [1, 0, 0, 0, 1, 0, 1, 0, 0, 0, 1, 0];
        Assert.Equal(x, T(x, 2, 3, 7, 5).AffineWarp(T(id, 2, 2, 3), 7, 5, pad).ToArray());
    }

    [Fact]
    public void TranslationByTwoPixelsShiftsExactly()
    {
        int h = 6, w = 9;
        var x = Rand.Uniform(2, h * w);
        // Normalised width 2 spans w pixels, so 2 pixels are 2 * 2 / w; the output at column j reads column j + 2.
        float[] th = [1, 0, 2f * 2 / w, 0, 1, 0];
        var y = T(x, 1, 1, h, w).AffineWarp(T(th, 1, 2, 3), h, w).ToArray();
        var yb = T(x, 1, 1, h, w).AffineWarp(T(th, 1, 2, 3), h, w, WarpPadding.Border).ToArray();
        for (int i = 0; i < h; i++)
            for (int j = 0; j < w; j++)
            {
                Assert.Equal(j + 2 < w ? x[i * w + j + 2] : 0f, y[i * w + j], 6);
                Assert.Equal(x[i * w + Math.Min(j + 2, w - 1)], yb[i * w + j], 6);
            }
    }

    [Theory]
    [InlineData(WarpPadding.Zeros, 1)]
    [InlineData(WarpPadding.Border, 2)]
    [InlineData(WarpPadding.Zeros, 3)]
    [InlineData(WarpPadding.Border, 4)]
    public void MatchesGridSampleReference(WarpPadding pad, int seed)
    {
        int n = 2, c = 3, h = 7, w = 10;
        var x = Rand.Uniform(seed, n * c * h * w, -2, 2);
        var th = RandomTheta(seed, n);
        foreach (var (oh, ow) in new[] { (7, 10), (5, 13), (1, 1), (12, 4) })
        {
            var y = T(x, n, c, h, w).AffineWarp(T(th, n, 2, 3), oh, ow, pad).ToArray();
            Approx.Equal(Reference(x, n, c, h, w, th, oh, ow, pad), y, 1e-5, 1e-5, $"{pad} {oh}x{ow}");
        }
        var shared = RandomTheta(seed + 10, 1);
        var ys = T(x, n, c, h, w).AffineWarp(T(shared, 1, 2, 3), 6, 6, pad).ToArray();
        Approx.Equal(Reference(x, n, c, h, w, shared, 6, 6, pad), ys, 1e-5, 1e-5, $"{pad} shared theta");
    }

    [Theory]
    [InlineData(WarpPadding.Zeros)]
    [InlineData(WarpPadding.Border)]
    [ChecksGradientOf("AffineWarp")]
    public void GradientWithRespectToTheImage(WarpPadding pad)
    {
        var th = RandomTheta(7, 2);
        GradCheck.Vjp(Backend, xs => xs[0].AffineWarp(xs[1], 5, 7, pad),
            [Rand.Of(3, 2, 3, 6, 5), (th, [2, 2, 3])], constant: [1]);
        // Downscaling (several outputs read the same pixel) and upscaling.
        float[] zoom = [2.5f, 0.3f, 0.1f, -0.2f, 1.7f, -0.3f];
        GradCheck.Vjp(Backend, xs => xs[0].AffineWarp(xs[1], 3, 4, pad), [Rand.Of(4, 1, 2, 9, 8), (zoom, [1, 2, 3])], constant: [1]);
        float[] up = [0.4f, 0, 0.05f, 0, 0.3f, 0.1f];
        GradCheck.Vjp(Backend, xs => xs[0].AffineWarp(xs[1], 11, 9, pad), [Rand.Of(5, 1, 1, 4, 5), (up, [1, 2, 3])], constant: [1]);
    }

    [Theory]
    [InlineData(WarpPadding.Zeros)]
    [InlineData(WarpPadding.Border)]
    [ChecksGradientOf("AffineWarp")]
    public void GradientWithRespectToTheta(WarpPadding pad)
    {
        // Image and theta together; then a shared theta (summed over the batch) zooming out so border clamping matters.
        GradCheck.Vjp(Backend, xs => xs[0].AffineWarp(xs[1], 5, 6, pad), [Rand.Of(8, 2, 2, 6, 5), (RandomTheta(9, 2), [2, 2, 3])]);
        // Not-round values, so that no sample lands exactly on a pixel (a kink where finite differences average two slopes).
        float[] zoomOut = [1.57f, 0.23f, 0.11f, -0.31f, 1.43f, 0.06f];
        GradCheck.Vjp(Backend, xs => xs[0].AffineWarp(xs[1], 7, 7, pad), [Rand.Of(10, 3, 2, 5, 6), (zoomOut, [1, 2, 3])], constant: [0]);
    }

    [Fact]
    public void RejectsBadInput()
    {
        using var x = T(new float[2 * 3 * 4 * 4], 2, 3, 4, 4);
        using var th = T(new float[12], 2, 2, 3);
        using var bad = T(new float[18], 3, 2, 3);
        var ex = Assert.Throws<ArgumentException>(() => x.AffineWarp(bad, 4, 4));
        Assert.Equal("theta", ex.ParamName);
        Assert.Contains("[3, 2, 3]", ex.Message);
        Assert.Contains("AffineWarp", ex.Message);
        ex = Assert.Throws<ArgumentException>(() => x.AffineWarp(th, 0, 4));
        Assert.Equal("outH", ex.ParamName);
        using var x3 = T(new float[48], 3, 4, 4);
        ex = Assert.Throws<ArgumentException>(() => x3.AffineWarp(th, 4, 4));
        Assert.Contains("[3, 4, 4]", ex.Message);
    }
}
