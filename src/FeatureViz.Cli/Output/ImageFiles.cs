using System.Security.Cryptography;
using FeatureViz.Cli.Render;
using FeatureViz.Tensors.IO;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Formats.Gif;
using SixLabors.ImageSharp.Formats.Png;
using SixLabors.ImageSharp.PixelFormats;

namespace FeatureViz.Cli.Output;

/// <summary>PNG and animated GIF encoding (ImageSharp), written atomically.</summary>
internal static class ImageFiles
{
    /// <summary>The PNG text keyword under which an image's manifest item is embedded.</summary>
    public const string RecordKeyword = "featureviz";

    /// <summary>The most pixels a PNG of the folder may have to be decoded (the largest image a run can write, 4096 x 4096 x 4).</summary>
    private const long MaxDecodedPixels = Render.RunLimits.MaxBatchPixels;

    public static void WritePng(string path, RgbImage image) => AtomicFile.WriteBytes(path, EncodePng(image, null));

    /// <summary>The PNG bytes of <paramref name="image"/>, with <paramref name="record"/> (JSON) embedded as a text chunk when given.</summary>
    public static byte[] EncodePng(RgbImage image, string? record)
    {
        using var img = ToImage(image);
        if (record is not null) img.Metadata.GetPngMetadata().TextData.Add(new PngTextData(RecordKeyword, record, "", ""));
        using var buffer = new MemoryStream();
        img.Save(buffer, new PngEncoder());
        return buffer.ToArray();
    }

    /// <summary>The PNG bytes of <paramref name="image"/> with <paramref name="alpha"/> ([H, W] in [0, 1]) as its alpha channel.</summary>
    public static byte[] EncodeRgbaPng(RgbImage image, float[] alpha)
    {
        var rgba = new byte[image.Width * image.Height * 4];
        for (int i = 0; i < alpha.Length; i++)
        {
            rgba[4 * i] = image.Pixels[3 * i];
            rgba[4 * i + 1] = image.Pixels[3 * i + 1];
            rgba[4 * i + 2] = image.Pixels[3 * i + 2];
            rgba[4 * i + 3] = UnitByte(alpha[i]);
        }
        using var img = Image.LoadPixelData<Rgba32>(rgba, image.Width, image.Height);
        using var buffer = new MemoryStream();
        img.Save(buffer, new PngEncoder());
        return buffer.ToArray();
    }

    /// <summary>The 8-bit grayscale PNG bytes of a [H, W] map in [0, 1].</summary>
    public static byte[] EncodeGrayPng(int width, int height, float[] map)
    {
        using var img = Image.LoadPixelData<L8>(map.Select(UnitByte).ToArray(), width, height);
        using var buffer = new MemoryStream();
        img.Save(buffer, new PngEncoder());
        return buffer.ToArray();
    }

    private static byte UnitByte(float v) => !(v > 0) ? (byte)0 : v >= 1 ? (byte)255 : (byte)MathF.Round(v * 255);

    /// <summary>SHA-256 of the RGB pixel bytes, lower-case hex.</summary>
    public static string PixelsSha256(RgbImage image) => Convert.ToHexStringLower(SHA256.HashData(image.Pixels));

    /// <summary>
    /// Decodes a PNG and returns its embedded record and the SHA-256 of its pixels, or null when the file does not
    /// decode (truncated, corrupt) or has no record.
    /// </summary>
    public static (string Record, string PixelsSha256, int Width, int Height)? TryReadRecord(string path)
    {
        try
        {
            // Through UserFile (no FIFO or device; bounded size), and the header is checked before decoding so a small
            // file declaring a huge image does not allocate it.
            using var stream = UserFile.OpenRead(path, OutputFolder.MaxImageFileBytes, "image file");
            var info = Image.Identify(stream);
            // Identify gives null (not an exception) for a PNG cut short after its signature.
            if (info is null || (long)info.Width * info.Height > MaxDecodedPixels) return null;
            stream.Position = 0;
            using var img = Image.Load<Rgb24>(stream);
            string? record = img.Metadata.GetPngMetadata().TextData.FirstOrDefault(t => t.Keyword == RecordKeyword).Value;
            if (string.IsNullOrEmpty(record)) return null;
            var pixels = new byte[img.Width * img.Height * 3];
            img.CopyPixelDataTo(pixels);
            return (record, Convert.ToHexStringLower(SHA256.HashData(pixels)), img.Width, img.Height);
        }
        catch (Exception e) when (e is ImageFormatException or UnknownImageFormatException or InvalidImageContentException or IOException
                                      or InvalidDataException or ArgumentException or NotSupportedException or IndexOutOfRangeException
                                      or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>An endlessly looping GIF of the optimization frames (10 frames per second, last frame held).</summary>
    public static void WriteGif(string path, IReadOnlyList<RgbImage> frames)
    {
        if (frames.Count == 0) return;
        AtomicFile.WriteBytes(path, EncodeGif(frames));
    }

    /// <summary>The GIF bytes of the optimization frames.</summary>
    public static byte[] EncodeGif(IReadOnlyList<RgbImage> frames)
    {
        using var gif = ToImage(frames[0]);
        gif.Metadata.GetGifMetadata().RepeatCount = 0;
        gif.Frames.RootFrame.Metadata.GetGifMetadata().FrameDelay = 10;
        for (int i = 1; i < frames.Count; i++)
        {
            using var frame = ToImage(frames[i]);
            var added = gif.Frames.AddFrame(frame.Frames.RootFrame);
            added.Metadata.GetGifMetadata().FrameDelay = i == frames.Count - 1 ? 100 : 10;
        }
        using var buffer = new MemoryStream();
        gif.Save(buffer, new GifEncoder());
        return buffer.ToArray();
    }

    private static Image<Rgb24> ToImage(RgbImage image) =>
        Image.LoadPixelData<Rgb24>(image.Pixels, image.Width, image.Height);
}
