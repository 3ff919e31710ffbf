using FeatureViz.Tensors;
using FeatureViz.Transforms;

namespace FeatureViz.Accentuation;

/// <summary>
/// Horama's per-step augmentation for feature accentuation and MaCo-style renders: one random square-ish box per step
/// (side a fraction of the image side drawn uniformly from [<see cref="BoxMin"/>, <see cref="BoxMax"/>], centre
/// N(0.5, 0.15) per axis, moved inside the image), resized back to the image size (bilinear), plus Gaussian noise of
/// deviation <see cref="Noise"/> and uniform noise in [-Noise/2, Noise/2] (Horama's <c>randn * noise + (rand - 0.5) * noise</c>).
/// </summary>
/// <remarks>
/// Unlike Horama: one box per step shared by the batch (Horama averages 6 crops of one image), boxes stay inside the
/// image (roi_align pads outside with zeros), and the noise is a window at a random offset of a noise field drawn once
/// per backend and shape (twice the image on each side), so that a step uploads nothing.
/// </remarks>
public sealed class AccentuationCrop : ImageTransform
{
    private const int NoiseSeed = 20240612;
    private readonly BackendConstants<(int N, int C, int H, int W)> _noise = new();

    /// <summary>Validates 0 &lt; min &lt;= max &lt;= 1 and a finite noise &gt;= 0.</summary>
    public AccentuationCrop(float boxMin, float boxMax, float noise)
    {
        if (!(boxMin > 0) || !(boxMax >= boxMin) || !(boxMax <= 1))
            throw new ArgumentOutOfRangeException(nameof(boxMin), $"AccentuationCrop: need 0 < box min <= box max <= 1, got ({boxMin}, {boxMax}).");
        if (!float.IsFinite(noise) || noise < 0)
            throw new ArgumentOutOfRangeException(nameof(noise), noise, "AccentuationCrop: the noise must be finite and >= 0.");
        BoxMin = boxMin;
        BoxMax = boxMax;
        Noise = noise;
    }

    /// <summary>Smallest box side, as a fraction of the image side.</summary>
    public float BoxMin { get; }

    /// <summary>Largest box side, as a fraction of the image side.</summary>
    public float BoxMax { get; }

    /// <summary>The noise's scale, in the value range's units.</summary>
    public float Noise { get; }

    /// <inheritdoc/>
    public override Tensor Apply(Tensor images, Random random)
    {
        CheckImages(images, "AccentuationCrop");
        ArgumentNullException.ThrowIfNull(random);
        int n = images.Shape[0], c = images.Shape[1], h = images.Shape[2], w = images.Shape[3];
        double f = BoxMin + random.NextDouble() * (BoxMax - BoxMin);
        int ch = Math.Clamp((int)Math.Round(f * h), 1, h), cw = Math.Clamp((int)Math.Round(f * w), 1, w);
        int y0 = Offset(random, h, ch), x0 = Offset(random, w, cw);
        var x = ch == h && cw == w ? images : images.Slice([0, 0, y0, x0], [n, c, y0 + ch, x0 + cw])
            .Resize(h, w, new ResizeOptions(ResizeMode.Linear, CoordinateTransform.HalfPixel));
        if (Noise == 0) return x;
        var field = _noise.Get(images.Backend, (n, c, h, w), NoiseField, k => [k.N, k.C, 2 * k.H, 2 * k.W]);
        int ny = random.Next(h + 1), nx = random.Next(w + 1);
        return x.Add(field.Slice([0, 0, ny, nx], [n, c, ny + h, nx + w]));
    }

    /// <inheritdoc/>
    public override string ToString() => $"AccentuationCrop({BoxMin}, {BoxMax}, noise {Noise})";

    private static int Offset(Random random, int size, int box)
    {
        // Centre ~ N(0.5, 0.15) of the side, then the box is moved inside the image.
        double centre = 0.5 + 0.15 * Normal(random);
        return Math.Clamp((int)Math.Round(centre * size - box / 2.0), 0, size - box);
    }

    private float[] NoiseField((int N, int C, int H, int W) k)
    {
        var random = new Random(NoiseSeed);
        var data = new float[k.N * k.C * 4 * k.H * k.W];
        for (int i = 0; i < data.Length; i++) data[i] = (float)(Noise * (Normal(random) + random.NextDouble() - 0.5));
        return data;
    }

    /// <summary>A standard normal draw (Box-Muller).</summary>
    private static double Normal(Random random) =>
        Math.Sqrt(-2.0 * Math.Log(1.0 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
}
