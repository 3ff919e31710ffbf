using FeatureViz.Tensors;
using FeatureViz.TestSupport;

namespace FeatureViz.Tensors.Tests.Nn;

/// <summary>Inputs large enough that the CPU kernels split the work across threads (small tests run serially).</summary>
public abstract class ParallelPathTests<TBackend> : BackendSuite<TBackend> where TBackend : IBackendFactory
{
    private static Tensor T(float[] d, params int[] s) => Tensor.FromArray(Backend, d, s);

    [Fact]
    public void BroadcastsWithFewLongRowsMatchFloat64()
    {
        // Two rows of 40000: the rows are cut into pieces for the threads (Binary, its gradient, Where, BroadcastTo).
        var (a, _) = Rand.Of(21, 2, 40000);
        var (b, _) = Rand.Of(22, 2, 1);
        var (c, _) = Rand.Of(23, 2, 40000);
        var add = T(a, 2, 40000).Mul(T(b, 2, 1)).ToArray();
        var where = Tensor.Where(T(c, 2, 40000).Greater(Tensor.Scalar(Backend, 0f)), T(a, 2, 40000), T(b, 2, 1)).ToArray();
        var expand = T(b, 2, 1).Expand(2, 40000).ToArray();
        using var x = T(a, 2, 40000).RequireGrad();
        using var bias = T(b, 2, 1).RequireGrad();
        x.Div(bias).Mul(T(c, 2, 40000)).Sum().Backward();
        var gx = x.Grad!.ToArray();
        for (int i = 0; i < 80000; i++)
        {
            int r = i / 40000;
            Assert.Equal((double)a[i] * b[r], add[i], 1e-6 * Math.Abs((double)a[i] * b[r]) + 1e-7);
            Assert.Equal(c[i] > 0 ? a[i] : b[r], where[i]);
            Assert.Equal(b[r], expand[i]);
            Assert.Equal((double)c[i] / b[r], gx[i], 1e-5 * Math.Abs((double)c[i] / b[r]) + 1e-6);
        }
    }

    [Theory]
    [InlineData(WarpPadding.Zeros)]
    [InlineData(WarpPadding.Border)]
    [ChecksGradientOf("AffineWarp")]
    public void AffineWarp(WarpPadding pad)
    {
        var (x, shape) = Rand.Of(11, 2, 3, 61, 67);
        float[] th = [0.93f, -0.31f, 0.07f, 0.29f, 1.12f, -0.11f, 1.3f, 0.2f, -0.2f, -0.1f, 0.8f, 0.15f];
        var y = T(x, shape).AffineWarp(T(th, 2, 2, 3), 64, 59, pad);
        var single = new float[2 * 3 * 64 * 59];
        for (int n = 0; n < 2; n++)
        {
            // Each image on its own is small enough to take the serial path.
            var one = T(x.AsSpan(n * 3 * 61 * 67, 3 * 61 * 67).ToArray(), 1, 3, 61, 67)
                .AffineWarp(T(th.AsSpan(n * 6, 6).ToArray(), 1, 2, 3), 64, 59, pad).ToArray();
            one.CopyTo(single, n * one.Length);
        }
        Approx.Equal(single, y.ToArray(), 0, 0, "parallel vs per-image");
        GradCheck.Vjp(Backend, xs => xs[0].AffineWarp(xs[1], 64, 59, pad), [(x, shape), (th, [2, 2, 3])], constant: [1]);
        // The theta gradient on a smooth image: on noise, bilinear sampling has a slope jump at every pixel and the
        // finite differences over thousands of pixels become too noisy to compare. With zero padding the image edge is
        // such a jump too, so that case samples inside the image (the small tests cover the edge); a small step keeps
        // the share of samples whose difference straddles a pixel boundary small.
        var smooth = new float[x.Length];
        for (int i = 0; i < smooth.Length; i++)
        {
            int col = i % 67, row = i / 67 % 61, plane = i / (61 * 67);
            smooth[i] = MathF.Sin(0.11f * row + 0.05f * (plane + 1) * col) + 0.3f * MathF.Cos(0.07f * col);
        }
        float[] inside = [0.6f, -0.15f, 0.05f, 0.12f, 0.65f, -0.08f, 0.55f, 0.2f, -0.1f, -0.1f, 0.7f, 0.1f];
        GradCheck.Vjp(Backend, xs => xs[0].AffineWarp(xs[1], 64, 59, pad), [(smooth, shape), (pad == WarpPadding.Zeros ? inside : th, [2, 2, 3])], constant: [0], eps: 2e-4);
    }

    [Theory]
    [InlineData(ResizeMode.Linear)]
    [InlineData(ResizeMode.Nearest)]
    [ChecksGradientOf("Resize")]
    public void Resize(ResizeMode mode)
    {
        var (x, shape) = Rand.Of(12, 2, 5, 33, 41);
        var o = new ResizeOptions(mode, CoordinateTransform.HalfPixel);
        Approx.Equal(ResizeTests<TBackend>.Reference(x, shape, 70, 45, o), T(x, shape).Resize(70, 45, o).ToArray(), 1e-5, 1e-6, "Resize");
        GradCheck.Vjp(Backend, t => t.Resize(70, 45, o), x, shape);
    }

    [Fact]
    [ChecksGradientOf("Lrn")]
    public void Lrn()
    {
        var (x, shape) = Rand.Of(13, 2, 16, 24, 24);
        GradCheck.Vjp(Backend, t => t.Lrn(5, 0.5f, 0.75f, 1f), x, shape);
    }
}
