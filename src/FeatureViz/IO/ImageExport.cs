using System.Text;
using FeatureViz.Rendering;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace FeatureViz.IO;

/// <summary>PNG output of optimized images (ImageSharp): one file per image, or a contact sheet of a batch.</summary>
public static partial class ImageExport
{
    /// <summary>Writes image <paramref name="index"/> of <paramref name="batch"/> as a PNG (RGB for 3 channels, 8-bit grayscale for 1).</summary>
    public static void SavePng(ImageBatch batch, int index, string path)
    {
        ArgumentNullException.ThrowIfNull(batch);
        ArgumentException.ThrowIfNullOrEmpty(path);
        CheckChannels(batch);
        var img = batch.Image(index);
        using var stream = CreateFile(path);
        if (batch.Channels == 1)
        {
            using var image = new Image<L8>(batch.Width, batch.Height);
            FillGray(image, img, batch, 0, 0);
            image.SaveAsPng(stream);
        }
        else
        {
            using var image = new Image<Rgb24>(batch.Width, batch.Height);
            FillRgb(image, img, batch, 0, 0);
            image.SaveAsPng(stream);
        }
    }

    /// <summary>
    /// Writes every image of <paramref name="batch"/> to <paramref name="directory"/>, each named from its objective
    /// name made file-safe (<see cref="FileSafeName"/>, with "_2", "_3"... on duplicates) plus <paramref name="suffix"/>.
    /// Returns the paths in batch order.
    /// </summary>
    public static IReadOnlyList<string> SaveAll(ImageBatch batch, IReadOnlyList<string> names, string directory, string suffix = "")
    {
        ArgumentNullException.ThrowIfNull(batch);
        ArgumentNullException.ThrowIfNull(names);
        ArgumentException.ThrowIfNullOrEmpty(directory);
        if (names.Count != batch.Count) throw new ArgumentException($"ImageExport.SaveAll: {names.Count} names for {batch.Count} images.", nameof(names));
        Directory.CreateDirectory(directory);
        var used = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        var paths = new List<string>(batch.Count);
        for (int i = 0; i < batch.Count; i++)
        {
            var baseName = SafeName(names[i], allowEmpty: false) + SafeName(suffix, allowEmpty: true);
            var name = baseName;
            for (int k = 2; !used.Add(name); k++) name = $"{baseName}_{k}";
            var path = Path.Combine(directory, name + ".png");
            SavePng(batch, i, path);
            paths.Add(path);
        }
        return paths;
    }

    /// <summary>Writes the final images of <paramref name="result"/> (see <see cref="SaveAll(ImageBatch, IReadOnlyList{string}, string, string)"/>).</summary>
    public static IReadOnlyList<string> SaveAll(OptimizationResult result, string directory)
    {
        ArgumentNullException.ThrowIfNull(result);
        return SaveAll(result.Images, result.Names, directory);
    }

    /// <summary>
    /// Writes the whole batch as one grid PNG: <paramref name="columns"/> per row (default: ceil(sqrt(count))),
    /// <paramref name="padding"/> pixels of white between and around images.
    /// </summary>
    public static void SaveContactSheet(ImageBatch batch, string path, int? columns = null, int padding = 2)
    {
        ArgumentNullException.ThrowIfNull(batch);
        ArgumentException.ThrowIfNullOrEmpty(path);
        CheckChannels(batch);
        if (batch.Count == 0) throw new ArgumentException("ImageExport.SaveContactSheet: the batch is empty.", nameof(batch));
        if (padding < 0) throw new ArgumentOutOfRangeException(nameof(padding), padding, "ImageExport.SaveContactSheet: padding must be >= 0.");
        int cols = columns ?? (int)Math.Ceiling(Math.Sqrt(batch.Count));
        if (cols < 1) throw new ArgumentOutOfRangeException(nameof(columns), columns, "ImageExport.SaveContactSheet: columns must be >= 1.");
        cols = Math.Min(cols, batch.Count);
        int rows = (batch.Count + cols - 1) / cols;
        int w = cols * batch.Width + (cols + 1) * padding, h = rows * batch.Height + (rows + 1) * padding;
        using var stream = CreateFile(path);
        if (batch.Channels == 1)
        {
            using var image = new Image<L8>(w, h, new L8(255));
            for (int i = 0; i < batch.Count; i++)
                FillGray(image, batch.Image(i), batch, padding + (i % cols) * (batch.Width + padding), padding + (i / cols) * (batch.Height + padding));
            image.SaveAsPng(stream);
        }
        else
        {
            using var image = new Image<Rgb24>(w, h, new Rgb24(255, 255, 255));
            for (int i = 0; i < batch.Count; i++)
                FillRgb(image, batch.Image(i), batch, padding + (i % cols) * (batch.Width + padding), padding + (i / cols) * (batch.Height + padding));
            image.SaveAsPng(stream);
        }
    }

    /// <summary>
    /// A file-name-safe form of an objective name: letters, digits, '-', '_' and '.' kept, every other run of
    /// characters replaced by one '_' (e.g. <c>"Neuron#logits_3 &amp; Channel#c_2"</c> gives <c>"Neuron_logits_3_Channel_c_2"</c>).
    /// </summary>
    public static string FileSafeName(string name) => SafeName(name, allowEmpty: false);

    /// <summary>Longest name <see cref="FileSafeName"/> returns; longer ones are cut and end in '_' and 8 hex digits of a hash.</summary>
    public const int MaxSafeNameLength = 120;

    private static string SafeName(string name, bool allowEmpty)
    {
        ArgumentNullException.ThrowIfNull(name);
        var sb = new StringBuilder(name.Length);
        bool pendingSep = false;
        foreach (var ch in name)
        {
            if (char.IsAsciiLetterOrDigit(ch) || ch is '-' or '.' or '_')
            {
                if (pendingSep && sb.Length > 0 && sb[^1] != '_' && ch != '_') sb.Append('_');
                pendingSep = false;
                sb.Append(ch);
            }
            else pendingSep = true;
        }
        var s = sb.ToString().Trim('.');
        if (s.Length > MaxSafeNameLength)
        {
            // Long batch names would collide once cut: keep a prefix and add a hash of the whole name.
            var hash = Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(Encoding.UTF8.GetBytes(name)))[..8].ToLowerInvariant();
            s = s[..(MaxSafeNameLength - 9)] + "_" + hash;
        }
        return s.Length == 0 ? (allowEmpty ? "" : "image") : s;
    }

    private static FileStream CreateFile(string path)
    {
        var dir = Path.GetDirectoryName(Path.GetFullPath(path));
        if (!string.IsNullOrEmpty(dir)) Directory.CreateDirectory(dir);
        return File.Create(path);
    }

    private static void CheckChannels(ImageBatch batch)
    {
        if (batch.Channels is not (1 or 3))
            throw new ArgumentException($"ImageExport: PNG export needs 1 or 3 channels, the batch has {batch.Channels}.", nameof(batch));
        if (!(batch.Range.Max > batch.Range.Min))
            throw new ArgumentException($"ImageExport: invalid value range {batch.Range}.", nameof(batch));
    }

    /// <summary>
    /// Image <paramref name="index"/> of the batch as interleaved 8-bit RGB (H x W x 3, a grayscale image replicated),
    /// scaled from the batch's value range as the PNGs are (out-of-range and NaN values clamp).
    /// </summary>
    public static byte[] ToRgb24(ImageBatch batch, int index)
    {
        ArgumentNullException.ThrowIfNull(batch);
        CheckChannels(batch);
        var img = batch.Image(index);
        int plane = batch.Height * batch.Width;
        var pixels = new byte[plane * 3];
        for (int p = 0; p < plane; p++)
            for (int c = 0; c < 3; c++)
                pixels[p * 3 + c] = ToByte(img[(batch.Channels == 1 ? 0 : c) * plane + p], batch.Range);
        return pixels;
    }

    private static byte ToByte(float v, ValueRange r)
    {
        float t = (v - r.Min) / (r.Max - r.Min);
        if (!(t > 0f)) return 0; // also NaN
        if (t >= 1f) return 255;
        return (byte)MathF.Round(t * 255f);
    }

    private static void FillGray(Image<L8> image, ReadOnlySpan<float> img, ImageBatch b, int ox, int oy)
    {
        for (int y = 0; y < b.Height; y++)
            for (int x = 0; x < b.Width; x++)
                image[ox + x, oy + y] = new L8(ToByte(img[y * b.Width + x], b.Range));
    }

    private static void FillRgb(Image<Rgb24> image, ReadOnlySpan<float> img, ImageBatch b, int ox, int oy)
    {
        int plane = b.Height * b.Width;
        for (int y = 0; y < b.Height; y++)
            for (int x = 0; x < b.Width; x++)
            {
                int i = y * b.Width + x;
                image[ox + x, oy + y] = new Rgb24(ToByte(img[i], b.Range), ToByte(img[plane + i], b.Range), ToByte(img[2 * plane + i], b.Range));
            }
    }
}
