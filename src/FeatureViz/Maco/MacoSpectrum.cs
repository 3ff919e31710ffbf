using FeatureViz.IO;
using FeatureViz.Parametrization;
using FeatureViz.Rendering;
using FeatureViz.Tensors;
using FeatureViz.Tensors.Autograd;
using FeatureViz.Tensors.Backends;

namespace FeatureViz.Maco;

/// <summary>
/// The fixed magnitude of MaCo's spectrum: per channel, a half spectrum [C, H, W/2 + 1] (row-major, frequencies as
/// <c>numpy.fft.rfft2</c>). It is resized bilinearly (half-pixel centres, as <c>tf.image.resize</c>) to the spectrum
/// of the image being optimised, so one spectrum serves any image size.
/// </summary>
public sealed class MacoSpectrum
{
    /// <summary>Exponent of the built-in power law (fitted, see <see cref="Default"/>).</summary>
    public const double DefaultExponent = 1.38;

    /// <summary>Frequency (cycles per pixel) above which the built-in power law rolls off.</summary>
    public const double DefaultRollOffStart = 0.1;

    /// <summary>Strength of the built-in roll-off: the magnitude is multiplied by <c>exp(-22.24 (f - 0.1)^2)</c> above 0.1.</summary>
    public const double DefaultRollOff = 22.24;

    /// <summary>Per decorrelated channel scales of the built-in power law (fitted; their mean serves other channel counts).</summary>
    public static IReadOnlyList<double> DefaultScales { get; } = [24.12, 23.27, 20.56];

    private readonly float[] _data;

    private MacoSpectrum(float[] data, int channels, int height, int width, string source)
    {
        _data = data;
        Channels = channels;
        Height = height;
        Width = width;
        Source = source;
    }

    /// <summary>Number of channels C.</summary>
    public int Channels { get; }

    /// <summary>Rows H of the half spectrum.</summary>
    public int Height { get; }

    /// <summary>Columns of the half spectrum (W/2 + 1 of the image it was measured on).</summary>
    public int Width { get; }

    /// <summary>Where the spectrum came from (a file, a folder, "built-in"), for messages and manifests.</summary>
    public string Source { get; }

    /// <summary>The magnitudes [C, H, Width], row-major (a copy).</summary>
    public float[] ToArray() => (float[])_data.Clone();

    /// <summary>
    /// The built-in magnitude, derived by this project: a power law per decorrelated channel,
    /// <c>m_c(f) = s_c F^-1.38 exp(-22.24 max(F - 0.1, 0)^2)</c> with <c>F = max(f, 1 / max(H, W))</c> the bin's
    /// frequency in cycles per pixel and <c>s = (24.12, 23.27, 20.56)</c> (other channel counts: the mean 22.65 for
    /// every channel). Fitted by least squares on log magnitudes to Xplique's ImageNet spectrum
    /// (<c>spectrum_decorrelated.npy</c>, 3 x 512 x 257): the exponent and scales over the bins with f &lt;= 0.1
    /// (log RMS error 0.15 there), the roll-off over the rest; relative L2 error 0.40 over all bins (mostly the DC
    /// bin: 1.3e5 against 2.6e5), 1.2 % of the energy above f = 0.1 against 0.97 %. The file itself is not shipped.
    /// </summary>
    public static MacoSpectrum Default(int channels, int imageHeight, int imageWidth)
    {
        CheckSize(channels, imageHeight, imageWidth, "MacoSpectrum.Default");
        var f = FourierParametrization.Frequencies(imageHeight, imageWidth);
        int wc = FourierParametrization.SpectrumWidth(imageWidth);
        double floor = 1.0 / Math.Max(imageHeight, imageWidth);
        double meanScale = DefaultScales.Average();
        var data = new float[channels * f.Length];
        for (int c = 0; c < channels; c++)
        {
            double s = channels == 3 ? DefaultScales[c] : meanScale;
            for (int i = 0; i < f.Length; i++)
            {
                double F = Math.Max(f[i], floor);
                double roll = F > DefaultRollOffStart ? Math.Exp(-DefaultRollOff * (F - DefaultRollOffStart) * (F - DefaultRollOffStart)) : 1.0;
                data[c * f.Length + i] = (float)(s * Math.Pow(F, -DefaultExponent) * roll);
            }
        }
        return new MacoSpectrum(data, channels, imageHeight, wc, "built-in");
    }

    /// <summary>
    /// A spectrum from an array shaped <paramref name="shape"/> = (C, H, W/2 + 1) (as a <c>.npy</c> file holds it).
    /// </summary>
    /// <exception cref="ArgumentException">
    /// The shape is not rank 3 with positive sizes, or a value is NaN, infinite or negative; the message names
    /// <paramref name="source"/>, the shape and what is expected.
    /// </exception>
    public static MacoSpectrum FromArray(float[] data, IReadOnlyList<int> shape, string source = "array")
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(shape);
        string shapeText = "(" + string.Join(", ", shape) + ")";
        if (shape.Count != 3 || shape.Any(d => d < 1))
            throw new ArgumentException($"MaCo spectrum {source}: shape {shapeText} is not a spectrum; expected (C, H, W/2 + 1) with C, H, W/2 + 1 >= 1 (e.g. (3, 512, 257)).", nameof(shape));
        long count = (long)shape[0] * shape[1] * shape[2];
        if (count != data.Length)
            throw new ArgumentException($"MaCo spectrum {source}: {data.Length} values do not fill shape {shapeText} ({count}).", nameof(data));
        for (int i = 0; i < data.Length; i++)
        {
            float v = data[i];
            if (!float.IsFinite(v) || v < 0)
            {
                int c = i / (shape[1] * shape[2]), y = i / shape[2] % shape[1], x = i % shape[2];
                throw new ArgumentException($"MaCo spectrum {source} {shapeText}: value {v} at [{c}, {y}, {x}]; magnitudes must be finite and >= 0.", nameof(data));
            }
        }
        return new MacoSpectrum((float[])data.Clone(), shape[0], shape[1], shape[2], source);
    }

    /// <summary>
    /// The mean of <c>|rfft2|</c> per channel over <paramref name="images"/> (each CHW, all of
    /// <paramref name="channels"/> x <paramref name="height"/> x <paramref name="width"/>, values as loaded), as Xplique
    /// computes it from a dataset (no colour decorrelation). Streams: one image at a time on
    /// <paramref name="backend"/>. Images of another size are the caller's to resize (e.g. <c>ImageLoadOptions.ResizeTo</c>).
    /// </summary>
    /// <exception cref="ArgumentException">No images, or an image of the wrong length.</exception>
    public static MacoSpectrum FromImages(IBackend backend, IEnumerable<float[]> images, int channels, int height, int width, string source = "images")
    {
        ArgumentNullException.ThrowIfNull(backend);
        ArgumentNullException.ThrowIfNull(images);
        CheckSize(channels, height, width, $"MaCo spectrum {source}");
        int wc = FourierParametrization.SpectrumWidth(width);
        var sum = new double[channels * height * wc];
        int n = 0;
        foreach (var img in images)
        {
            if (img is null || img.Length != channels * height * width)
                throw new ArgumentException($"MaCo spectrum {source}: image {n} has {img?.Length ?? 0} values; expected {channels} x {height} x {width}.", nameof(images));
            float[] spectrum;
            using (var scope = TensorScope.Begin())
            using (GradMode.NoGrad())
                spectrum = Tensor.FromArray(backend, img, channels, height, width).Rfft2().ToArray();
            for (int i = 0; i < sum.Length; i++)
            {
                double re = spectrum[2 * i], im = spectrum[2 * i + 1];
                sum[i] += Math.Sqrt(re * re + im * im);
            }
            n++;
        }
        if (n == 0) throw new ArgumentException($"MaCo spectrum {source}: no images to measure.", nameof(images));
        var data = new float[sum.Length];
        for (int i = 0; i < data.Length; i++) data[i] = (float)(sum[i] / n);
        return new MacoSpectrum(data, channels, height, wc, $"{source} ({n} images)");
    }

    /// <summary>
    /// The mean <c>|rfft2|</c> per channel (<see cref="FromImages"/>) of the images in <paramref name="directory"/>
    /// (recursively, ordinal path order), streamed through <see cref="ImageFolder.Enumerate"/>: each decoded with its
    /// limits (<paramref name="load"/>; by default 64 Mpx and 256 MiB), converted to <paramref name="channels"/>
    /// (1 or 3) and resized to <paramref name="height"/> x <paramref name="width"/> (scaled and centre-cropped).
    /// Files that are not images, corrupt, truncated or over the limits are passed to <paramref name="skipped"/> and
    /// left out.
    /// </summary>
    /// <exception cref="ArgumentException">Channels other than 1 or 3, or no image could be read (the message counts the skipped files).</exception>
    /// <exception cref="DirectoryNotFoundException">The folder does not exist.</exception>
    public static MacoSpectrum FromImageFolder(IBackend backend, string directory, int channels, int height, int width,
        Action<ImageLoadException>? skipped = null, ImageLoadOptions? load = null)
    {
        ArgumentNullException.ThrowIfNull(backend);
        ArgumentException.ThrowIfNullOrEmpty(directory);
        if (channels is not (1 or 3))
            throw new ArgumentException($"MaCo spectrum {directory}: images can be read as 1 or 3 channels, the model takes {channels}; give a (C, H, W/2 + 1) .npy spectrum instead.", nameof(channels));
        if (!Directory.Exists(directory)) throw new DirectoryNotFoundException($"MaCo spectrum: the image folder {directory} does not exist.");
        var options = (load ?? new ImageLoadOptions()) with { Channels = channels, ResizeTo = new ImageSize(height, width), Fit = ImageFit.CenterCrop };
        int bad = 0, good = 0;
        IEnumerable<float[]> Images()
        {
            foreach (var entry in ImageFolder.Enumerate(directory, options))
            {
                if (entry.Image is { } image)
                {
                    good++;
                    yield return image.Pixels;
                }
                else
                {
                    bad++;
                    if (entry.Error is { } error) skipped?.Invoke(error);
                }
            }
        }
        try
        {
            return FromImages(backend, Images(), channels, height, width, directory);
        }
        catch (ArgumentException e) when (good == 0)
        {
            throw new ArgumentException($"MaCo spectrum {directory}: no readable image ({bad} files skipped).", nameof(directory), e);
        }
    }

    /// <summary>
    /// The magnitudes resized to [C, <paramref name="height"/>, <paramref name="width"/>] (bilinear, half-pixel
    /// centres, edges clamped: <c>tf.image.resize</c> without antialiasing); the same values when the size matches.
    /// </summary>
    public float[] Resized(int height, int width)
    {
        if (height < 1 || width < 1) throw new ArgumentOutOfRangeException(nameof(height), $"MacoSpectrum.Resized: size {height} x {width} must be at least 1 x 1.");
        if (height == Height && width == Width) return ToArray();
        var result = new float[Channels * height * width];
        var (y0, y1, fy) = Taps(Height, height);
        var (x0, x1, fx) = Taps(Width, width);
        for (int c = 0; c < Channels; c++)
        {
            int src = c * Height * Width, dst = c * height * width;
            for (int y = 0; y < height; y++)
                for (int x = 0; x < width; x++)
                {
                    double top = _data[src + y0[y] * Width + x0[x]] * (1 - fx[x]) + _data[src + y0[y] * Width + x1[x]] * fx[x];
                    double bottom = _data[src + y1[y] * Width + x0[x]] * (1 - fx[x]) + _data[src + y1[y] * Width + x1[x]] * fx[x];
                    result[dst + y * width + x] = (float)(top * (1 - fy[y]) + bottom * fy[y]);
                }
        }
        return result;
    }

    private static (int[] Lo, int[] Hi, double[] Frac) Taps(int inSize, int outSize)
    {
        var lo = new int[outSize];
        var hi = new int[outSize];
        var frac = new double[outSize];
        double scale = (double)inSize / outSize;
        for (int i = 0; i < outSize; i++)
        {
            double p = Math.Max((i + 0.5) * scale - 0.5, 0);
            int l = Math.Min((int)Math.Floor(p), inSize - 1);
            lo[i] = l;
            hi[i] = Math.Min(l + 1, inSize - 1);
            frac[i] = p - l;
        }
        return (lo, hi, frac);
    }

    private static void CheckSize(int channels, int height, int width, string what)
    {
        if (channels < 1 || height < 1 || width < 1)
            throw new ArgumentOutOfRangeException(nameof(channels), $"{what}: {channels} channels of {height} x {width} must all be at least 1.");
    }
}
