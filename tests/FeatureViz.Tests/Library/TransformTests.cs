using FeatureViz.Rendering;
using FeatureViz.Tensors;
using FeatureViz.TestSupport;
using FeatureViz.Transforms;

namespace FeatureViz.Tests.Library;

/// <summary>The standard list (reference section 4) and each transformation's geometry, checked against values computed here.</summary>
public class TransformTests
{
    private static Tensor T(float[] d, params int[] s) => Tensor.FromArray(TestModels.Backend, d, s);

    [Fact]
    public void StandardList_IsXpliqueList()
    {
        var list = ImageTransform.StandardList(512);
        Assert.Equal(
            (string[])["Pad(128, 0)", "Jitter(64)", "Jitter(64)", "Jitter(128)", "Jitter(128)", "Jitter(128)", "Scale(0.92, 0.96)", "Blur(1, 1.1, 10)", "Jitter(32)", "Jitter(32)", "Flip(horizontal: True, vertical: False)"],
            list.Select(t => t.ToString()!).ToArray());
        Assert.Equal("Pad(12, 0)", ImageTransform.StandardList(57)[0].ToString()); // u = 57 / 16 = 3
    }

    [Fact]
    public void Standard_Geometry_512_EndsNearOneThirdOfTheSide()
    {
        // 512 + 2*128 = 768; jitters remove 64+64+128*3 = 512 -> 256; scale 0.92..0.96 -> 235..245; jitters -64 -> 171..181.
        var x = T(new float[3 * 512 * 512], 1, 3, 512, 512);
        using var _ = Tensors.Autograd.GradMode.NoGrad();
        for (int seed = 0; seed < 3; seed++)
        {
            var y = ImageTransform.Standard().Apply(x, new Random(seed));
            Assert.Equal(1, y.Shape[0]);
            Assert.Equal(3, y.Shape[1]);
            Assert.InRange(y.Shape[2], 171, 181);
            Assert.Equal(y.Shape[2], y.Shape[3]);
        }
    }

    [Fact]
    public void Pad_AddsConstantBorder()
    {
        var d = Rand.Uniform(1, 2 * 2 * 3);
        var y = ImageTransform.Pad(2, 0.5f).Apply(T(d, 1, 2, 2, 3), new Random(0));
        Assert.Equal([1, 2, 6, 7], y.Shape.ToArray());
        var a = y.ToArray();
        for (int c = 0; c < 2; c++)
            for (int i = 0; i < 6; i++)
                for (int j = 0; j < 7; j++)
                {
                    bool inside = i >= 2 && i < 4 && j >= 2 && j < 5;
                    float e = inside ? d[(c * 2 + i - 2) * 3 + j - 2] : 0.5f;
                    Assert.Equal(e, a[(c * 6 + i) * 7 + j]);
                }
    }

    [Fact]
    public void Jitter_CropsByDelta_OneOffsetForTheBatch()
    {
        var d = Enumerable.Range(0, 2 * 1 * 6 * 7).Select(i => (float)i).ToArray();
        var y = ImageTransform.Jitter(3).Apply(T(d, 2, 1, 6, 7), new Random(5));
        Assert.Equal([2, 1, 3, 4], y.Shape.ToArray());
        var a = y.ToArray();
        var r = new Random(5);
        int oy = r.Next(4), ox = r.Next(4);
        for (int n = 0; n < 2; n++)
            for (int i = 0; i < 3; i++)
                for (int j = 0; j < 4; j++)
                    Assert.Equal(d[(n * 6 + oy + i) * 7 + ox + j], a[(n * 3 + i) * 4 + j]);
    }

    [Fact]
    public void Flip_MirrorsEachImageIndependently()
    {
        var d = Rand.Uniform(2, 8 * 1 * 3 * 5);
        var y = ImageTransform.Flip().Apply(T(d, 8, 1, 3, 5), new Random(11)).ToArray();
        var r = new Random(11);
        for (int n = 0; n < 8; n++)
        {
            bool flip = r.NextDouble() < 0.5;
            for (int i = 0; i < 3; i++)
                for (int j = 0; j < 5; j++)
                    Assert.Equal(d[(n * 3 + i) * 5 + (flip ? 4 - j : j)], y[(n * 3 + i) * 5 + j], 5);
        }
    }

    [Fact]
    public void Scale_ResizesByTheDrawnFactor()
    {
        var y = ImageTransform.Scale(0.5f, 0.5f).Apply(T(new float[2 * 10 * 9], 1, 2, 10, 9), new Random(0));
        Assert.Equal([1, 2, 5, 4], y.Shape.ToArray());
    }

    [Fact]
    public void Rotate_By90Degrees_MovesPixelsAboutTheCentre()
    {
        var d = Rand.Uniform(3, 5 * 5);
        var y = ImageTransform.Rotate(90f, 90f).Apply(T(d, 1, 1, 5, 5), new Random(0)).ToArray();
        // Output (x, y) reads input R(p - c) + c with R = [[cos, -sin], [sin, cos]] at 90 degrees: (x', y') = (-(y - c) + c, (x - c) + c).
        for (int i = 0; i < 5; i++)
            for (int j = 0; j < 5; j++)
            {
                int xi = 4 - i, yi = j;
                Assert.Equal(d[yi * 5 + xi], y[i * 5 + j], 4);
            }
    }

    [Fact]
    public void BlurKernel_IsNormalisedGaussianOnXpliqueGrid()
    {
        var k = BlurTransform.Kernel(1.5f, 10);
        Assert.Equal(1.0, k.Sum(x => (double)x), 5);
        // Grid linspace(-4.5, 4.5, 10): ratio between (0.5, 0.5) and (1.5, 0.5) is exp(-(1.5^2 - 0.5^2) / (2 sigma^2)).
        Assert.Equal(Math.Exp(-(2.25 - 0.25) / (2 * 2.25)), k[4 * 10 + 3] / (double)k[4 * 10 + 4], 5);
        Assert.Equal(k[0], k[99]);
    }

    [Fact]
    public void Blur_PreservesAConstantInteriorAndKeepsSize_AnyChannelCount()
    {
        var x = T(Enumerable.Repeat(2f, 1 * 1 * 16 * 16).ToArray(), 1, 1, 16, 16);
        var y = ImageTransform.Blur(1f, 1.1f, 10).Apply(x, new Random(0));
        Assert.Equal([1, 1, 16, 16], y.Shape.ToArray());
        Assert.Equal(2f, y.ToArray()[8 * 16 + 8], 4);
    }

    [Theory]
    [InlineData(10)]
    [InlineData(5)]
    public void Blur_EqualsTheDirect2dGaussianConvolutionWithSamePadding(int k)
    {
        // Independent float64 reference: the full k x k Gaussian (Xplique's kernel formula), TF SAME padding
        // (the extra row/column of an even kernel on the bottom/right), each channel on its own.
        const float sigma = 1.3f;
        int c = 2, h = 13, w = 11;
        var data = Rand.Uniform(21, c * h * w);
        var y = ImageTransform.Blur(sigma, sigma, k).Apply(T(data, 1, c, h, w), new Random(0)).ToArray();
        var kernel = new double[k, k];
        double sum = 0;
        for (int i = 0; i < k; i++)
            for (int j = 0; j < k; j++)
            {
                double dy = i - (k - 1) / 2.0, dx = j - (k - 1) / 2.0;
                sum += kernel[i, j] = Math.Exp(-(dx * dx + dy * dy) / (2.0 * sigma * sigma));
            }
        int before = (k - 1) / 2;
        var expected = new double[c * h * w];
        for (int ch = 0; ch < c; ch++)
            for (int oy = 0; oy < h; oy++)
                for (int ox = 0; ox < w; ox++)
                {
                    double acc = 0;
                    for (int i = 0; i < k; i++)
                        for (int j = 0; j < k; j++)
                        {
                            int iy = oy - before + i, ix = ox - before + j;
                            if (iy >= 0 && iy < h && ix >= 0 && ix < w) acc += kernel[i, j] / sum * data[(ch * h + iy) * w + ix];
                        }
                    expected[(ch * h + oy) * w + ox] = acc;
                }
        Approx.Equal(expected, y, 1e-5, 1e-6, "Blur");
    }

    public static TheoryData<string> Chains => new() { "standard", "pad-then-deep-crops", "crops-only", "window-may-miss-the-image" };

    private static IReadOnlyList<ImageTransform> Chain(string name) => name switch
    {
        "standard" => ImageTransform.StandardList(64),
        "pad-then-deep-crops" => [ImageTransform.Pad(2, 0.5f), ImageTransform.Jitter(6), ImageTransform.Jitter(3), ImageTransform.Jitter(0)],
        // Crops that can leave only padding (offsets 0..2 of 0..25 along either axis).
        "window-may-miss-the-image" => [ImageTransform.Pad(10, 0.25f), ImageTransform.Jitter(25), ImageTransform.Flip()],
        _ => [ImageTransform.Jitter(2), ImageTransform.Flip(), ImageTransform.Jitter(3), ImageTransform.Jitter(1)],
    };

    /// <summary>
    /// Runs <paramref name="f"/> and the one-by-one <paramref name="reference"/> on the same images with the same
    /// random draws (six seeds) and checks that image and input gradient agree.
    /// </summary>
    private static void SameImageAndGradient(float[] data, int[] shape, Func<Tensor, Random, Tensor> f, Func<Tensor, Random, Tensor> reference)
    {
        for (int seed = 0; seed < 6; seed++)
        {
            (float[] Y, float[] G) Run(Func<Tensor, Random, Tensor> g)
            {
                using var scope = TensorScope.Begin();
                var x = T(data, shape).RequireGrad();
                var y = g(x, new Random(seed));
                var weights = T(Rand.Uniform(32, y.Numel), y.Shape.ToArray());
                var grad = FeatureViz.Tensors.Autograd.Grad.Of(y.Mul(weights).Sum(), [x])[0];
                return (y.ToArray(), grad.ToArray());
            }
            var (y1, g1) = Run(reference);
            var (y2, g2) = Run(f);
            Assert.Equal(y1.Length, y2.Length);
            Approx.Equal(y1, y2, 1e-6, 1e-7, $"image, seed {seed}");
            Approx.Equal(g1, g2, 1e-6, 1e-7, $"gradient, seed {seed}");
        }
    }

    private static Tensor OneByOne(IReadOnlyList<ImageTransform> list, Tensor x, Random rng)
    {
        foreach (var t in list) x = t.Apply(x, rng);
        return x;
    }

    [Theory]
    [MemberData(nameof(Chains))]
    public void MergedChain_GivesTheOneByOneImageAndGradient(string name)
    {
        // The chain merges pads and crops into one op; applying the transforms one at a time (each a plain Pad or
        // Slice) with the same random draws must give the same image and the same input gradient.
        var list = Chain(name);
        int n = 2, c = 3, h = name == "standard" ? 64 : 13, w = name == "standard" ? 64 : 11;
        SameImageAndGradient(Rand.Uniform(31, n * c * h * w), [n, c, h, w],
            (x, rng) => ImageTransform.Compose(list).Apply(x, rng), (x, rng) => OneByOne(list, x, rng));
    }

    public static TheoryData<string> PointwiseChains => new() { "standard", "pad-then-deep-crops", "crops-only", "flip-first", "window-may-miss-the-image" };

    [Theory]
    [MemberData(nameof(PointwiseChains))]
    public void PointwiseMapBeforeTheChain_MayRunOnTheCroppedPixels(string name)
    {
        // ApplyAfter(f, x) runs the per-pixel map f after the leading crop; it must equal applying f first and then
        // the transforms one at a time, in image and in input gradient, for any random draws.
        IReadOnlyList<ImageTransform> list = name == "flip-first" ? [ImageTransform.Flip(), ImageTransform.Pad(2), ImageTransform.Jitter(3)] : Chain(name);
        int n = 2, c = 3, h = name == "standard" ? 64 : 13, w = name == "standard" ? 64 : 13;
        var mix = T(Rand.Uniform(42, 9, -1f, 1f), 3, 3, 1, 1);
        Tensor Pointwise(Tensor x) => x.Conv2d(mix, null, new Conv2dOptions()).Sigmoid().Affine(2f, -1f);
        SameImageAndGradient(Rand.Uniform(41, n * c * h * w, -2f, 2f), [n, c, h, w],
            (x, rng) => ImageTransform.Compose(list).ApplyAfter(Pointwise, x, rng), (x, rng) => OneByOne(list, Pointwise(x), rng));
    }

    [Theory]
    [InlineData(ImageNormalizer.Sigmoid)]
    [InlineData(ImageNormalizer.Clip)]
    public void OptimizationInput_MapsColoursAfterTheCrop_AsRenderThenTransforms(ImageNormalizer normalizer)
    {
        // What a step does (the Fourier image's colour mixing, normalizer and value range run on the cropped window)
        // against the plain order: render the whole image, then the standard transformations one at a time.
        var size = new ImageSize(64, 64);
        using var param = new FeatureViz.Parametrization.ImageParametrization(TestModels.Backend, 2, 3, size, true, 0.85f,
            new ValueRange(0, 255), normalizer, null);
        Assert.True(param.FinishIsPointwise);
        var shape = param.ParameterShape;
        var data = Rand.Uniform(51, shape.Aggregate(1, (a, d) => a * d), -0.5f, 0.5f);
        SameImageAndGradient(data, shape,
            (p, rng) => ImageTransform.Standard().ApplyAfter(param.Finish, param.Spatial(p), rng),
            (p, rng) => OneByOne(ImageTransform.StandardList(64), param.Render(p), rng));
    }

    [Fact]
    public void Compose_AppliesInOrder()
    {
        var y = ImageTransform.Compose(ImageTransform.Pad(3), ImageTransform.Jitter(2)).Apply(T(new float[4 * 4], 1, 1, 4, 4), new Random(0));
        Assert.Equal([1, 1, 8, 8], y.Shape.ToArray());
    }
}
