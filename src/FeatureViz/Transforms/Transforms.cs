using FeatureViz.Tensors;

namespace FeatureViz.Transforms;

internal sealed class PadTransform : ImageTransform
{
    public PadTransform(int size, float value)
    {
        if (size < 0) throw new ArgumentOutOfRangeException(nameof(size), size, "Pad: size must be >= 0.");
        if (!float.IsFinite(value)) throw new ArgumentOutOfRangeException(nameof(value), value, "Pad: value must be finite.");
        Size = size;
        Value = value;
    }

    public int Size { get; }
    public float Value { get; }

    public override Tensor Apply(Tensor images, Random random)
    {
        CheckImages(images, "Pad");
        return Size == 0 ? images : images.Pad([0, 0, Size, Size, 0, 0, Size, Size], PadMode.Constant, Value);
    }

    public override string ToString() => $"Pad({Size}, {Value})";
}

internal sealed class JitterTransform : ImageTransform
{
    public JitterTransform(int delta)
    {
        if (delta < 0) throw new ArgumentOutOfRangeException(nameof(delta), delta, "Jitter: delta must be >= 0.");
        Delta = delta;
    }

    public int Delta { get; }

    public override Tensor Apply(Tensor images, Random random)
    {
        CheckImages(images, "Jitter");
        return TransformChain.Apply([this], images, random);
    }

    internal override Tensor ApplyAfter(Func<Tensor, Tensor> pointwise, Tensor images, Random random)
    {
        CheckImages(images, "Jitter");
        return TransformChain.Apply([this], images, random, pointwise);
    }

    public override string ToString() => $"Jitter({Delta})";
}

internal sealed class ScaleTransform : ImageTransform
{
    public ScaleTransform(float min, float max)
    {
        if (!(min > 0) || !(max >= min) || !float.IsFinite(max))
            throw new ArgumentOutOfRangeException(nameof(min), $"Scale: need 0 < min <= max, got ({min}, {max}).");
        Min = min;
        Max = max;
    }

    public float Min { get; }
    public float Max { get; }

    public override Tensor Apply(Tensor images, Random random)
    {
        CheckImages(images, "Scale");
        double s = Min + random.NextDouble() * (Max - Min);
        int h = images.Shape[2], w = images.Shape[3];
        int nh = Math.Max(1, (int)(h * s)), nw = Math.Max(1, (int)(w * s));
        if (nh == h && nw == w) return images;
        return images.Resize(nh, nw, new ResizeOptions(ResizeMode.Linear, CoordinateTransform.HalfPixel));
    }

    public override string ToString() => $"Scale({Min}, {Max})";
}

internal sealed class RotateTransform : ImageTransform
{
    public RotateTransform(float minDegrees, float maxDegrees)
    {
        if (!float.IsFinite(minDegrees) || !float.IsFinite(maxDegrees) || maxDegrees < minDegrees)
            throw new ArgumentOutOfRangeException(nameof(minDegrees), $"Rotate: need finite min <= max, got ({minDegrees}, {maxDegrees}).");
        MinDegrees = minDegrees;
        MaxDegrees = maxDegrees;
    }

    public float MinDegrees { get; }
    public float MaxDegrees { get; }

    public override Tensor Apply(Tensor images, Random random)
    {
        CheckImages(images, "Rotate");
        double deg = MinDegrees + random.NextDouble() * (MaxDegrees - MinDegrees);
        int h = images.Shape[2], w = images.Shape[3];
        double t = deg * Math.PI / 180, cos = Math.Cos(t), sin = Math.Sin(t);
        double cx = w / 2.0, cy = h / 2.0;
        // Output pixel p reads input at R(p - centre) + centre; one matrix serves the whole batch.
        // theta is affine in (cos, sin): C + cos A + sin B with A, B, C constants of the size, uploaded once, so the
        // step uploads nothing: the drawn angle enters as two scalar op parameters.
        Tensor Part(int k) => _basis.Get(images.Backend, (h, w, k), Basis, _ => [1, 2, 3]);
        var th = Part(0).Mul((float)cos).Add(Part(1).Mul((float)sin)).Add(Part(2));
        return images.AffineWarp(th, h, w, WarpPadding.Zeros);
    }

    private readonly BackendConstants<(int H, int W, int Part)> _basis = new();

    /// <summary>Part 0: theta(cos = 1, sin = 0) - theta(0, 0); part 1: theta(0, 1) - theta(0, 0); part 2: theta(0, 0).</summary>
    private static float[] Basis((int H, int W, int Part) key)
    {
        var (h, w, part) = key;
        double[] Theta(double cos, double sin)
        {
            double cx = w / 2.0, cy = h / 2.0;
            var t = new float[6];
            PixelToTheta(t, cos, -sin, cx - cos * cx + sin * cy, sin, cos, cy - sin * cx - cos * cy, h, w, h, w);
            return t.Select(v => (double)v).ToArray();
        }
        var c = Theta(0, 0);
        var p = part switch { 0 => Theta(1, 0), 1 => Theta(0, 1), _ => new double[6] };
        return p.Select((v, i) => (float)(part == 2 ? c[i] : v - c[i])).ToArray();
    }

    public override string ToString() => $"Rotate({MinDegrees}, {MaxDegrees})";
}

internal sealed class FlipTransform(bool horizontal, bool vertical) : ImageTransform
{
    public bool Horizontal { get; } = horizontal;
    public bool Vertical { get; } = vertical;

    public override Tensor Apply(Tensor images, Random random)
    {
        CheckImages(images, "Flip");
        if (!Horizontal && !Vertical) return images;
        int n = images.Shape[0];
        var flips = new (bool X, bool Y)[n];
        bool any = false, all = true;
        for (int i = 0; i < n; i++)
        {
            flips[i] = (Horizontal && random.NextDouble() < 0.5, Vertical && random.NextDouble() < 0.5);
            any |= flips[i].X | flips[i].Y;
            all &= flips[i] == flips[0];
        }
        if (!any) return images;
        // Exact mirrors by reversed slices (a copy), per image when the draws differ.
        if (all) return Mirror(images, flips[0]);
        var parts = new Tensor[n];
        for (int i = 0; i < n; i++) parts[i] = Mirror(images.Slice([i], [i + 1], [0]), flips[i]);
        return Tensor.Concat(parts, 0);
    }

    private static Tensor Mirror(Tensor x, (bool X, bool Y) flip)
    {
        if (flip.Y) x = x.Slice([x.Shape[2] - 1], [long.MinValue], [2], [-1]);
        if (flip.X) x = x.Slice([x.Shape[3] - 1], [long.MinValue], [3], [-1]);
        return x;
    }

    public override string ToString() => $"Flip(horizontal: {Horizontal}, vertical: {Vertical})";
}

internal sealed class BlurTransform : ImageTransform
{
    public BlurTransform(float sigmaMin, float sigmaMax, int kernelSize)
    {
        if (kernelSize < 1) throw new ArgumentOutOfRangeException(nameof(kernelSize), kernelSize, "Blur: kernel size must be >= 1.");
        if (!float.IsFinite(sigmaMin) || !float.IsFinite(sigmaMax) || sigmaMax < sigmaMin)
            throw new ArgumentOutOfRangeException(nameof(sigmaMin), $"Blur: need finite sigmaMin <= sigmaMax, got ({sigmaMin}, {sigmaMax}).");
        SigmaMin = Math.Max(sigmaMin, 0.1f);
        SigmaMax = Math.Max(sigmaMax, 0.1f);
        KernelSize = kernelSize;
    }

    public float SigmaMin { get; }
    public float SigmaMax { get; }
    public int KernelSize { get; }

    /// <summary>Xplique's kernel: exp(-(x^2 + y^2) / (2 sigma^2)) on linspace(-(k-1)/2, (k-1)/2, k), normalised to sum 1.</summary>
    public static float[] Kernel(float sigma, int k)
    {
        var kernel = new float[k * k];
        double sum = 0;
        for (int i = 0; i < k; i++)
            for (int j = 0; j < k; j++)
            {
                double y = i - (k - 1) / 2.0, x = j - (k - 1) / 2.0;
                double v = Math.Exp(-0.5 * (x * x + y * y) / ((double)sigma * sigma));
                kernel[i * k + j] = (float)v;
                sum += v;
            }
        for (int i = 0; i < kernel.Length; i++) kernel[i] = (float)(kernel[i] / sum);
        return kernel;
    }

    public override Tensor Apply(Tensor images, Random random)
    {
        CheckImages(images, "Blur");
        float sigma = (float)(SigmaMin + random.NextDouble() * (SigmaMax - SigmaMin));
        int c = images.Shape[1], k = KernelSize;
        // The Gaussian is separable: Kernel(sigma, k) is the outer product of the normalised 1-D kernel with itself,
        // so a k x 1 then a 1 x k depthwise pass give the same image with 2k instead of k^2 taps per pixel.
        // The weights are computed on the backend from constant squared offsets (uploaded once per backend and channel
        // count), so a step uploads nothing: exp(-x^2 / (2 sigma^2)) / sum, one factor of Kernel(sigma, k).
        var squares = SquaredOffsets(images.Backend, c);
        var g = squares.Mul(-0.5f / (sigma * sigma)).Exp();
        var vertical = g.Div(g.Sum([2], keepDims: true));
        var horizontal = vertical.Reshape(c, 1, 1, k);
        // TF SAME padding: the extra row/column of an even kernel goes to the bottom/right.
        int before = (k - 1) / 2, after = k - 1 - before;
        return images
            .Conv2d(vertical, null, new Conv2dOptions(PadTop: before, PadBottom: after, Groups: c))
            .Conv2d(horizontal, null, new Conv2dOptions(PadLeft: before, PadRight: after, Groups: c));
    }

    private readonly BackendConstants<int> _squares = new();

    /// <summary>x^2 on linspace(-(k-1)/2, (k-1)/2, k), repeated per channel, shape [c, 1, k, 1].</summary>
    private Tensor SquaredOffsets(FeatureViz.Tensors.Backends.IBackend backend, int channels) =>
        _squares.Get(backend, channels, c =>
        {
            int k = KernelSize;
            var v = new float[c * k];
            for (int i = 0; i < v.Length; i++)
            {
                double x = i % k - (k - 1) / 2.0;
                v[i] = (float)(x * x);
            }
            return v;
        }, c => [c, 1, KernelSize, 1]);

    public override string ToString() => $"Blur({SigmaMin}, {SigmaMax}, {KernelSize})";
}

internal sealed class ComposeTransform : ImageTransform
{
    private readonly string? _name;

    public ComposeTransform(IReadOnlyList<ImageTransform> transforms, string? name = null)
    {
        _name = name;
        ArgumentNullException.ThrowIfNull(transforms);
        for (int i = 0; i < transforms.Count; i++)
            if (transforms[i] is null) throw new ArgumentNullException(nameof(transforms), $"Compose: transform {i} is null.");
        Transforms = transforms.ToArray();
    }

    public IReadOnlyList<ImageTransform> Transforms { get; }

    public override Tensor Apply(Tensor images, Random random) => TransformChain.Apply(Transforms, images, random);

    internal override Tensor ApplyAfter(Func<Tensor, Tensor> pointwise, Tensor images, Random random) =>
        TransformChain.Apply(Transforms, images, random, pointwise);

    public override string ToString() => _name ?? $"Compose({string.Join(", ", Transforms)})";
}

internal sealed class FunctionTransform(Func<Tensor, Random, Tensor> transform, string name) : ImageTransform
{
    public override Tensor Apply(Tensor images, Random random)
    {
        CheckImages(images, name);
        var y = transform(images, random) ?? throw new InvalidOperationException($"Transform '{name}': the function returned null.");
        if (y.Rank != 4 || y.Shape[0] != images.Shape[0] || y.Shape[1] != images.Shape[1])
            throw new InvalidOperationException($"Transform '{name}': the function returned shape {y.Shape} for images of shape {images.Shape}; expected [{images.Shape[0]}, {images.Shape[1]}, H, W].");
        return y;
    }

    public override string ToString() => name;
}

internal sealed class StandardTransform : ImageTransform
{
    private int _size = -1;
    private IReadOnlyList<ImageTransform> _list = [];

    public static IReadOnlyList<ImageTransform> Build(int size)
    {
        if (size < 1) throw new ArgumentOutOfRangeException(nameof(size), size, "Standard transformations: size must be >= 1.");
        int u = size / 16;
        return
        [
            new PadTransform(4 * u, 0f),
            new JitterTransform(2 * u), new JitterTransform(2 * u),
            new JitterTransform(4 * u), new JitterTransform(4 * u), new JitterTransform(4 * u),
            new ScaleTransform(0.92f, 0.96f),
            new BlurTransform(1f, 1.1f, 10),
            new JitterTransform(u), new JitterTransform(u),
            new FlipTransform(true, false),
        ];
    }

    public override Tensor Apply(Tensor images, Random random) => TransformChain.Apply(ListFor(images), images, random);

    internal override Tensor ApplyAfter(Func<Tensor, Tensor> pointwise, Tensor images, Random random) =>
        TransformChain.Apply(ListFor(images), images, random, pointwise);

    private IReadOnlyList<ImageTransform> ListFor(Tensor images)
    {
        CheckImages(images, "Standard");
        int size = images.Shape[2];
        if (size != _size)
        {
            _list = Build(size);
            _size = size;
        }
        return _list;
    }

    public override string ToString() => "Standard";
}

/// <summary>
/// Applies a list of transforms in order, merging what composes exactly: a run of jitters (crops) is one crop whose
/// offsets are the sums of the individual draws, and a constant pad followed by crops is one Pad with per-side
/// amounts (negative = crop). The random draws, the output and its gradient are those of the one-by-one chain; the
/// large padded intermediate and the chain of copies are skipped.
/// </summary>
internal static class TransformChain
{
    /// <summary>
    /// Applies <paramref name="list"/> to <paramref name="images"/>, or, with <paramref name="pointwise"/>, to
    /// pointwise(images): when the list starts with a crop window, the per-pixel map then runs on the kept pixels
    /// only (it commutes with cropping), and the window's padding is added after it, in the mapped values.
    /// </summary>
    public static Tensor Apply(IReadOnlyList<ImageTransform> list, Tensor images, Random random, Func<Tensor, Tensor>? pointwise = null)
    {
        var x = images;
        for (int i = 0; i < list.Count;)
        {
            if (pointwise is not null && !StartsWindow(list, i))
            {
                x = pointwise(x);
                pointwise = null;
            }
            int pad = 0;
            float value = 0f;
            int j = i;
            if (list[j] is PadTransform p && j + 1 < list.Count && list[j + 1] is JitterTransform)
            {
                pad = p.Size;
                value = p.Value;
                j++;
            }
            if (list[j] is not JitterTransform)
            {
                x = list[i].Apply(x, random);
                i++;
                continue;
            }
            int h = x.Shape[2] + 2 * pad, w = x.Shape[3] + 2 * pad, oy = 0, ox = 0;
            while (j < list.Count && list[j] is JitterTransform jt)
            {
                int d = jt.Delta;
                if (d > 0)
                {
                    // tf.image.random_crop: offsets uniform in [0, delta] per spatial axis, drawn in (H, W) order.
                    if (d >= h || d >= w)
                        throw new ArgumentException($"Jitter: delta {d} leaves nothing of a {h} x {w} image.", nameof(images));
                    oy += random.Next(d + 1);
                    ox += random.Next(d + 1);
                    h -= d;
                    w -= d;
                }
                j++;
            }
            // Window [oy - pad, oy - pad + h) x [ox - pad, ox - pad + w) of the input extended by `value`.
            int top = pad - oy, left = pad - ox;
            int bottom = h - (x.Shape[2] + top), right = w - (x.Shape[3] + left);
            if (pointwise is not null)
            {
                x = Window(x, top, left, bottom, right, value, pointwise);
                pointwise = null;
            }
            else
            {
                x = Window(x, top, left, bottom, right, value);
            }
            i = j;
        }
        return pointwise is null ? x : pointwise(x);
    }

    /// <summary>True when the merged step at <paramref name="i"/> is a pad+crop window (a jitter run, optionally after a pad).</summary>
    private static bool StartsWindow(IReadOnlyList<ImageTransform> list, int i) =>
        list[i] is JitterTransform || (list[i] is PadTransform && i + 1 < list.Count && list[i + 1] is JitterTransform);

    /// <summary>Pads (positive amounts, with <paramref name="value"/>) or crops (negative amounts) the spatial sides.</summary>
    private static Tensor Window(Tensor x, int top, int left, int bottom, int right, float value)
    {
        if (top == 0 && left == 0 && bottom == 0 && right == 0) return x;
        if (top <= 0 && left <= 0 && bottom <= 0 && right <= 0)
            return x.Slice([-top, -left], [x.Shape[2] + bottom, x.Shape[3] + right], [2, 3]);
        if (x.Shape[2] + Math.Min(top, 0) + Math.Min(bottom, 0) > 0 && x.Shape[3] + Math.Min(left, 0) + Math.Min(right, 0) > 0)
            return x.Pad([0, 0, top, left, 0, 0, bottom, right], PadMode.Constant, value);
        // The window lies wholly in the padding: pad first, then crop (one Pad cannot crop more than the input).
        var padded = x.Pad([0, 0, Math.Max(top, 0), Math.Max(left, 0), 0, 0, Math.Max(bottom, 0), Math.Max(right, 0)], PadMode.Constant, value);
        return Window(padded, Math.Min(top, 0), Math.Min(left, 0), Math.Min(bottom, 0), Math.Min(right, 0), value);
    }

    /// <summary>
    /// The window of pointwise(x). The map runs on the window moved inside the image (so on the same number of
    /// pixels every step, whatever the offsets: the backend's arrays are then reused), which holds all the pixels
    /// the window keeps; the result is then cropped to the window and padded with <paramref name="value"/>.
    /// </summary>
    private static Tensor Window(Tensor x, int top, int left, int bottom, int right, float value, Func<Tensor, Tensor> pointwise)
    {
        int ih = x.Shape[2], iw = x.Shape[3];
        int rh = Math.Min(ih + top + bottom, ih), rw = Math.Min(iw + left + right, iw);
        int r0 = Math.Clamp(-top, 0, ih - rh), c0 = Math.Clamp(-left, 0, iw - rw);
        var inside = pointwise(Window(x, -r0, -c0, -(ih - r0 - rh), -(iw - c0 - rw), 0f));
        return Window(inside, top + r0, left + c0, ih + bottom - rh - r0, iw + right - rw - c0, value);
    }
}
