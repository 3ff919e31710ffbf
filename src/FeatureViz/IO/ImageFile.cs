using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Formats.Jpeg;
using SixLabors.ImageSharp.Formats.Png;
using SixLabors.ImageSharp.PixelFormats;
using SixLabors.ImageSharp.Processing;

namespace FeatureViz.IO;

/// <summary>
/// Decodes image files (ImageSharp) into <see cref="LoadedImage"/>s, refusing files over the size limits before
/// their pixels are allocated.
/// </summary>
public static class ImageFile
{
    /// <summary>The extensions <see cref="ImageFolder"/> treats as images (case-insensitive).</summary>
    public static IReadOnlyCollection<string> Extensions { get; } = new HashSet<string>(StringComparer.OrdinalIgnoreCase)
    {
        ".png", ".jpg", ".jpeg", ".bmp", ".gif", ".tga", ".tif", ".tiff", ".webp", ".pbm", ".pgm", ".ppm",
    };

    /// <summary>
    /// Loads <paramref name="path"/>. Throws <see cref="ImageLoadException"/> (naming the file and the limit or
    /// reason) for a missing, oversized, non-image, damaged or truncated file. Colour to luminance uses the BT.709
    /// weights; alpha is dropped.
    /// </summary>
    public static LoadedImage Load(string path, ImageLoadOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        options ??= new ImageLoadOptions();
        options.Validate();
        FileStream stream;
        try
        {
            stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ImageLoadException(path, ImageLoadFailure.NotFound, $"Image '{path}': cannot be opened ({e.Message}).", e);
        }
        using (stream)
        {
            if (stream.Length > options.MaxFileBytes)
                throw new ImageLoadException(path, ImageLoadFailure.FileTooLarge,
                    $"Image '{path}': {stream.Length} bytes is over the limit of {options.MaxFileBytes} bytes (ImageLoadOptions.MaxFileBytes).");
            return Decode(path, stream, options);
        }
    }

    /// <summary>
    /// <see cref="Load"/> without throwing for a bad file: returns false with the reason in <paramref name="error"/>.
    /// Invalid <paramref name="options"/> still throw <see cref="ArgumentException"/>.
    /// </summary>
    public static bool TryLoad(string path, ImageLoadOptions? options, out LoadedImage? image, out ImageLoadException? error)
    {
        (options ?? new ImageLoadOptions()).Validate();
        try
        {
            image = Load(path, options);
            error = null;
            return true;
        }
        catch (ImageLoadException e)
        {
            image = null;
            error = e;
            return false;
        }
    }

    private static LoadedImage Decode(string path, Stream stream, ImageLoadOptions options)
    {
        IImageInfo? info;
        SixLabors.ImageSharp.Formats.IImageFormat? format;
        try
        {
            info = Image.Identify(Configuration.Default, stream, out format);
        }
        // A header cut inside a chunk makes ImageSharp's chunk parsers index past their data (ArgumentOutOfRange, IndexOutOfRange).
        catch (Exception e) when (e is ImageFormatException or NotSupportedException or EndOfStreamException or InvalidDataException or IndexOutOfRangeException or ArgumentException)
        {
            throw new ImageLoadException(path, ImageLoadFailure.Corrupt, $"Image '{path}': damaged header ({e.Message}).", e);
        }
        if (info is null || format is null)
            throw new ImageLoadException(path, ImageLoadFailure.NotAnImage, $"Image '{path}': not a recognised image format (PNG, JPEG, BMP, GIF, TGA, TIFF, WebP, PBM).");
        long pixels = (long)info.Width * info.Height;
        if (info.Width <= 0 || info.Height <= 0)
            throw new ImageLoadException(path, ImageLoadFailure.Corrupt, $"Image '{path}': the header declares {info.Width} x {info.Height} pixels.");
        if (pixels > options.MaxPixels)
            throw new ImageLoadException(path, ImageLoadFailure.TooManyPixels,
                $"Image '{path}': {info.Width} x {info.Height} = {pixels} pixels is over the limit of {options.MaxPixels} (ImageLoadOptions.MaxPixels).");
        int channels = options.Channels ?? (IsGrayscale(info, format) ? 1 : 3);
        if (format is JpegFormat && !EndsWithJpegEndMarker(stream))
            throw new ImageLoadException(path, ImageLoadFailure.Corrupt, $"Image '{path}': truncated JPEG (no end-of-image marker).");
        stream.Position = 0;
        Image<Rgb24> image;
        try
        {
            image = Image.Load<Rgb24>(Configuration.Default, stream);
        }
        catch (Exception e) when (e is ImageFormatException or NotSupportedException or EndOfStreamException or InvalidDataException or IndexOutOfRangeException or ArgumentException)
        {
            throw new ImageLoadException(path, ImageLoadFailure.Corrupt, $"Image '{path}': damaged or truncated {format.Name} data ({e.Message}).", e);
        }
        using (image)
        {
            if (options.ResizeTo is { } size && (size.Height != image.Height || size.Width != image.Width))
            {
                image.Mutate(x => x.Resize(new ResizeOptions
                {
                    Size = new Size(size.Width, size.Height),
                    Mode = options.Fit == ImageFit.CenterCrop ? ResizeMode.Crop : ResizeMode.Stretch,
                    Position = AnchorPositionMode.Center,
                    Sampler = KnownResamplers.Triangle,
                }));
            }
            return new LoadedImage(path, channels, image.Height, image.Width, ToPlanar(image, channels));
        }
    }

    // ImageSharp decodes a cut-off JPEG without complaint, filling the missing blocks. A complete file ends with the
    // EOI marker (FF D9), possibly followed by padding; inside entropy-coded data FF is always followed by 00 or a
    // restart marker, so FF D9 near the end means the scan was closed.
    private static bool EndsWithJpegEndMarker(Stream stream)
    {
        int tail = (int)Math.Min(stream.Length, 4096);
        var buffer = new byte[tail];
        stream.Position = stream.Length - tail;
        stream.ReadExactly(buffer);
        for (int i = tail - 2; i >= 0; i--)
            if (buffer[i] == 0xFF && buffer[i + 1] == 0xD9) return true;
        return false;
    }

    private static bool IsGrayscale(IImageInfo info, SixLabors.ImageSharp.Formats.IImageFormat format)
    {
        if (format is PngFormat)
            return info.Metadata.GetPngMetadata().ColorType is PngColorType.Grayscale or PngColorType.GrayscaleWithAlpha;
        if (format is JpegFormat) return info.PixelType.BitsPerPixel == 8;
        return false;
    }

    private static float[] ToPlanar(Image<Rgb24> image, int channels)
    {
        int h = image.Height, w = image.Width, plane = h * w;
        var data = new float[channels * plane];
        const float inv = 1f / 255f;
        image.ProcessPixelRows(rows =>
        {
            for (int y = 0; y < h; y++)
            {
                var row = rows.GetRowSpan(y);
                int o = y * w;
                for (int x = 0; x < w; x++)
                {
                    var p = row[x];
                    if (channels == 1)
                    {
                        data[o + x] = (0.2126f * p.R + 0.7152f * p.G + 0.0722f * p.B) * inv;
                    }
                    else
                    {
                        data[o + x] = p.R * inv;
                        data[plane + o + x] = p.G * inv;
                        data[2 * plane + o + x] = p.B * inv;
                    }
                }
            }
        });
        return data;
    }
}
