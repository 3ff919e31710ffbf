using FeatureViz.IO;
using FeatureViz.Rendering;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace FeatureViz.Tests.Library;

public sealed class ImageExportTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "fv-export-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_dir)) Directory.Delete(_dir, recursive: true);
    }

    private static ImageBatch Batch(int count, int channels, int h, int w, ValueRange range)
    {
        var d = new float[count * channels * h * w];
        for (int i = 0; i < d.Length; i++) d[i] = range.Min + (range.Max - range.Min) * (i % 17) / 16f;
        return new ImageBatch(d, count, channels, h, w, range, 10);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    public void ToRgb24_InterleavesScaledPixels_ReplicatingGray_AndClampingOutliers(int channels)
    {
        var range = new ValueRange(-1, 3);
        var b = Batch(2, channels, 3, 4, range);
        int plane = 12, offset = channels * plane; // image 1
        b.Data[offset] = float.NaN;
        b.Data[offset + 1] = 7f;
        var rgb = ImageExport.ToRgb24(b, 1);
        Assert.Equal(plane * 3, rgb.Length);
        for (int p = 0; p < plane; p++)
            for (int c = 0; c < 3; c++)
            {
                double v = b.Data[offset + (channels == 1 ? 0 : c) * plane + p];
                double t = double.IsNaN(v) ? 0 : Math.Clamp((v - range.Min) / (range.Max - range.Min), 0, 1);
                Assert.Equal((byte)Math.Round(t * 255), rgb[p * 3 + c]);
            }
    }

    [Fact]
    public void Rgb_RoundTripsThroughPng_MappingTheRangeTo0To255()
    {
        var b = Batch(2, 3, 5, 7, new ValueRange(0, 255));
        var path = Path.Combine(_dir, "a.png");
        ImageExport.SavePng(b, 1, path);
        using var img = Image.Load<Rgb24>(path);
        Assert.Equal((7, 5), (img.Width, img.Height));
        var src = b.Image(1);
        for (int y = 0; y < 5; y++)
            for (int x = 0; x < 7; x++)
            {
                int i = y * 7 + x;
                Assert.Equal((byte)MathF.Round(src[i]), img[x, y].R);
                Assert.Equal((byte)MathF.Round(src[35 + i]), img[x, y].G);
                Assert.Equal((byte)MathF.Round(src[70 + i]), img[x, y].B);
            }
    }

    [Fact]
    public void Grayscale_WritesEightBitGray()
    {
        var b = Batch(1, 1, 4, 3, new ValueRange(-1, 1));
        var path = Path.Combine(_dir, "g.png");
        ImageExport.SavePng(b, 0, path);
        using var img = Image.Load<L8>(path);
        Assert.Equal((byte)MathF.Round((b.Data[5] + 1) / 2 * 255), img[2, 1].PackedValue);
    }

    [Fact]
    public void SaveAll_NamesFilesFromObjectiveNames()
    {
        var b = Batch(3, 3, 4, 4, new ValueRange(0, 1));
        var paths = ImageExport.SaveAll(b, ["Neuron#logits_3 & Channel#layer_2", "a/b:c", "a/b:c"], _dir);
        Assert.Equal((string[])["Neuron_logits_3_Channel_layer_2.png", "a_b_c.png", "a_b_c_2.png"], paths.Select(p => Path.GetFileName(p)).ToArray());
        Assert.All(paths, p => Assert.True(File.Exists(p)));
    }

    [Fact]
    public void ContactSheet_HasGridSize()
    {
        var b = Batch(5, 1, 6, 8, new ValueRange(0, 1));
        var path = Path.Combine(_dir, "sheet.png");
        ImageExport.SaveContactSheet(b, path, columns: 3, padding: 2);
        using var img = Image.Load<L8>(path);
        Assert.Equal(3 * 8 + 4 * 2, img.Width);
        Assert.Equal(2 * 6 + 3 * 2, img.Height);
    }

    [Fact]
    public void FileSafeName_KeepsSafeCharacters()
    {
        Assert.Equal("Neuron_logits_3_Channel_layer_2", ImageExport.FileSafeName("Neuron#logits_3 & Channel#layer_2"));
        Assert.Equal("image", ImageExport.FileSafeName("###"));
    }

    [Fact]
    public void UnsupportedChannelCount_Throws() =>
        Assert.Throws<ArgumentException>(() => ImageExport.SavePng(Batch(1, 2, 3, 3, new ValueRange(0, 1)), 0, Path.Combine(_dir, "x.png")));
}
