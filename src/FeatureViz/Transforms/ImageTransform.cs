using FeatureViz.Tensors;

namespace FeatureViz.Transforms;

/// <summary>
/// A random, differentiable transformation of an NCHW image batch, applied before the model at every step
/// (Xplique/Lucid transformation robustness). Every call draws its randomness from the generator it is given (the
/// run's seeded generator), so seeded runs are reproducible. Subclass it (override <see cref="Apply"/>), or pass a
/// function to <see cref="FromFunction"/>.
/// </summary>
public abstract class ImageTransform
{
    /// <summary>For subclasses.</summary>
    protected ImageTransform()
    {
    }

    /// <summary>Transforms an NCHW batch; the result may have another spatial size.</summary>
    public abstract Tensor Apply(Tensor images, Random random);

    /// <summary>
    /// Xplique's standard list for an image of height <c>size</c> (<c>u = size / 16</c>): pad(4u, 0), jitter(2u),
    /// jitter(2u), jitter(4u) x 3, scale(0.92..0.96), blur(sigma 1..1.1, kernel 10), jitter(u) x 2, horizontal flip.
    /// The list is built from the batch it receives (height and channels), so it fits any image size.
    /// </summary>
    public static ImageTransform Standard() => new StandardTransform();

    /// <summary>The exact standard list for an image of height <paramref name="size"/>.</summary>
    public static IReadOnlyList<ImageTransform> StandardList(int size) => StandardTransform.Build(size);

    /// <summary>
    /// Lucid's <c>standard_transforms</c>: pad(12, constant <paramref name="padValue"/>), jitter(8), scale(0.90..1.10),
    /// rotate(-10..10 degrees), jitter(4), whatever the image size. Unlike <see cref="Standard"/>, whose crops keep only
    /// a 6/16 window of the image each step and so leave its border faded, every step sees the whole image. Lucid pads
    /// with 0.5 in its (0, 1) pixel range: pass the middle of <see cref="Rendering.OptimizationOptions.ValuesRange"/>
    /// (e.g. 127.5 for a model taking 0..255).
    /// </summary>
    public static ImageTransform Lucid(float padValue = 0.5f) => new ComposeTransform(LucidList(padValue), "Lucid");

    /// <summary>The transforms of <see cref="Lucid"/>, in order.</summary>
    public static IReadOnlyList<ImageTransform> LucidList(float padValue = 0.5f) =>
    [
        new PadTransform(12, padValue),
        new JitterTransform(8),
        new ScaleTransform(0.90f, 1.10f),
        new RotateTransform(-10f, 10f),
        new JitterTransform(4),
    ];

    /// <summary>
    /// A transform from a function of the NCHW batch and the run's random generator (draw all randomness from it, so
    /// seeded runs are reproducible); the result must be an NCHW batch of the same images, differentiable through
    /// <see cref="Tensor"/> ops.
    /// </summary>
    public static ImageTransform FromFunction(Func<Tensor, Random, Tensor> transform, string name = "Custom")
    {
        ArgumentNullException.ThrowIfNull(transform);
        return new FunctionTransform(transform, name);
    }

    /// <summary>Constant padding of <paramref name="size"/> pixels on each spatial side.</summary>
    public static ImageTransform Pad(int size, float value = 0f) => new PadTransform(size, value);

    /// <summary>Random crop shrinking the image by <paramref name="delta"/> pixels in each spatial dimension; one offset for the whole batch (Xplique's <c>random_jitter</c>).</summary>
    public static ImageTransform Jitter(int delta) => new JitterTransform(delta);

    /// <summary>Bilinear resize by a factor drawn uniformly from [<paramref name="min"/>, <paramref name="max"/>) once per call (output <c>floor(H s) x floor(W s)</c>).</summary>
    public static ImageTransform Scale(float min = 0.95f, float max = 1.05f) => new ScaleTransform(min, max);

    /// <summary>Rotation about the centre by an angle (degrees) drawn uniformly from [<paramref name="minDegrees"/>, <paramref name="maxDegrees"/>) once per call; same size, zeros outside (Lucid/Lucent <c>random_rotate</c>).</summary>
    public static ImageTransform Rotate(float minDegrees = -10f, float maxDegrees = 10f) => new RotateTransform(minDegrees, maxDegrees);

    /// <summary>Gaussian blur with sigma drawn from [max(min, 0.1), max(max, 0.1)) once per call; depthwise, SAME padding (Xplique's <c>random_blur</c>, any channel count).</summary>
    public static ImageTransform Blur(float sigmaMin = 1f, float sigmaMax = 2f, int kernelSize = 10) => new BlurTransform(sigmaMin, sigmaMax, kernelSize);

    /// <summary>Flips each image independently with probability 1/2 (horizontally and/or vertically).</summary>
    public static ImageTransform Flip(bool horizontal = true, bool vertical = false) => new FlipTransform(horizontal, vertical);

    /// <summary>Applies <paramref name="transforms"/> in order.</summary>
    public static ImageTransform Compose(params IReadOnlyList<ImageTransform> transforms) => new ComposeTransform(transforms);

    /// <summary>
    /// The same as <c>Apply(pointwise(images), random)</c>, for a <paramref name="pointwise"/> map that treats every
    /// pixel on its own (per-pixel channel mixing, elementwise functions). Transforms that start by cropping apply
    /// the map to the kept pixels only.
    /// </summary>
    internal virtual Tensor ApplyAfter(Func<Tensor, Tensor> pointwise, Tensor images, Random random) => Apply(pointwise(images), random);

    /// <summary>Throws <see cref="ArgumentException"/> unless <paramref name="images"/> is an NCHW batch (rank 4).</summary>
    protected static void CheckImages(Tensor images, string name)
    {
        ArgumentNullException.ThrowIfNull(images);
        if (images.Rank != 4) throw new ArgumentException($"{name}: images must be NCHW (rank 4), got {images.Shape}.", nameof(images));
    }

    /// <summary>
    /// theta for <see cref="Tensor.AffineWarp"/> from a pixel-space map (x_in, y_in) = (a x + b y + c, d x + e y + f),
    /// pixel centres at i + 0.5, for output (ho, wo) and input (hi, wi).
    /// </summary>
    internal static void PixelToTheta(Span<float> theta, double a, double b, double c, double d, double e, double f, int ho, int wo, int hi, int wi)
    {
        theta[0] = (float)(a * wo / wi);
        theta[1] = (float)(b * ho / wi);
        theta[2] = (float)((a * wo + b * ho + 2 * c) / wi - 1);
        theta[3] = (float)(d * wo / hi);
        theta[4] = (float)(e * ho / hi);
        theta[5] = (float)((d * wo + e * ho + 2 * f) / hi - 1);
    }
}
