using FeatureViz.Cli.Render;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Formats.Gif;
using SixLabors.ImageSharp.Formats.Png;
using SixLabors.ImageSharp.PixelFormats;

namespace FeatureViz.Cli.Output;

/// <summary>PNG and animated GIF encoding (ImageSharp), written atomically.</summary>
internal static class ImageFiles
{
    public static void WritePng(string path, RgbImage image)
    {
        using var img = ToImage(image);
        AtomicFile.Write(path, s => img.Save(s, new PngEncoder()));
    }

    /// <summary>An endlessly looping GIF of the optimization frames (10 frames per second, last frame held).</summary>
    public static void WriteGif(string path, IReadOnlyList<RgbImage> frames)
    {
        if (frames.Count == 0) return;
        using var gif = ToImage(frames[0]);
        gif.Metadata.GetGifMetadata().RepeatCount = 0;
        gif.Frames.RootFrame.Metadata.GetGifMetadata().FrameDelay = 10;
        for (int i = 1; i < frames.Count; i++)
        {
            using var frame = ToImage(frames[i]);
            var added = gif.Frames.AddFrame(frame.Frames.RootFrame);
            added.Metadata.GetGifMetadata().FrameDelay = i == frames.Count - 1 ? 100 : 10;
        }
        AtomicFile.Write(path, s => gif.Save(s, new GifEncoder()));
    }

    private static Image<Rgb24> ToImage(RgbImage image) =>
        Image.LoadPixelData<Rgb24>(image.Pixels, image.Width, image.Height);
}
