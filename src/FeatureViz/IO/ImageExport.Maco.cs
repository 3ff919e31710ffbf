using FeatureViz.Maco;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace FeatureViz.IO;

public static partial class ImageExport
{
    /// <summary>
    /// Writes MaCo image <paramref name="index"/> as a PNG whose alpha channel is its transparency map
    /// (<see cref="MacoResult.AlphaMap"/>; RGBA for 3 channels, grayscale with alpha for 1).
    /// </summary>
    public static void SaveMacoPng(MacoResult result, int index, string path, double percentile = 80)
    {
        ArgumentNullException.ThrowIfNull(result);
        ArgumentException.ThrowIfNullOrEmpty(path);
        var batch = result.Images;
        CheckChannels(batch);
        var alpha = result.AlphaMap(index, percentile);
        var img = batch.Image(index);
        int plane = batch.Height * batch.Width;
        using var stream = CreateFile(path);
        if (batch.Channels == 1)
        {
            using var image = new Image<La16>(batch.Width, batch.Height);
            for (int y = 0; y < batch.Height; y++)
                for (int x = 0; x < batch.Width; x++)
                {
                    int i = y * batch.Width + x;
                    image[x, y] = new La16(ToByte(img[i], batch.Range), UnitToByte(alpha[i]));
                }
            image.SaveAsPng(stream);
        }
        else
        {
            using var image = new Image<Rgba32>(batch.Width, batch.Height);
            for (int y = 0; y < batch.Height; y++)
                for (int x = 0; x < batch.Width; x++)
                {
                    int i = y * batch.Width + x;
                    image[x, y] = new Rgba32(ToByte(img[i], batch.Range), ToByte(img[plane + i], batch.Range), ToByte(img[2 * plane + i], batch.Range), UnitToByte(alpha[i]));
                }
            image.SaveAsPng(stream);
        }
    }

    /// <summary>Writes MaCo image <paramref name="index"/>'s transparency map alone (<see cref="MacoResult.AlphaMap"/>) as an 8-bit grayscale PNG.</summary>
    public static void SaveMacoMapPng(MacoResult result, int index, string path, double percentile = 80)
    {
        ArgumentNullException.ThrowIfNull(result);
        ArgumentException.ThrowIfNullOrEmpty(path);
        var batch = result.Images;
        var alpha = result.AlphaMap(index, percentile);
        using var stream = CreateFile(path);
        using var image = new Image<L8>(batch.Width, batch.Height);
        for (int y = 0; y < batch.Height; y++)
            for (int x = 0; x < batch.Width; x++) image[x, y] = new L8(UnitToByte(alpha[y * batch.Width + x]));
        image.SaveAsPng(stream);
    }

    private static byte UnitToByte(float v) => ToByte(v, new Rendering.ValueRange(0f, 1f));
}
