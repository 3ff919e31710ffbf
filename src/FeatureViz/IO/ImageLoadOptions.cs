using FeatureViz.Rendering;

namespace FeatureViz.IO;

/// <summary>How a decoded image is fitted to <see cref="ImageLoadOptions.ResizeTo"/>.</summary>
public enum ImageFit
{
    /// <summary>Scale each axis independently to the target size (the aspect ratio may change).</summary>
    Stretch,

    /// <summary>Scale so the image covers the target, keeping the aspect ratio, then crop the centre.</summary>
    CenterCrop,
}

/// <summary>
/// Limits and conversions for <see cref="ImageFile.Load"/> and <see cref="ImageFolder.Enumerate"/>. The limits are
/// checked before decoding (file size from the file system, pixel count from the image header), so an oversized file
/// or a decompression bomb is refused without allocating its pixels.
/// </summary>
public sealed record ImageLoadOptions
{
    /// <summary>The largest accepted width x height (default 64 megapixels).</summary>
    public long MaxPixels { get; init; } = 64L * 1024 * 1024;

    /// <summary>The largest accepted file size in bytes (default 256 MiB).</summary>
    public long MaxFileBytes { get; init; } = 256L * 1024 * 1024;

    /// <summary>
    /// Channels of the result: 1 (luminance) or 3 (RGB); null keeps the file's kind (1 for grayscale PNG and JPEG
    /// files, 3 otherwise). Alpha is dropped.
    /// </summary>
    public int? Channels { get; init; }

    /// <summary>The size of the result, or null to keep the file's size.</summary>
    public ImageSize? ResizeTo { get; init; }

    /// <summary>How the image is fitted to <see cref="ResizeTo"/> (default <see cref="ImageFit.Stretch"/>).</summary>
    public ImageFit Fit { get; init; } = ImageFit.Stretch;

    internal void Validate()
    {
        if (MaxPixels <= 0) throw new ArgumentException($"ImageLoadOptions: MaxPixels must be positive (got {MaxPixels}).", "options");
        if (MaxFileBytes <= 0) throw new ArgumentException($"ImageLoadOptions: MaxFileBytes must be positive (got {MaxFileBytes}).", "options");
        if (Channels is int c && c != 1 && c != 3) throw new ArgumentException($"ImageLoadOptions: Channels must be 1, 3 or null (got {c}).", "options");
        if (ResizeTo is ImageSize s && (s.Height <= 0 || s.Width <= 0)) throw new ArgumentException($"ImageLoadOptions: ResizeTo must be positive (got {s}).", "options");
        if (!Enum.IsDefined(Fit)) throw new ArgumentException($"ImageLoadOptions: unknown Fit {Fit}.", "options");
    }
}
